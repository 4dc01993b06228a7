"""Thermoelectric ranking: the MMoE against single-task MLPs on the experimental tasks
(composition-grouped test splits, several seeds), then the MMoE trained on every row and
its predictions for every pool structure at the ranking temperature."""

import argparse
import json
from pathlib import Path

import polars as pl
import torch

from reeval.cli import run
from reeval.io import write_parquet_atomic
from reeval.materials.experiments import load_representations, pool_predictions, thermoelectric_runs
from reeval.settings import Materials, from_mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pool", required=True, type=Path)
    parser.add_argument("--arrays", required=True, type=Path)
    parser.add_argument("--compositions", required=True, type=Path)
    parser.add_argument("--thermoelectrics", required=True, type=Path)
    parser.add_argument("--settings", required=True, help="JSON: the materials config")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs-out", required=True, type=Path)
    parser.add_argument("--predictions-out", required=True, type=Path)
    args = parser.parse_args()
    cfg = from_mapping(Materials, json.loads(args.settings), "materials.").mmoe
    torch.set_num_threads(args.threads)
    compositions = load_representations(args.compositions)
    te = pl.read_parquet(args.thermoelectrics)
    write_parquet_atomic(pl.DataFrame(thermoelectric_runs(te, compositions, cfg)), args.runs_out)
    pool = pl.read_parquet(args.pool)
    arrays = load_representations(args.arrays)
    write_parquet_atomic(
        pool_predictions(te, compositions, pool, arrays, cfg), args.predictions_out
    )


if __name__ == "__main__":
    run(main)
