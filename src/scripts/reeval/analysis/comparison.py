"""The comparison section: every model on every protocol, published numbers beside ours,
paired tests against the multimodal model, learning curves, calibration, discussion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from reeval.baselines.plan import WHOLE_TRAINING_FRACTION
from reeval.baselines.registry import BASELINES
from reeval.data.published import PUBLISHED_MODELS, published_r2
from reeval.render.latex import Latex, cell_iqr, format_number, latex_table
from reeval.stats.comparisons import PairedTest, paired_tests, significantly_best, wilcoxon_paired
from reeval.stats.metrics import calibration_curve
from reeval.stats.paired import min_splits_for_wilcoxon as min_pairs
from reeval.stats.robust import iqr, trimean
from reeval.training.plan import seeds_of_split

REFERENCE = "multimodal"
MODEL_LABELS = {REFERENCE: "Multimodal (Chen et al., ours)"} | {
    name: b.label for name, b in BASELINES.items()
}
# our model key -> key of reeval.data.published (its verified published R2)
PUBLISHED_KEYS = {"dft_rf": "dft_rf", "onehot_rf": "onehot_rf"}
# the models whose sigma the uncertainty table scores
SIGMA_MODELS = [REFERENCE, *(name for name, b in BASELINES.items() if b.predicts_sigma)]
# a single run has no IQR: a published value further than this from it is reported
SINGLE_RUN_SPREAD = 0.01
# every table and sentence fragment the comparison writes into src/tex/output
COMPARISON_TABLES = [
    "comparison_table.tex",
    "comparison_metrics.tex",
    "comparison_uncertainty.tex",
    "comparison_tests.tex",
    "comparison_published.tex",
]


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
    """The verified published R2 of our `model` on `protocol` (None for the multimodal
    model: Chen et al. re-split the data at random and report none on these splits)."""
    key = PUBLISHED_KEYS.get(model)
    value = published_r2(published, key, protocol) if key else None
    return value.value if value is not None else None


def published_citations() -> list[str]:
    """Bib keys of the sources of the published values in the comparison table."""
    return sorted({PUBLISHED_MODELS[key][1] for key in PUBLISHED_KEYS.values()})


METRICS = [("mae", "MAE (%)", 2, False), ("rmse", "RMSE (%)", 2, False), ("r2", "$R^2$", 3, True)]
UNCERTAINTY_METRICS = [
    ("nll", "NLL", 2),
    ("coverage_68", "68 % coverage", 3),
    ("coverage_95", "95 % coverage", 3),
    ("miscalibration_area", "Miscal. area", 3),
    ("spearman_error_sigma", r"Spearman $\rho(|y-\mu|, \sigma)$", 3),
]


def _header_cell(label: str) -> str:
    return Latex(label) if "$" in label else label


def metrics_table(runs: pl.DataFrame, alpha: float) -> str:
    """MAE, RMSE and R2, trimean [IQR] over splits and seeds, of every model on each protocol
    of the paired tests (Test1-4 pooled). An entry is bold only if its model beats every other
    one on that metric in paired Wilcoxon tests (Holm) at `alpha`."""
    models = [REFERENCE, *BASELINES]
    rows, bold, group_ends = [], [], []
    for column in TEST_PROTOCOLS:
        values = {metric: values_by_model(runs, column, metric) for metric, *_ in METRICS}
        present = [m for m in models if any(values[metric].get(m) for metric in values)]
        winners = {
            metric: significantly_best(values[metric], alpha, higher_is_better)
            for metric, _, _, higher_is_better in METRICS
        }
        for index, model in enumerate(present):
            row = [column.label if index == 0 else "", Latex(MODEL_LABELS[model])]
            for position, (metric, _, digits, _) in enumerate(METRICS, start=2):
                row.append(robust_cell(list(values[metric].get(model, {}).values()), digits))
                if winners[metric] == model:
                    bold.append((len(rows), position))
            rows.append(row)
        if present:
            group_ends.append(len(rows) - 1)
    return latex_table(
        ["Protocol", "Model", *(_header_cell(label) for _, label, _, _ in METRICS)],
        rows,
        align="llrrr",
        significantly_best=bold,
        midrules_after=group_ends,
    )


def uncertainty_table(runs: pl.DataFrame) -> str:
    """Gaussian NLL, central 68 % and 95 % coverage, miscalibration area and Spearman
    correlation of |error| with sigma, trimean [IQR] over splits and seeds, for every model
    that predicts sigma, on each protocol of the paired tests."""
    rows, group_ends = [], []
    for column in TEST_PROTOCOLS:
        values = {
            metric: values_by_model(runs, column, metric) for metric, *_ in UNCERTAINTY_METRICS
        }
        present = [m for m in SIGMA_MODELS if any(values[metric].get(m) for metric in values)]
        for index, model in enumerate(present):
            rows.append(
                [column.label if index == 0 else "", Latex(MODEL_LABELS[model])]
                + [
                    robust_cell(list(values[metric].get(model, {}).values()), digits)
                    for metric, _, digits in UNCERTAINTY_METRICS
                ]
            )
        if present:
            group_ends.append(len(rows) - 1)
    return latex_table(
        ["Protocol", "Model", *(_header_cell(label) for _, label, _ in UNCERTAINTY_METRICS)],
        rows,
        align="ll" + "r" * len(UNCERTAINTY_METRICS),
        midrules_after=group_ends,
    )


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
            spread = float(iqr(values)) if len(values) > 1 else SINGLE_RUN_SPREAD
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


def learning_curve_frame(runs: pl.DataFrame, splits: list[str], seeds: list[int]) -> pl.DataFrame:
    """model, fraction, trimean, q1, q3, n of R2 over the learning-curve splits and seeds. At
    0.7 (the whole FullCV training set) the main runs of those splits and seeds stand in for
    the learning-curve runs that were not planned again; each (split, seed) counts once."""
    points = runs.filter(pl.col("train_fraction") < 1.0)
    models = points["model"].unique().to_list()
    main = runs.filter(
        (pl.col("train_fraction") == 1.0)
        & (pl.col("dataset") == "bh")
        & pl.col("model").is_in(models)
        & pl.col("split").is_in(splits)
        & pl.col("seed").is_in(seeds)
    ).with_columns(pl.lit(WHOLE_TRAINING_FRACTION).alias("train_fraction"))
    columns = ["model", "train_fraction", "split", "seed", "r2"]
    points = pl.concat([points.select(columns), main.select(columns)]).unique(
        ["model", "train_fraction", "split", "seed"], keep="first", maintain_order=True
    )
    rows = []
    for (model, fraction), group in points.group_by("model", "train_fraction"):
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
    return pl.DataFrame(rows).sort("model", "fraction")


def calibration_frame(predictions: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """model, expected, observed coverage of central intervals (pooled test predictions)."""
    frames = []
    for model, frame in predictions.items():
        expected, observed = calibration_curve(frame["y"], frame["mu"], frame["sigma"])
        frames.append(pl.DataFrame({"model": model, "expected": expected, "observed": observed}))
    return pl.concat(frames)


def oos_frame(runs: pl.DataFrame) -> pl.DataFrame:
    """model, split, R2 on each additive out-of-sample split (trimean over seeds, as the
    tables)."""
    oos = runs.filter(
        (pl.col("dataset") == "bh")
        & (pl.col("train_fraction") == 1.0)
        & pl.col("split").str.starts_with("Test")
    )
    rows = [
        {"model": model, "split": split, "r2": float(trimean(group["r2"].to_numpy()))}
        for (model, split), group in oos.group_by("model", "split")
    ]
    return pl.DataFrame(
        rows, schema={"model": pl.String, "split": pl.String, "r2": pl.Float64}
    ).sort("model", "split")


def direction(before: float, after: float, digits: int = 3) -> str:
    """ "falls", "rises" or "changes" from `before` to `after` as the text shows them."""
    before, after = round(before, digits), round(after, digits)
    if after < before:
        return "falls"
    if after > before:
        return "rises"
    return "changes"  # equal as printed, or a NaN


def effect_of_removing(gain: float, digits: int = 3) -> str:
    """How removing a part changes R2, given the median gain full - without."""
    rounded = round(gain, digits)
    if rounded > 0:
        return "lowers"
    if rounded < 0:
        return "raises"
    return "changes"  # by 0 as printed, or a NaN


def discussion_variables(
    runs: pl.DataFrame, ablations: pl.DataFrame, alpha: float
) -> dict[str, str]:
    """The numbers and result-dependent words of the discussion paragraph."""
    fullcv, oos = TEST_PROTOCOLS[0], TEST_PROTOCOLS[1]
    r2 = values_by_model(runs, fullcv, "r2")
    r2_oos = values_by_model(runs, oos, "r2")

    def tri(values: dict, model: str) -> float:
        return float(trimean(list(values[model].values()))) if model in values else float("nan")

    keys = sorted(set(r2.get("random_rf", {})) & set(r2.get("dft_rf", {})))
    p, median = wilcoxon_paired(
        np.array([r2["random_rf"][k] for k in keys]), np.array([r2["dft_rf"][k] for k in keys])
    )
    distinguishable = bool(p < alpha)
    multimodal, multimodal_oos = tri(r2, REFERENCE), tri(r2_oos, REFERENCE)
    drfp, drfp_oos = tri(r2, "drfp_gbt"), tri(r2_oos, "drfp_gbt")
    out = {
        "cmp_alpha": f"{alpha:g}",
        "cmp_min_pairs": str(min_pairs(alpha)),
        "cmp_dft_rf_r2": format_number(tri(r2, "dft_rf"), 3),
        "cmp_random_rf_r2": format_number(tri(r2, "random_rf"), 3),
        "cmp_random_minus_dft": format_number(median, 3),
        "cmp_random_vs_dft_p": format_number(p, 3),
        "cmp_random_vs_dft_pairs": str(len(keys)),
        "cmp_random_vs_dft_verdict": (
            "is distinguishable from" if distinguishable else "cannot be distinguished from"
        ),
        # Chuang & Keiser found their random features close to the descriptors
        "cmp_random_vs_dft_agreement": "unlike" if distinguishable else "in agreement with",
        "cmp_multimodal_fullcv_r2": format_number(multimodal, 3),
        "cmp_multimodal_oos_r2": format_number(multimodal_oos, 3),
        "cmp_multimodal_oos_direction": direction(multimodal, multimodal_oos),
        "cmp_multimodal_oos_gap": format_number(abs(multimodal - multimodal_oos), 3),
        "cmp_dft_rf_oos_r2": format_number(tri(r2_oos, "dft_rf"), 3),
        "cmp_drfp_fullcv_r2": format_number(drfp, 3),
        "cmp_drfp_oos_r2": format_number(drfp_oos, 3),
        "cmp_drfp_oos_direction": direction(drfp, drfp_oos),
    }
    full = ablations.filter(pl.col("variant") == "full")
    for variant in ("no_human", "no_graph", "no_smiles"):
        other = ablations.filter(pl.col("variant") == variant)
        joined = full.join(other, on=["dataset", "split", "seed"], suffix="_other")
        bh = joined.filter((pl.col("dataset") == "bh") & pl.col("split").str.starts_with("FullCV_"))
        diff = (bh["r2"] - bh["r2_other"]).to_numpy()
        gain = float(np.median(diff)) if diff.size else float("nan")
        part = variant.removeprefix("no_")
        out[f"cmp_removing_{part}_effect"] = effect_of_removing(gain)
        out[f"cmp_removing_{part}_size"] = format_number(abs(gain), 3)
    return out


def settings_variables(settings: dict) -> dict[str, str]:
    """The learning-curve and out-of-sample seeds of the baselines settings, for the text."""
    curve = settings["learning_curve"]
    return {
        "cmp_lc_n_splits": str(len(curve["splits"])),
        "cmp_lc_n_seeds": str(len(curve["seeds"])),
        "cmp_n_test_seeds": str(len(seeds_of_split(settings, "Test1"))),
    }


DISCUSSION_VARIABLES = [
    "cmp_lc_n_splits",
    "cmp_lc_n_seeds",
    "cmp_n_test_seeds",
    "cmp_alpha",
    "cmp_min_pairs",
    "cmp_dft_rf_r2",
    "cmp_random_rf_r2",
    "cmp_random_minus_dft",
    "cmp_random_vs_dft_p",
    "cmp_random_vs_dft_pairs",
    "cmp_random_vs_dft_verdict",
    "cmp_random_vs_dft_agreement",
    "cmp_multimodal_fullcv_r2",
    "cmp_multimodal_oos_r2",
    "cmp_multimodal_oos_direction",
    "cmp_multimodal_oos_gap",
    "cmp_dft_rf_oos_r2",
    "cmp_drfp_fullcv_r2",
    "cmp_drfp_oos_r2",
    "cmp_drfp_oos_direction",
    *(
        f"cmp_removing_{part}_{kind}"
        for part in ("human", "graph", "smiles")
        for kind in ("effect", "size")
    ),
]
