"""Paired comparisons of two models on the same splits, as the article reports them.

The unit of replication is the split: the seeds of a split are averaged first
(`split_means`), and every test runs on the per-split differences (model - other).
Repeated random train/test splits overlap, so their differences are positively correlated
and the ordinary paired t-test is too liberal; the primary test is the corrected resampled
t-test of Nadeau & Bengio (2003, Machine Learning 52:239), whose variance of the mean
difference is (1/J + n_test/n_train) s^2, with s^2 the sample variance (ddof=1) of the J
per-split differences and J - 1 degrees of freedom. The Wilcoxon signed-rank test on the
same split means is a sensitivity check. Within a family of comparisons every kind of
p-value is Holm-adjusted separately. A model is called "equivalent" to another only when
an equivalence test (two one-sided corrected t-tests, TOST) rejects a difference of at
least a stated margin; a non-significant difference alone is "inconclusive".

For one independent test set (Test1-4 of Buchwald-Hartwig), `paired_bootstrap_difference`
resamples the test reactions instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from reeval.render.latex import format_number
from reeval.stats import metrics

NAN = float("nan")
# the Wilcoxon p-value is exact (conditional on ties and zeros) up to this many nonzero pairs
EXACT_MAX_PAIRS = 50
CONFIDENCE = 0.95  # of the interval a Comparison reports
Metric = Literal["r2", "mae", "rmse"]
METRICS: dict[str, Callable[[ArrayLike, ArrayLike], float]] = {
    "r2": metrics.r2,
    "mae": metrics.mae,
    "rmse": metrics.rmse,
}


# --- split means --------------------------------------------------------------


def _split_groups(
    values: Mapping[tuple[str, int], float],
) -> tuple[dict[str, float], dict[str, int]]:
    """({split: mean over its non-NaN seeds}, {split: number of those seeds})."""
    groups: dict[str, list[float]] = {}
    for (split, _seed), value in values.items():
        value = float(value)
        if not math.isnan(value):
            groups.setdefault(split, []).append(value)
    means = {split: float(np.mean(v)) for split, v in groups.items()}
    return means, {split: len(v) for split, v in groups.items()}


def split_means(values: Mapping[tuple[str, int], float]) -> dict[str, float]:
    """{(split, seed): value} -> {split: mean over its seeds}; NaN values are ignored and a
    split whose values are all NaN is left out (splits in the order first seen)."""
    return _split_groups(values)[0]


# --- corrected resampled t-test -------------------------------------------------


@dataclass(frozen=True)
class CorrectedT:
    """Corrected resampled t-test of the mean of per-split differences (two-sided p)."""

    n: int
    mean: float
    ci_low: float
    ci_high: float
    t: float
    df: float
    p: float


def _mean_and_se(differences: ArrayLike, test_train_ratio: float) -> tuple[int, float, float]:
    """(n, mean, corrected standard error); mean and se are NaN when n < 2 or a difference is
    not finite; se is exactly 0 when every difference is the same."""
    ratio = float(test_train_ratio)
    if not (math.isfinite(ratio) and ratio >= 0):
        raise ValueError(f"test_train_ratio must be finite and >= 0, got {test_train_ratio}")
    d = np.asarray(differences, dtype=float).reshape(-1)
    if d.size < 2 or not np.isfinite(d).all():
        return int(d.size), NAN, NAN
    if np.all(d == d[0]):
        return int(d.size), float(d[0]), 0.0
    variance = (1.0 / d.size + ratio) * float(d.var(ddof=1))
    return int(d.size), float(d.mean()), math.sqrt(variance)


def corrected_resampled_t(
    differences: ArrayLike, test_train_ratio: float, confidence: float = 0.95
) -> CorrectedT:
    """Nadeau & Bengio's corrected resampled t-test of mean(differences) = 0.

    se = sqrt((1/n + test_train_ratio) * s^2), t = mean / se with n - 1 degrees of freedom,
    two-sided p, and the interval mean +/- t_{(1 + confidence)/2, n - 1} * se.
    `test_train_ratio` = n_test / n_train of each split; 0 gives the ordinary paired
    (one-sample) t-test. Degenerate cases: n < 2 or a non-finite difference gives NaN in
    every field but n; zero variance (all differences equal) gives the interval
    [mean, mean], p = 1 and t = 0 when the mean is 0, else p = 0 and t = +/-inf.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    n, mean, se = _mean_and_se(differences, test_train_ratio)
    if math.isnan(mean):
        return CorrectedT(n, NAN, NAN, NAN, NAN, NAN, NAN)
    df = float(n - 1)
    if se == 0.0:
        t = 0.0 if mean == 0 else math.copysign(math.inf, mean)
        return CorrectedT(n, mean, mean, mean, t, df, 1.0 if mean == 0 else 0.0)
    t = mean / se
    half_width = float(stats.t.ppf((1.0 + confidence) / 2.0, df)) * se
    p = float(min(1.0, 2.0 * stats.t.sf(abs(t), df)))
    return CorrectedT(n, mean, mean - half_width, mean + half_width, t, df, p)


@dataclass(frozen=True)
class Equivalence:
    """TOST of |mean difference| < margin; the interval is the 1 - 2 alpha one."""

    margin: float
    p: float
    ci_low: float
    ci_high: float
    equivalent: bool


def corrected_tost(
    differences: ArrayLike, test_train_ratio: float, margin: float, alpha: float
) -> Equivalence:
    """Two one-sided corrected resampled t-tests: H0 mean <= -margin and H0 mean >= margin.

    p = max of the two one-sided p-values; equivalent iff p < alpha, which is the same as
    the 1 - 2 alpha corrected interval lying inside (-margin, margin). With n < 2 or a
    non-finite difference: p and interval NaN, not equivalent. With zero variance the
    interval is [mean, mean] and p = 0 if |mean| < margin, else 1.
    """
    if not (math.isfinite(margin) and margin > 0):
        raise ValueError(f"margin must be finite and > 0, got {margin}")
    if not 0.0 < alpha < 0.5:
        raise ValueError(f"alpha must be in (0, 0.5), got {alpha}")
    n, mean, se = _mean_and_se(differences, test_train_ratio)
    if math.isnan(mean):
        return Equivalence(margin, NAN, NAN, NAN, False)
    if se == 0.0:
        p = 0.0 if abs(mean) < margin else 1.0
        return Equivalence(margin, p, mean, mean, p < alpha)
    df = n - 1
    p_lower = float(stats.t.sf((mean + margin) / se, df))  # H0: mean <= -margin
    p_upper = float(stats.t.cdf((mean - margin) / se, df))  # H0: mean >= margin
    p = max(p_lower, p_upper)
    half_width = float(stats.t.ppf(1.0 - alpha, df)) * se
    return Equivalence(margin, p, mean - half_width, mean + half_width, p < alpha)


# --- Wilcoxon signed-rank test --------------------------------------------------


def wilcoxon_signed_rank(differences: ArrayLike) -> float:
    """Two-sided p of the Wilcoxon signed-rank test of the differences (split means).

    Zero differences are dropped ("wilcox" convention) and tied |differences| get mid-ranks
    (ties are exactly equal floats). With at most EXACT_MAX_PAIRS nonzero differences the
    p-value is exact: the null distribution of the positive rank sum is that of all 2^n
    equally likely sign assignments of the observed (mid-)ranks, and
    p = min(1, 2 min(P(W+ <= w), P(W+ >= w))). Above that, the normal approximation with
    tie and continuity corrections. Every difference zero: p = 1; none, or a NaN: NaN.
    """
    d = np.asarray(differences, dtype=float).reshape(-1)
    if d.size == 0 or np.isnan(d).any():
        return NAN
    d = d[d != 0]
    if d.size == 0:
        return 1.0
    ranks = stats.rankdata(np.abs(d))  # mid-ranks for ties
    if d.size <= EXACT_MAX_PAIRS:
        return _exact_wilcoxon_p(ranks, d > 0)
    return _normal_wilcoxon_p(ranks, d > 0, np.abs(d))


def _exact_wilcoxon_p(ranks: NDArray[np.float64], positive: NDArray[np.bool_]) -> float:
    # doubled mid-ranks are integers; counts[s] = number of sign assignments whose doubled
    # positive rank sum is s (at most 2^50, exact in int64)
    weights = np.rint(2.0 * ranks).astype(np.int64)
    observed = int(weights[positive].sum())
    counts = np.zeros(int(weights.sum()) + 1, dtype=np.int64)
    counts[0] = 1
    for w in weights:
        counts[w:] = counts[w:] + counts[:-w]  # the right side is built before assignment
    total = 2.0 ** len(weights)
    lower, upper = counts[: observed + 1].sum() / total, counts[observed:].sum() / total
    return float(min(1.0, 2.0 * min(lower, upper)))


def _normal_wilcoxon_p(
    ranks: NDArray[np.float64], positive: NDArray[np.bool_], magnitudes: NDArray[np.float64]
) -> float:
    n = len(ranks)
    _, ties = np.unique(magnitudes, return_counts=True)
    variance = n * (n + 1) * (2 * n + 1) / 24.0 - float(np.sum(ties**3 - ties)) / 48.0
    deviation = max(abs(float(ranks[positive].sum()) - n * (n + 1) / 4.0) - 0.5, 0.0)
    return float(min(1.0, 2.0 * stats.norm.sf(deviation / math.sqrt(variance))))


def min_splits_for_wilcoxon(alpha: float) -> int:
    """The fewest pairs with which a two-sided exact Wilcoxon signed-rank test can give
    p < alpha: its smallest p with n pairs is 2 / 2^n (every difference of one sign)."""
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    n = 1
    while 2.0 * 0.5**n >= alpha:
        n += 1
    return n


# --- Holm -----------------------------------------------------------------------


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1); NaN stays NaN
    and does not count in the family size."""
    p = np.asarray(p_values, dtype=float).reshape(-1)
    valid = np.flatnonzero(~np.isnan(p))
    adjusted = np.full(p.shape, np.nan)
    order = valid[np.argsort(p[valid], kind="stable")]
    m = len(order)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return adjusted.tolist()


# --- comparison records -------------------------------------------------------------


class Verdict(StrEnum):
    BETTER = "better"
    WORSE = "worse"
    EQUIVALENT = "equivalent"
    INCONCLUSIVE = "inconclusive"
    NOT_AVAILABLE = "not available"


@dataclass(frozen=True)
class Comparison:
    """One model against another on one metric: differences are model - other of split
    means over the splits both have; the interval is the corrected 95 % one."""

    model: str
    other: str
    metric: str
    higher_is_better: bool
    n_splits: int
    seeds_per_split: int  # the fewest non-NaN seeds of either model in a shared split
    mean_difference: float
    ci_low: float
    ci_high: float
    p_t: float
    p_t_holm: float
    p_wilcoxon: float
    p_wilcoxon_holm: float
    margin: float
    p_tost: float
    p_tost_holm: float
    verdict: Verdict
    alpha: float  # of the verdict
    min_splits: int  # of the verdict
    test_train_ratio: float


def compare(
    a: Mapping[tuple[str, int], float],
    b: Mapping[tuple[str, int], float],
    *,
    model: str,
    other: str,
    metric: str,
    higher_is_better: bool,
    test_train_ratio: float,
    margin: float,
    alpha: float,
    min_splits: int | None = None,
) -> Comparison:
    """`model` (values `a`) against `other` (values `b`), both {(split, seed): value}, on
    the splits both have after `split_means`. The record is a family of one (its Holm
    p-values equal the raw ones; `compare_family` adjusts them within a family);
    min_splits defaults to min_splits_for_wilcoxon(alpha)."""
    if not (math.isfinite(margin) and margin > 0):
        raise ValueError(f"margin must be finite and > 0, got {margin}")
    means_a, seeds_a = _split_groups(a)
    means_b, seeds_b = _split_groups(b)
    shared = [split for split in means_a if split in means_b]
    d = np.array([means_a[s] - means_b[s] for s in shared], dtype=float)
    t = corrected_resampled_t(d, test_train_ratio, CONFIDENCE)
    tost = corrected_tost(d, test_train_ratio, margin, alpha)
    record = Comparison(
        model=model,
        other=other,
        metric=metric,
        higher_is_better=higher_is_better,
        n_splits=len(shared),
        seeds_per_split=min((min(seeds_a[s], seeds_b[s]) for s in shared), default=0),
        mean_difference=float(d.mean()) if d.size else NAN,
        ci_low=t.ci_low,
        ci_high=t.ci_high,
        p_t=t.p,
        p_t_holm=t.p,
        p_wilcoxon=wilcoxon_signed_rank(d),
        p_wilcoxon_holm=NAN,
        margin=float(margin),
        p_tost=tost.p,
        p_tost_holm=tost.p,
        verdict=Verdict.NOT_AVAILABLE,
        alpha=alpha,
        min_splits=0,
        test_train_ratio=float(test_train_ratio),
    )
    if min_splits is None:
        min_splits = min_splits_for_wilcoxon(alpha)
    return compare_family([record], alpha, min_splits)[0]


def verdict_of(c: Comparison, alpha: float, min_splits: int) -> Verdict:
    """The rule, in order: "not available" when the t statistic or the mean difference is
    NaN (a side without finite values, fewer than two shared splits); "inconclusive" when
    n_splits < min_splits; "better"/"worse" (for the model, by higher_is_better) when
    p_t_holm < alpha; "equivalent" when p_tost_holm < alpha; else "inconclusive"."""
    if math.isnan(c.p_t) or not math.isfinite(c.mean_difference):
        return Verdict.NOT_AVAILABLE
    if c.n_splits < min_splits:
        return Verdict.INCONCLUSIVE
    if c.p_t_holm < alpha:
        return Verdict.BETTER if (c.mean_difference > 0) == c.higher_is_better else Verdict.WORSE
    if c.p_tost_holm < alpha:
        return Verdict.EQUIVALENT
    return Verdict.INCONCLUSIVE


def compare_family(
    comparisons: Sequence[Comparison], alpha: float, min_splits: int
) -> list[Comparison]:
    """Holm-adjust p_t, p_wilcoxon and p_tost separately within the family (NaN p-values do
    not count), then set every verdict at `alpha` with `min_splits`."""
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    adjusted = zip(
        holm([c.p_t for c in comparisons]),
        holm([c.p_wilcoxon for c in comparisons]),
        holm([c.p_tost for c in comparisons]),
        strict=True,
    )
    out = []
    for c, (p_t, p_w, p_tost) in zip(comparisons, adjusted, strict=True):
        c = replace(
            c,
            p_t_holm=p_t,
            p_wilcoxon_holm=p_w,
            p_tost_holm=p_tost,
            alpha=alpha,
            min_splits=min_splits,
        )
        out.append(replace(c, verdict=verdict_of(c, alpha, min_splits)))
    return out


# --- one independent test set: paired bootstrap of the test reactions --------------


def _resampled_metric(
    metric: str, y: NDArray[np.float64], mu: NDArray[np.float64], counts: NDArray[np.float64]
) -> NDArray[np.float64]:
    """(resamples, seeds) metric of each seed on each resample, a resample given by how
    often it draws each reaction (counts, (resamples, n)); as reeval.stats.metrics."""
    n = y.size
    error = y[None, :] - mu
    if metric == "mae":
        return counts @ np.abs(error).T / n
    if metric == "rmse":
        return np.sqrt(counts @ (error**2).T / n)
    centred = y - y.mean()  # SS_tot about the resample's own mean, computed stably
    total = counts @ centred**2 - (counts @ centred) ** 2 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - (counts @ (error**2).T) / total[:, None]


def paired_bootstrap_distribution(
    y: ArrayLike,
    mu_a: ArrayLike,
    mu_b: ArrayLike,
    metric: Metric,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, NDArray[np.float64]]:
    """(difference, its bootstrap resamples) of metric(a) - metric(b) on one test set, each
    metric the mean over a model's seeds.

    y (n,) holds the test yields; mu_a (S_a, n) and mu_b (S_b, n) the predictions of each
    seed of the two models (a 1-D array is one seed). Resample r draws the reactions
    `np.random.default_rng(seed).integers(0, n, size=(resamples, n))[r]` with replacement
    for both models at once. A resample whose yields are all equal has no R^2 (NaN).
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {sorted(METRICS)}, got {metric!r}")
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")
    y = np.asarray(y, dtype=float).reshape(-1)
    mu_a, mu_b = (np.atleast_2d(np.asarray(m, dtype=float)) for m in (mu_a, mu_b))
    for name, mu in (("mu_a", mu_a), ("mu_b", mu_b)):
        if mu.ndim != 2 or mu.shape[0] == 0 or mu.shape[1] != y.size:
            raise ValueError(f"{name} must be (seeds, {y.size}), got {mu.shape}")
    if y.size == 0:
        raise ValueError("no test reactions")
    score = METRICS[metric]
    difference = float(np.mean([score(y, m) for m in mu_a]) - np.mean([score(y, m) for m in mu_b]))
    n = y.size
    draws = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    flat = (draws + n * np.arange(resamples)[:, None]).reshape(-1)
    counts = np.bincount(flat, minlength=resamples * n).reshape(resamples, n).astype(float)
    a = _resampled_metric(metric, y, mu_a, counts).mean(axis=1)
    b = _resampled_metric(metric, y, mu_b, counts).mean(axis=1)
    return difference, a - b


def paired_bootstrap_difference(
    y: ArrayLike,
    mu_a: ArrayLike,
    mu_b: ArrayLike,
    metric: Metric,
    resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(difference, low, high): `paired_bootstrap_distribution` with its percentile
    interval at `confidence` (NaN when a resample has no R^2)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    difference, resampled = paired_bootstrap_distribution(y, mu_a, mu_b, metric, resamples, seed)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(resampled, [tail, 1.0 - tail])
    return difference, float(low), float(high)


def bootstrap_p(resampled: ArrayLike) -> float:
    """Two-sided p of "no difference" from bootstrap resamples of a difference: twice the
    smaller share of resamples on either side of zero (at most 1; NaN without resamples)."""
    values = np.asarray(resampled, dtype=float)
    if values.size == 0 or np.isnan(values).any():
        return NAN
    below, above = np.mean(values <= 0), np.mean(values >= 0)
    return float(min(1.0, 2.0 * min(below, above)))


# --- the sentence of the article ---------------------------------------------------------


def _number(value: float, digits: int) -> str:
    """format_number without a sign on a rounded zero ("0.000", never "-0.000")."""
    text = format_number(float(value), digits)
    return text.lstrip("-") if set(text) <= set("-0.") else text


def _p_text(p: float, alpha: float, digits: int = 3) -> str:
    """ "$p = 0.012$", or "$p < 0.001$"; more digits when rounding would lift a p below
    alpha to alpha or above."""
    if p < 10.0**-digits:
        return f"$p < {_number(10.0**-digits, digits)}$"
    while digits < 6 and p < alpha <= round(p, digits):
        digits += 1
    return f"$p = {_number(p, digits)}$"


def _n_text(c: Comparison) -> str:
    splits = f"$n = {c.n_splits}$ split{'s' if c.n_splits != 1 else ''}"
    seeds = f"{c.seeds_per_split} seed{'s' if c.seeds_per_split != 1 else ''}"
    return f"{splits} $\\times$ {seeds}"


def sentence(
    c: Comparison, model_label: str, other_label: str, metric_label: str, digits: int = 3
) -> str:
    """One sentence for the article on a comparison, by its verdict. The labels are LaTeX
    (e.g. metric_label "$R^2$"); the text adds only $...$ math, "\\," and "\\%". Numbers
    are rounded to `digits`; a p below 0.001 reads "$p < 0.001$"; never "nan" or "n/a"."""
    m, o = model_label, other_label
    needed = [c.mean_difference, c.ci_low, c.ci_high, c.p_t_holm, c.p_tost_holm, c.margin]
    if c.verdict == Verdict.NOT_AVAILABLE or not all(map(math.isfinite, needed)):
        return (
            f"The comparison of {m} with {o} in {metric_label} is not available: they do not "
            "share two or more splits with finite values."
        )
    numbers = (
        f"the mean difference ({m} minus {o}) is {_number(c.mean_difference, digits)} "
        f"(95\\,\\% CI {_number(c.ci_low, digits)} to {_number(c.ci_high, digits)}"
    )
    t_test = f"corrected resampled t-test, Holm {_p_text(c.p_t_holm, c.alpha)}"
    n = _n_text(c)
    margin = f"$\\pm${_number(c.margin, digits)}"
    if c.verdict in (Verdict.BETTER, Verdict.WORSE):
        return f"{m} is {c.verdict} than {o} in {metric_label}: {numbers}; {t_test}; {n})."
    if c.verdict == Verdict.EQUIVALENT:
        tost = f"equivalence test (TOST), Holm {_p_text(c.p_tost_holm, c.alpha)}"
        return (
            f"{m} is equivalent to {o} in {metric_label} within {margin}: {numbers}; {tost}; {n})."
        )
    if c.n_splits < c.min_splits:
        return (
            f"The comparison of {m} with {o} in {metric_label} is inconclusive with {n}, "
            f"fewer than the {c.min_splits} splits needed: {numbers})."
        )
    return (
        f"The comparison of {m} with {o} in {metric_label} is inconclusive: {numbers}; "
        f"{t_test}; not shown equivalent within {margin}, TOST Holm "
        f"{_p_text(c.p_tost_holm, c.alpha)}; {n})."
    )
