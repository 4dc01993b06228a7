"""Figure plumbing: a non-interactive backend, one style, deterministic atomic PDF output."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from reeval.io import atomic_path
from reeval.stats.robust import median, trimean

STYLE = {
    "figure.dpi": 150,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "pdf.fonttype": 42,
}
# mean, median, trimean: the same colour and line style for each estimate in every figure
LOCATION_STYLES = {
    "mean": dict(color="#d62728", linestyle="-"),
    "median": dict(color="#1f77b4", linestyle="--"),
    "trimean": dict(color="#2ca02c", linestyle=":"),
}


def new_figure(ncols: int = 1, width: float = 6.5, height: float = 2.6):
    plt.rcParams.update(STYLE)
    fig, axes = plt.subplots(1, ncols, figsize=(width, height), constrained_layout=True)
    return fig, axes


def mark_locations(ax, sample: np.ndarray, digits: int = 1) -> None:
    """Vertical lines at the sample's mean, median and trimean, labelled with their values."""
    estimates = {
        "mean": float(np.mean(sample)),
        "median": float(median(sample)),
        "trimean": float(trimean(sample)),
    }
    for name, value in estimates.items():
        ax.axvline(
            value, linewidth=1.3, label=f"{name} {value:.{digits}f}", **LOCATION_STYLES[name]
        )
    ax.legend(loc="best", fontsize=7)


def save_figure(fig, path: str | Path) -> Path:
    """Save as PDF without a creation date (so rebuilds give identical bytes), atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="pdf", metadata={"CreationDate": None, "ModDate": None})
    plt.close(fig)
    return path
