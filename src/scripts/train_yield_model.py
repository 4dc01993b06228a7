"""Train the multimodal yield model (one variant) on one split with one seed.

Writes the test predictions (reaction_id, y, mu, sigma in %), the metrics (JSON) and the
trained weights (safetensors).
"""

import argparse
import json
from pathlib import Path

import polars as pl

from reeval.cli import run
from reeval.io import write_run_outputs
from reeval.models.variants import variant
from reeval.reactions.splits import split_rows, subsample_training
from reeval.training.inputs import load_inputs
from reeval.training.run_yield import run_yield_model
from reeval.training.runtime import choose_device, json_metadata, save_checkpoint, set_threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=["bh", "sm"])
    parser.add_argument("--reactions", required=True, type=Path)
    parser.add_argument("--splits", required=True, type=Path)
    parser.add_argument("--features-dir", required=True, type=Path)
    parser.add_argument("--embeddings", required=True, type=Path)
    parser.add_argument("--split", required=True)
    parser.add_argument("--variant", required=True)
    parser.add_argument("--seed", required=True, type=int)
    parser.add_argument(
        "--train-fraction",
        type=float,
        default=1.0,
        help="fraction of the whole data set to train on (learning curves)",
    )
    parser.add_argument("--settings", required=True, help="JSON: yield_model settings")
    parser.add_argument("--predictions", required=True, type=Path)
    parser.add_argument("--metrics", required=True, type=Path)
    parser.add_argument("--checkpoint", required=True, type=Path)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    settings = json.loads(args.settings)
    set_threads(args.threads)
    reactions = pl.read_parquet(args.reactions)
    inputs = load_inputs(reactions, args.features_dir, args.embeddings, settings["human_features"])
    train_rows, test_rows = split_rows(
        pl.read_parquet(args.splits), args.split, inputs.reaction_ids
    )
    train_rows = subsample_training(
        train_rows, len(inputs.reaction_ids), args.train_fraction, args.seed
    )
    device = choose_device(settings["device"])
    result = run_yield_model(
        inputs, train_rows, test_rows, variant(args.variant), settings, args.seed, device
    )
    record = {
        "dataset": args.dataset,
        "model": "multimodal",
        "split": args.split,
        "variant": args.variant,
        "seed": args.seed,
        "train_fraction": args.train_fraction,
        "device": str(device),  # CUDA runs are not bit-reproducible (README, Determinism)
        **result.metrics,
    }
    save_checkpoint(
        args.checkpoint,
        result.fit.model.state_dict(),
        json_metadata(run=record, history=result.fit.history),
    )
    write_run_outputs(result.predictions, record, args.predictions, args.metrics)
    print(json.dumps(record, sort_keys=True))


if __name__ == "__main__":
    run(main)
