"""Property regression from a representation: an MLP per property (embedding quality), and
the MMoE against single-task MLPs on the thermoelectric tasks. Targets are standardised on
the fit rows; a missing label (NaN) is left out of its task's loss."""

from __future__ import annotations

import numpy as np
import torch

from reeval.materials.mmoe import MMoE, SingleTaskMLP
from reeval.settings import PropertyNetwork
from reeval.training.loop import train_with_early_stopping
from reeval.training.supervised import split_validation


def _standardise(values: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = np.nanmean(values[rows], axis=0)
    std = np.nanstd(values[rows], axis=0)
    # a column constant on the fit rows carries no information there: it becomes 0
    return mean, np.where(std > 1e-8, std, np.inf)


def _masked_mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    mask = ~torch.isnan(target)
    return ((pred - torch.nan_to_num(target)) ** 2 * mask).sum() / mask.sum().clamp(min=1)


def fit_predict(
    kind: str,
    features: np.ndarray,
    targets: np.ndarray,
    train_rows: np.ndarray,
    cfg: PropertyNetwork,
    seed: int,
    progress: bool = False,
) -> np.ndarray:
    """Train on train_rows (kind: "mmoe" | "single_task"); predictions for every row,
    (n, n_tasks), in the targets' units."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    targets = targets.reshape(len(targets), -1)
    fit_rows, val_rows = split_validation(train_rows, cfg.validation_fraction, generator)
    x_mean, x_std = _standardise(features, fit_rows)
    y_mean, y_std = _standardise(targets, fit_rows)
    # clipped: a descriptor nearly constant on a small fit set must not explode elsewhere
    x = torch.as_tensor(np.clip((features - x_mean) / x_std, -10, 10), dtype=torch.float32)
    y = torch.as_tensor((targets - y_mean) / y_std, dtype=torch.float32)
    if kind == "mmoe":
        models = [
            MMoE(
                x.shape[1],
                y.shape[1],
                cfg.n_experts,
                cfg.expert,
                cfg.tower,
                cfg.dropout,
            )
        ]
        columns = [slice(None)]
    elif kind == "single_task":
        models = [
            SingleTaskMLP(x.shape[1], cfg.expert, cfg.tower, cfg.dropout) for _ in range(y.shape[1])
        ]
        columns = [slice(t, t + 1) for t in range(y.shape[1])]
    else:
        raise ValueError(f"unknown property model {kind!r}: mmoe or single_task")
    out = np.zeros_like(targets, dtype=np.float64)
    for model, column in zip(models, columns, strict=False):
        target = y[:, column]

        def batch_loss(rows, model=model, target=target):
            index = torch.as_tensor(rows)
            return _masked_mse(model(x[index]), target[index])

        def validation_mse(model=model, target=target):
            if len(val_rows) == 0:
                return float("nan")
            index = torch.as_tensor(val_rows)
            return float(_masked_mse(model(x[index]), target[index]))

        train_with_early_stopping(
            model,
            batch_loss,
            validation_mse,
            fit_rows,
            cfg.optimisation,
            generator,
            progress,
            desc=kind,
        )
        model.eval()
        with torch.no_grad():
            out[:, column] = model(x).numpy()
    return out * y_std + y_mean
