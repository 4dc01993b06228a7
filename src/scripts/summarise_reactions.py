"""Data-section summary of one reaction data set: a LaTeX table and the numbers the text quotes."""

import argparse
from pathlib import Path

import polars as pl

from reeval.cli import run
from reeval.reactions.summary import (
    split_variables,
    summarise_dataset,
    summary_table,
    summary_variables,
)
from reeval.render.latex import write_table
from reeval.render.variables import write_variables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", choices=["bh", "sm"])
    parser.add_argument("--reactions", required=True, type=Path)
    parser.add_argument("--rejected", required=True, type=Path)
    parser.add_argument("--splits", required=True, type=Path)
    parser.add_argument("--table", required=True, type=Path)
    parser.add_argument("--output-dir", required=True, type=Path, help="for the .txt numbers")
    parser.add_argument("--bootstrap-resamples", type=int, required=True)
    parser.add_argument("--confidence", type=float, required=True)
    parser.add_argument("--seed", type=int, required=True)
    args = parser.parse_args()
    reactions = pl.read_parquet(args.reactions)
    summary = summarise_dataset(
        args.dataset,
        reactions,
        pl.read_parquet(args.rejected),
        n_resamples=args.bootstrap_resamples,
        confidence=args.confidence,
        seed=args.seed,
    )
    write_table(args.table, summary_table(args.dataset, summary))
    write_variables(args.output_dir, summary_variables(args.dataset, summary), digits=1)
    write_variables(
        args.output_dir, split_variables(args.dataset, reactions, pl.read_parquet(args.splits))
    )
    print(summary)


if __name__ == "__main__":
    run(main)
