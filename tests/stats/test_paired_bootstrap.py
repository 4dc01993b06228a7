"""The paired bootstrap of one test set against cases whose answer is exact, and against a
plain loop over the documented resamples with reeval.stats.metrics."""

import numpy as np
import pytest

from reeval.stats import metrics
from reeval.stats.paired import paired_bootstrap_difference

RNG = np.random.default_rng(7)
N = 300
Y = RNG.uniform(0, 100, size=N)
MU_A = Y + RNG.normal(0, 8, size=(3, N))
MU_B = Y + RNG.normal(0, 10, size=(4, N))
METRICS = {"r2": metrics.r2, "mae": metrics.mae, "rmse": metrics.rmse}


@pytest.mark.parametrize("metric", list(METRICS))
def test_identical_predictions_differ_by_exactly_zero(metric):
    assert paired_bootstrap_difference(Y, MU_A, MU_A.copy(), metric, 500) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("metric", ["mae", "rmse"])
def test_a_constant_shift_is_a_known_difference_in_every_resample(metric):
    # integer yields: a perfect model (error 0) against one 2 too high (every |error| = 2),
    # so MAE and RMSE differ by exactly -2 on the sample and on every resample
    y = RNG.integers(0, 100, size=200).astype(float)
    perfect = np.stack([y, y])
    shifted = np.stack([y + 2.0, y + 2.0, y + 2.0])
    assert paired_bootstrap_difference(y, perfect, shifted, metric, 300) == (-2.0, -2.0, -2.0)
    assert paired_bootstrap_difference(y, shifted, perfect, metric, 300) == (2.0, 2.0, 2.0)


@pytest.mark.parametrize("metric", list(METRICS))
def test_matches_a_loop_over_the_documented_resamples(metric):
    # the docstring fixes the draws: default_rng(seed).integers(0, n, size=(resamples, n))
    score, resamples, seed = METRICS[metric], 60, 11
    draws = np.random.default_rng(seed).integers(0, N, size=(resamples, N))
    differences = [
        np.mean([score(Y[i], m[i]) for m in MU_A]) - np.mean([score(Y[i], m[i]) for m in MU_B])
        for i in draws
    ]
    point = np.mean([score(Y, m) for m in MU_A]) - np.mean([score(Y, m) for m in MU_B])
    expected = (point, *np.quantile(differences, [0.05, 0.95]))
    got = paired_bootstrap_difference(Y, MU_A, MU_B, metric, resamples, 0.9, seed)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("metric", list(METRICS))
def test_interval_holds_the_estimate_and_the_seed_reproduces_it(metric):
    first = paired_bootstrap_difference(Y, MU_A, MU_B, metric, 1000, 0.95, seed=3)
    difference, low, high = first
    assert low < difference < high
    assert paired_bootstrap_difference(Y, MU_A, MU_B, metric, 1000, 0.95, seed=3) == first
    other = paired_bootstrap_difference(Y, MU_A, MU_B, metric, 1000, 0.95, seed=4)
    assert other[0] == difference and other[1:] != first[1:]
    # model a has the smaller errors: better R^2, lower MAE and RMSE
    assert (difference > 0) == (metric == "r2")


def test_a_single_seed_may_be_one_dimensional():
    one = paired_bootstrap_difference(Y, MU_A[0], MU_B[:1], "mae", 200)
    assert one == paired_bootstrap_difference(Y, MU_A[:1], MU_B[0], "mae", 200)
    assert one[0] == pytest.approx(metrics.mae(Y, MU_A[0]) - metrics.mae(Y, MU_B[0]))


def test_invalid_arguments():
    with pytest.raises(ValueError):
        paired_bootstrap_difference(Y, MU_A, MU_B, "mse", 10)
    with pytest.raises(ValueError):
        paired_bootstrap_difference(Y, MU_A[:, :-1], MU_B, "mae", 10)
    with pytest.raises(ValueError):
        paired_bootstrap_difference(Y, MU_A, MU_B, "mae", 10, confidence=1.0)
    with pytest.raises(ValueError):
        paired_bootstrap_difference(Y, MU_A, MU_B, "mae", 0)
