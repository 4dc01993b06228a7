"""The per-data-set feature cache (src/data/features/<dataset>/): molecules, graphs and
human features, written once by the featurize rule and read by every model."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from safetensors import safe_open
from safetensors.numpy import load_file, save_file

from reeval.errors import DataError
from reeval.featurize import components, human
from reeval.featurize.molecules import ReactionMolecules
from reeval.featurize.rxnfp_files import RXNFP_KINDS, rxnfp_file
from reeval.io import (
    atomic_path,
    canonical_safetensors,
    verify_checksum,
    write_parquet_atomic,
)

MOLECULES = "molecules.parquet"
MEMBERSHIP = "membership.parquet"
GRAPHS = "graphs.safetensors"
HUMAN = "human_features.safetensors"
FEATURE_KINDS = ("morgan", "mordred", "dft", "onehot", "drfp")
SUMMED_KINDS = ("morgan", "mordred")  # sums over a reaction's molecules


def per_molecule(kind: str) -> str:
    """The key of a summed feature kind's per-molecule matrix in the human-feature file."""
    return f"{kind}.molecules"


@dataclass(frozen=True)
class FeatureSummary:
    n_molecules: int
    n_features: dict[str, int]
    mordred_dropped: int


@dataclass(frozen=True)
class FeatureSettings:
    morgan_radius: int
    morgan_bits: int
    drfp_bits: int
    drfp_radius: int


def build_feature_store(
    reactions: pl.DataFrame,
    dataset: str,
    out_dir: Path,
    settings: FeatureSettings,
    rxnpredict_dir: Path | None = None,
) -> FeatureSummary:
    """Compute everything once per unique molecule (or component) and sum or join it per
    reaction: Morgan, Mordred, one-hot components, DRFP, and for Buchwald-Hartwig the DFT
    descriptors with their random-vector control."""
    from reeval.featurize.graphs import mol_to_graph, save_graphs  # torch, PyG: see below

    molecules = ReactionMolecules.from_reactions(
        reactions["reaction_id"].to_list(), reactions["rxn_smiles"].to_list()
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    frames = molecules.to_frames()
    for frame, name in zip(frames, (MOLECULES, MEMBERSHIP), strict=True):
        write_parquet_atomic(frame, out_dir / name, checksum=True)
    save_graphs([mol_to_graph(s) for s in molecules.smiles], out_dir / GRAPHS)
    morgan_per_molecule = human.morgan_fingerprints(
        molecules.smiles, settings.morgan_radius, settings.morgan_bits
    )
    mordred_per_molecule, mordred_names, dropped = human.mordred_descriptors(molecules.smiles)
    onehot, onehot_names = components.one_hot_components(
        reactions, components.ROLE_COLUMNS[dataset]
    )
    arrays = {
        "reaction_id": np.asarray(molecules.reaction_ids, dtype=np.int64),
        "morgan": human.sum_over_reaction(morgan_per_molecule, molecules),
        "mordred": human.sum_over_reaction(mordred_per_molecule, molecules),
        # the summed kinds also per molecule: a model's first linear layer can then act on
        # the few distinct molecules instead of every reaction (reeval.training.batched)
        per_molecule("morgan"): morgan_per_molecule,
        per_molecule("mordred"): mordred_per_molecule,
        "onehot": onehot,
        "drfp": components.drfp_fingerprints(
            reactions["rxn_smiles"].to_list(), settings.drfp_bits, settings.drfp_radius
        ),
    }
    names = {"mordred": mordred_names, "onehot": onehot_names}
    if rxnpredict_dir is not None:
        arrays["dft"], names["dft"] = human.dft_descriptors(
            reactions, rxnpredict_dir / "data_table.csv", rxnpredict_dir / "R"
        )
    metadata = {"columns": json.dumps(names), "mordred_dropped": str(dropped)}
    with atomic_path(out_dir / HUMAN, checksum=True) as tmp:
        save_file(arrays, str(tmp), metadata=metadata)
        canonical_safetensors(tmp)
    return FeatureSummary(
        len(molecules.smiles),
        {k: int(v.shape[1]) for k, v in arrays.items() if k in FEATURE_KINDS},
        dropped,
    )


def load_molecules(feature_dir: Path) -> ReactionMolecules:
    for name in (MOLECULES, MEMBERSHIP):
        verify_checksum(feature_dir / name)
    return ReactionMolecules.from_frames(
        pl.read_parquet(feature_dir / MOLECULES), pl.read_parquet(feature_dir / MEMBERSHIP)
    )


def load_graph_cache(feature_dir: Path):
    # torch and PyG take seconds to import: readers of the human features alone skip them
    from reeval.featurize.graphs import load_graphs

    return load_graphs(feature_dir / GRAPHS)


def _human_arrays(feature_dir: Path, kinds: list[str]) -> dict[str, np.ndarray]:
    try:
        verify_checksum(feature_dir / HUMAN)
        arrays = load_file(str(feature_dir / HUMAN))
    except Exception as exc:
        raise DataError(
            f"{feature_dir / HUMAN}: cannot load ({exc}); "
            "rerun the build, which deletes and recomputes a corrupt cache"
        ) from exc
    for kind in (k for k in kinds if k in RXNFP_KINDS):
        arrays[kind] = _rxnfp_vectors(feature_dir, RXNFP_KINDS[kind], arrays["reaction_id"])
    missing = [k for k in kinds if k not in arrays]
    if missing:
        raise DataError(
            f"{feature_dir / HUMAN} has no {missing} features (available: "
            f"{sorted(k for k in arrays if k in FEATURE_KINDS)}, rxnfp, rxnfp_pretrained); "
            "dft exists for bh only"
        )
    return arrays


def _rxnfp_vectors(feature_dir: Path, model: str, reaction_ids: np.ndarray) -> np.ndarray:
    """One rxnfp model's vectors, checked to be in the feature store's reaction order."""
    path = feature_dir / rxnfp_file(model)
    try:
        verify_checksum(path)
        arrays = load_file(str(path))
    except Exception as exc:
        raise DataError(
            f"{path}: cannot load ({exc}); rerun the build (rule rxnfp_reactions), which "
            "deletes and recomputes a corrupt cache"
        ) from exc
    if not np.array_equal(arrays["reaction_id"], reaction_ids):
        raise DataError(f"{path} holds other reactions than {feature_dir / HUMAN}: rerun the build")
    return arrays["vectors"]


def load_human_features(feature_dir: Path, kinds: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(reaction ids, the requested feature blocks side by side)."""
    arrays = _human_arrays(feature_dir, kinds)
    return arrays["reaction_id"], np.concatenate([arrays[k] for k in kinds], axis=1)


def dft_widths(feature_dir: Path) -> dict[str, int]:
    """How many DFT descriptor columns each component role has (the layout the random-vector
    control of Chuang & Keiser copies); Buchwald-Hartwig only."""
    try:
        verify_checksum(feature_dir / HUMAN)
        with safe_open(str(feature_dir / HUMAN), "np") as handle:
            names = json.loads(handle.metadata()["columns"]).get("dft")
    except Exception as exc:
        raise DataError(
            f"{feature_dir / HUMAN}: cannot load ({exc}); "
            "rerun the build, which deletes and recomputes a corrupt cache"
        ) from exc
    if not names:
        raise DataError(f"{feature_dir / HUMAN} has no DFT descriptors (they exist for bh only)")
    return {role: sum(n.startswith(f"{role}_") for n in names) for role in human.DFT_ROLES}


def load_per_molecule_features(feature_dir: Path, kinds: list[str]) -> np.ndarray | None:
    """(molecules x features): the requested blocks per molecule, side by side, when every
    one of them is a sum over a reaction's molecules; else None."""
    if not all(k in SUMMED_KINDS for k in kinds):
        return None
    arrays = _human_arrays(feature_dir, kinds)
    if not all(per_molecule(k) in arrays for k in kinds):
        return None
    return np.concatenate([arrays[per_molecule(k)] for k in kinds], axis=1)
