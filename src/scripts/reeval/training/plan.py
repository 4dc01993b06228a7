"""Which yield-model runs a profile asks for (the main results, the ablations), and how
they are grouped into jobs: every run of one data set and variant trains in one process
(`reeval.training.batched`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from reeval.models.variants import ABLATIONS, REGIMES
from reeval.settings import YieldModelProfile, seeds_of_split

DATASETS = ("bh", "sm")


@dataclass(frozen=True, order=True)
class Run:
    dataset: str
    variant: str
    split: str
    seed: int


def planned_runs(settings: YieldModelProfile) -> list[Run]:
    """The model in both encoder regimes (frozen: "full"; "end_to_end") on every split of
    `splits` (with the seeds of `seeds_of_split`); each ablation on `ablation_splits` with
    `seeds`."""
    runs = set()
    for dataset in DATASETS:
        runs |= {
            Run(dataset, regime, split, seed)
            for regime in REGIMES
            for split in settings.splits[dataset]
            for seed in seeds_of_split(settings, split)
        }
        for seed in settings.seeds:
            runs |= {
                Run(dataset, "full", split, seed) for split in settings.ablation_splits[dataset]
            }
            runs |= {
                Run(dataset, name, split, seed)
                for name in ABLATIONS
                for split in settings.ablation_splits[dataset]
            }
    return sorted(runs)


def group_runs(runs: Iterable[Run]) -> dict[tuple[str, str], list[Run]]:
    """{(data set, variant): its runs}: one training job each."""
    groups: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for run in sorted(runs):
        groups[(run.dataset, run.variant)].append(run)
    return dict(groups)
