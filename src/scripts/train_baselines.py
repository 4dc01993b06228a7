"""Train one baseline on many splits, seeds and training fractions in this one process: tree
models one run after another, graph models side by side (each run as it would be alone).

Writes each run's test predictions (reaction_id, y, mu, sigma in %; sigma is NaN for models
without one) and metrics (JSON) into its folder, as train_yield_models.py does.
"""

import argparse
import json
from pathlib import Path

import polars as pl

from reeval.baselines.registry import baseline
from reeval.baselines.run import YieldBertJob, run_baseline_group
from reeval.cli import add_run_arguments, run
from reeval.errors import ConfigError
from reeval.io import write_run_outputs
from reeval.settings import Baselines, from_mapping


def yield_bert_job(spec, settings: Baselines, dataset: str, rxnfp_dir: Path | None):
    """Yield-BERT's settings on this data set and its model folder (None for the others)."""
    if spec.kind != "bert":
        return None
    if rxnfp_dir is None:
        raise ConfigError("Yield-BERT needs --rxnfp-dir, the folder of the rxnfp models")
    return YieldBertJob(rxnfp_dir, getattr(settings.yield_bert, dataset))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_arguments(parser)
    parser.add_argument("--model", required=True)
    parser.add_argument("--settings", required=True, help="JSON: the baselines settings")
    parser.add_argument(
        "--device", default="auto", help="neural baselines: auto (CUDA when present), cpu, cuda"
    )
    parser.add_argument("--rxnfp-dir", type=Path, help="Yield-BERT: the folder of the rxnfp models")
    args = parser.parse_args()
    spec = baseline(args.model)
    if args.dataset not in spec.datasets:
        raise ConfigError(f"baseline {spec.name!r} runs on {spec.datasets}, not {args.dataset!r}")
    reactions = pl.read_parquet(args.reactions)
    planned = json.loads(args.runs)
    settings = from_mapping(Baselines, json.loads(args.settings))
    runs = [(p["split"], int(p["seed"]), float(p["fraction"])) for p in planned]
    results = run_baseline_group(
        spec,
        reactions,
        pl.read_parquet(args.splits),
        args.features_dir,
        runs,
        settings,
        args.threads,
        args.device,
        progress=False,
        yield_bert=yield_bert_job(spec, settings, args.dataset, args.rxnfp_dir),
    )
    for p, (split, seed, fraction), (predictions, metrics) in zip(
        planned, runs, results, strict=True
    ):
        record = {
            "dataset": args.dataset,
            "model": spec.name,
            "split": split,
            "seed": seed,
            "train_fraction": fraction,
            **metrics,
        }
        out = Path(p["out"])
        write_run_outputs(predictions, record, out / "predictions.parquet", out / "metrics.json")
        print(json.dumps(record, sort_keys=True), flush=True)


if __name__ == "__main__":
    run(main)
