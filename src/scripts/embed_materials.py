"""Every representation of the materials study: the language-model embedding of the
structure text and of the composition text, Mat2Vec, Magpie and the CrystalNN fingerprint,
for the structure pool; and the composition representations of the AFLOW and
thermoelectric compositions."""

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl
import torch

from reeval.cli import run
from reeval.io import atomic_path, write_parquet_atomic, write_text_atomic
from reeval.materials import aflow, representations
from reeval.materials.language import (
    TextEncoder,
    embed_cached,
    encoder_folder,
    training_length,
)
from reeval.materials.pool import records_from_frame
from reeval.materials.text import composition_text
from reeval.materials.thermoelectrics import load_thermoelectrics


def save_arrays(path: Path, **arrays) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **arrays)


def composition_features(
    formulas: list[str], encoder: TextEncoder, table, cache: Path
) -> tuple[dict, representations.Features]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pool", required=True, type=Path)
    parser.add_argument("--texts", required=True, type=Path)
    parser.add_argument("--raw", required=True, type=Path)
    parser.add_argument("--settings", required=True, help="JSON: the materials config")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--cache", required=True, type=Path, help="language-model embeddings, kept across builds"
    )
    parser.add_argument("--pool-out", required=True, type=Path)
    parser.add_argument("--compositions-out", required=True, type=Path)
    parser.add_argument("--aflow-out", required=True, type=Path)
    parser.add_argument("--thermoelectrics-out", required=True, type=Path)
    parser.add_argument("--counts-out", required=True, type=Path, help="JSON: dropped rows")
    parser.add_argument("--issues-out", required=True, type=Path)
    parser.add_argument("--encoder-out", required=True, type=Path, help="JSON: the encoder")
    args = parser.parse_args()
    cfg = json.loads(args.settings)
    torch.set_num_threads(args.threads)
    folder = encoder_folder(cfg["text_encoder"])
    encoder = TextEncoder(folder, cfg["chunk_tokens"])
    table = representations.ElementTable(args.raw / "materials/mat2vec_elements/mat2vec.csv")

    pool = pl.read_parquet(args.pool)
    texts = pl.read_parquet(args.texts)
    described = texts["error"].is_null().to_numpy()
    structure_text = np.full((pool.height, encoder.dim), np.nan, dtype=np.float32)
    descriptions = texts.filter(pl.col("error").is_null())["text"].to_list()
    structure_text[described] = embed_cached(encoder, descriptions, args.cache)
    ids = pool["id"].to_list()
    features, magpie = composition_features(pool["formula"].to_list(), encoder, table, args.cache)
    # the paper's feature: [structure text | composition text]
    features["lm"] = np.hstack([structure_text, features["lm_composition"]])
    features["lm_structure"] = structure_text
    crystalnn = representations.crystalnn_features(
        [r.structure for r in records_from_frame(pool)], args.threads
    )
    features["crystalnn"] = crystalnn.matrix
    save_arrays(args.pool_out, ids=np.array(ids), **features)
    issues = issue_rows("pool", "magpie", ids, magpie)
    issues += issue_rows("pool", "crystalnn", ids, crystalnn)
    tokens = encoder.n_tokens(descriptions)
    train_length = training_length(folder)
    encoder_report = {
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

    splits = aflow.load_splits(
        args.raw / "materials/crabnet_aflow",
        cfg["aflow"]["properties"],
        cfg["aflow"]["max_train"],
        cfg["aflow"]["max_test"],
        cfg["seed"],
    )
    te = load_thermoelectrics(
        args.raw / "materials/ucsb_thermoelectrics/ucsb_thermoelectrics.csv",
        args.raw / "materials/estm/estm.xlsx",
        cfg["mmoe"]["min_labels"],
    )
    formulas = sorted(set(splits["formula"]) | set(te.table["formula"]))
    arrays, magpie = composition_features(formulas, encoder, table, args.cache)
    save_arrays(args.compositions_out, formulas=np.array(formulas), **arrays)
    issues += issue_rows("compositions", "magpie", formulas, magpie)
    write_parquet_atomic(splits, args.aflow_out)
    write_parquet_atomic(te.table, args.thermoelectrics_out)
    write_parquet_atomic(pl.DataFrame(issues, schema=ISSUE_SCHEMA), args.issues_out)
    for path, report in [(args.counts_out, te.counts()), (args.encoder_out, encoder_report)]:
        print(json.dumps(report))
        write_text_atomic(path, json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    run(main)
