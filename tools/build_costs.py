"""Where a build's time went: the benchmark files Snakemake wrote (benchmarks/**/*.tsv, one
per heavy job), grouped by rule family, with job counts, wall seconds and core-seconds (wall
x the rule's threads), largest first. Core-seconds / cores is the least wall time the build
could take on that many cores.

    python tools/build_costs.py [--benchmarks benchmarks] [--cores 2]
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# rules with threads: 2 in the quick profile (tree models, robocrys, pretraining, embedding)
TWO_THREADS = re.compile(r"_(rf|gbt)_|materials/(describe|embed)|pretrain_")
VARIANT_PART = re.compile(r"_(FullCV|Test|random_split)_?\d.*|_seed\d.*")


def family(relative: str) -> str:
    """benchmarks/baselines/bh_mpnn_Test1_seed0_frac1.tsv -> baselines/bh_mpnn."""
    return VARIANT_PART.sub("", relative.removesuffix(".tsv"))


def costs(folder: Path) -> dict[str, list[float]]:
    """{family: [jobs, wall s, core s]}."""
    table: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for path in sorted(folder.rglob("*.tsv")):
        with path.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        relative = str(path.relative_to(folder))
        seconds = float(row["s"])
        threads = 2 if TWO_THREADS.search(relative) else 1
        entry = table[family(relative)]
        entry[0] += 1
        entry[1] += seconds
        entry[2] += seconds * threads
    return dict(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmarks", type=Path, default=ROOT / "benchmarks")
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    table = costs(args.benchmarks)
    if not table:
        print(f"no benchmark files under {args.benchmarks}: build first (make paper)")
        return 1
    print(f"{'rule family':44s} {'jobs':>4s} {'wall s':>8s} {'core s':>8s}")
    for name, (jobs, wall, core) in sorted(table.items(), key=lambda kv: -kv[1][2]):
        print(f"{name:44s} {jobs:4d} {wall:8.0f} {core:8.0f}")
    total = sum(v[2] for v in table.values())
    print(f"total {total:.0f} core-s: at least {total / args.cores:.0f} s on {args.cores} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
