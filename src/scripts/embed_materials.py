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
from reeval.materials.language import TextEncoder, embed_cached, encoder_folder
from reeval.materials.pool import records_from_frame
from reeval.materials.text import composition_text
from reeval.materials.thermoelectrics import load_thermoelectrics


def save_arrays(path: Path, **arrays) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, **arrays)


def composition_features(formulas: list[str], encoder: TextEncoder, table, cache: Path) -> dict:
    return {
        "lm_composition": embed_cached(encoder, [composition_text(f) for f in formulas], cache),
        "mat2vec": representations.mat2vec_features(formulas, table),
        "magpie": representations.magpie_features(formulas),
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
    args = parser.parse_args()
    cfg = json.loads(args.settings)
    torch.set_num_threads(args.threads)
    encoder = TextEncoder(encoder_folder(cfg["text_encoder"]), cfg["chunk_tokens"])
    table = representations.ElementTable(args.raw / "materials/mat2vec_elements/mat2vec.csv")

    pool = pl.read_parquet(args.pool)
    texts = pl.read_parquet(args.texts)
    described = texts["error"].is_null().to_numpy()
    structure_text = np.full((pool.height, encoder.dim), np.nan, dtype=np.float32)
    structure_text[described] = embed_cached(
        encoder, texts.filter(pl.col("error").is_null())["text"].to_list(), args.cache
    )
    features = composition_features(pool["formula"].to_list(), encoder, table, args.cache)
    # the paper's feature: [structure text | composition text]
    features["lm"] = np.hstack([structure_text, features["lm_composition"]])
    features["lm_structure"] = structure_text
    features["crystalnn"] = representations.crystalnn_features(
        [r.structure for r in records_from_frame(pool)], args.threads
    )
    save_arrays(args.pool_out, ids=np.array(pool["id"].to_list()), **features)

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
    save_arrays(
        args.compositions_out,
        formulas=np.array(formulas),
        **composition_features(formulas, encoder, table, args.cache),
    )
    write_parquet_atomic(splits, args.aflow_out)
    write_parquet_atomic(te.table, args.thermoelectrics_out)
    counts = {
        "n_raw": te.n_raw,
        "n_bad_formula": te.n_bad_formula,
        "n_nonpositive": te.n_nonpositive,
        "n_sparse": te.n_sparse,
    }
    print(json.dumps(counts))
    write_text_atomic(args.thermoelectrics_out.with_suffix(".json"), json.dumps(counts))


if __name__ == "__main__":
    run(main)
