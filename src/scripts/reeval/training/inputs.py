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
