"""Embedding quality: an MLP per AFLOW property (composition representations) and per MP
elasticity modulus (structure representations), several seeds each."""

import argparse
import json
from pathlib import Path

import polars as pl
import torch

from reeval.cli import run
from reeval.io import write_parquet_atomic
from reeval.materials.experiments import aflow_runs, elasticity_runs, load_representations
from reeval.settings import Materials, from_mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pool", required=True, type=Path)
    parser.add_argument("--arrays", required=True, type=Path)
    parser.add_argument("--compositions", required=True, type=Path)
    parser.add_argument("--aflow", required=True, type=Path)
    parser.add_argument("--settings", required=True, help="JSON: the materials config")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    cfg = from_mapping(Materials, json.loads(args.settings), "materials.").property_mlp
    torch.set_num_threads(args.threads)
    compositions = load_representations(args.compositions)
    rows = aflow_runs(pl.read_parquet(args.aflow), compositions, cfg)
    rows += elasticity_runs(pl.read_parquet(args.pool), load_representations(args.arrays), cfg)
    write_parquet_atomic(pl.DataFrame(rows, infer_schema_length=None), args.out)


if __name__ == "__main__":
    run(main)
