"""The rxnfp [CLS] vector of every reaction of a data set, from one of rxnfp's BERTs."""

import argparse
from pathlib import Path

import polars as pl

from reeval.cli import run
from reeval.featurize.rxnfp import write_rxnfp_vectors
from reeval.training.runtime import set_threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reactions", required=True, type=Path)
    parser.add_argument("--model-dir", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    set_threads(args.threads)
    reactions = pl.read_parquet(args.reactions)
    seconds = write_rxnfp_vectors(reactions, args.model_dir, args.out, args.batch_size)
    print(
        f"{args.model_dir.name}: {reactions.height} reactions in {seconds:.0f} s "
        f"({reactions.height / seconds:.1f} reactions/s) -> {args.out}"
    )


if __name__ == "__main__":
    run(main)
