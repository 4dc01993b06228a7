"""Runs of a baseline: a data set, model, and a list of (split, seed, training fraction)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from reeval.baselines.registry import Baseline
from reeval.baselines.tabular import fit_predict_trees
from reeval.errors import ConfigError
from reeval.featurize import components
from reeval.featurize.store import dft_widths, load_human_features
from reeval.reactions.splits import split_rows, subsample_training
from reeval.settings import Baselines, YieldBertSettings
from reeval.stats.metrics import regression_metrics


@dataclass(frozen=True)
class YieldBertJob:
    """What a Yield-BERT job needs beyond the other baselines: where the rxnfp models are
    and the data set's fine-tuning settings."""

    rxnfp_dir: Path
    settings: YieldBertSettings


def run_rows(
    splits: pl.DataFrame, reaction_ids: np.ndarray, split: str, seed: int, fraction: float
) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, test rows) of one run, the training rows subsampled to `fraction`."""
    train_rows, test_rows = split_rows(splits, split, reaction_ids)
    return subsample_training(train_rows, len(reaction_ids), fraction, seed), test_rows


def run_baseline_group(
    spec: Baseline,
    reactions: pl.DataFrame,
    splits: pl.DataFrame,
    feature_dir: Path,
    runs: list[tuple[str, int, float]],
    cfg: Baselines,
    threads: int,
    device: str = "auto",
    progress: bool = True,
    yield_bert: YieldBertJob | None = None,
) -> list[tuple[pl.DataFrame, dict]]:
    """(predictions: reaction_id, y, mu, sigma[, sigma parts]; metrics) of each run
    (split, seed, fraction), in order: `run_baseline_rows` on each run's rows."""
    ids = reactions["reaction_id"].to_numpy()
    named = [
        (f"{split} seed {seed}", seed, *run_rows(splits, ids, split, seed, fraction))
        for split, seed, fraction in runs
    ]
    return run_baseline_rows(
        spec, reactions, feature_dir, named, cfg, threads, device, progress, yield_bert
    )


def run_baseline_rows(
    spec: Baseline,
    reactions: pl.DataFrame,
    feature_dir: Path,
    runs: list[tuple[str, int, np.ndarray, np.ndarray]],
    cfg: Baselines,
    threads: int,
    device: str = "auto",
    progress: bool = True,
    yield_bert: YieldBertJob | None = None,
) -> list[tuple[pl.DataFrame, dict]]:
    """(predictions; metrics) of each run (name, seed, training rows, test rows). Tree
    models run one after another on the CPU; the graph models all at once on `device`
    (auto: CUDA when present); Yield-BERT one run after another on `device`, as
    `yield_bert` says."""
    yields = reactions["yield_pct"].to_numpy().astype(np.float64)
    rows = [(train, test) for _, _, train, test in runs]
    if spec.kind in {"forest", "boosting"}:
        settings = cfg.forest(spec.features) if spec.kind == "forest" else cfg.boosting
        features_of = _features_of(spec, reactions, feature_dir)
        outs = [
            (
                {
                    "mu": fit_predict_trees(
                        spec.kind,
                        features_of(name, seed),
                        yields,
                        train,
                        test,
                        settings,
                        seed,
                        threads,
                    )
                },
                {},
            )
            for name, seed, train, test in runs
        ]
    elif spec.kind == "bert":
        outs = _fine_tune_runs(reactions, yields, runs, threads, device, yield_bert)
    else:
        # torch and PyG take seconds to import: the tree baselines never load them
        from reeval.baselines.neural import run_graph_group
        from reeval.training.batched import RunSpec
        from reeval.training.runtime import choose_device, set_threads

        set_threads(threads)
        specs = [
            RunSpec(f"{spec.name} {name}", seed, train, test) for name, seed, train, test in runs
        ]
        graph_runs = run_graph_group(
            spec, reactions, feature_dir, specs, cfg.mpnn, choose_device(device), progress
        )
        outs = [(r.out, r.facts) for r in graph_runs]
    return [
        _record(reactions, yields, train, test, out, facts)
        for (train, test), (out, facts) in zip(rows, outs, strict=True)
    ]


RANDOM_FEATURES = "random"  # Chuang & Keiser's control: drawn for each run


def _features_of(spec: Baseline, reactions: pl.DataFrame, feature_dir: Path):
    """(run name, seed) -> the run's features: the feature store's block of `spec`, or, for
    the random-vector control, vectors in the DFT descriptors' layout drawn afresh for each
    run from its seed and its name (its split), so the control's spread over splits holds
    the spread over draws."""
    if spec.features != RANDOM_FEATURES:
        _, features = load_human_features(feature_dir, [spec.features])
        return lambda name, seed: features
    widths = dft_widths(feature_dir)
    return lambda name, seed: components.random_control(reactions, widths, seed, draw=name)


def _fine_tune_runs(reactions, yields, runs, threads, device, job: YieldBertJob | None):
    """Yield-BERT fine-tuned on each run's training rows."""
    from reeval.training.runtime import choose_device, set_threads
    from reeval.training.yield_bert import fine_tune_yield_bert

    if job is None:
        raise ConfigError("Yield-BERT needs its settings and the folder of the rxnfp models")
    set_threads(threads)
    outs = []
    for _, seed, train, test in runs:
        mu, history = fine_tune_yield_bert(
            reactions["rxn_smiles"].to_list(),
            yields,
            train,
            test,
            job.rxnfp_dir,
            job.settings,
            seed,
            choose_device(device),
        )
        outs.append(({"mu": mu}, {"epochs_run": len(history), "history": history}))
    return outs


def _record(reactions, yields, train_rows, test_rows, out, facts) -> tuple[pl.DataFrame, dict]:
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
        **facts,
    }
    return predictions, metrics
