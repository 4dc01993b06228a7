"""Robust statistics against numpy/scipy, hand-worked cases and properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats as sps

from reeval.stats import robust

RNG = np.random.default_rng(12345)
MATRIX = RNG.normal(size=(4, 7, 33))


def finite_samples(min_size=1, max_size=60):
    values = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=64)
    return arrays(np.float64, st.integers(min_size, max_size), elements=values)


# --- hand-worked cases ----------------------------------------------------------


def test_hand_worked_quartiles_and_trimean():
    x = [1, 2, 3, 4, 5, 6, 7, 8, 9]  # type 7: Q1 = 3, Q2 = 5, Q3 = 7
    assert robust.quartiles(x) == (3.0, 5.0, 7.0)
    assert robust.iqr(x) == 4.0
    assert robust.trimean(x) == 5.0
    skewed = [0, 0, 1, 1, 2, 10, 50]  # Q1 = 0.5, Q2 = 1, Q3 = 6
    assert robust.trimean(skewed) == pytest.approx((0.5 + 2 + 6) / 4)


# --- references -----------------------------------------------------------------


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_quantiles_match_numpy(axis):
    q1, q2, q3 = robust.quartiles(MATRIX, axis=axis)
    np.testing.assert_allclose(q1, np.quantile(MATRIX, 0.25, axis=axis))
    np.testing.assert_allclose(q2, np.median(MATRIX, axis=axis))
    np.testing.assert_allclose(q3, np.quantile(MATRIX, 0.75, axis=axis))
    np.testing.assert_allclose(robust.iqr(MATRIX, axis=axis), sps.iqr(MATRIX, axis=axis))


def test_vectorised_equals_slice_by_slice():
    vectorised = robust.trimean(MATRIX, axis=2)
    looped = np.array([[robust.trimean(MATRIX[i, j]) for j in range(7)] for i in range(4)])
    np.testing.assert_allclose(vectorised, looped)


# --- NaN policy -----------------------------------------------------------------


def with_nan():
    x = MATRIX[0].copy()
    x[2, 5] = np.nan
    return x


@pytest.mark.parametrize(
    "function",
    [robust.median, robust.iqr, robust.trimean],
)
def test_nan_policies(function):
    x = with_nan()
    propagated = function(x, axis=1)
    assert np.isnan(propagated[2]) and not np.isnan(np.delete(propagated, 2)).any()
    omitted = function(x, axis=1, nan_policy="omit")
    assert omitted[2] == pytest.approx(function(x[2][~np.isnan(x[2])]))
    with pytest.raises(ValueError, match="nan_policy='raise'"):
        function(x, axis=1, nan_policy="raise")


def test_all_nan_slice_gives_nan_when_omitted():
    x = np.array([[np.nan, np.nan], [1.0, 3.0]])
    result = robust.trimean(x, axis=1, nan_policy="omit")
    assert np.isnan(result[0]) and result[1] == 2.0


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="nan_policy must be one of"):
        robust.median([1.0], nan_policy="ignore")
    with pytest.raises(ValueError, match="empty"):
        robust.trimean([])


# --- bootstrap ------------------------------------------------------------------


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    x = RNG.lognormal(size=400)
    a = robust.bootstrap_trimean_ci(x, seed=3)
    b = robust.bootstrap_trimean_ci(x, seed=3)
    assert (a.low, a.high) == (b.low, b.high)
    assert a.low < robust.trimean(x) < a.high
    assert robust.bootstrap_trimean_ci(x, seed=4).low != a.low


def test_bootstrap_agrees_with_scipy_percentile_bootstrap():
    x = RNG.gamma(2.0, size=500)
    ours = robust.bootstrap_trimean_ci(x, confidence=0.9, n_resamples=4000, seed=1)
    theirs = sps.bootstrap(
        (x,),
        robust.trimean,
        confidence_level=0.9,
        n_resamples=4000,
        method="percentile",
        vectorized=False,
        random_state=1,
    ).confidence_interval
    width = ours.high - ours.low
    assert abs(ours.low - theirs.low) < 0.1 * width
    assert abs(ours.high - theirs.high) < 0.1 * width


def test_bootstrap_is_vectorised_with_nan_policy():
    x = with_nan()
    ci = robust.bootstrap_trimean_ci(x, axis=1, n_resamples=300, nan_policy="propagate")
    assert ci.low.shape == (7,) and np.isnan(ci.low[2]) and not np.isnan(ci.low[3])
    omitted = robust.bootstrap_trimean_ci(x, axis=1, n_resamples=300, nan_policy="omit")
    assert not np.isnan(omitted.low).any()
    assert (omitted.low <= omitted.high).all()


def test_bootstrap_coverage_of_a_known_median():
    """A 90 % interval of a symmetric law's trimean covers its centre about 90 % of the time."""
    rng = np.random.default_rng(0)
    hits = 0
    trials = 200
    for seed in range(trials):
        sample = rng.normal(loc=5.0, size=80)
        ci = robust.bootstrap_trimean_ci(sample, confidence=0.9, n_resamples=500, seed=seed)
        hits += ci.low <= 5.0 <= ci.high
    assert 0.82 <= hits / trials <= 0.97


def test_summary():
    x = np.arange(1, 10, dtype=float)
    s = robust.summarise(x, n_resamples=200)
    assert (s.n, s.mean, s.median, s.q1, s.q3, s.iqr, s.trimean) == (9, 5, 5, 3, 7, 4, 5)
    assert s.sd == pytest.approx(np.std(x, ddof=1))
    with pytest.raises(ValueError):
        robust.summarise([1.0, np.nan])


# --- properties -----------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(finite_samples())
def test_trimean_lies_between_the_quartiles(x):
    q1, _, q3 = robust.quartiles(x)
    t = robust.trimean(x)
    tolerance = 1e-9 * (1 + np.abs(x).max())
    assert q1 - tolerance <= t <= q3 + tolerance


@settings(max_examples=200, deadline=None)
@given(finite_samples(), st.floats(-1e5, 1e5), st.floats(1e-3, 1e3))
def test_location_and_scale_equivariance(x, shift, scale):
    tolerance = 1e-6 * (1 + abs(shift) + scale * np.abs(x).max())
    assert robust.trimean(scale * x + shift) == pytest.approx(
        scale * robust.trimean(x) + shift, abs=tolerance
    )
    assert robust.median(scale * x + shift) == pytest.approx(
        scale * robust.median(x) + shift, abs=tolerance
    )
    assert robust.iqr(scale * x + shift) == pytest.approx(scale * robust.iqr(x), abs=tolerance)


@settings(max_examples=100, deadline=None)
@given(finite_samples())
def test_reflection_negates_the_trimean(x):
    tolerance = 1e-9 * (1 + np.abs(x).max())
    assert robust.trimean(-x) == pytest.approx(-robust.trimean(x), abs=tolerance)
