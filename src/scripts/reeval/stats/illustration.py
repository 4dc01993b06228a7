"""The skew-normal illustration of why the article reports trimeans, not means."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from reeval.stats.robust import quartiles


@dataclass(frozen=True)
class LocationEstimates:
    mean: float
    median: float
    trimean: float
    population_mean: float
    population_median: float


def skew_normal_sample(shape: float, scale: float, n: int, seed: int) -> np.ndarray:
    """n draws of a skew-normal (location 0), from a seeded generator."""
    return stats.skewnorm.rvs(
        shape, loc=0.0, scale=scale, size=n, random_state=np.random.default_rng(seed)
    )


def location_estimates(sample: np.ndarray, shape: float, scale: float) -> LocationEstimates:
    q1, q2, q3 = (float(v) for v in quartiles(sample))
    distribution = stats.skewnorm(shape, loc=0.0, scale=scale)
    return LocationEstimates(
        mean=float(np.mean(sample)),
        median=q2,
        trimean=(q1 + 2 * q2 + q3) / 4,
        population_mean=float(distribution.mean()),
        population_median=float(distribution.median()),
    )


PARAMETER_VARIABLES = ("skewnorm_shape", "skewnorm_scale", "skewnorm_n")
VARIABLES = (
    "skewnorm_mean",
    "skewnorm_median",
    "skewnorm_trimean",
    "skewnorm_population_mean",
    "skewnorm_population_median",
    "skewnorm_mean_median_gap",
    "skewnorm_trimean_median_gap",
)


def estimate_variables(est: LocationEstimates) -> dict[str, float]:
    """Numbers for the text (gaps are absolute differences), to one decimal."""
    values = [
        est.mean,
        est.median,
        est.trimean,
        est.population_mean,
        est.population_median,
        abs(est.mean - est.median),
        abs(est.trimean - est.median),
    ]
    return {name: round(v, 1) for name, v in zip(VARIABLES, values, strict=True)}
