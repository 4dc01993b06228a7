"""Fine-tuning Yield-BERT as Schwaller et al. did (rxn_yields, training_scripts/launch_*.py,
through simpletransformers): the yields standardised with the training rows' mean and
standard deviation, MSE loss, AdamW (eps 1e-8, no weight decay), a learning rate that falls
linearly to zero over all steps with no warm-up, gradient norm clipped at 1, shuffled
batches, a fixed number of epochs and the last weights (no validation, no early stopping).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch

from reeval.featurize.rxnfp import RxnTokenizer, length_batches
from reeval.models.yield_bert import YieldBert
from reeval.settings import YieldBertSettings
from reeval.training.runtime import TrainingError, seed_everything


def _padded(encoded: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(map(len, encoded))
    ids = torch.full((len(encoded), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(encoded), width), dtype=torch.long)
    for row, seq in enumerate(encoded):
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    return ids, mask


def fine_tune_yield_bert(
    rxn_smiles: list[str],
    yields: np.ndarray,
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    rxnfp_dir: Path,
    settings: YieldBertSettings,
    seed: int,
    device: torch.device,
) -> tuple[np.ndarray, list[dict]]:
    """(predicted yields of the test rows in %, the training loss of each epoch)."""
    generator = seed_everything(seed)
    model_dir = Path(rxnfp_dir) / settings.model
    tokenizer = RxnTokenizer.from_folder(model_dir, settings.max_tokens)
    encoded = [tokenizer.encode(rxn_smiles[r])[0] for r in np.concatenate([train_rows, test_rows])]
    train_ids, test_ids = encoded[: len(train_rows)], encoded[len(train_rows) :]
    y = torch.as_tensor(yields[train_rows], dtype=torch.float32)
    mean, std = y.mean(), y.std()  # pandas' std (n - 1), as rxn_yields
    target = (y - mean) / std
    model = YieldBert(model_dir, settings.dropout).to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=settings.lr, eps=1e-8, weight_decay=0.0)
    steps_per_epoch = math.ceil(len(train_rows) / settings.batch_size)
    total = settings.epochs * steps_per_epoch
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: max(0.0, (total - step) / total)
    )
    history = []
    for epoch in range(1, settings.epochs + 1):
        model.train()
        order = torch.randperm(len(train_rows), generator=generator).numpy()
        losses = []
        for start in range(0, len(order), settings.batch_size):
            batch = order[start : start + settings.batch_size]
            ids, mask = _padded([train_ids[i] for i in batch], tokenizer.pad_id)
            prediction = model(ids.to(device), mask.to(device))
            loss = torch.nn.functional.mse_loss(prediction, target[batch].to(device))
            if not torch.isfinite(loss):
                raise TrainingError(
                    f"non-finite Yield-BERT loss in epoch {epoch}; lower yield_bert.lr"
                )
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
            optimiser.step()
            schedule.step()
            losses.append(float(loss.detach()))
        history.append({"epoch": epoch, "train_loss": float(np.mean(losses))})
    model.eval()
    out = np.zeros(len(test_rows), dtype=np.float64)
    with torch.inference_mode():
        for rows in length_batches([len(s) for s in test_ids], 64):
            ids, mask = _padded([test_ids[i] for i in rows], tokenizer.pad_id)
            out[rows] = (model(ids.to(device), mask.to(device)) * std + mean).cpu().numpy()
    return out, history
