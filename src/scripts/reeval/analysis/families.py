"""Families of paired comparisons between yield models, and their tables and sentences.

On the repeated random splits (BH FullCV, SM) the split is the unit: seeds are averaged
within a split, the corrected resampled t-test (Nadeau & Bengio 2003) over the splits is the
primary test, the Wilcoxon signed-rank test on the split means a check, TOST within a stated
margin the only way to "equivalent", and Holm runs within each family
(`reeval.stats.paired`). Each additive out-of-sample split (Test1-4) is one independent test
set: there a paired bootstrap of its test reactions gives the interval and p of each
difference, Holm again within the family.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from reeval.analysis.protocols import Protocol, test_train_ratio
from reeval.render.latex import Latex, difference_text, format_number, latex_table, p_cell
from reeval.stats.paired import (
    Comparison,
    Verdict,
    bootstrap_p,
    compare,
    compare_family,
    holm,
    paired_bootstrap_distribution,
    sentence,
)

METRIC_LABELS = {"r2": "$R^2$", "mae": "MAE", "rmse": "RMSE"}
HIGHER_IS_BETTER = {"r2": True, "mae": False, "rmse": False}


@dataclass(frozen=True)
class ComparisonSettings:
    """The profile's `comparison` section."""

    alpha: float
    margins: dict[str, float]  # metric -> equivalence margin (R^2; yield %)
    min_splits: int
    resamples: int
    seed: int

    @classmethod
    def from_config(cls, section: dict) -> ComparisonSettings:
        return cls(
            float(section["alpha"]),
            {k: float(v) for k, v in section["margin"].items()},
            int(section["min_splits"]),
            int(section["bootstrap_resamples"]),
            int(section["seed"]),
        )


def family(
    values: dict[str, dict[tuple[str, int], float]],
    reference: str,
    models: list[str],
    metric: str,
    ratio: float,
    settings: ComparisonSettings,
) -> list[Comparison]:
    """Each of `models` against `reference` (model minus reference) on the splits both
    have, Holm-adjusted within this family; a model without values is "not available"."""
    records = [
        compare(
            values.get(model, {}),
            values.get(reference, {}),
            model=model,
            other=reference,
            metric=metric,
            higher_is_better=HIGHER_IS_BETTER[metric],
            test_train_ratio=ratio,
            margin=settings.margins[metric],
            alpha=settings.alpha,
            min_splits=settings.min_splits,
        )
        for model in models
    ]
    return compare_family(records, settings.alpha, settings.min_splits)


def protocol_family(
    runs: pl.DataFrame,
    protocol: Protocol,
    values: dict[str, dict[tuple[str, int], float]],
    reference: str,
    models: list[str],
    metric: str,
    settings: ComparisonSettings,
) -> list[Comparison]:
    """`family` with the protocol's n_test / n_train as the correction."""
    return family(values, reference, models, metric, test_train_ratio(runs, protocol), settings)


def pair(
    a: dict[tuple[str, int], float],
    b: dict[tuple[str, int], float],
    names: tuple[str, str],
    metric: str,
    ratio: float,
    settings: ComparisonSettings,
) -> Comparison:
    """One comparison that is a family of its own."""
    return family({names[0]: a, names[1]: b}, names[1], [names[0]], metric, ratio, settings)[0]


# --- one independent test set ----------------------------------------------------------


@dataclass(frozen=True)
class OutOfSample:
    """`model` minus `other` on one independent test set, each averaged over its seeds,
    with a paired bootstrap of the test reactions: interval, p (and Holm's within the
    family), and the (1 - 2 alpha) interval of the equivalence check."""

    model: str
    other: str
    split: str
    metric: str
    seeds: tuple[int, int]
    n_test: int
    difference: float
    ci_low: float
    ci_high: float
    p: float
    p_holm: float
    tost_low: float
    tost_high: float
    margin: float
    verdict: Verdict


def out_of_sample(
    y: np.ndarray,
    mu_model: np.ndarray,
    mu_other: np.ndarray,
    names: tuple[str, str, str],
    metric: str,
    settings: ComparisonSettings,
) -> OutOfSample:
    """One test set: y (n,), mu_* (seeds, n); names (model, other, split)."""
    difference, resampled = paired_bootstrap_distribution(
        y, mu_model, mu_other, metric, settings.resamples, settings.seed
    )
    alpha = settings.alpha
    low, high, tost_low, tost_high = np.quantile(
        resampled, [alpha / 2, 1 - alpha / 2, alpha, 1 - alpha]
    )
    p = bootstrap_p(resampled)
    return OutOfSample(
        *names,
        metric,
        (int(np.atleast_2d(mu_model).shape[0]), int(np.atleast_2d(mu_other).shape[0])),
        int(y.size),
        difference,
        float(low),
        float(high),
        p,
        p,
        float(tost_low),
        float(tost_high),
        settings.margins[metric],
        Verdict.NOT_AVAILABLE,
    )


def out_of_sample_family(
    rows: list[OutOfSample], settings: ComparisonSettings
) -> list[OutOfSample]:
    """Holm within the family, then each verdict: better or worse when the Holm-adjusted
    bootstrap p is below alpha; equivalent when the (1 - 2 alpha) interval lies within the
    margin; inconclusive otherwise; not available without a finite difference."""
    out = []
    for row, p_holm in zip(rows, holm([r.p for r in rows]), strict=True):
        if not (math.isfinite(row.difference) and math.isfinite(p_holm)):
            verdict = Verdict.NOT_AVAILABLE
        elif p_holm < settings.alpha:
            better = (row.difference > 0) == HIGHER_IS_BETTER[row.metric]
            verdict = Verdict.BETTER if better else Verdict.WORSE
        elif -row.margin < row.tost_low and row.tost_high < row.margin:
            verdict = Verdict.EQUIVALENT
        else:
            verdict = Verdict.INCONCLUSIVE
        out.append(replace(row, p_holm=p_holm, verdict=verdict))
    return out


# --- tables ----------------------------------------------------------------------------


def relation_text(gap: float, digits: int) -> str:
    """ "0.021 below" / "0.021 above" / "equal at 3 decimals to", for "ours is ... theirs"."""
    text = format_number(abs(gap), digits)
    if set(text) <= set("0."):
        return f"equal at {digits} decimals to"
    return f"{text} {'above' if gap > 0 else 'below'}"


def interval_cell(difference: float, low: float, high: float, digits: int = 3) -> str:
    """`difference [low, high]`, or "--" without a finite difference."""
    if not math.isfinite(difference):
        return "--"
    low_text, high_text = difference_text(low, digits), difference_text(high, digits)
    return f"{difference_text(difference, digits)} [{low_text}, {high_text}]"


def n_cell(c: Comparison) -> str:
    return f"{c.n_splits} x {c.seeds_per_split}" if c.n_splits else "0"


def tests_table(
    groups: list[tuple[str, list[Comparison]]], labels: dict[str, str], what: str = "Model"
) -> str:
    """One row per comparison, grouped (e.g. by protocol): n (splits x seeds per split), the
    mean paired difference with its corrected 95 % interval, the Holm-adjusted p of the
    corrected t-test, of the Wilcoxon check and of TOST, and the verdict."""
    rows, ends = [], []
    for title, comparisons in groups:
        for index, c in enumerate(comparisons):
            rows.append(
                [
                    title if index == 0 else "",
                    Latex(labels.get(c.model, c.model)),
                    n_cell(c),
                    interval_cell(c.mean_difference, c.ci_low, c.ci_high),
                    p_cell(c.p_t_holm),
                    p_cell(c.p_wilcoxon_holm),
                    p_cell(c.p_tost_holm),
                    str(c.verdict),
                ]
            )
        if comparisons:
            ends.append(len(rows) - 1)
    header = [
        "",
        what,
        "n",
        Latex(r"Mean $\Delta$ [95\,\% CI]"),
        Latex(r"$p_t$"),
        Latex(r"$p_W$"),
        Latex(r"$p_{\mathrm{TOST}}$"),
        "Verdict",
    ]
    return latex_table(header, rows, align="llrrrrrl", midrules_after=ends[:-1])


def out_of_sample_table(rows: list[OutOfSample], labels: dict[str, str], splits: list[str]) -> str:
    """Models (rows) x out-of-sample splits (columns): the difference with its bootstrap
    95 % interval, and the verdict's mark (+ better, - worse, = equivalent)."""
    marks = {Verdict.BETTER: "+", Verdict.WORSE: "-", Verdict.EQUIVALENT: "="}
    models = list(dict.fromkeys(r.model for r in rows))
    by_key = {(r.model, r.split): r for r in rows}
    body = []
    for model in models:
        line = [Latex(labels.get(model, model))]
        for split in splits:
            r = by_key.get((model, split))
            if r is None:
                line.append("--")
                continue
            mark = marks.get(r.verdict, "")
            line.append(
                f"{interval_cell(r.difference, r.ci_low, r.ci_high)}{' ' + mark if mark else ''}"
            )
        body.append(line)
    return latex_table(["Model", *splits], body, align="l" + "r" * len(splits))


def comparison_sentence(c: Comparison, labels: dict[str, str]) -> str:
    return sentence(
        c, labels.get(c.model, c.model), labels.get(c.other, c.other), METRIC_LABELS[c.metric]
    )
