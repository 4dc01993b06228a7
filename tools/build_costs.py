"""Where a build's time went, and how busy the cores were.

From the benchmark files Snakemake wrote (benchmarks/**/*.tsv, one per heavy job, named
after its rule), grouped into rule families: jobs, wall seconds and core-seconds (every job
of this workflow has `threads: 1`, so these are equal). From the build's Snakemake log
(.snakemake/log/*.snakemake.log, the newest by default): the build's wall time, each job's
start and end (to the second), and the share of the wall time in which 0, 1 or all cores
ran a job.

    python tools/build_costs.py [--benchmarks benchmarks] [--log .snakemake/log/X.log]
        [--cores 2]
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# rule (benchmark file stem: the rule's name, then its wildcards) -> family, first match wins
MATERIALS_RULES = (
    "describe_materials",
    "embed_materials",
    "recall_materials",
    "train_property_models",
    "train_mmoe",
    "train_authors_split",
    "summarise_authors_split",
    "summarise_materials",
)
FAMILIES = [
    (re.compile(rf"^({'|'.join(MATERIALS_RULES)})$"), "materials"),
    (re.compile(r"^train_yield_.*_learning_curve"), "multimodal learning curve"),
    (re.compile(r"^train_yield_\w+_full$"), "multimodal model"),
    (re.compile(r"^train_yield_\w+_end_to_end$"), "multimodal model, end to end"),
    (re.compile(r"^train_yield_"), "multimodal ablations"),
    (re.compile(r"^train_mpnn"), "graph baselines (MPNN, MC dropout)"),
    (re.compile(r"^train_\w+_learning_curve$"), "tree baselines, learning curves"),
    (re.compile(r"^train_"), "tree baselines"),
    (re.compile(r"^pretrain_encoders_"), "contrastive pretraining"),
    (re.compile(r"^embed_reactions_"), "reaction embeddings"),
    (re.compile(r"^rxnfp_reactions_"), "rxnfp [CLS] vectors"),
    (re.compile(r"^featurize_reactions_"), "reaction features"),
    (re.compile(r"^tidy_"), "tidy tables"),
]


def family(stem: str) -> str:
    """The rule family of a benchmark file's stem (its path under benchmarks/, no suffix)."""
    for pattern, name in FAMILIES:
        if pattern.search(stem):
            return name
    return stem


def costs(folder: Path) -> dict[str, list[float]]:
    """{family: [jobs, wall s]}, from every benchmark file under `folder`."""
    table: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for path in sorted(folder.rglob("*.tsv")):
        with path.open() as handle:
            row = next(csv.DictReader(handle, delimiter="\t"))
        entry = table[family(str(path.relative_to(folder).with_suffix("")))]
        entry[0] += 1
        entry[1] += float(row["s"])
    return dict(table)


STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
JOB = re.compile(r"^Job (\d+):|^\s+jobid: (\d+)$")
FINISHED = re.compile(r"^Finished job (\d+)\.$")


def job_intervals(log: Path) -> tuple[list[tuple[datetime, datetime]], datetime, datetime]:
    """([(start, end)] of every job that finished, first and last time stamp of the log)."""
    stamp = None
    first = last = None
    started: dict[str, datetime] = {}
    intervals = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = STAMP.match(line.strip())
        if match:
            stamp = datetime.strptime(" ".join(match.group(1).split()), "%a %b %d %H:%M:%S %Y")
            first = first or stamp
            last = stamp
            continue
        if stamp is None:
            continue
        match = JOB.match(line)
        if match:
            started.setdefault(match.group(1) or match.group(2), stamp)
            continue
        match = FINISHED.match(line.strip())
        if match and match.group(1) in started:
            intervals.append((started.pop(match.group(1)), stamp))
    if first is None:
        raise ValueError(f"{log}: no time stamps")
    return intervals, first, last


def occupancy(
    intervals: list[tuple[datetime, datetime]], first: datetime, last: datetime, cores: int
) -> tuple[float, list[float]]:
    """(wall seconds, [share of the wall time with k busy cores for k = 0..cores]); a job
    holds one core (threads: 1), more running jobs than cores count as all cores busy."""
    wall = (last - first).total_seconds()
    # at one time stamp (to the second) the starts count before the ends, so that the
    # number of running jobs never dips below zero
    events = sorted(
        [((s - first).total_seconds(), 1) for s, _ in intervals]
        + [((e - first).total_seconds(), -1) for _, e in intervals],
        key=lambda event: (event[0], -event[1]),
    )
    shares = [0.0] * (cores + 1)
    running, previous = 0, 0.0
    for time, change in events:
        shares[min(running, cores)] += time - previous
        running, previous = running + change, time
    shares[min(running, cores)] += wall - previous
    return wall, [s / wall if wall else 0.0 for s in shares]


def newest_log(folder: Path) -> Path | None:
    logs = sorted(folder.glob("*.snakemake.log"))
    return logs[-1] if logs else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmarks", type=Path, default=ROOT / "benchmarks")
    parser.add_argument("--log", type=Path, default=None, help="default: the newest build log")
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    table = costs(args.benchmarks)
    if not table:
        print(f"no benchmark files under {args.benchmarks}: build first (make paper)")
        return 1
    print(f"{'rule family':40s} {'jobs':>4s} {'core s':>8s}")
    for name, (jobs, wall) in sorted(table.items(), key=lambda kv: -kv[1][1]):
        print(f"{name:40s} {jobs:4d} {wall:8.0f}")
    total = sum(v[1] for v in table.values())
    print(
        f"total {total:.0f} core-s of benchmarked jobs: at least {total / args.cores:.0f} s "
        f"on {args.cores} cores"
    )
    log = args.log or newest_log(ROOT / ".snakemake/log")
    if log is None:
        print("no Snakemake log: the core occupancy needs one")
        return 0
    intervals, first, last = job_intervals(log)
    wall, shares = occupancy(intervals, first, last, args.cores)
    busy = " ".join(f"{k} busy {100 * share:.0f} %" for k, share in enumerate(shares))
    print(
        f"{log.name}: {len(intervals)} jobs, {wall:.0f} s from the first to the last time "
        f"stamp; cores: {busy}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
