"""Figure: learning curves (R2 against training fraction), calibration curves, and R2 on
each additive out-of-sample split."""

import matplotlib.ticker
import numpy as np
import polars as pl

import paths
from reeval.analysis.comparison import MODEL_LABELS
from reeval.cli import run
from reeval.render.figures import new_figure, save_figure

DATA = paths.data / "results/comparison"


def plain(label: str) -> str:
    return label.replace("$", "")


def main() -> None:
    fig, (curves, calibration, oos) = new_figure(ncols=3, width=7.0, height=2.5)
    lc = pl.read_parquet(DATA / "learning_curves.parquet")
    for model in lc["model"].unique().sort():
        part = lc.filter(pl.col("model") == model).sort("fraction")
        x = part["fraction"].to_numpy() * 100
        curves.plot(x, part["trimean"], marker="o", markersize=3, label=plain(MODEL_LABELS[model]))
        curves.fill_between(x, part["q1"], part["q3"], alpha=0.2)
    published = pl.read_parquet(DATA / "learning_curves_published.parquet")
    for model, marker in (("dft_rf", "x"), ("yield_bert", "^")):
        part = published.filter(pl.col("model") == model).sort("fraction")
        if part.height:
            name = "DFT RF" if model == "dft_rf" else "Yield-BERT"
            curves.scatter(
                part["fraction"].to_numpy() * 100,
                part["r2"],
                marker=marker,
                s=12,
                color="0.2",
                facecolors="none" if marker == "^" else None,
                label=f"{name} (published)",
                zorder=3,
            )
    curves.set(
        xscale="log",
        xlabel="training set (% of data)",
        ylabel="$R^2$ (trimean, IQR)",
        title="learning curves (BH)",
    )
    ticks = sorted(set((lc["fraction"] * 100).round(1).to_list()))
    curves.set_xticks(ticks, [f"{t:g}" for t in ticks], fontsize=6)
    curves.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    curves.legend(fontsize=5, loc="lower right")
    cal = pl.read_parquet(DATA / "calibration.parquet")
    for model in cal["model"].unique().sort():
        part = cal.filter(pl.col("model") == model)
        calibration.plot(part["expected"], part["observed"], label=plain(MODEL_LABELS[model]))
    calibration.plot([0, 1], [0, 1], color="0.3", linewidth=0.8, linestyle="--")
    calibration.set(
        xlabel="expected coverage", ylabel="observed coverage", title="calibration (BH FullCV)"
    )
    calibration.legend(fontsize=5, loc="upper left")
    bars = pl.read_parquet(DATA / "oos_r2.parquet")
    models = bars["model"].unique().sort().to_list()
    splits = sorted(bars["split"].unique().to_list())
    width = 0.8 / len(models)
    for i, model in enumerate(models):
        part = bars.filter(pl.col("model") == model)
        values = [
            part.filter(pl.col("split") == s)["r2"].item()
            if s in part["split"].to_list()
            else np.nan
            for s in splits
        ]
        oos.bar(np.arange(len(splits)) + i * width, values, width, label=plain(MODEL_LABELS[model]))
    oos.set_xticks(np.arange(len(splits)) + 0.4 - width / 2, splits)
    oos.set(ylabel="$R^2$", title="additive out-of-sample")
    oos.set_ylim(top=1.45)  # room for the legend above the bars
    oos.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    oos.legend(fontsize=4, ncol=2, loc="upper center")
    save_figure(fig, paths.figures / "comparison.pdf")


if __name__ == "__main__":
    run(main)
