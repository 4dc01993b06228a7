"""Assemble a training run's inputs from the caches, and the rows of a split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import torch

from reeval.errors import DataError
from reeval.featurize.store import load_human_features
from reeval.training.runtime import load_checkpoint
from reeval.training.supervised import ReactionInputs


def load_inputs(
    reactions: pl.DataFrame, feature_dir: Path, embeddings: Path, human_features: list[str]
) -> ReactionInputs:
    ids = reactions["reaction_id"].to_numpy()
    human_ids, human = load_human_features(feature_dir, human_features)
    tensors, _ = load_checkpoint(embeddings)
    for name, other in [
        ("human features", human_ids),
        ("embeddings", tensors["reaction_id"].numpy()),
    ]:
        if not np.array_equal(other, ids):
            raise DataError(f"the {name} are not aligned with the reactions table; rerun featurize")
    return ReactionInputs(
        ids,
        tensors["graph"],
        tensors["smiles"],
        torch.from_numpy(human),
        torch.tensor(reactions["yield_pct"].to_numpy(), dtype=torch.float32),
    )


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
