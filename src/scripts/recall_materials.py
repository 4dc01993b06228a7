"""Recall: the top-k candidates of each query structure per representation; agreement of
each representation's similarity rankings with the authors' MatBERT embeddings; and the
2-D UMAP of each representation (for the figure)."""

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl

from reeval.cli import run
from reeval.io import write_parquet_atomic
from reeval.materials.projection import umap_table
from reeval.materials.recall import agreement_table, recall_table
from reeval.settings import Materials, from_mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pool", required=True, type=Path)
    parser.add_argument("--arrays", required=True, type=Path)
    parser.add_argument("--matbert", required=True, type=Path)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--recall-out", required=True, type=Path)
    parser.add_argument("--agreement-out", required=True, type=Path)
    parser.add_argument("--umap-out", required=True, type=Path)
    args = parser.parse_args()
    cfg = from_mapping(Materials, json.loads(args.settings), "materials.")
    pool = pl.read_parquet(args.pool)
    arrays = dict(np.load(args.arrays, allow_pickle=False))
    write_parquet_atomic(recall_table(pool, arrays, cfg.recall_k), args.recall_out)
    agreement, n, left_out = agreement_table(
        pool, arrays, np.load(args.matbert, allow_pickle=False), list(cfg.agreement_ks)
    )
    write_parquet_atomic(agreement, args.agreement_out)
    print(
        f"agreement with MatBERT over {n} of the authors' structures "
        f"({left_out} without every representation left out)"
    )
    write_parquet_atomic(umap_table(pool, arrays, cfg.umap), args.umap_out)


if __name__ == "__main__":
    run(main)
