"""Seeds, threads, device, and safetensors checkpoints (never pickle)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from reeval.errors import ConfigError, DataError
from reeval.io import atomic_path, canonical_safetensors, verify_checksum


class TrainingError(RuntimeError):
    """Training cannot go on (for example a non-finite loss)."""


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and torch; return a torch generator for batching and sampling."""
    # cuBLAS is deterministic only with a fixed workspace; set before CUDA starts (no effect
    # on the CPU, where these runs are bit-reproducible at a fixed thread count)
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    return torch.Generator().manual_seed(seed)


def set_threads(threads: int) -> None:
    """Use exactly the cores Snakemake gave the job (its `threads:`)."""
    torch.set_num_threads(max(1, threads))
    os.environ["OMP_NUM_THREADS"] = str(max(1, threads))


def choose_device(setting: str) -> torch.device:
    """'auto': CUDA when present, else CPU; 'cpu' or 'cuda' as asked."""
    if setting == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if setting == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            "device 'cuda' was asked for but no CUDA device is available; use 'auto' or 'cpu'"
        )
    if setting not in {"cpu", "cuda"}:
        raise ConfigError(f"device must be 'auto', 'cpu' or 'cuda', got {setting!r}")
    return torch.device(setting)


def check_finite(loss: torch.Tensor, where: str) -> None:
    if not torch.isfinite(loss):
        raise TrainingError(
            f"non-finite loss ({loss.item()}) at {where}; lower the learning rate "
            "or check the features for NaN/inf"
        )


def adamw(model: torch.nn.Module, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """torch's AdamW over the model's parameters, its update done for all of them in one call
    per operation (`foreach`): on the CPU torch otherwise loops over the parameters in Python,
    which took a quarter of the time of the materials MLPs (many small weights). The same
    arithmetic: the trained weights are equal bit for bit (`tests/training`)."""
    return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, foreach=True)


def optimisation_step(
    optimizer: torch.optim.Optimizer,
    loss: torch.Tensor,
    grad_clip: float,
    where: str,
) -> float:
    """Guarded step: a non-finite loss stops with a clear error; gradients are clipped (over
    the optimiser's parameters: the model's, in the same order, without walking its modules
    again at every step)."""
    check_finite(loss, where)
    optimizer.zero_grad()
    loss.backward()
    parameters = [p for group in optimizer.param_groups for p in group["params"]]
    torch.nn.utils.clip_grad_norm_(parameters, grad_clip)
    optimizer.step()
    return loss.item()


def save_checkpoint(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> None:
    """Tensors in safetensors, with string metadata (JSON strings for structured values)."""
    clean = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    with atomic_path(path, checksum=True) as tmp:
        save_file(clean, str(tmp), metadata=metadata)
        canonical_safetensors(tmp)


def load_checkpoint(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """(tensors, metadata); a corrupt or missing file is a DataError naming it."""
    from safetensors import safe_open

    try:
        verify_checksum(path)
        with safe_open(str(path), framework="pt") as handle:
            metadata = handle.metadata() or {}
        return load_file(str(path)), metadata
    except Exception as exc:
        raise DataError(
            f"{path}: cannot load the checkpoint ({exc}); "
            "rerun the build, which deletes and recomputes a corrupt cache"
        ) from exc


def json_metadata(**values) -> dict[str, str]:
    return {key: json.dumps(value, sort_keys=True) for key, value in values.items()}
