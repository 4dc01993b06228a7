"""Which baseline and learning-curve runs a profile asks for."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from reeval.baselines.registry import BASELINES
from reeval.settings import Baselines, seeds_of_split

# FullCV trains on 2767 of 3955 reactions (0.6996): at this fraction a learning-curve run
# trains on the whole training set, i.e. it is the main run of the same model, split and seed
WHOLE_TRAINING_FRACTION = 0.7


@dataclass(frozen=True, order=True)
class BaselineRun:
    """One baseline run: a model on one split of a data set with one seed (and, for the
    learning curves, a fraction of the training set)."""

    dataset: str
    model: str
    split: str
    seed: int
    fraction: str = "1"  # of the whole data set, as written in paths (see fraction_text)


def fraction_text(fraction: float) -> str:
    return f"{fraction:g}"


def baseline_runs(
    baselines: Baselines, yield_splits: Mapping[str, Sequence[str]]
) -> list[BaselineRun]:
    """Every baseline on the multimodal model's splits (paired tests need the same splits),
    with the baselines' seeds (`seeds`, or `test_seeds` on Test1-4); Yield-BERT's
    fine-tuning only where the profile enables it (`yield_bert.enabled`)."""
    runs = []
    for spec in BASELINES.values():
        if spec.kind == "bert" and not baselines.yield_bert.enabled:
            continue
        for dataset in spec.datasets:
            splits = yield_splits[dataset]
            runs += [
                BaselineRun(dataset, spec.name, split, seed)
                for split in splits
                for seed in seeds_of_split(baselines, split)
            ]
    return sorted(runs)


def learning_curve_runs(
    baselines: Baselines, main_runs: Collection[tuple[str, str, int]] = ()
) -> list[BaselineRun]:
    """Buchwald-Hartwig learning curves; model "multimodal" is the full yield model. At the
    whole-training-set fraction (0.7) a (model, split, seed) of `main_runs` is the main run
    itself and is not planned again; the other seeds are, so every fraction has every seed."""
    lc = baselines.learning_curve
    covered = set(main_runs)
    return sorted(
        BaselineRun("bh", model, split, seed, fraction_text(f))
        for model in lc.models
        for split in lc.splits
        for seed in lc.seeds
        for f in lc.fractions
        if not (f == WHOLE_TRAINING_FRACTION and (model, split, seed) in covered)
    )


def group_baseline_runs(runs: Iterable[BaselineRun]) -> dict[tuple[str, str], list[BaselineRun]]:
    """{(job name, model): its runs}: one job per data set and model, named after the data
    set (the learning-curve runs of a model in a job of their own, "bh_learning_curve");
    Yield-BERT's fine-tuning, hours per run, in one job per split ("bh_FullCV_01")."""
    groups: dict[tuple[str, str], list[BaselineRun]] = defaultdict(list)
    for run in sorted(runs):
        job = run.dataset if run.fraction == "1" else f"{run.dataset}_learning_curve"
        if BASELINES[run.model].kind == "bert":
            job = f"{job}_{run.split}"
        groups[(job, run.model)].append(run)
    return dict(groups)
