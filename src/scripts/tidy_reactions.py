"""Tidy reaction tables (reactions, splits, excluded rows) from the raw files of one data set.

    python src/scripts/tidy_reactions.py bh --xlsx RAW.xlsx --out-prefix src/data/tidy/bh
    python src/scripts/tidy_reactions.py sm --xlsx RAW.xlsx --split-files S0.tsv ... \
        --out-prefix src/data/tidy/sm

writes <prefix>_reactions.parquet, <prefix>_splits.parquet and <prefix>_rejected.parquet.
"""

import argparse
from pathlib import Path

from reeval.cli import run
from reeval.reactions import buchwald_hartwig, suzuki_miyaura


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=["bh", "sm"])
    parser.add_argument("--xlsx", required=True, type=Path)
    parser.add_argument(
        "--split-files",
        type=Path,
        nargs="+",
        default=[],
        help="Suzuki-Miyaura only: the 10 random split files, in order",
    )
    parser.add_argument("--out-prefix", required=True)
    args = parser.parse_args()
    if args.dataset == "bh":
        tables = buchwald_hartwig.build_tables(args.xlsx)
    else:
        tables = suzuki_miyaura.build_tables(args.xlsx, args.split_files)
    prefix = args.out_prefix
    tables.write(
        Path(f"{prefix}_reactions.parquet"),
        Path(f"{prefix}_splits.parquet"),
        Path(f"{prefix}_rejected.parquet"),
    )
    print(tables.report())


if __name__ == "__main__":
    run(main)
