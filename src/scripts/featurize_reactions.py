"""Featurise one reaction data set once per unique molecule: graphs, Morgan, Mordred (and DFT).

    python src/scripts/featurize_reactions.py --reactions src/data/tidy/bh_reactions.parquet \
        --out-dir src/data/features/bh --morgan-radius 2 --morgan-bits 1024 [--rxnpredict-dir ...]
"""

import argparse
from pathlib import Path

import polars as pl

from reeval.cli import run
from reeval.featurize.store import build_feature_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reactions", required=True, type=Path)
    parser.add_argument("--out-dir", required=True, type=Path)
    parser.add_argument("--morgan-radius", required=True, type=int)
    parser.add_argument("--morgan-bits", required=True, type=int)
    parser.add_argument(
        "--rxnpredict-dir",
        type=Path,
        default=None,
        help="Buchwald-Hartwig only: rxnpredict's folder, for the DFT descriptors",
    )
    args = parser.parse_args()
    summary = build_feature_store(
        pl.read_parquet(args.reactions),
        args.out_dir,
        args.morgan_radius,
        args.morgan_bits,
        args.rxnpredict_dir,
    )
    print(summary)


if __name__ == "__main__":
    run(main)
