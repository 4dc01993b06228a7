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

NanPolicy = Literal["propagate", "omit", "raise"]
NAN_POLICIES = ("propagate", "omit", "raise")


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


def trimean(x: ArrayLike, axis: int | None = None, nan_policy: NanPolicy = "propagate"):
    """Tukey's trimean (Q1 + 2 Q2 + Q3) / 4."""
    q1, q2, q3 = quartiles(x, axis=axis, nan_policy=nan_policy)
    return (q1 + 2.0 * q2 + q3) / 4.0


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
