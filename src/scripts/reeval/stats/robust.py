"""Robust summaries, vectorised over an axis, with an explicit NaN policy.

Quantiles use numpy's default "linear" method (Hyndman & Fan type 7, as R's default),
so Q1, median and Q3 equal `np.quantile(x, [0.25, 0.5, 0.75])`. The trimean is Tukey's
(Q1 + 2 Q2 + Q3) / 4. Every function takes `axis` (None: the flattened array) and
`nan_policy`:

- "propagate": a slice holding a NaN gives NaN (the default, as in scipy);
- "omit": NaNs are ignored; a slice of only NaNs gives NaN;
- "raise": any NaN raises ValueError.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

NanPolicy = Literal["propagate", "omit", "raise"]
NAN_POLICIES = ("propagate", "omit", "raise")
# 1 / Phi^-1(3/4): makes the MAD a consistent estimator of a normal's standard deviation
NORMAL_MAD_SCALE = float(1.0 / (np.sqrt(2.0) * special.erfinv(0.5)))


def _as_float(x: ArrayLike, nan_policy: NanPolicy) -> NDArray[np.float64]:
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {NAN_POLICIES}, got {nan_policy!r}")
    values = np.asarray(x, dtype=np.float64)
    if values.size == 0:
        raise ValueError("cannot summarise an empty array")
    if nan_policy == "raise" and np.isnan(values).any():
        raise ValueError("input holds NaN and nan_policy='raise'")
    return values


def quantile(
    x: ArrayLike, q: ArrayLike, axis: int | None = None, nan_policy: NanPolicy = "propagate"
) -> NDArray[np.float64]:
    """Quantiles `q` (in [0, 1]) of `x`; the quantile axis comes first when `q` is an array."""
    values = _as_float(x, nan_policy)
    if nan_policy == "omit":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN
            return np.nanquantile(values, q, axis=axis)
    return np.quantile(values, q, axis=axis)


def quartiles(
    x: ArrayLike, axis: int | None = None, nan_policy: NanPolicy = "propagate"
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(Q1, median, Q3)."""
    q1, q2, q3 = quantile(x, [0.25, 0.5, 0.75], axis=axis, nan_policy=nan_policy)
    return q1, q2, q3


def median(x: ArrayLike, axis: int | None = None, nan_policy: NanPolicy = "propagate"):
    return quantile(x, 0.5, axis=axis, nan_policy=nan_policy)


def iqr(x: ArrayLike, axis: int | None = None, nan_policy: NanPolicy = "propagate"):
    """Interquartile range Q3 - Q1."""
    q1, _, q3 = quartiles(x, axis=axis, nan_policy=nan_policy)
    return q3 - q1


def midhinge(x: ArrayLike, axis: int | None = None, nan_policy: NanPolicy = "propagate"):
    """(Q1 + Q3) / 2."""
    q1, _, q3 = quartiles(x, axis=axis, nan_policy=nan_policy)
    return (q1 + q3) / 2.0


def trimean(x: ArrayLike, axis: int | None = None, nan_policy: NanPolicy = "propagate"):
    """Tukey's trimean (Q1 + 2 Q2 + Q3) / 4."""
    q1, q2, q3 = quartiles(x, axis=axis, nan_policy=nan_policy)
    return (q1 + 2.0 * q2 + q3) / 4.0


def trimmed_mean(
    x: ArrayLike,
    proportion: float = 0.1,
    axis: int | None = None,
    nan_policy: NanPolicy = "propagate",
):
    """Mean after cutting floor(proportion * n) values from each end (as scipy.stats.trim_mean)."""
    if not 0.0 <= proportion < 0.5:
        raise ValueError(f"proportion must be in [0, 0.5), got {proportion}")
    values = _as_float(x, nan_policy)
    if axis is None:
        values, axis = values.reshape(-1), 0
    values = np.moveaxis(values, axis, -1)
    has_nan = np.isnan(values).any(axis=-1)
    ordered = np.sort(values, axis=-1)  # NaNs sort last
    n = (~np.isnan(ordered)).sum(axis=-1) if nan_policy == "omit" else values.shape[-1]
    cut = np.floor(proportion * np.asarray(n)).astype(int)
    index = np.arange(values.shape[-1])
    keep = (index >= cut[..., None]) & (index < (np.asarray(n) - cut)[..., None])
    with np.errstate(invalid="ignore", divide="ignore"):
        result = np.where(keep, ordered, 0.0).sum(axis=-1) / keep.sum(axis=-1)
    if nan_policy == "propagate":
        result = np.where(has_nan, np.nan, result)
    return result[()] if np.ndim(result) == 0 else result


def mad(
    x: ArrayLike,
    axis: int | None = None,
    nan_policy: NanPolicy = "propagate",
    scale: float | Literal["normal"] = 1.0,
):
    """Median absolute deviation from the median, times `scale` ("normal": about 1.4826)."""
    factor = NORMAL_MAD_SCALE if scale == "normal" else float(scale)
    values = _as_float(x, nan_policy)
    center = median(values, axis=axis, nan_policy=nan_policy)
    center = center if axis is None else np.expand_dims(center, axis)
    return factor * median(np.abs(values - center), axis=axis, nan_policy=nan_policy)


@dataclass(frozen=True)
class ConfidenceInterval:
    low: NDArray[np.float64] | float
    high: NDArray[np.float64] | float
    confidence: float


def bootstrap_trimean_ci(
    x: ArrayLike,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
    axis: int | None = None,
    nan_policy: NanPolicy = "propagate",
) -> ConfidenceInterval:
    """Percentile-bootstrap confidence interval of the trimean (Efron 1979), seeded.

    Each slice along `axis` is resampled with replacement `n_resamples` times; the
    interval is the (1 - confidence)/2 and (1 + confidence)/2 quantiles of the resampled
    trimeans. With nan_policy="omit" NaNs are dropped per slice before resampling.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    values = _as_float(x, nan_policy)
    if axis is None:
        values, axis = values.reshape(-1), 0
    values = np.moveaxis(values, axis, -1)
    flat = values.reshape(-1, values.shape[-1])
    rng = np.random.default_rng(seed)
    alpha = (1.0 - confidence) / 2.0
    bounds = np.full((flat.shape[0], 2), np.nan)
    for row, sample in enumerate(flat):
        if np.isnan(sample).any():
            if nan_policy == "propagate":
                continue
            sample = sample[~np.isnan(sample)]
            if sample.size == 0:
                continue
        draws = sample[rng.integers(0, sample.size, size=(n_resamples, sample.size))]
        bounds[row] = np.quantile(trimean(draws, axis=-1), [alpha, 1.0 - alpha])
    low = bounds[:, 0].reshape(values.shape[:-1])
    high = bounds[:, 1].reshape(values.shape[:-1])
    if low.ndim == 0:
        return ConfidenceInterval(float(low), float(high), confidence)
    return ConfidenceInterval(low, high, confidence)


@dataclass(frozen=True)
class RobustSummary:
    """Classical and robust summaries of one sample, as reported in the data tables."""

    n: int
    mean: float
    sd: float
    median: float
    q1: float
    q3: float
    iqr: float
    trimean: float
    trimean_ci: ConfidenceInterval


def summarise(
    x: ArrayLike, confidence: float = 0.95, n_resamples: int = 2000, seed: int = 0
) -> RobustSummary:
    """Summary of a 1-D sample; NaN raises (a table must never hide missing values)."""
    values = _as_float(x, "raise").reshape(-1)
    q1, q2, q3 = (float(v) for v in quartiles(values))
    return RobustSummary(
        n=int(values.size),
        mean=float(values.mean()),
        sd=float(values.std(ddof=1)) if values.size > 1 else float("nan"),
        median=q2,
        q1=q1,
        q3=q3,
        iqr=q3 - q1,
        trimean=(q1 + 2 * q2 + q3) / 4,
        trimean_ci=bootstrap_trimean_ci(values, confidence, n_resamples, seed),
    )
