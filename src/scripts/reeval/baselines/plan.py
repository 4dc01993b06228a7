"""Which baseline and learning-curve runs a profile asks for."""

from __future__ import annotations

from dataclasses import dataclass

from reeval.baselines.registry import BASELINES


@dataclass(frozen=True, order=True)
class BaselineRun:
    dataset: str
    model: str
    split: str
    seed: int
    fraction: str = "1"  # of the whole data set, as written in paths (see fraction_text)


def fraction_text(fraction: float) -> str:
    return f"{fraction:g}"


def baseline_runs(baselines: dict, yield_splits: dict) -> list[BaselineRun]:
    """Tree models on the multimodal model's splits (paired tests need the same splits);
    neural baselines on baselines.neural_splits."""
    runs = []
    for spec in BASELINES.values():
        for dataset in spec.datasets:
            neural = spec.kind in {"sequence", "graph"}
            splits = baselines["neural_splits"][dataset] if neural else yield_splits[dataset]
            runs += [
                BaselineRun(dataset, spec.name, split, seed)
                for split in splits
                for seed in baselines["seeds"]
            ]
    return sorted(runs)


def learning_curve_runs(baselines: dict) -> list[BaselineRun]:
    """Buchwald-Hartwig learning curves; model "multimodal" is the full yield model."""
    lc = baselines["learning_curve"]
    return sorted(
        BaselineRun("bh", model, split, seed, fraction_text(f))
        for model in lc["models"]
        for split in lc["splits"]
        for seed in lc["seeds"]
        for f in lc["fractions"]
    )
