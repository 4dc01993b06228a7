"""One training run of the yield model: a data set, split, variant and seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import torch

from reeval.models.losses import LossWeights
from reeval.models.multimodal import YieldModel
from reeval.models.variants import Variant
from reeval.stats.metrics import regression_metrics
from reeval.training.runtime import seed_everything
from reeval.training.supervised import FitResult, ReactionInputs, fit_yield_model, predict


@dataclass(frozen=True)
class RunResult:
    predictions: pl.DataFrame  # reaction_id, y, mu, sigma
    metrics: dict
    fit: FitResult


def build_model(variant: Variant, inputs: ReactionInputs, settings: dict) -> YieldModel:
    return YieldModel(
        variant,
        inputs.graph.shape[1],
        inputs.smiles.shape[1],
        inputs.human.shape[1],
        settings["human_encoder"],
        settings["head"],
    )


def run_yield_model(
    inputs: ReactionInputs,
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    variant: Variant,
    settings: dict,
    seed: int,
    device: torch.device,
    progress: bool = True,
) -> RunResult:
    generator = seed_everything(seed)
    model = build_model(variant, inputs, settings)
    loss = settings["loss"]
    weights = LossWeights(
        loss["mse_weight"],
        loss["heteroscedastic_weight"],
        loss["aux_weight"],
        loss["sample_in_mse"],
    )
    fit = fit_yield_model(
        model, inputs, train_rows, settings["train"], weights, generator, device, progress
    )
    mu, sigma = predict(fit, inputs, test_rows, device)
    y = inputs.yields[test_rows].numpy()
    predictions = pl.DataFrame(
        {
            "reaction_id": inputs.reaction_ids[test_rows],
            "y": y,
            "mu": mu,
            "sigma": sigma if sigma is not None else np.full(len(mu), np.nan, dtype=np.float32),
        }
    )
    metrics = regression_metrics(y, mu, sigma) | {
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        "best_epoch": fit.best_epoch,
        "epochs_run": len(fit.history),
    }
    return RunResult(predictions, metrics, fit)
