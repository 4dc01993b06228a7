"""Regression and uncertainty metrics of one set of predictions."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

CALIBRATION_LEVELS = np.linspace(0.01, 0.99, 99)


def mae(y: ArrayLike, mu: ArrayLike) -> float:
    return float(np.mean(np.abs(np.asarray(y) - np.asarray(mu))))


def rmse(y: ArrayLike, mu: ArrayLike) -> float:
    return float(np.sqrt(np.mean((np.asarray(y) - np.asarray(mu)) ** 2)))


def r2(y: ArrayLike, mu: ArrayLike) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot (as sklearn.metrics.r2_score)."""
    y, mu = np.asarray(y, dtype=float), np.asarray(mu, dtype=float)
    return float(1.0 - np.sum((y - mu) ** 2) / np.sum((y - y.mean()) ** 2))


def gaussian_nll(y: ArrayLike, mu: ArrayLike, sigma: ArrayLike) -> float:
    """Mean negative log-likelihood of y under N(mu, sigma^2)."""
    y, mu, sigma = (np.asarray(a, dtype=float) for a in (y, mu, sigma))
    return float(np.mean(0.5 * np.log(2 * math.pi * sigma**2) + (y - mu) ** 2 / (2 * sigma**2)))


def coverage(y: ArrayLike, mu: ArrayLike, sigma: ArrayLike, level: float) -> float:
    """Fraction of y inside the central `level` interval of N(mu, sigma^2)."""
    y, mu, sigma = (np.asarray(a, dtype=float) for a in (y, mu, sigma))
    half_width = stats.norm.ppf(0.5 + level / 2) * sigma
    return float(np.mean(np.abs(y - mu) <= half_width))


def calibration_curve(
    y: ArrayLike, mu: ArrayLike, sigma: ArrayLike, levels: np.ndarray = CALIBRATION_LEVELS
) -> tuple[np.ndarray, np.ndarray]:
    """(expected, observed) coverage of the central intervals at each level."""
    observed = np.array([coverage(y, mu, sigma, p) for p in levels])
    return levels, observed


def miscalibration_area(y: ArrayLike, mu: ArrayLike, sigma: ArrayLike) -> float:
    """Area between the calibration curve and the diagonal (0: perfectly calibrated)."""
    expected, observed = calibration_curve(y, mu, sigma)
    return float(np.trapezoid(np.abs(observed - expected), expected))


def error_sigma_spearman(y: ArrayLike, mu: ArrayLike, sigma: ArrayLike) -> float:
    """Spearman correlation of |y - mu| with sigma: does a larger sigma flag a larger error?"""
    error = np.abs(np.asarray(y, dtype=float) - np.asarray(mu, dtype=float))
    return float(stats.spearmanr(error, np.asarray(sigma, dtype=float)).statistic)


def regression_metrics(
    y: ArrayLike, mu: ArrayLike, sigma: ArrayLike | None = None
) -> dict[str, float]:
    """MAE, RMSE, R2, and with sigma: NLL, 68/95 % coverage, miscalibration area, Spearman."""
    out = {"mae": mae(y, mu), "rmse": rmse(y, mu), "r2": r2(y, mu)}
    if sigma is not None:
        out |= {
            "nll": gaussian_nll(y, mu, sigma),
            "coverage_68": coverage(y, mu, sigma, 0.68),
            "coverage_95": coverage(y, mu, sigma, 0.95),
            "miscalibration_area": miscalibration_area(y, mu, sigma),
            "spearman_error_sigma": error_sigma_spearman(y, mu, sigma),
        }
    return out
