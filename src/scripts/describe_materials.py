"""Build the structure pool (queries, the authors' structures, MP elasticity, WBM) and
describe every structure with Robocrystallographer (cached per structure)."""

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl

from reeval.cli import run
from reeval.io import atomic_path, write_parquet_atomic, write_text_atomic
from reeval.materials.pool import build_pool, excluded_frame, pool_frame, undescribed
from reeval.materials.text import describe_structures, read_cache
from reeval.settings import MaterialsPool, from_mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw", required=True, type=Path)
    parser.add_argument("--sizes", required=True, help="JSON: subset size per source")
    parser.add_argument("--seed", required=True, type=int)
    parser.add_argument("--mineral-matching", action="store_true")
    parser.add_argument("--cache", required=True, type=Path)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--pool", required=True, type=Path)
    parser.add_argument("--texts", required=True, type=Path)
    parser.add_argument("--matbert", required=True, type=Path)
    parser.add_argument("--failures", required=True, type=Path)
    parser.add_argument("--counts", required=True, type=Path, help="JSON: structures per source")
    args = parser.parse_args()
    records, report, matbert = build_pool(
        args.raw, from_mapping(MaterialsPool, json.loads(args.sizes)), args.seed
    )
    texts = describe_structures(records, args.cache, args.threads, args.mineral_matching)
    args.cache.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(args.cache) as tmp:  # the cache keeps every description ever made
        merged = pl.concat([texts, read_cache(args.cache)])
        merged.unique(["id", "fingerprint"], keep="first").write_parquet(tmp)
    excluded = excluded_frame(report.excluded + undescribed(records, texts))
    kinds = excluded["kind"].value_counts()
    print(
        f"{len(records)} structures; left out or merged: "
        + (", ".join(f"{n} {k}" for k, n in kinds.iter_rows()) or "none")
    )
    for path, frame in [
        (args.pool, pool_frame(records)),
        (args.texts, texts.select("id", "text", "error")),
        (args.failures, excluded),
    ]:
        write_parquet_atomic(frame, path)
    write_text_atomic(args.counts, json.dumps(report.counts(), sort_keys=True))
    with atomic_path(args.matbert) as tmp:
        np.save(tmp, matbert, allow_pickle=False)


if __name__ == "__main__":
    run(main)
