"""Train one baseline on one split with one seed (optionally on a fraction of the data).

Writes the test predictions (reaction_id, y, mu, sigma in %; sigma is NaN for models
without one) and the metrics (JSON), like train_yield_model.py.
"""

import argparse
import json
from pathlib import Path

import polars as pl

from reeval.baselines.registry import baseline
from reeval.baselines.run import run_baseline
from reeval.cli import run
from reeval.errors import ConfigError
from reeval.io import write_run_outputs
from reeval.reactions.splits import split_rows, subsample_training


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=["bh", "sm"])
    parser.add_argument("--model", required=True)
    parser.add_argument("--reactions", required=True, type=Path)
    parser.add_argument("--splits", required=True, type=Path)
    parser.add_argument("--features-dir", required=True, type=Path)
    parser.add_argument("--split", required=True)
    parser.add_argument("--seed", required=True, type=int)
    parser.add_argument(
        "--train-fraction",
        type=float,
        default=1.0,
        help="fraction of the whole data set to train on (learning curves)",
    )
    parser.add_argument("--settings", required=True, help="JSON: the baselines settings")
    parser.add_argument("--predictions", required=True, type=Path)
    parser.add_argument("--metrics", required=True, type=Path)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--device", default="auto", help="neural baselines: auto (CUDA when present), cpu, cuda"
    )
    args = parser.parse_args()
    spec = baseline(args.model)
    if args.dataset not in spec.datasets:
        raise ConfigError(f"baseline {spec.name!r} runs on {spec.datasets}, not {args.dataset!r}")
    reactions = pl.read_parquet(args.reactions)
    ids = reactions["reaction_id"].to_numpy()
    train_rows, test_rows = split_rows(pl.read_parquet(args.splits), args.split, ids)
    train_rows = subsample_training(train_rows, len(ids), args.train_fraction, args.seed)
    predictions, metrics = run_baseline(
        spec,
        reactions,
        args.features_dir,
        train_rows,
        test_rows,
        json.loads(args.settings),
        args.seed,
        args.threads,
        device=args.device,
    )
    record = {
        "dataset": args.dataset,
        "model": spec.name,
        "split": args.split,
        "seed": args.seed,
        "train_fraction": args.train_fraction,
        **metrics,
    }
    write_run_outputs(predictions, record, args.predictions, args.metrics)
    print(json.dumps(record, sort_keys=True))


if __name__ == "__main__":
    run(main)
