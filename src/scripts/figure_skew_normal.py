"""Figure: the skew-normal sample, where mean, median and trimean disagree."""

import numpy as np

import paths
from reeval.cli import run
from reeval.render.figures import mark_locations, new_figure, save_figure


def main() -> None:
    sample = np.load(paths.derived / "skew_normal_sample.npy", allow_pickle=False)
    fig, ax = new_figure(width=3.3, height=2.4)
    ax.hist(sample, bins=100, color="0.75", edgecolor="none")
    mark_locations(ax, sample, digits=0)
    ax.set(xlabel="value", ylabel="count")
    save_figure(fig, paths.figures / "skew_normal.pdf")


if __name__ == "__main__":
    run(main)
