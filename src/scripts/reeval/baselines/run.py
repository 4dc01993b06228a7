"""One run of a baseline: a data set, split, model, seed (and training fraction)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from reeval.baselines.registry import Baseline
from reeval.baselines.tabular import fit_predict_trees
from reeval.featurize.store import load_human_features
from reeval.stats.metrics import regression_metrics


def run_baseline(
    spec: Baseline,
    reactions: pl.DataFrame,
    feature_dir: Path,
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    cfg: dict,
    seed: int,
    threads: int,
    progress: bool = True,
    device: str = "auto",
) -> tuple[pl.DataFrame, dict]:
    """(predictions: reaction_id, y, mu, sigma[, sigma parts]; metrics). The neural baselines
    run on `device` (auto: CUDA when present), the tree models on the CPU."""
    yields = reactions["yield_pct"].to_numpy().astype(np.float64)
    extra: dict = {}
    if spec.kind in {"forest", "boosting"}:
        _, features = load_human_features(feature_dir, [spec.features])
        settings = cfg["random_forest"] if spec.kind == "forest" else cfg["boosting"]
        if spec.features == "mordred":
            settings = {**settings, "max_features": cfg["mordred_max_features"]}
        out = {
            "mu": fit_predict_trees(
                spec.kind, features, yields, train_rows, test_rows, settings, seed, threads
            )
        }
    else:
        # torch and PyG take seconds to import: the tree baselines never load them
        from reeval.baselines.neural import run_neural
        from reeval.training.runtime import choose_device

        out, extra = run_neural(
            spec,
            reactions,
            feature_dir,
            yields,
            train_rows,
            test_rows,
            cfg,
            seed,
            threads,
            progress,
            choose_device(device),
        )
    sigma = out.get("sigma")
    predictions = pl.DataFrame(
        {
            "reaction_id": reactions["reaction_id"].to_numpy()[test_rows],
            "y": yields[test_rows],
            "mu": out["mu"].astype(np.float64),
            "sigma": (sigma if sigma is not None else np.full(len(test_rows), np.nan)).astype(
                np.float64
            ),
            **{k: v.astype(np.float64) for k, v in out.items() if k.startswith("sigma_")},
        }
    )
    metrics = regression_metrics(yields[test_rows], out["mu"], sigma) | {
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        **extra,
    }
    return predictions, metrics
