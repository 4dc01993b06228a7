"""Every representation of the materials study (reeval.materials.embedding): the pool's
language-model, Mat2Vec, Magpie and CrystalNN features, and the composition representations
of the AFLOW and thermoelectric compositions."""

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl
import torch

from reeval.cli import run
from reeval.io import write_parquet_atomic, write_text_atomic
from reeval.materials import aflow, embedding
from reeval.materials.language import TextEncoder, encoder_folder
from reeval.materials.representations import ElementTable
from reeval.materials.thermoelectrics import load_thermoelectrics
from reeval.settings import Materials, from_mapping


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
    cfg = from_mapping(Materials, json.loads(args.settings), "materials.")
    torch.set_num_threads(args.threads)
    folder = encoder_folder(cfg.text_encoder)
    encoder = TextEncoder(folder, cfg.chunk_tokens)
    table = ElementTable(args.raw / "materials/mat2vec_elements/mat2vec.csv")
    pool = pl.read_parquet(args.pool)
    features, issues, descriptions = embedding.pool_features(
        pool, pl.read_parquet(args.texts), encoder, table, args.cache, args.threads
    )
    embedding.save_arrays(args.pool_out, ids=np.array(pool["id"].to_list()), **features)
    splits = aflow.load_splits(
        args.raw / "materials/crabnet_aflow",
        list(cfg.aflow.properties),
        cfg.aflow.max_train,
        cfg.aflow.max_test,
        cfg.seed,
    )
    te = load_thermoelectrics(
        args.raw / "materials/ucsb_thermoelectrics/ucsb_thermoelectrics.csv",
        args.raw / "materials/estm/estm.xlsx",
        cfg.mmoe.min_labels,
    )
    formulas = sorted(set(splits["formula"]) | set(te.table["formula"]))
    arrays, magpie = embedding.composition_features(formulas, encoder, table, args.cache)
    embedding.save_arrays(args.compositions_out, formulas=np.array(formulas), **arrays)
    issues += embedding.issue_rows("compositions", "magpie", formulas, magpie)
    write_parquet_atomic(splits, args.aflow_out)
    write_parquet_atomic(te.table, args.thermoelectrics_out)
    write_parquet_atomic(pl.DataFrame(issues, schema=embedding.ISSUE_SCHEMA), args.issues_out)
    report = embedding.encoder_report(encoder, folder, descriptions)
    for path, counts in [(args.counts_out, te.counts()), (args.encoder_out, report)]:
        print(json.dumps(counts))
        write_text_atomic(path, json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    run(main)
