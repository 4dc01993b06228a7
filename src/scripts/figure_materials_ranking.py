"""Figure: MMoE against single-task MLPs per thermoelectric task (R2 over seeds), and the
predicted zT of the candidates recalled for PbTe by each representation."""

import numpy as np
import polars as pl

import paths
from reeval.cli import run
from reeval.materials.names import TASKS
from reeval.materials.summary import REPRESENTATION_LABELS
from reeval.render.figures import new_figure, save_figure
from reeval.stats.robust import quartiles, trimean

DATA = paths.data / "materials"
TASK_TICKS = {
    "seebeck": "S",
    "log_sigma": "log σ",
    "log_kappa": "log κ",
    "log_pf": "log PF",
    "zt": "zT",
}


def main() -> None:
    fig, (bars, boxes) = new_figure(ncols=2, width=7.0, height=2.4)
    te = pl.read_parquet(DATA / "figure_thermoelectric.parquet")
    reps = te["representation"].unique(maintain_order=True).to_list()
    width = 0.8 / (2 * len(reps))
    x = np.arange(len(TASKS))
    offset = 0
    for rep in reps:
        for model, hatch in (("mmoe", None), ("single_task", "//")):
            values = [
                te.filter(
                    (pl.col("task") == t)
                    & (pl.col("representation") == rep)
                    & (pl.col("model") == model)
                )["r2"].to_numpy()
                for t in TASKS
            ]
            centre = [trimean(v) for v in values]
            q = np.array([quartiles(v) for v in values])
            bars.bar(
                x - 0.4 + (offset + 0.5) * width,
                centre,
                width,
                hatch=hatch,
                yerr=[np.subtract(centre, q[:, 0]), np.subtract(q[:, 2], centre)],
                color=f"C{reps.index(rep)}",
                alpha=0.85 if hatch is None else 0.5,
                label=f"{REPRESENTATION_LABELS[rep]} {'MMoE' if hatch is None else 'single'}",
                error_kw={"linewidth": 0.6},
            )
            offset += 1
    bars.set(
        xticks=x,
        xticklabels=[TASK_TICKS[t] for t in TASKS],
        ylabel="$R^2$ (trimean, IQR)",
        title="thermoelectric tasks",
    )
    bars.set_ylim(top=1.15)
    bars.legend(fontsize=5, ncols=3, loc="upper center")
    zt = pl.read_parquet(DATA / "figure_top_zt.parquet")
    order = [r for r in REPRESENTATION_LABELS if r in set(zt["representation"])]
    boxes.boxplot(
        [zt.filter(pl.col("representation") == r)["zt"].to_numpy() for r in order], showfliers=False
    )
    boxes.set_xticks(
        range(1, len(order) + 1), [REPRESENTATION_LABELS[r] for r in order], rotation=30, fontsize=7
    )
    boxes.set(ylabel="predicted zT", title="candidates recalled for PbTe")
    save_figure(fig, paths.figures / "materials_ranking.pdf")


if __name__ == "__main__":
    run(main)
