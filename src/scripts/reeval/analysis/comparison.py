"""The comparison section: every model on every protocol, published numbers beside ours,
paired tests against the multimodal model (`reeval.analysis.families`), learning curves,
calibration, and the sentences that follow the tests."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from reeval.analysis.families import (
    ComparisonSettings,
    OutOfSample,
    comparison_sentence,
    difference_text,
    family,
    out_of_sample,
    out_of_sample_family,
    out_of_sample_table,
    pair,
    tests_table,
)
from reeval.analysis.protocols import (
    BY_KEY,
    END_TO_END,
    OUT_OF_SAMPLE,
    PROTOCOLS,
    REFERENCE,
    REPEATED,
    Protocol,
    collect_runs,
    compared,
    runs_of,
    test_train_ratio,
    values_by_model,
)
from reeval.baselines.plan import WHOLE_TRAINING_FRACTION
from reeval.baselines.registry import BASELINES
from reeval.data.published import published_r2
from reeval.render.latex import Latex, cell_iqr, format_number, latex_table
from reeval.settings import Baselines, YieldBertSection, YieldModelProfile, seeds_of_split
from reeval.stats.metrics import calibration_curve
from reeval.stats.paired import Comparison, Verdict, split_means
from reeval.stats.robust import iqr, trimean

__all__ = ["collect_runs"]

MODEL_LABELS = {
    REFERENCE: "Multimodal (Chen et al., ours)",
    END_TO_END: "Multimodal, graph encoder end to end",
} | {name: b.label for name, b in BASELINES.items()}
# our model key -> key of reeval.data.published (its verified published R2)
PUBLISHED_KEYS = {"dft_rf": "dft_rf", "onehot_rf": "onehot_rf", "yield_bert": "yield_bert"}
# the models whose sigma the uncertainty table scores
SIGMA_MODELS = [
    REFERENCE,
    END_TO_END,
    *(name for name, b in BASELINES.items() if b.predicts_sigma),
]
# every model set against the multimodal model (frozen encoders): its end-to-end regime and
# the baselines
OTHERS = [END_TO_END, *BASELINES]
MODELS = [REFERENCE, *OTHERS]
# every table and sentence fragment the comparison writes into src/tex/output
COMPARISON_TABLES = [
    "comparison_table.tex",
    "comparison_metrics.tex",
    "comparison_uncertainty.tex",
    "comparison_tests.tex",
    "comparison_oos.tex",
    "comparison_published.tex",
    "comparison_verdicts.tex",
    "comparison_control.tex",
    "comparison_regimes.tex",
    "comparison_yield_bert.tex",
    "comparison_yield_bert_verdicts.tex",
    "comparison_reported.tex",
    "comparison_reproduction.tex",
    "conclusions_machinery.tex",
    "comparison_variance.tex",
    "comparison_additives.tex",
    "comparison_hardest_additives.tex",
    "comparison_data_efficiency.tex",
]
# the models of the per-additive table (the others are in the data behind it), with the
# short column labels it has room for
ADDITIVE_MODELS = {
    REFERENCE: "Multimodal",
    "dft_rf": "DFT RF",
    "drfp_gbt": "DRFP GB",
    "morgan_rf": "Morgan RF",
    "onehot_rf": "One-hot RF",
    "mpnn": "MPNN",
}
METRICS = [("mae", "MAE (%)", 2), ("rmse", "RMSE (%)", 2), ("r2", "$R^2$", 3)]
UNCERTAINTY_METRICS = [
    ("nll", "NLL", 2),
    ("coverage_68", "68 % coverage", 3),
    ("coverage_95", "95 % coverage", 3),
    ("miscalibration_area", "Miscal. area", 3),
    ("spearman_error_sigma", r"Spearman $\rho(|y-\mu|, \sigma)$", 3),
]


# --- robust summaries over the unit of replication ------------------------------------


def unit_values(by_key: dict[tuple[str, int], float], protocol: Protocol) -> list[float]:
    """The values a summary is taken over: split means on repeated splits (the split is the
    unit), the seeds' values on a single out-of-sample split."""
    if protocol.repeated:
        return list(split_means(by_key).values())
    return [v for v in by_key.values() if math.isfinite(v)]


def robust_cell(values: list[float], digits: int = 3) -> str:
    """`trimean [IQR]`; a single value alone; "--" without any."""
    if not values:
        return "--"
    if len(values) == 1:
        return format_number(values[0], digits)
    return cell_iqr(float(trimean(values)), float(iqr(values)), digits)


def seeds_label(runs: pl.DataFrame, model: str) -> str:
    """How many seeds a model ran per split, e.g. "3" (or "1/3" when it differs)."""
    chosen = compared(runs).filter((pl.col("model") == model) & (pl.col("train_fraction") == 1.0))
    if chosen.is_empty():
        return "0"
    counts = chosen.group_by("dataset", "split").len()["len"].unique().sort().to_list()
    return "/".join(str(c) for c in counts)


def protocol_header(runs: pl.DataFrame, protocol: Protocol) -> str:
    n = runs_of(runs, protocol)["split"].n_unique()
    return f"{protocol.label} ({n} split{'s' if n != 1 else ''})"


def significantly_best(
    values: dict[str, dict[tuple[str, int], float]],
    metric: str,
    ratio: float,
    settings: ComparisonSettings,
) -> str | None:
    """The model with the best mean of split means that is better than every other model
    (corrected t-test, Holm across those comparisons); None when no model is."""
    sign = 1 if metric == "r2" else -1
    means = {m: np.mean(list(split_means(v).values())) for m, v in values.items() if split_means(v)}
    if len(means) < 2:
        return None
    leader = max(sorted(means), key=lambda m: sign * means[m])
    others = [m for m in sorted(means) if m != leader]
    tests = family(values, leader, others, metric, ratio, settings)
    # each test is other - leader: the leader is better when every other model is worse
    return leader if all(t.verdict == Verdict.WORSE for t in tests) else None


# --- tables ------------------------------------------------------------------------


def comparison_table(
    runs: pl.DataFrame, published: pl.DataFrame, settings: ComparisonSettings
) -> str:
    """R2 trimean [IQR] of every model (rows) on every protocol (columns) over split means
    (on Test1-4: over seeds), with each model's seeds per split and a verified published R2
    in parentheses; bold only for a model better than every other one in corrected t-tests
    (Holm) on the repeated splits."""
    rows, bold = [], []
    # a model the profile does not run (Yield-BERT's fine-tuning in the default build) has
    # no row
    models = [m for m in MODELS if m in set(runs["model"].to_list())]
    for column_index, protocol in enumerate(PROTOCOLS, start=2):
        if protocol.repeated:
            values = values_by_model(runs, protocol, "r2")
            winner = significantly_best(values, "r2", test_train_ratio(runs, protocol), settings)
            if winner is not None:
                bold.append((models.index(winner), column_index))
    for model in models:
        row = [Latex(MODEL_LABELS[model]), seeds_label(runs, model)]
        for protocol in PROTOCOLS:
            by_key = values_by_model(runs, protocol, "r2").get(model, {})
            cell = robust_cell(unit_values(by_key, protocol))
            reference = published_value(published, model, protocol.key)
            if reference is not None and cell != "--":
                cell = f"{cell} ({format_number(reference, 2)})"
            row.append(cell)
        rows.append(row)
    return latex_table(
        ["Model", "Seeds", *[protocol_header(runs, p) for p in PROTOCOLS]],
        rows,
        align="lr" + "r" * len(PROTOCOLS),
        significantly_best=bold,
        midrules_after=[0],
    )


def published_value(published: pl.DataFrame, model: str, protocol: str) -> float | None:
    """The verified published R2 of our `model` on `protocol` (None for the multimodal
    model: Chen et al. re-split the data at random and report none on these splits)."""
    key = PUBLISHED_KEYS.get(model)
    value = published_r2(published, key, protocol) if key else None
    return value.value if value is not None else None


def _header_cell(label: str) -> str:
    return Latex(label) if "$" in label else label


def metrics_table(runs: pl.DataFrame, settings: ComparisonSettings) -> str:
    """MAE, RMSE and R2, trimean [IQR] over split means, of every model on the repeated
    protocols (BH FullCV, SM) and over the four out-of-sample split means (BH Test1-4, where
    nothing is bold: four independent test sets support no pooled test). An entry is bold
    only if its model is better than every other model on that metric (corrected t-tests,
    Holm)."""
    rows, bold, group_ends = [], [], []
    groups = [(p.label, [p]) for p in REPEATED[:1]]
    groups += [("BH Test1-4", OUT_OF_SAMPLE), *[(p.label, [p]) for p in REPEATED[1:]]]
    for title, protocols in groups:
        repeated = protocols[0].repeated
        per_metric = {}
        for metric, *_ in METRICS:
            merged: dict[str, dict] = {}
            for protocol in protocols:
                for model, by_key in values_by_model(runs, protocol, metric).items():
                    if repeated:
                        merged.setdefault(model, {}).update(by_key)
                    else:  # one value per out-of-sample split: its mean over seeds
                        means = split_means(by_key)
                        merged.setdefault(model, {}).update({(s, 0): v for s, v in means.items()})
            per_metric[metric] = merged
        present = [m for m in MODELS if any(per_metric[k].get(m) for k in per_metric)]
        winners = {
            metric: significantly_best(
                per_metric[metric], metric, test_train_ratio(runs, protocols[0]), settings
            )
            if repeated
            else None
            for metric, *_ in METRICS
        }
        for index, model in enumerate(present):
            row = [title if index == 0 else "", Latex(MODEL_LABELS[model])]
            for position, (metric, _, digits) in enumerate(METRICS, start=2):
                values = list(split_means(per_metric[metric].get(model, {})).values())
                row.append(robust_cell(values, digits))
                if winners[metric] == model:
                    bold.append((len(rows), position))
            rows.append(row)
        if present:
            group_ends.append(len(rows) - 1)
    return latex_table(
        ["Protocol", "Model", *(_header_cell(label) for _, label, _ in METRICS)],
        rows,
        align="llrrr",
        significantly_best=bold,
        midrules_after=group_ends[:-1],
    )


def uncertainty_table(runs: pl.DataFrame) -> str:
    """Gaussian NLL, central 68 % and 95 % coverage, miscalibration area and Spearman
    correlation of |error| with sigma, trimean [IQR] over split means, for every model that
    predicts sigma, on the repeated protocols."""
    rows, group_ends = [], []
    for protocol in REPEATED:
        values = {
            metric: values_by_model(runs, protocol, metric) for metric, *_ in UNCERTAINTY_METRICS
        }
        present = [m for m in SIGMA_MODELS if any(values[metric].get(m) for metric in values)]
        for index, model in enumerate(present):
            rows.append(
                [protocol.label if index == 0 else "", Latex(MODEL_LABELS[model])]
                + [
                    robust_cell(unit_values(values[metric].get(model, {}), protocol), digits)
                    for metric, _, digits in UNCERTAINTY_METRICS
                ]
            )
        if present:
            group_ends.append(len(rows) - 1)
    return latex_table(
        ["Protocol", "Model", *(_header_cell(label) for _, label, _ in UNCERTAINTY_METRICS)],
        rows,
        align="ll" + "r" * len(UNCERTAINTY_METRICS),
        midrules_after=group_ends[:-1],
    )


# --- tests against the multimodal model ------------------------------------------------


def baseline_families(
    runs: pl.DataFrame, settings: ComparisonSettings, metric: str = "r2"
) -> list[tuple[Protocol, list[Comparison]]]:
    """On each repeated protocol: every baseline (and the end-to-end regime) minus the
    multimodal model, one family."""
    out = []
    for protocol in REPEATED:
        values = values_by_model(runs, protocol, metric)
        if REFERENCE not in values:
            continue
        models = [m for m in OTHERS if m in values]
        out.append(
            (
                protocol,
                family(
                    values, REFERENCE, models, metric, test_train_ratio(runs, protocol), settings
                ),
            )
        )
    return out


def comparisons_table(runs: pl.DataFrame, settings: ComparisonSettings) -> str:
    return tests_table(
        [(p.label, tests) for p, tests in baseline_families(runs, settings)],
        MODEL_LABELS,
        what="Baseline",
    )


@dataclass(frozen=True)
class TestPredictions:
    """One model's predictions on one test split: the reactions (sorted by id), their
    measured yields and the predicted mean of each seed (seeds x reactions)."""

    reaction_ids: np.ndarray
    y: np.ndarray
    mu: np.ndarray


Predictions = dict[tuple[str, str], TestPredictions]  # (model, split) -> predictions


def out_of_sample_rows(
    predictions: Predictions,
    models: list[str],
    other: str,
    settings: ComparisonSettings,
    metric: str = "r2",
) -> list[OutOfSample]:
    """Each of `models` minus `other` on each out-of-sample split both have predictions
    for (a paired bootstrap of its test reactions), one Holm family."""
    rows = []
    for model in models:
        for protocol in OUT_OF_SAMPLE:
            split = protocol.prefix
            if (model, split) not in predictions or (other, split) not in predictions:
                continue
            mine, theirs = predictions[(model, split)], predictions[(other, split)]
            if not np.array_equal(mine.reaction_ids, theirs.reaction_ids):
                raise ValueError(f"{model} and {other} were tested on other reactions of {split}")
            y = theirs.y.astype(np.float64)
            if not np.allclose(mine.y, y, rtol=1e-6, atol=1e-4):  # float32 vs float64 copies
                raise ValueError(f"{model} and {other} disagree on the yields of {split}")
            rows.append(
                out_of_sample(y, mine.mu, theirs.mu, (model, other, split), metric, settings)
            )
    return out_of_sample_family(rows, settings)


def oos_table(predictions: Predictions, settings: ComparisonSettings) -> str:
    rows = out_of_sample_rows(predictions, OTHERS, REFERENCE, settings)
    return out_of_sample_table(rows, MODEL_LABELS, [p.prefix for p in OUT_OF_SAMPLE])


# --- sentences ---------------------------------------------------------------------


def _names(models: list[str]) -> str:
    labels = [MODEL_LABELS[m] for m in models]
    if len(labels) <= 2:
        return " and ".join(labels)
    return ", ".join(labels[:-1]) + ", and " + labels[-1]


FLIPPED = {
    Verdict.BETTER: Verdict.WORSE,
    Verdict.WORSE: Verdict.BETTER,
    Verdict.EQUIVALENT: Verdict.EQUIVALENT,
    Verdict.INCONCLUSIVE: Verdict.INCONCLUSIVE,
    Verdict.NOT_AVAILABLE: Verdict.NOT_AVAILABLE,
}


def family_summary(
    protocol: Protocol, tests: list[Comparison], settings: ComparisonSettings
) -> str:
    """One sentence: against which baselines the multimodal model is better, equivalent,
    worse or inconclusive on this protocol (its own side of each test)."""
    by_verdict: dict[Verdict, list[str]] = {}
    for t in tests:
        by_verdict.setdefault(FLIPPED[t.verdict], []).append(t.model)
    n = max((t.n_splits for t in tests), default=0)
    parts = []
    phrases = [
        (Verdict.BETTER, "better than"),
        (
            Verdict.EQUIVALENT,
            f"equivalent within $\\pm${format_number(settings.margins['r2'], 3)} to",
        ),
        (Verdict.WORSE, "worse than"),
        (Verdict.INCONCLUSIVE, f"inconclusive (n = {n} splits) against"),
        (Verdict.NOT_AVAILABLE, "not comparable (no shared splits) with"),
    ]
    for verdict, phrase in phrases:
        if by_verdict.get(verdict):
            parts.append(f"{phrase} {_names(by_verdict[verdict])}")
    if not parts:
        return ""
    return (
        f"On {protocol.label} ($n = {n}$ splits), the multimodal model is "
        + "; ".join(parts)
        + " in $R^2$."
    )


def verdict_sentences(
    runs: pl.DataFrame, predictions: Predictions, settings: ComparisonSettings
) -> str:
    """The summary of every family against the multimodal model, then the out-of-sample
    splits against the DFT forest and DRFP."""
    parts = [
        family_summary(p, [t for t in tests if t.model in BASELINES], settings)
        for p, tests in baseline_families(runs, settings)
    ]
    rows = out_of_sample_rows(predictions, OTHERS, REFERENCE, settings)
    for model in ("dft_rf", "drfp_gbt"):
        mine = [r for r in rows if r.model == model]
        if not mine:
            continue
        by: dict[Verdict, list[str]] = {}
        for r in mine:
            by.setdefault(FLIPPED[r.verdict], []).append(r.split)
        words = [
            f"{v} on {' and '.join(by[v])}"
            if v != Verdict.INCONCLUSIVE
            else "inconclusive on "
            + " and ".join(
                f"{r.split} (n = {r.n_test} reactions)" for r in mine if FLIPPED[r.verdict] == v
            )
            for v in (Verdict.BETTER, Verdict.EQUIVALENT, Verdict.WORSE, Verdict.INCONCLUSIVE)
            if by.get(v)
        ]
        parts.append(
            f"Out of sample, against {MODEL_LABELS[model]}, the multimodal model is "
            + "; ".join(words)
            + " (paired bootstrap of each test set, Holm over the baselines and splits)."
        )
    text = " ".join(p for p in parts if p)
    return (text or "No comparison is available.") + "\n"


REGIME_EFFECT = {
    Verdict.BETTER: "raises $R^2$",
    Verdict.WORSE: "lowers $R^2$",
    Verdict.INCONCLUSIVE: "has an inconclusive effect on $R^2$",
    Verdict.NOT_AVAILABLE: "cannot be compared",
}


def regime_sentences(
    runs: pl.DataFrame, predictions: Predictions, settings: ComparisonSettings
) -> str:
    """What training the graph encoder end to end (the released code) instead of freezing
    it (the paper) does, on each protocol, from the tests of the comparison families."""

    def effect(verdict: Verdict) -> str:
        if verdict == Verdict.EQUIVALENT:
            return f"leaves $R^2$ within $\\pm${format_number(settings.margins['r2'], 3)}"
        return REGIME_EFFECT[verdict]

    parts = []
    for protocol, tests in baseline_families(runs, settings):
        test = next((t for t in tests if t.model == END_TO_END), None)
        if test is None or not math.isfinite(test.mean_difference):
            continue
        parts.append(
            f"on {protocol.label} it {effect(test.verdict)} (end to end minus frozen "
            f"{difference_text(test.mean_difference, 3)}, 95\\,\\% CI "
            f"{difference_text(test.ci_low, 3)} to {difference_text(test.ci_high, 3)}; "
            f"$n = {test.n_splits}$ splits)"
        )
    rows = [
        r
        for r in out_of_sample_rows(predictions, OTHERS, REFERENCE, settings)
        if r.model == END_TO_END and math.isfinite(r.difference)
    ]
    for r in rows:
        parts.append(
            f"on {r.split} it {effect(r.verdict)} ({difference_text(r.difference, 3)}, 95\\,\\% "
            f"CI {difference_text(r.ci_low, 3)} to {difference_text(r.ci_high, 3)}; "
            f"$n = {r.n_test}$ reactions)"
        )
    if not parts:
        return "The end-to-end regime was not run.\n"
    return (
        "Training the graph encoder end to end with the head, as the released code does, "
        "instead of freezing the pretrained one: "
        + "; ".join(parts)
        + ". The tests are those of Tables~\\ref{tab:tests} and~\\ref{tab:oos}: corrected "
        "resampled $t$-tests on the random splits, a paired bootstrap of each out-of-sample "
        "test set, Holm within each family.\n"
    )


def control_sentences(
    runs: pl.DataFrame, predictions: Predictions, settings: ComparisonSettings
) -> str:
    """The control of Chuang & Keiser: random features against the DFT descriptors, on BH
    FullCV (corrected t-test and TOST) and on each out-of-sample split (bootstrap)."""
    protocol = BY_KEY["bh_fullcv"]
    values = values_by_model(runs, protocol, "r2")
    if "random_rf" not in values or "dft_rf" not in values:
        return "The random-feature control is not available.\n"
    c = pair(
        values["random_rf"],
        values["dft_rf"],
        ("random_rf", "dft_rf"),
        "r2",
        test_train_ratio(runs, protocol),
        settings,
    )
    text = f"On BH FullCV: {comparison_sentence(c, MODEL_LABELS)}"
    rows = out_of_sample_rows(predictions, ["random_rf"], "dft_rf", settings)
    if rows:
        described = "; ".join(
            f"{r.split} {r.verdict} ({'+' if r.difference >= 0 else ''}"
            f"{format_number(r.difference, 3)}, 95\\,\\% CI {format_number(r.ci_low, 3)} to "
            f"{format_number(r.ci_high, 3)})"
            for r in rows
        )
        text += (
            f" Out of sample, random features minus DFT descriptors: {described} "
            "(paired bootstrap of the test reactions, Holm over the four splits)."
        )
    return text.replace("-0.000", "0.000") + "\n"


def published_sentences(runs: pl.DataFrame, published: pl.DataFrame) -> str:
    """One sentence for each place where our value differs from the published one by more
    than our IQR over split means (over seeds on an out-of-sample split)."""
    sentences = []
    for model in BASELINES:
        for protocol in PROTOCOLS:
            reference = published_value(published, model, protocol.key)
            by_key = values_by_model(runs, protocol, "r2").get(model, {})
            values = unit_values(by_key, protocol)
            if reference is None or not values:
                continue
            ours = float(trimean(values))
            spread = float(iqr(values)) if len(values) > 1 else 0.01
            gap = ours - reference
            if abs(gap) > spread:
                sentences.append(
                    f"{MODEL_LABELS[model]} on {protocol.label}: ours {format_number(ours, 3)}, "
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


# --- figures' data -------------------------------------------------------------------


def learning_curve_frame(runs: pl.DataFrame, splits: list[str], seeds: list[int]) -> pl.DataFrame:
    """model, fraction, trimean, q1, q3, n_splits, n_seeds of R2 over the learning-curve
    splits' means (seeds averaged within a split). At 0.7 (the whole FullCV training set)
    the main runs of those splits and seeds stand in for the learning-curve runs that were
    not planned again; each (split, seed) counts once."""
    points = runs.filter(pl.col("train_fraction") < 1.0)
    models = points["model"].unique().to_list()
    main = runs.filter(
        (pl.col("train_fraction") == 1.0)
        & (pl.col("dataset") == "bh")
        & pl.col("model").is_in(models)
        & (pl.col("variant").is_null() | (pl.col("variant") == "full"))
        & pl.col("split").is_in(splits)
        & pl.col("seed").is_in(seeds)
    ).with_columns(pl.lit(WHOLE_TRAINING_FRACTION).alias("train_fraction"))
    columns = ["model", "train_fraction", "split", "seed", "r2"]
    points = pl.concat([points.select(columns), main.select(columns)]).unique(
        ["model", "train_fraction", "split", "seed"], keep="first", maintain_order=True
    )
    rows = []
    for (model, fraction), group in points.group_by("model", "train_fraction"):
        by_split = group.group_by("split").agg(pl.col("r2").mean(), pl.len().alias("seeds"))
        values = by_split["r2"].to_numpy()
        rows.append(
            {
                "model": model,
                "fraction": fraction,
                "trimean": float(trimean(values)),
                "q1": float(np.quantile(values, 0.25)),
                "q3": float(np.quantile(values, 0.75)),
                "n_splits": by_split.height,
                "n_seeds": int(by_split["seeds"].min()),
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
    """model, split, R2 on each additive out-of-sample split (mean over seeds)."""
    rows = []
    for protocol in OUT_OF_SAMPLE:
        for model, by_key in values_by_model(runs, protocol, "r2").items():
            values = unit_values(by_key, protocol)
            if values:
                rows.append(
                    {"model": model, "split": protocol.prefix, "r2": float(np.mean(values))}
                )
    return pl.DataFrame(
        rows, schema={"model": pl.String, "split": pl.String, "r2": pl.Float64}
    ).sort("model", "split")


# --- numbers for the text ------------------------------------------------------------


def discussion_variables(runs: pl.DataFrame, settings: ComparisonSettings) -> dict[str, str]:
    """The numbers of the comparison paragraphs: R2 trimeans over split means."""

    def tri(protocols: list[Protocol], model: str) -> float:
        values = []
        for protocol in protocols:
            by_key = values_by_model(runs, protocol, "r2").get(model, {})
            values += list(split_means(by_key).values())
        return float(trimean(values)) if values else float("nan")

    def number(value: float) -> str:
        return format_number(value, 3) if math.isfinite(value) else "not available"

    fullcv, sm = [BY_KEY["bh_fullcv"]], [BY_KEY["sm"]]
    out = {
        "cmp_alpha": f"{settings.alpha:g}",
        "cmp_margin_r2": format_number(settings.margins["r2"], 3),
        "cmp_min_splits": str(settings.min_splits),
        "cmp_resamples": str(settings.resamples),
    }
    for model, key in [
        (REFERENCE, "multimodal"),
        ("dft_rf", "dft_rf"),
        ("random_rf", "random_rf"),
        ("drfp_gbt", "drfp"),
    ]:
        out[f"cmp_{key}_fullcv_r2"] = number(tri(fullcv, model))
        out[f"cmp_{key}_oos_r2"] = number(tri(OUT_OF_SAMPLE, model))
    out["cmp_multimodal_sm_r2"] = number(tri(sm, REFERENCE))
    out["cmp_drfp_sm_r2"] = number(tri(sm, "drfp_gbt"))
    return out


def settings_variables(baselines: Baselines, yield_model: YieldModelProfile) -> dict[str, str]:
    """How many splits and seeds each part of the design ran, for the text."""
    curve = baselines.learning_curve
    return {
        "cmp_lc_n_splits": str(len(curve.splits)),
        "cmp_lc_n_seeds": str(len(curve.seeds)),
        "cmp_baseline_seeds": str(len(baselines.seeds)),
        "cmp_baseline_test_seeds": str(len(seeds_of_split(baselines, "Test1"))),
        "cmp_multimodal_seeds": str(len(yield_model.seeds)),
        "cmp_multimodal_test_seeds": str(len(seeds_of_split(yield_model, "Test1"))),
        "cmp_n_bh_fullcv": str(sum(s.startswith("FullCV") for s in yield_model.splits["bh"])),
        "cmp_n_sm": str(len(yield_model.splits["sm"])),
        "cmp_yield_bert_fine_tuning": yield_bert_status(baselines.yield_bert),
    }


def yield_bert_status(section: YieldBertSection) -> str:
    """Whether this profile fine-tunes Yield-BERT, and with which settings, as a clause."""
    bh, sm = section.bh, section.sm
    start = {"bert_pretrained": "the pretrained model", "bert_ft": "the class-fine-tuned model"}
    how = (
        f"{bh.epochs} epochs from {start[bh.model]} on BH and "
        f"{sm.epochs} from {start[sm.model]} on SM, "
        f"batch {bh.batch_size}, learning rate "
        f"{bh.lr:.7f} and {sm.lr:.7f}, dropout {bh.dropout:.2f} and {sm.dropout:.2f}"
    )
    if section.enabled:
        return f"runs on every split ({how})"
    return f"is off in this profile and runs in the full profile ({how})"


DISCUSSION_VARIABLES = [
    "cmp_lc_n_splits",
    "cmp_lc_n_seeds",
    "cmp_baseline_seeds",
    "cmp_baseline_test_seeds",
    "cmp_multimodal_seeds",
    "cmp_multimodal_test_seeds",
    "cmp_n_bh_fullcv",
    "cmp_n_sm",
    "cmp_alpha",
    "cmp_margin_r2",
    "cmp_min_splits",
    "cmp_resamples",
    "cmp_yield_bert_fine_tuning",
    *(
        f"cmp_{key}_{where}_r2"
        for key in ("multimodal", "dft_rf", "random_rf", "drfp")
        for where in ("fullcv", "oos")
    ),
    "cmp_multimodal_sm_r2",
    "cmp_drfp_sm_r2",
]
