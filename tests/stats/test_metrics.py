import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from reeval.stats import metrics

RNG = np.random.default_rng(4)


def test_regression_metrics_match_sklearn():
    y, mu = RNG.normal(size=200), RNG.normal(size=200)
    assert metrics.mae(y, mu) == pytest.approx(mean_absolute_error(y, mu))
    assert metrics.rmse(y, mu) == pytest.approx(np.sqrt(mean_squared_error(y, mu)))
    assert metrics.r2(y, mu) == pytest.approx(r2_score(y, mu))


def test_gaussian_nll_formula():
    assert metrics.gaussian_nll([1.0], [0.0], [2.0]) == pytest.approx(
        0.5 * np.log(2 * np.pi * 4) + 1 / 8
    )


def test_a_calibrated_gaussian_predictor_covers_its_nominal_levels():
    n = 100_000
    mu = RNG.normal(size=n) * 10
    sigma = RNG.uniform(0.5, 5.0, size=n)
    y = mu + sigma * RNG.normal(size=n)
    assert abs(metrics.coverage(y, mu, sigma, 0.68) - 0.68) < 0.01
    assert abs(metrics.coverage(y, mu, sigma, 0.95) - 0.95) < 0.01
    assert metrics.miscalibration_area(y, mu, sigma) < 0.01
    assert metrics.error_sigma_spearman(y, mu, sigma) > 0.2


def test_an_overconfident_predictor_is_miscalibrated():
    n = 20_000
    mu = np.zeros(n)
    y = RNG.normal(size=n) * 3
    sigma = np.ones(n)
    assert metrics.coverage(y, mu, sigma, 0.95) < 0.6
    assert metrics.miscalibration_area(y, mu, sigma) > 0.15
    assert abs(metrics.error_sigma_spearman(y, mu, sigma + RNG.normal(size=n) * 1e-6)) < 0.05


def test_all_metrics_at_once():
    y, mu, sigma = RNG.normal(size=50), RNG.normal(size=50), RNG.uniform(0.5, 2, size=50)
    assert set(metrics.regression_metrics(y, mu)) == {"mae", "rmse", "r2"}
    assert {
        "nll",
        "coverage_68",
        "coverage_95",
        "miscalibration_area",
        "spearman_error_sigma",
    } <= set(metrics.regression_metrics(y, mu, sigma))
