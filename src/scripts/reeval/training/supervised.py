"""Supervised training of the yield model on cached embeddings and features.

A validation part (`validation_fraction` of the training split, seeded) drives early
stopping; yields and features are standardised with the remaining training rows only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from reeval.models.losses import LossWeights, yield_loss
from reeval.models.multimodal import YieldModel
from reeval.settings import Optimisation
from reeval.training.loop import train_with_early_stopping


@dataclass(frozen=True)
class ReactionInputs:
    """Model inputs of all reactions of a data set, row-aligned with `reaction_ids`.

    When the human features are sums over each reaction's molecules, `counts` (reactions x
    molecules) and `human_per_molecule` (molecules x features) factor them exactly: human ==
    counts @ human_per_molecule. The batched engine then applies the first linear layer to
    the few distinct molecules only.
    """

    reaction_ids: np.ndarray
    graph: torch.Tensor
    smiles: torch.Tensor
    human: torch.Tensor
    yields: torch.Tensor  # in %
    counts: torch.Tensor | None = None
    human_per_molecule: torch.Tensor | None = None


@dataclass(frozen=True)
class Standardiser:
    mean: torch.Tensor
    std: torch.Tensor

    @classmethod
    def fit(cls, x: torch.Tensor) -> Standardiser:
        std = x.std(dim=0, unbiased=False)
        return cls(x.mean(dim=0), torch.where(std > 0, std, torch.ones_like(std)))

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


@dataclass(frozen=True)
class FitResult:
    model: YieldModel
    history: list[dict]
    best_epoch: int
    y_scale: Standardiser
    feature_scales: dict[str, Standardiser]


def split_validation(
    train_rows: np.ndarray, fraction: float, generator: torch.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(fit rows, validation rows), a seeded random split of the training rows."""
    order = train_rows[torch.randperm(len(train_rows), generator=generator).numpy()]
    if fraction == 0:  # no validation part: train all epochs and keep the last weights
        return order, order[:0]
    n_val = max(1, round(fraction * len(order)))
    return order[n_val:], order[:n_val]


def fit_yield_model(
    model: YieldModel,
    inputs: ReactionInputs,
    train_rows: np.ndarray,
    cfg: Optimisation,
    weights: LossWeights,
    generator: torch.Generator,
    device: torch.device,
    progress: bool = True,
) -> FitResult:
    """AdamW, cosine schedule per epoch, gradient clipping, early stopping on validation MSE."""
    fit_rows, val_rows = split_validation(train_rows, cfg.validation_fraction, generator)
    scales = {
        name: Standardiser.fit(getattr(inputs, name)[fit_rows])
        for name in ("graph", "smiles", "human")
    }
    y_scale = Standardiser.fit(inputs.yields[fit_rows].unsqueeze(1))
    tensors = _prepared(inputs, scales, y_scale, device)
    model.to(device)

    def batch_loss(rows: np.ndarray) -> torch.Tensor:
        index = torch.as_tensor(rows, device=device)
        mu, log_var, aux = model(*(t[index] for t in tensors[:3]))
        return yield_loss(
            tensors[3][index], mu, log_var, aux, weights, model.variant.aux_loss, generator
        )

    history, best_epoch = train_with_early_stopping(
        model,
        batch_loss,
        lambda: _mse(model, tensors, val_rows, device),
        fit_rows,
        cfg,
        generator,
        progress,
    )
    return FitResult(model, history, best_epoch, y_scale, scales)


@torch.no_grad()
def predict(
    result: FitResult, inputs: ReactionInputs, rows: np.ndarray, device: torch.device
) -> tuple[np.ndarray, np.ndarray | None]:
    """(mu, sigma) in % for the reactions `rows`; sigma is None without a variance head."""
    result.model.eval()
    tensors = _prepared(inputs, result.feature_scales, result.y_scale, device)
    index = torch.as_tensor(rows, device=device)
    mu, log_var, _ = result.model(*(t[index] for t in tensors[:3]))
    return in_percent(mu, log_var, result.y_scale)


def in_percent(
    mu: torch.Tensor, log_var: torch.Tensor | None, y_scale: Standardiser
) -> tuple[np.ndarray, np.ndarray | None]:
    """(mu, sigma) in % from the standardised mean and log variance (sigma None without)."""
    scale, shift = y_scale.std.item(), y_scale.mean.item()
    mu_pct = (mu.cpu() * scale + shift).numpy()
    if log_var is None:
        return mu_pct, None
    return mu_pct, (torch.exp(0.5 * log_var).cpu() * scale).numpy()


def _prepared(
    inputs: ReactionInputs,
    scales: dict[str, Standardiser],
    y_scale: Standardiser,
    device: torch.device,
) -> tuple[torch.Tensor, ...]:
    return (
        scales["graph"](inputs.graph).to(device),
        scales["smiles"](inputs.smiles).to(device),
        scales["human"](inputs.human).to(device),
        y_scale(inputs.yields.unsqueeze(1)).squeeze(1).to(device),
    )


@torch.no_grad()
def _mse(
    model: YieldModel, tensors: tuple[torch.Tensor, ...], rows: np.ndarray, device: torch.device
) -> float:
    if len(rows) == 0:
        return float("nan")
    model.eval()
    index = torch.as_tensor(rows, device=device)
    mu, _, _ = model(*(t[index] for t in tensors[:3]))
    return float(((mu - tensors[3][index]) ** 2).mean())
