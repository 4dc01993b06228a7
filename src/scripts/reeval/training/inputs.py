"""Assemble a training run's inputs from the caches, and the rows of a split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import torch

from reeval.errors import DataError
from reeval.featurize.graphs import MoleculeGraphs
from reeval.featurize.store import (
    load_graph_cache,
    load_human_features,
    load_molecules,
    load_per_molecule_features,
)
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
    counts, per_molecule = _factors(feature_dir, human_features, ids, human)
    return ReactionInputs(
        ids,
        tensors["graph"],
        tensors["smiles"],
        torch.from_numpy(human),
        torch.tensor(reactions["yield_pct"].to_numpy(), dtype=torch.float32),
        counts,
        per_molecule,
    )


def _factors(
    feature_dir: Path, kinds: list[str], ids: np.ndarray, human: np.ndarray
) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """(counts, per-molecule features) when the human features are sums over molecules and
    their product reproduces the stored sums; else (None, None)."""
    per_molecule = load_per_molecule_features(feature_dir, kinds)
    if per_molecule is None:
        return None, None
    molecules = load_molecules(feature_dir)
    if not np.array_equal(np.asarray(molecules.reaction_ids), ids):
        raise DataError(
            "the molecule table is not aligned with the reactions table; rerun featurize"
        )
    counts = molecules.counts()
    if not np.allclose(counts @ per_molecule, human, rtol=1e-5, atol=1e-4):
        raise DataError(
            f"{feature_dir}: the per-molecule features do not sum to the reaction features; "
            "rerun featurize"
        )
    return torch.from_numpy(counts), torch.from_numpy(per_molecule)


def load_graphs(reactions: pl.DataFrame, feature_dir: Path, device: torch.device) -> MoleculeGraphs:
    """The molecule graphs of a data set, for models that train their graph encoder; rows
    aligned with the reactions table."""
    molecules = load_molecules(feature_dir)
    if molecules.reaction_ids != reactions["reaction_id"].to_list():
        raise DataError(f"{feature_dir}: molecules not aligned with the reactions; rerun featurize")
    return MoleculeGraphs(molecules, load_graph_cache(feature_dir), device)
