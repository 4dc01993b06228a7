"""Shared plumbing of the entry scripts: one clear message on a known error, and the
arguments every group-training script takes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from reeval.errors import ReevalError


def run(main: Callable[[], None]) -> None:
    """Call `main`; a ReevalError prints `error: <message>` and exits with status 1."""
    try:
        main()
    except ReevalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of a job that trains a group of runs on one data set: the data set,
    its tidy reactions and splits, its feature store, the runs (JSON) and the threads."""
    parser.add_argument("dataset", choices=["bh", "sm"])
    parser.add_argument("--reactions", required=True, type=Path)
    parser.add_argument("--splits", required=True, type=Path)
    parser.add_argument("--features-dir", required=True, type=Path)
    parser.add_argument(
        "--runs",
        required=True,
        help='JSON list of {"split", "seed", "fraction", "out"}: out is the run\'s folder',
    )
    parser.add_argument("--threads", type=int, default=1)
