"""Which training runs a profile asks for: the main results and the ablations."""

from __future__ import annotations

from dataclasses import dataclass

from reeval.models.variants import ABLATIONS

DATASETS = ("bh", "sm")


@dataclass(frozen=True, order=True)
class Run:
    dataset: str
    variant: str
    split: str
    seed: int


def planned_runs(settings: dict) -> list[Run]:
    """The full model on every split of `splits`; each ablation on `ablation_splits`."""
    runs = set()
    for dataset in DATASETS:
        for seed in settings["seeds"]:
            runs |= {Run(dataset, "full", split, seed) for split in settings["splits"][dataset]}
            runs |= {
                Run(dataset, "full", split, seed) for split in settings["ablation_splits"][dataset]
            }
            runs |= {
                Run(dataset, name, split, seed)
                for name in ABLATIONS
                for split in settings["ablation_splits"][dataset]
            }
    return sorted(runs)
