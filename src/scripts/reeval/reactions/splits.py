"""The rows of a split, and the seeded training subsets of the learning curves.

Kept free of torch, so the tree baselines start in about a second."""

from __future__ import annotations

import numpy as np
import polars as pl

from reeval.errors import DataError


def split_rows(
    splits: pl.DataFrame, split: str, reaction_ids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows) as positions in `reaction_ids`, in the split's own order."""
    chosen = splits.filter(pl.col("split") == split).sort("position")
    if chosen.is_empty():
        raise DataError(
            f"split {split!r} not found; available: {splits['split'].unique().sort().to_list()}"
        )
    position = {int(r): i for i, r in enumerate(reaction_ids)}
    rows = {
        subset: np.array(
            [position[int(r)] for r in chosen.filter(pl.col("subset") == subset)["reaction_id"]],
            dtype=np.int64,
        )
        for subset in ("train", "test")
    }
    shared = np.intersect1d(rows["train"], rows["test"])
    if shared.size:
        raise DataError(
            f"split {split!r}: {shared.size} reactions are both training and test reactions "
            f"(e.g. ids {reaction_ids[shared[:3]].tolist()}); the split table is wrong: "
            "rerun the tidy step from the mirror's split files"
        )
    return rows["train"], rows["test"]


def subsample_training(
    train_rows: np.ndarray, n_reactions: int, fraction: float, seed: int
) -> np.ndarray:
    """A seeded random `fraction` of the whole data set, drawn from the training rows (the
    learning-curve protocol of Ahneman et al.); fraction 1, or more rows than the split
    has, keeps them all."""
    n = round(fraction * n_reactions)
    if fraction >= 1 or n >= len(train_rows):
        return train_rows
    if n < 2:
        raise DataError(f"a training fraction of {fraction} leaves {n} reactions")
    return np.sort(np.random.default_rng(seed).choice(train_rows, size=n, replace=False))
