"""The comparison section: every model on every protocol, published numbers beside ours,
paired tests against the multimodal model, learning curves, calibration, discussion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from reeval.baselines.registry import BASELINES
from reeval.data.published import published_r2
from reeval.render.latex import Latex, cell_iqr, format_number, latex_table
from reeval.stats.comparisons import PairedTest, paired_tests, significantly_best, wilcoxon_paired
from reeval.stats.metrics import calibration_curve
from reeval.stats.robust import iqr, trimean

REFERENCE = "multimodal"
MODEL_LABELS = {REFERENCE: "Multimodal (Chen et al., ours)"} | {
    name: b.label for name, b in BASELINES.items()
}
# our model key -> key of reeval.data.published (its verified published R2)
PUBLISHED_KEYS = {"dft_rf": "dft_rf"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    dataset: str
    prefix: str


COLUMNS = [
    Column("bh_fullcv", "BH FullCV", "bh", "FullCV_"),
    *[Column(f"bh_test{i}", f"BH Test{i}", "bh", f"Test{i}") for i in range(1, 5)],
    Column("sm", "SM", "sm", "random_split_"),
]
# the protocols of the paired tests: the four out-of-sample splits are pooled
TEST_PROTOCOLS = [
    Column("bh_fullcv", "BH FullCV", "bh", "FullCV_"),
    Column("bh_oos", "BH Test1-4", "bh", "Test"),
    Column("sm", "SM", "sm", "random_split_"),
]


def collect_runs(paths: list[Path]) -> pl.DataFrame:
    """Metrics of every run: model, dataset, split, seed, train_fraction and the metrics."""
    records = []
    for path in paths:
        record = json.loads(Path(path).read_text())
        record.setdefault("train_fraction", 1.0)
        record.setdefault("model", REFERENCE)
        records.append(record)
    frame = pl.DataFrame(records, infer_schema_length=None)
    if "variant" in frame.columns:  # ablations of the multimodal model are not compared here
        frame = frame.filter(pl.col("variant").is_null() | (pl.col("variant") == "full"))
    return frame


def values_by_model(
    runs: pl.DataFrame, column: Column, metric: str
) -> dict[str, dict[tuple, float]]:
    """model -> {(split, seed): metric} for the full-data runs of one protocol."""
    chosen = runs.filter(
        (pl.col("dataset") == column.dataset)
        & (pl.col("train_fraction") == 1.0)
        & pl.col("split").str.starts_with(column.prefix)
    )
    out: dict[str, dict[tuple, float]] = {}
    for row in chosen.iter_rows(named=True):
        if row.get(metric) is not None:
            out.setdefault(row["model"], {})[(row["split"], row["seed"])] = float(row[metric])
    return out


def robust_cell(values: list[float], digits: int = 3) -> str:
    if not values:
        return "--"
    if len(values) == 1:
        return format_number(values[0], digits)
    return cell_iqr(float(trimean(values)), float(iqr(values)), digits)


def comparison_table(runs: pl.DataFrame, published: pl.DataFrame, alpha: float) -> str:
    """R2 trimean [IQR] of every model (rows) on every protocol (columns); a verified
    published R2 in parentheses; bold only for a model that beats all others in paired
    tests at `alpha` (Holm), so with few splits nothing is bold."""
    models = [REFERENCE, *BASELINES]
    rows, bold = [], []
    for column_index, column in enumerate(COLUMNS, start=1):
        values = values_by_model(runs, column, "r2")
        winner = significantly_best(values, alpha)
        if winner is not None:
            bold.append((models.index(winner), column_index))
    for model in models:
        row = [Latex(MODEL_LABELS[model])]
        for column in COLUMNS:
            values = list(values_by_model(runs, column, "r2").get(model, {}).values())
            cell = robust_cell(values)
            reference = published_value(published, model, column.key)
            if reference is not None and cell != "--":
                cell = f"{cell} ({format_number(reference, 2)})"
            row.append(cell)
        rows.append(row)
    return latex_table(
        ["Model", *[c.label for c in COLUMNS]],
        rows,
        align="l" + "r" * len(COLUMNS),
        significantly_best=bold,
        midrules_after=[0],
    )


def published_value(published: pl.DataFrame, model: str, protocol: str) -> float | None:
    if model == REFERENCE:
        return None  # Chen et al. do not report these splits (they re-split at random)
    key = PUBLISHED_KEYS.get(model)
    if key is None and model == "smiles_transformer":
        key = "yield_bert"
    value = published_r2(published, key, protocol) if key else None
    return value.value if value is not None else None


def test_rows(runs: pl.DataFrame, alpha: float) -> list[tuple[Column, PairedTest]]:
    rows = []
    for column in TEST_PROTOCOLS:
        values = values_by_model(runs, column, "r2")
        if REFERENCE in values:
            rows += [(column, t) for t in paired_tests(values, REFERENCE)]
    return rows


def tests_table(runs: pl.DataFrame, alpha: float) -> str:
    """Median paired R2 difference of each baseline minus the multimodal model, raw and
    Holm-adjusted Wilcoxon p-values, per protocol."""
    rows = [
        [
            column.label,
            Latex(MODEL_LABELS[t.model]),
            str(t.n_pairs),
            format_number(t.median_difference, 3),
            format_number(t.p_value, 3),
            format_number(t.p_holm, 3),
            "yes" if t.significant(alpha) else "no",
        ]
        for column, t in test_rows(runs, alpha)
    ]
    header = [
        "Protocol",
        "Baseline",
        "Pairs",
        Latex(r"Median $\Delta R^2$"),
        "p",
        "p (Holm)",
        Latex(f"$p_{{\\mathrm{{Holm}}}} < {alpha:g}$"),
    ]
    return latex_table(header, rows, align="llrrrrr")


def published_sentences(runs: pl.DataFrame, published: pl.DataFrame) -> str:
    """One sentence for each place where our value differs from the published one by more
    than our IQR (for a single run: by more than 0.01)."""
    sentences = []
    for model in BASELINES:
        for column in COLUMNS:
            reference = published_value(published, model, column.key)
            values = list(values_by_model(runs, column, "r2").get(model, {}).values())
            if reference is None or not values:
                continue
            ours = float(trimean(values))
            spread = float(iqr(values)) if len(values) > 1 else 0.01
            gap = ours - reference
            if abs(gap) > spread:
                sentences.append(
                    f"{MODEL_LABELS[model]} on {column.label}: ours {format_number(ours, 3)}, "
                    f"published {format_number(reference, 2)}, "
                    f"{format_number(abs(gap), 3)} {'higher' if gap > 0 else 'lower'}."
                )
    if not sentences:
        return "Every reproduced value lies within its IQR of the published one.\n"
    return (
        "Reproduced values that differ from the published ones by more than their IQR: "
        + " ".join(sentences)
        + "\n"
    )


def learning_curve_frame(runs: pl.DataFrame, splits: list[str]) -> pl.DataFrame:
    """model, fraction, trimean, q1, q3 of R2 over the learning-curve splits and seeds; the
    70 % point is the full FullCV training set, i.e. the main runs on those splits."""
    lc = runs.filter(pl.col("train_fraction") < 1.0)
    rows = []
    for (model, fraction), group in lc.group_by("model", "train_fraction", maintain_order=True):
        values = group["r2"].to_numpy()
        rows.append(
            {
                "model": model,
                "fraction": fraction,
                "trimean": float(trimean(values)),
                "q1": float(np.quantile(values, 0.25)),
                "q3": float(np.quantile(values, 0.75)),
                "n": len(values),
            }
        )
    full = runs.filter(
        (pl.col("train_fraction") == 1.0)
        & (pl.col("dataset") == "bh")
        & pl.col("split").is_in(splits)
    )
    for model in lc["model"].unique().to_list():
        values = full.filter(pl.col("model") == model)["r2"].to_numpy()
        if values.size:  # the full FullCV training set is the 70 % point
            rows.append(
                {
                    "model": model,
                    "fraction": 0.7,
                    "trimean": float(trimean(values)),
                    "q1": float(np.quantile(values, 0.25)),
                    "q3": float(np.quantile(values, 0.75)),
                    "n": len(values),
                }
            )
    return pl.DataFrame(rows).unique(["model", "fraction"], keep="first").sort("model", "fraction")


def calibration_frame(predictions: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """model, expected, observed coverage of central intervals (pooled test predictions)."""
    frames = []
    for model, frame in predictions.items():
        expected, observed = calibration_curve(frame["y"], frame["mu"], frame["sigma"])
        frames.append(pl.DataFrame({"model": model, "expected": expected, "observed": observed}))
    return pl.concat(frames)


def oos_frame(runs: pl.DataFrame) -> pl.DataFrame:
    """model, split, R2 on each additive out-of-sample split (trimean over seeds)."""
    oos = runs.filter(
        (pl.col("dataset") == "bh")
        & (pl.col("train_fraction") == 1.0)
        & pl.col("split").str.starts_with("Test")
    )
    return (
        oos.group_by("model", "split").agg(pl.col("r2").median().alias("r2")).sort("model", "split")
    )


def discussion_variables(
    runs: pl.DataFrame, ablations: pl.DataFrame, alpha: float
) -> dict[str, str]:
    """The numbers of the discussion paragraph."""
    fullcv, oos = TEST_PROTOCOLS[0], TEST_PROTOCOLS[1]
    r2 = values_by_model(runs, fullcv, "r2")
    r2_oos = values_by_model(runs, oos, "r2")

    def tri(values: dict, model: str) -> float:
        return float(trimean(list(values[model].values()))) if model in values else float("nan")

    keys = sorted(set(r2.get("random_rf", {})) & set(r2.get("dft_rf", {})))
    p, median = wilcoxon_paired(
        np.array([r2["random_rf"][k] for k in keys]), np.array([r2["dft_rf"][k] for k in keys])
    )
    out = {
        "cmp_dft_rf_r2": format_number(tri(r2, "dft_rf"), 3),
        "cmp_random_rf_r2": format_number(tri(r2, "random_rf"), 3),
        "cmp_random_minus_dft": format_number(median, 3),
        "cmp_random_vs_dft_p": format_number(p, 3),
        "cmp_random_vs_dft_pairs": str(len(keys)),
        "cmp_random_vs_dft_verdict": (
            "is distinguishable from" if p < alpha else "cannot be distinguished from"
        ),
        "cmp_multimodal_fullcv_r2": format_number(tri(r2, REFERENCE), 3),
        "cmp_multimodal_oos_r2": format_number(tri(r2_oos, REFERENCE), 3),
        "cmp_multimodal_oos_drop": format_number(tri(r2, REFERENCE) - tri(r2_oos, REFERENCE), 3),
        "cmp_dft_rf_oos_r2": format_number(tri(r2_oos, "dft_rf"), 3),
        "cmp_drfp_fullcv_r2": format_number(tri(r2, "drfp_gbt"), 3),
        "cmp_drfp_oos_r2": format_number(tri(r2_oos, "drfp_gbt"), 3),
    }
    full = ablations.filter(pl.col("variant") == "full")
    for variant in ("no_human", "no_graph", "no_smiles"):
        other = ablations.filter(pl.col("variant") == variant)
        joined = full.join(other, on=["dataset", "split", "seed"], suffix="_other")
        bh = joined.filter((pl.col("dataset") == "bh") & pl.col("split").str.starts_with("FullCV_"))
        diff = (bh["r2"] - bh["r2_other"]).to_numpy()
        out[f"cmp_gain_from_{variant.removeprefix('no_')}"] = format_number(
            float(np.median(diff)) if diff.size else float("nan"), 3
        )
    return out


DISCUSSION_VARIABLES = [
    "cmp_dft_rf_r2",
    "cmp_random_rf_r2",
    "cmp_random_minus_dft",
    "cmp_random_vs_dft_p",
    "cmp_random_vs_dft_pairs",
    "cmp_random_vs_dft_verdict",
    "cmp_multimodal_fullcv_r2",
    "cmp_multimodal_oos_r2",
    "cmp_multimodal_oos_drop",
    "cmp_dft_rf_oos_r2",
    "cmp_drfp_fullcv_r2",
    "cmp_drfp_oos_r2",
    "cmp_gain_from_human",
    "cmp_gain_from_graph",
    "cmp_gain_from_smiles",
]
