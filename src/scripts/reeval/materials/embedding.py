"""Every representation of the materials study: the language-model embedding of the
structure text and of the composition text, Mat2Vec, Magpie and the CrystalNN fingerprint,
for the structure pool; and the composition representations of the AFLOW and
thermoelectric compositions. Missing features are listed (`issue_rows`), never dropped
silently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from reeval.io import atomic_path
from reeval.materials import representations
from reeval.materials.language import TextEncoder, embed_cached, training_length
from reeval.materials.pool import records_from_frame
from reeval.materials.text import composition_text


def save_arrays(path: Path, **arrays) -> None:
    """Write named arrays to one .npz atomically (read back without pickle)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **arrays)


def composition_features(
    formulas: list[str], encoder: TextEncoder, table, cache: Path
) -> tuple[dict, representations.Features]:
    """LM-C, Mat2Vec and Magpie of each formula, and the Magpie features (for its issues)."""
    magpie = representations.magpie_features(formulas)
    return {
        "lm_composition": embed_cached(encoder, [composition_text(f) for f in formulas], cache),
        "mat2vec": representations.mat2vec_features(formulas, table),
        "magpie": magpie.matrix,
    }, magpie


def issue_rows(part: str, name: str, ids: list[str], features) -> list[dict]:
    """One row per item with missing features (set to 0) or a failed featurizer."""
    rows = [
        {
            "set": part,
            "representation": name,
            "id": ids[i],
            "kind": "incomplete",
            "detail": f"{n} of {features.matrix.shape[1]} features missing, set to 0",
        }
        for i, n in sorted(features.incomplete.items())
    ]
    rows += [
        {"set": part, "representation": name, "id": ids[i], "kind": "failed", "detail": why}
        for i, why in sorted(features.failed.items())
    ]
    return rows


ISSUE_SCHEMA = {
    "set": pl.String,
    "representation": pl.String,
    "id": pl.String,
    "kind": pl.String,
    "detail": pl.String,
}


def pool_features(
    pool: pl.DataFrame,
    texts: pl.DataFrame,
    encoder: TextEncoder,
    table: representations.ElementTable,
    cache: Path,
    threads: int = 1,
) -> tuple[dict[str, np.ndarray], list[dict], list[str]]:
    """(representation -> (n_pool, d), issue rows, the descriptions embedded). A structure
    robocrys could not describe has NaN rows in LM-S and LM-SC."""
    described = texts["error"].is_null().to_numpy()
    structure_text = np.full((pool.height, encoder.dim), np.nan, dtype=np.float32)
    descriptions = texts.filter(pl.col("error").is_null())["text"].to_list()
    structure_text[described] = embed_cached(encoder, descriptions, cache)
    ids = pool["id"].to_list()
    features, magpie = composition_features(pool["formula"].to_list(), encoder, table, cache)
    # the paper's feature: [structure text | composition text]
    features["lm"] = np.hstack([structure_text, features["lm_composition"]])
    features["lm_structure"] = structure_text
    crystalnn = representations.crystalnn_features(
        [r.structure for r in records_from_frame(pool)], threads
    )
    features["crystalnn"] = crystalnn.matrix
    issues = issue_rows("pool", "magpie", ids, magpie)
    issues += issue_rows("pool", "crystalnn", ids, crystalnn)
    return features, issues, descriptions


def encoder_report(encoder: TextEncoder, folder: Path, descriptions: list[str]) -> dict:
    """How the descriptions fit the encoder: chunk length, the length the encoder was
    trained on, and how many descriptions need several chunks or exceed that length."""
    tokens = encoder.n_tokens(descriptions)
    train_length = training_length(folder)
    return {
        "chunk_tokens": encoder.chunk_tokens,
        "training_length": train_length,
        "n_descriptions": len(tokens),
        "n_multi_chunk": sum(n > encoder.chunk_tokens - 2 for n in tokens),
        # texts with a chunk longer (special tokens included) than the training sequences
        "n_beyond_training": (
            None
            if train_length is None
            else sum(min(n + 2, encoder.chunk_tokens) > train_length for n in tokens)
        ),
    }
