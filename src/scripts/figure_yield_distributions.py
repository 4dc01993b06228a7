"""Figure: yield distributions of both HTE sets, with mean, median and trimean marked."""

import numpy as np
import polars as pl

import paths
from reeval.cli import run
from reeval.render.figures import mark_locations, new_figure, save_figure

DATASETS = [("bh", "Buchwald-Hartwig"), ("sm", "Suzuki-Miyaura")]


def main() -> None:
    fig, axes = new_figure(ncols=2)
    for ax, (key, title) in zip(axes, DATASETS, strict=True):
        yields = pl.read_parquet(paths.tidy / f"{key}_reactions.parquet")["yield_pct"].to_numpy()
        ax.hist(yields, bins=np.linspace(0, 100, 41), color="0.75", edgecolor="white")
        mark_locations(ax, yields)
        ax.set(title=f"{title} (n = {yields.size})", xlabel="yield (%)", ylabel="reactions")
    save_figure(fig, paths.figures / "yield_distributions.pdf")


if __name__ == "__main__":
    run(main)
