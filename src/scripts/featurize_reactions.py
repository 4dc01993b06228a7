"""Featurise one reaction data set once per unique molecule or component: graphs, Morgan,
Mordred, one-hot components, DRFP (and, for Buchwald-Hartwig, DFT and its random control).

    python src/scripts/featurize_reactions.py bh --reactions src/data/tidy/bh_reactions.parquet \
        --out-dir src/data/features/bh --morgan-radius 2 --morgan-bits 1024 --drfp-bits 2048 \
        --drfp-radius 3 --random-seed 0 [--rxnpredict-dir ...]
"""

import argparse
from pathlib import Path

import polars as pl

from reeval.cli import run
from reeval.featurize.store import FeatureSettings, build_feature_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=["bh", "sm"])
    parser.add_argument("--reactions", required=True, type=Path)
    parser.add_argument("--out-dir", required=True, type=Path)
    parser.add_argument("--morgan-radius", required=True, type=int)
    parser.add_argument("--morgan-bits", required=True, type=int)
    parser.add_argument("--drfp-bits", required=True, type=int)
    parser.add_argument("--drfp-radius", required=True, type=int)
    parser.add_argument(
        "--rxnpredict-dir",
        type=Path,
        default=None,
        help="Buchwald-Hartwig only: rxnpredict's folder, for the DFT descriptors",
    )
    args = parser.parse_args()
    settings = FeatureSettings(
        args.morgan_radius, args.morgan_bits, args.drfp_bits, args.drfp_radius
    )
    summary = build_feature_store(
        pl.read_parquet(args.reactions), args.dataset, args.out_dir, settings, args.rxnpredict_dir
    )
    print(summary)


if __name__ == "__main__":
    run(main)
