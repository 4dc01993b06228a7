""" "It's the data": how much of the variation in R2 over the random splits comes from the
split and how much from the model, and which held-out additives fail out of sample."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from reeval.analysis.comparison import Predictions
from reeval.analysis.protocols import Protocol, values_by_model
from reeval.render.latex import Latex, format_number, latex_table
from reeval.stats.paired import split_means


@dataclass(frozen=True)
class VarianceShares:
    """Shares of the total sum of squares of R2 (split means) in a two-way layout without
    replication, splits x models: the split's effect, the model's, and what is left."""

    split: float
    model: float
    residual: float
    n_splits: int
    n_models: int


def variance_shares(
    runs: pl.DataFrame, protocol: Protocol, strongest: int | None = None
) -> VarianceShares | None:
    """The decomposition over the splits every model has (models missing a split are left
    out), over all models or the `strongest` by mean R2; None with fewer than two splits
    or models."""
    by_model = {
        model: split_means(values)
        for model, values in values_by_model(runs, protocol, "r2").items()
    }
    by_model = {m: v for m, v in by_model.items() if v}
    if strongest is not None:
        ranked = sorted(by_model, key=lambda m: -float(np.mean(list(by_model[m].values()))))
        by_model = {m: by_model[m] for m in ranked[:strongest]}
    if not by_model:
        return None
    common = sorted(set.intersection(*(set(v) for v in by_model.values())))
    models = sorted(m for m, v in by_model.items() if set(common) <= set(v))
    if len(common) < 2 or len(models) < 2:
        return None
    table = np.array([[by_model[m][s] for m in models] for s in common])  # splits x models
    grand = table.mean()
    ss_split = len(models) * float(((table.mean(axis=1) - grand) ** 2).sum())
    ss_model = len(common) * float(((table.mean(axis=0) - grand) ** 2).sum())
    ss_total = float(((table - grand) ** 2).sum())
    if ss_total == 0:
        return VarianceShares(0.0, 0.0, 0.0, len(common), len(models))
    residual = max(ss_total - ss_split - ss_model, 0.0)
    return VarianceShares(
        ss_split / ss_total, ss_model / ss_total, residual / ss_total, len(common), len(models)
    )


def _shares_text(shares: VarianceShares) -> str:
    return (
        f"the split accounts for {format_number(100 * shares.split, 1)}\\,\\% of the "
        f"variation in $R^2$, the model for {format_number(100 * shares.model, 1)}\\,\\% "
        f"and their interaction for {format_number(100 * shares.residual, 1)}\\,\\%"
    )


def variance_sentences(runs: pl.DataFrame, protocols: list[Protocol]) -> str:
    """One sentence per repeated protocol with the three shares in percent."""
    parts = []
    for protocol in protocols:
        shares = variance_shares(runs, protocol)
        if shares is None:
            continue
        top = variance_shares(runs, protocol, strongest=max(2, math.ceil(shares.n_models / 2)))
        parts.append(
            f"On {protocol.label} ({shares.n_splits} splits $\\times$ {shares.n_models} "
            f"models), {_shares_text(shares)}"
            + (
                f"; among the {top.n_models} strongest models, {_shares_text(top)}."
                if top is not None
                else "."
            )
        )
    return (" ".join(parts) or "No protocol has two models on two splits.") + "\n"


def per_additive_errors(predictions: Predictions, additives: pl.DataFrame) -> pl.DataFrame:
    """split, additive, model, n (test reactions), mae: each model's mean absolute error
    (seeds averaged) on the test reactions of each held-out additive."""
    additive_of = dict(
        zip(additives["reaction_id"].to_list(), additives["additive"].to_list(), strict=True)
    )
    rows = []
    for (model, split), p in predictions.items():
        names = np.array([additive_of[int(i)] for i in p.reaction_ids], dtype=object)
        error = np.abs(p.mu.mean(axis=0) - p.y)
        for name in sorted(set(names)):
            chosen = names == name
            rows.append((split, name, model, int(chosen.sum()), float(error[chosen].mean())))
    return pl.DataFrame(
        rows,
        schema={
            "split": pl.String,
            "additive": pl.String,
            "model": pl.String,
            "n": pl.Int64,
            "mae": pl.Float64,
        },
        orient="row",
    ).sort("split", "additive", "model")


def per_additive_table(errors: pl.DataFrame, models: list[str], labels: dict[str, str]) -> str:
    """Rows: (test set, held-out additive, n); columns: MAE of each of `models`; the
    additive numbered A1, A2, ... in the order of its SMILES (listed in the caption's
    source file)."""
    present = [m for m in models if m in set(errors["model"])]
    keys = errors.select("split", "additive", "n").unique().sort("split", "additive")
    mae = {(r["split"], r["additive"], r["model"]): r["mae"] for r in errors.iter_rows(named=True)}
    rows, ends = [], []
    previous = None
    for index, key in enumerate(keys.iter_rows(named=True)):
        if previous is not None and key["split"] != previous:
            ends.append(index - 1)
        previous = key["split"]
        cells = [
            key["split"],
            Latex(f"\\texttt{{{_escape_smiles(key['additive'])}}}"),
            str(key["n"]),
        ]
        for model in present:
            value = mae.get((key["split"], key["additive"], model))
            cells.append(format_number(value, 1) if value is not None else "--")
        rows.append(cells)
    header = ["Test set", "Held-out additive", "n", *(Latex(labels[m]) for m in present)]
    return latex_table(header, rows, align="llr" + "r" * len(present), midrules_after=ends)


def _escape_smiles(smiles: str) -> str:
    for char, escaped in (("\\", "\\textbackslash{}"), ("#", "\\#"), ("%", "\\%")):
        smiles = smiles.replace(char, escaped)
    return smiles


def hardest_additive_sentences(errors: pl.DataFrame, models: list[str]) -> str:
    """Per test set: the additive with the largest MAE for most models, and for how many."""
    parts = []
    for split in sorted(set(errors["split"])):
        mine = errors.filter((pl.col("split") == split) & pl.col("model").is_in(models))
        if mine.height == 0:
            continue
        # each model's worst additive (ties: the first by name), then the additive worst for
        # most models (ties: the first by name)
        worst = (
            mine.sort(["mae", "additive"], descending=[True, False])
            .group_by("model", maintain_order=True)
            .first()
        )
        counts = (
            worst.group_by("additive").len().sort(["len", "additive"], descending=[True, False])
        )
        name, count = counts.row(0)
        ratio = float(
            mine.filter(pl.col("additive") == name)["mae"].mean()
            / mine.filter(pl.col("additive") != name)["mae"].mean()
        )
        parts.append(
            f"in {split}, \\texttt{{{_escape_smiles(name)}}} is the hardest held-out additive "
            f"for {count} of "
            f"{worst.height} models, with a mean error "
            + (
                f"{format_number(ratio, 1)} times that of the others"
                if math.isfinite(ratio)
                else "not comparable with the others"
            )
        )
    if not parts:
        return "No out-of-sample predictions are available.\n"
    return "Out of sample, " + "; ".join(parts) + " (Table~\\ref{tab:additives}).\n"
