"""Training runs of the yield model: a group of (split, seed, fraction) runs of one variant
on one data set, trained side by side (`reeval.training.batched`), with each run's
predictions and metrics record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import torch

from reeval.featurize.graphs import MoleculeGraphs
from reeval.models.variants import Variant
from reeval.reactions.splits import split_rows, subsample_training
from reeval.settings import YieldTraining
from reeval.training.batched import RunSpec, TrainedRun, loss_weights, train_group
from reeval.training.supervised import ReactionInputs

if TYPE_CHECKING:
    from reeval.training.end_to_end import ReactionTokens


@dataclass(frozen=True)
class PlannedRun:
    """One run of a group: its split, seed and training fraction (1 = the whole training
    split; less for the learning curves)."""

    split: str
    seed: int
    fraction: float = 1.0

    @property
    def name(self) -> str:
        tail = "" if self.fraction == 1 else f" fraction {self.fraction:g}"
        return f"{self.split} seed {self.seed}{tail}"


@dataclass(frozen=True)
class RunOutput:
    predictions: pl.DataFrame  # reaction_id, y, mu, sigma (%)
    record: dict  # metrics.json
    trained: TrainedRun


def run_specs(
    inputs: ReactionInputs, splits: pl.DataFrame, runs: list[PlannedRun]
) -> list[RunSpec]:
    """Each run's training rows (subsampled for a learning-curve fraction) and test rows."""
    specs = []
    for run in runs:
        train_rows, test_rows = split_rows(splits, run.split, inputs.reaction_ids)
        train_rows = subsample_training(
            train_rows, len(inputs.reaction_ids), run.fraction, run.seed
        )
        specs.append(RunSpec(run.name, run.seed, train_rows, test_rows))
    return specs


def run_yield_group(
    dataset: str,
    inputs: ReactionInputs,
    splits: pl.DataFrame,
    runs: list[PlannedRun],
    variant: Variant,
    settings: YieldTraining,
    device: torch.device,
    progress: bool = True,
    graphs: MoleculeGraphs | None = None,
    tokens: ReactionTokens | None = None,
) -> list[RunOutput]:
    """Train every run of `runs` (one variant) together; one output per run, in order.

    A variant that trains its graph encoder end to end needs the data set's `graphs`; when
    the profile trains the SMILES encoder end to end too (`end_to_end.smiles`), the runs
    train one after another (`reeval.training.end_to_end`) on the reactions' `tokens`."""
    specs = run_specs(inputs, splits, runs)
    if variant.graph_end_to_end and settings.end_to_end is not None and settings.end_to_end.smiles:
        if tokens is None:
            raise ValueError("the SMILES encoder is trained end to end: pass the tokens")
        from reeval.training.end_to_end import train_one_by_one  # the graph models, PyG

        trained = train_one_by_one(
            inputs,
            graphs,
            specs,
            variant,
            settings,
            device,
            loss_weights(settings.loss, variant),
            tokens,
            progress,
        )
    else:
        trained = train_group(inputs, specs, variant, settings, device, progress, graphs)
    outputs = []
    for run, result in zip(runs, trained, strict=True):
        test_rows = result.spec.test_rows
        sigma = result.sigma if result.sigma is not None else np.full(len(test_rows), np.nan)
        predictions = pl.DataFrame(
            {
                "reaction_id": inputs.reaction_ids[test_rows],
                "y": inputs.yields[test_rows].numpy(),
                "mu": result.mu,
                "sigma": sigma.astype(np.float32),
            }
        )
        record = {
            "dataset": dataset,
            "model": "multimodal",
            "split": run.split,
            "variant": variant.name,
            "seed": run.seed,
            "train_fraction": run.fraction,
            "device": str(device),  # CUDA runs are not bit-reproducible (README, Determinism)
            **result.metrics,
        }
        outputs.append(RunOutput(predictions, record, result))
    return outputs
