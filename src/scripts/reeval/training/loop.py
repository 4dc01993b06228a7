"""The one training loop of every neural model: AdamW, a cosine schedule stepped per
epoch, gradient clipping, a NaN guard, and early stopping on a validation MSE with the
best weights restored."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from tqdm import tqdm

from reeval.settings import Optimisation
from reeval.training.runtime import adamw, optimisation_step


def train_with_early_stopping(
    module: torch.nn.Module,
    batch_loss: Callable[[np.ndarray], torch.Tensor],
    validation_mse: Callable[[], float],
    fit_rows: np.ndarray,
    cfg: Optimisation,
    generator: torch.Generator,
    progress: bool = True,
    desc: str = "train",
) -> tuple[list[dict], int]:
    """Train `module` on shuffled batches of `fit_rows`; returns (history, best epoch)."""
    optimizer = adamw(module, cfg.lr, cfg.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=cfg.epochs, eta_min=cfg.min_lr
    )
    best_mse, best_epoch, best_state = float("inf"), 0, None
    history = []
    for epoch in tqdm(range(1, cfg.epochs + 1), desc=desc, mininterval=10, disable=not progress):
        module.train()
        order = fit_rows[torch.randperm(len(fit_rows), generator=generator).numpy()]
        losses = [
            optimisation_step(
                optimizer,
                batch_loss(order[s : s + cfg.batch_size]),
                cfg.grad_clip,
                f"{desc} epoch {epoch}",
            )
            for s in range(0, len(order), cfg.batch_size)
        ]
        schedule.step()
        module.eval()
        with torch.no_grad():
            val_mse = validation_mse()
        history.append(
            {"epoch": epoch, "train_loss": float(np.mean(losses)), "validation_mse": val_mse}
        )
        if np.isnan(val_mse):  # nothing to validate on: the last epoch's weights are kept
            best_epoch, best_state = epoch, None
        elif val_mse < best_mse:
            best_mse, best_epoch = val_mse, epoch
            best_state = {k: v.detach().clone() for k, v in module.state_dict().items()}
        elif epoch - best_epoch >= cfg.patience:
            break
    if best_state is not None:
        module.load_state_dict(best_state)
    return history, best_epoch
