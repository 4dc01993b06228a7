"""Benchmark: describing structures with Robocrystallographer, as robocrys does it alone
against `reeval.materials.text._robocrys_text` (each neighbour search made once).

The same structures (every `--every`-th structure of the profile's materials pool)
are described twice in one process, one thread:

(a) robocrys alone: `StructureCondenser(mineral_matcher=False)` and `StructureDescriber`,
    built once, their neighbour searches repeated as robocrys repeats them;
(b) the build's path, `_robocrys_text`: the same condenser settings, each Voronoi
    neighbour search and each list of bonded neighbours computed once per structure.

Prints the seconds of each path, their ratio and how many texts are equal (all must be).
Reads the fetched raw files (`make paper`, or the fetch rules), or the data mirror.

    python tools/bench_robocrys.py [--every 8] [--raw src/data/raw] [--profile quick]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import paths  # the one path registry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=8, help="describe every n-th structure")
    parser.add_argument("--raw", type=Path, default=None, help="the fetched raw files")
    parser.add_argument("--profile", default="quick")
    args = parser.parse_args()
    raw = args.raw or next(
        (p for p in (paths.raw, paths.root.parent / "shared" / "data") if p.is_dir()), None
    )
    if raw is None:
        raise SystemExit("no raw files: run `make paper` first, or pass --raw <data mirror>")
    os.environ.setdefault("SPGLIB_OLD_ERROR_HANDLING", "false")
    warnings.simplefilter("ignore")

    from robocrys import StructureCondenser, StructureDescriber

    from reeval.config import load_config
    from reeval.materials.pool import build_pool
    from reeval.materials.text import _robocrys, _robocrys_text
    from reeval.settings import Materials, from_mapping

    materials = from_mapping(Materials, load_config(args.profile)["materials"], "materials.")
    records, _, _ = build_pool(raw, materials.pool, materials.seed)
    chosen = records[:: args.every]
    dicts = [r.structure.as_dict() for r in chosen]
    condenser, describer = StructureCondenser(mineral_matcher=False), StructureDescriber()
    _robocrys(False)  # from here both paths read the molecule names once per process

    start = time.perf_counter()
    alone = [describer.describe(condenser.condense_structure(r.structure)) for r in chosen]
    seconds_alone = time.perf_counter() - start
    start = time.perf_counter()
    ours = [_robocrys_text(d, False) for d in dicts]
    seconds_ours = time.perf_counter() - start

    equal = sum(a == b for a, b in zip(alone, ours, strict=True))
    print(f"{len(chosen)} structures of {len(records)} (every {args.every}th), one thread")
    print(f"robocrys alone:            {seconds_alone:7.1f} s")
    print(f"each search made once:     {seconds_ours:7.1f} s")
    print(f"ratio: {seconds_alone / seconds_ours:.2f}x; texts equal: {equal} of {len(chosen)}")
    if equal != len(chosen):
        raise SystemExit("the texts differ: the reuse of neighbour searches changed robocrys")


if __name__ == "__main__":
    main()
