"""Figure: 2-D UMAP of each representation of the structure pool, by crystal system."""

import polars as pl

import paths
from reeval.cli import run
from reeval.materials.summary import REPRESENTATION_LABELS
from reeval.render.figures import new_figure, save_figure

DATA = paths.data / "materials/umap.parquet"
SYSTEMS = [
    "cubic",
    "hexagonal",
    "trigonal",
    "tetragonal",
    "orthorhombic",
    "monoclinic",
    "triclinic",
    "unknown",
]


def main() -> None:
    frame = pl.read_parquet(DATA)
    reps = list(REPRESENTATION_LABELS)
    fig, axes = new_figure(ncols=len(reps), width=7.0, height=1.9)
    for ax, rep in zip(axes, reps, strict=False):
        part = frame.filter(pl.col("representation") == rep)
        for index, system in enumerate(SYSTEMS):
            points = part.filter(pl.col("crystal_system") == system)
            if points.height:
                ax.scatter(
                    points["x"], points["y"], s=3, color=f"C{index}", label=system, linewidths=0
                )
        ax.set(title=REPRESENTATION_LABELS[rep], xticks=[], yticks=[])
    axes[-1].legend(fontsize=5, markerscale=2, loc="center left", bbox_to_anchor=(1, 0.5))
    save_figure(fig, paths.figures / "materials_umap.pdf")


if __name__ == "__main__":
    run(main)
