"""Train one baseline on many splits, seeds and training fractions, one run after another
in this one process (each run as it would be alone).

Writes each run's test predictions (reaction_id, y, mu, sigma in %; sigma is NaN for models
without one) and metrics (JSON) into its folder, as train_yield_models.py does.
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
    parser.add_argument(
        "--runs",
        required=True,
        help='JSON list of {"split", "seed", "fraction", "out"}: out is the run\'s folder',
    )
    parser.add_argument("--settings", required=True, help="JSON: the baselines settings")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--device", default="auto", help="neural baselines: auto (CUDA when present), cpu, cuda"
    )
    args = parser.parse_args()
    spec = baseline(args.model)
    if args.dataset not in spec.datasets:
        raise ConfigError(f"baseline {spec.name!r} runs on {spec.datasets}, not {args.dataset!r}")
    reactions = pl.read_parquet(args.reactions)
    splits = pl.read_parquet(args.splits)
    ids = reactions["reaction_id"].to_numpy()
    settings = json.loads(args.settings)
    for planned in json.loads(args.runs):
        seed, fraction = int(planned["seed"]), float(planned["fraction"])
        train_rows, test_rows = split_rows(splits, planned["split"], ids)
        train_rows = subsample_training(train_rows, len(ids), fraction, seed)
        predictions, metrics = run_baseline(
            spec,
            reactions,
            args.features_dir,
            train_rows,
            test_rows,
            settings,
            seed,
            args.threads,
            progress=False,
            device=args.device,
        )
        record = {
            "dataset": args.dataset,
            "model": spec.name,
            "split": planned["split"],
            "seed": seed,
            "train_fraction": fraction,
            **metrics,
        }
        out = Path(planned["out"])
        write_run_outputs(predictions, record, out / "predictions.parquet", out / "metrics.json")
        print(json.dumps(record, sort_keys=True), flush=True)


if __name__ == "__main__":
    run(main)
