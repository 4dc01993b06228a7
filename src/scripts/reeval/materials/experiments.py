"""The experiments of the materials study, one function per table of results: embedding
quality (an MLP per AFLOW property and per MP elasticity modulus, from each representation)
and thermoelectric ranking (the MMoE against single-task MLPs; the MMoE's predictions for
every pool structure at the ranking temperature)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from reeval.materials.names import TASKS
from reeval.materials.property_models import fit_predict
from reeval.materials.thermoelectrics import temperature_one_hot
from reeval.settings import PropertyNetwork
from reeval.stats.metrics import mae as mean_abs_error
from reeval.stats.metrics import r2 as r_squared


def load_representations(path: Path) -> dict:
    """The arrays of embed_materials (.npz, no pickle); `formulas` as a list when present."""
    arrays = dict(np.load(path, allow_pickle=False))
    if "formulas" in arrays:
        arrays["formulas"] = arrays["formulas"].tolist()
    return arrays


COMPOSITION_REPRESENTATIONS = ["lm_composition", "mat2vec", "magpie"]
STRUCTURE_REPRESENTATIONS = [
    "lm",
    "lm_structure",
    "lm_composition",
    "crystalnn",
    "mat2vec",
    "magpie",
]


def held_out_scores(y: np.ndarray, predicted: np.ndarray) -> dict:
    ok = ~np.isnan(y)
    return {
        "mae": float(mean_abs_error(y[ok], predicted[ok])),
        "r2": float(r_squared(y[ok], predicted[ok])),
        "n_test": int(ok.sum()),
    }


def aflow_runs(splits: pl.DataFrame, compositions, cfg: PropertyNetwork) -> list[dict]:
    index = {f: i for i, f in enumerate(compositions["formulas"])}
    rows = []
    for prop in splits["property"].unique(maintain_order=True):
        part = splits.filter(pl.col("property") == prop)
        lookup = np.array([index[f] for f in part["formula"]])
        train = np.flatnonzero((part["split"] == "train").to_numpy())
        test = np.flatnonzero((part["split"] == "test").to_numpy())
        y = part["target"].to_numpy()
        for rep in COMPOSITION_REPRESENTATIONS:
            x = compositions[rep][lookup]
            for seed in cfg.seeds:
                predicted = fit_predict("single_task", x, y, train, cfg, seed)[:, 0]
                rows.append(
                    {
                        "benchmark": "aflow",
                        "property": prop,
                        "representation": rep,
                        "seed": seed,
                        **held_out_scores(y[test], predicted[test]),
                    }
                )
    return rows


ELASTICITY_TARGETS = [
    ("log_bulk_modulus", "bulk_modulus_vrh"),
    ("log_shear_modulus", "shear_modulus_vrh"),
]


def elasticity_rows(pool: pl.DataFrame, arrays) -> tuple[np.ndarray, np.ndarray, dict]:
    """The rows of the structure benchmark: the pool structures with MP elasticity values
    (an MP entry that duplicates an authors' structure lends it its values), kept when both
    moduli are positive and every structure representation has the structure, so that
    every representation is tested on the same rows. (rows, log10 moduli (n, 2), counts)."""
    props = [json.loads(p) for p in pool["properties"]]
    labelled = np.flatnonzero([all(key in p for _, key in ELASTICITY_TARGETS) for p in props])
    values = np.array(
        [[props[i][key] or np.nan for _, key in ELASTICITY_TARGETS] for i in labelled],
        dtype=float,
    ).reshape(len(labelled), len(ELASTICITY_TARGETS))
    positive = np.all(values > 0, axis=1)  # NaN > 0 is False
    represented = np.all(
        [~np.isnan(arrays[rep][labelled]).any(axis=1) for rep in STRUCTURE_REPRESENTATIONS],
        axis=0,
    )
    keep = positive & represented
    counts = {
        "n_labelled": len(labelled),
        "n_unlabelled": int((~positive).sum()),
        "n_unrepresented": int((positive & ~represented).sum()),
    }
    return labelled[keep], np.log10(values[keep]), counts


def elasticity_runs(pool: pl.DataFrame, arrays, cfg: PropertyNetwork) -> list[dict]:
    rows_used, y, counts = elasticity_rows(pool, arrays)
    rows = []
    for t, (prop, _) in enumerate(ELASTICITY_TARGETS):
        for rep in STRUCTURE_REPRESENTATIONS:
            x = arrays[rep][rows_used]
            for seed in cfg.seeds:
                order = np.random.default_rng(seed).permutation(len(rows_used))
                n_test = round(cfg.test_fraction * len(order))
                test, train = order[:n_test], order[n_test:]
                predicted = fit_predict("single_task", x, y[:, t], train, cfg, seed)[:, 0]
                rows.append(
                    {
                        "benchmark": "mp_elasticity",
                        "property": prop,
                        "representation": rep,
                        "seed": seed,
                        **held_out_scores(y[test, t], predicted[test]),
                        **counts,
                    }
                )
    return rows


def thermoelectric_inputs(te: pl.DataFrame, compositions, rep: str) -> np.ndarray:
    index = {f: i for i, f in enumerate(compositions["formulas"])}
    x = compositions[rep][[index[f] for f in te["formula"]]]
    return np.hstack([x, temperature_one_hot(te["temperature_k"].to_numpy())])


def group_split(formulas: list[str], fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Test compositions are unseen in training, at every temperature."""
    unique = np.array(sorted(set(formulas)))
    test_formulas = set(
        np.random.default_rng(seed).permutation(unique)[: round(fraction * len(unique))]
    )
    is_test = np.array([f in test_formulas for f in formulas])
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def thermoelectric_runs(te: pl.DataFrame, compositions, cfg: PropertyNetwork) -> list[dict]:
    y = te.select(TASKS).to_numpy()
    rows = []
    for rep in cfg.representations:
        x = thermoelectric_inputs(te, compositions, rep)
        for seed in cfg.seeds:
            train, test = group_split(te["formula"].to_list(), cfg.test_fraction, seed)
            for kind in ("mmoe", "single_task"):
                predicted = fit_predict(kind, x, y, train, cfg, seed)
                for t, task in enumerate(TASKS):
                    rows.append(
                        {
                            "model": kind,
                            "representation": rep,
                            "seed": seed,
                            "task": task,
                            **held_out_scores(y[test, t], predicted[test, t]),
                        }
                    )
    return rows


def pool_predictions(te, compositions, pool, arrays, cfg: PropertyNetwork) -> pl.DataFrame:
    """MMoE trained on every thermoelectric row; predictions for every pool structure at
    `cfg.ranking_temperature_k` (properties in the targets' units)."""
    rep = cfg.ranking_representation
    x = thermoelectric_inputs(te, compositions, rep)
    y = te.select(TASKS).to_numpy()
    candidates = np.hstack(
        [
            arrays[rep],
            temperature_one_hot(np.full(pool.height, float(cfg.ranking_temperature_k))),
        ]
    )
    both = np.vstack([x, candidates])
    predicted = fit_predict(
        "mmoe",
        both,
        np.vstack([y, np.full((pool.height, len(TASKS)), np.nan)]),
        np.arange(len(x)),
        cfg,
        cfg.seeds[0],
    )[len(x) :]
    return pl.DataFrame(
        {
            "id": pool["id"],
            "formula": pool["formula"],
            **{task: predicted[:, t] for t, task in enumerate(TASKS)},
        }
    )
