"""MatBERT head to head: every representation's test-set predictions of formation energy
and band gap on the authors' train/test split (reeval.materials.authors_split)."""

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl
import torch

from reeval.cli import run
from reeval.io import write_parquet_atomic, write_text_atomic
from reeval.materials.authors_split import authors_split, run_authors_split
from reeval.materials.experiments import load_representations
from reeval.settings import Materials, from_mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pool", required=True, type=Path)
    parser.add_argument("--arrays", required=True, type=Path)
    parser.add_argument("--matbert", required=True, type=Path)
    parser.add_argument("--raw", required=True, type=Path)
    parser.add_argument("--settings", required=True, help="JSON: the materials config")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--counts-out", required=True, type=Path, help="JSON: the split's sizes")
    args = parser.parse_args()
    cfg = from_mapping(Materials, json.loads(args.settings), "materials.")
    torch.set_num_threads(args.threads)
    split = authors_split(
        pl.read_parquet(args.pool),
        load_representations(args.arrays),
        np.load(args.matbert, allow_pickle=False),
        args.raw,
    )
    print(
        f"authors' split: {split.n_train} training, {split.n_test} test structures; "
        f"{len(split.left_out)} left out: {split.left_out}"
    )
    settings = cfg.authors_split
    runs = run_authors_split(split, cfg.property_mlp, settings.seeds, settings.ridge_alphas)
    write_parquet_atomic(runs, args.out)
    counts = {"n_train": split.n_train, "n_test": split.n_test, "left_out": split.left_out}
    write_text_atomic(args.counts_out, json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    run(main)
