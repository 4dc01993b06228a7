"""The tests of reeval.stats.paired against answers known independently of it: arithmetic
done by hand, closed forms, scipy, and an enumeration of sign flips written here."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from reeval.stats.paired import (
    EXACT_MAX_PAIRS,
    corrected_resampled_t,
    corrected_tost,
    holm,
    min_splits_for_wilcoxon,
    split_means,
    wilcoxon_signed_rank,
)

RNG = np.random.default_rng(2003)


def t3_sf(t: float) -> float:
    """P(T > t) of Student's t with 3 degrees of freedom, in closed form:
    F(t) = 1/2 + (x / (1 + x^2) + arctan x) / pi with x = t / sqrt(3)."""
    x = t / math.sqrt(3.0)
    return 0.5 - (x / (1.0 + x * x) + math.atan(x)) / math.pi


T3_975 = 3.182446305284263  # the 97.5 % quantile of t with 3 df (tables: 3.182)
T3_95 = 2.353363434801823  # the 95 % quantile of t with 3 df (tables: 2.353)


# --- split means -------------------------------------------------------------------


def test_split_means_average_seeds_within_a_split_and_ignore_nan():
    values = {
        ("s1", 0): 1.0,
        ("s1", 1): 3.0,
        ("s2", 0): float("nan"),
        ("s2", 1): 5.0,
        ("s2", 2): 7.0,
        ("s3", 0): float("nan"),  # every value NaN: the split is left out
    }
    assert split_means(values) == {"s1": 2.0, "s2": 6.0}
    assert split_means({}) == {}


# --- corrected resampled t-test --------------------------------------------------------


def test_corrected_t_by_hand():
    # differences 1, 2, 3, 4 and n_test / n_train = 0.5: mean 2.5; deviations -1.5, -0.5,
    # 0.5, 1.5 give s^2 = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3; the corrected variance of
    # the mean is (1/4 + 1/2) * 5/3 = 1.25, se = sqrt(1.25), t = 2.5 / sqrt(1.25) = sqrt(5)
    # with 3 df; p = 2 P(T3 > sqrt 5) = 0.11137 (closed form of t3); the 95 % interval is
    # 2.5 -/+ 3.182446 * sqrt(1.25) = [-1.05808, 6.05808].
    r = corrected_resampled_t([1.0, 2.0, 3.0, 4.0], 0.5)
    assert (r.n, r.df) == (4, 3)
    assert r.mean == pytest.approx(2.5)
    assert r.t == pytest.approx(math.sqrt(5.0))
    assert r.p == pytest.approx(2 * t3_sf(math.sqrt(5.0)), rel=1e-9)
    assert r.p == pytest.approx(0.111367, abs=1e-6)
    assert r.ci_low == pytest.approx(2.5 - T3_975 * math.sqrt(1.25), rel=1e-9)
    assert r.ci_high == pytest.approx(2.5 + T3_975 * math.sqrt(1.25), rel=1e-9)
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.058083, 6.058083), abs=1e-6)
    # the correction widens: the same differences without it (ratio 0) give se^2 = 5/12
    plain = corrected_resampled_t([1.0, 2.0, 3.0, 4.0], 0.0)
    assert plain.t == pytest.approx(2.5 / math.sqrt(5.0 / 12.0))
    assert plain.p < r.p


def test_ratio_zero_is_scipys_one_sample_t_test():
    for n in (2, 3, 10, 30):
        d = RNG.normal(0.3, 1.0, size=n)
        r = corrected_resampled_t(d, 0.0, confidence=0.9)
        ref = stats.ttest_1samp(d, 0.0)
        ci = ref.confidence_interval(0.9)
        assert r.t == pytest.approx(ref.statistic, rel=1e-10)
        assert r.p == pytest.approx(ref.pvalue, rel=1e-10)
        assert r.df == ref.df == n - 1
        assert (r.ci_low, r.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)


def test_swapping_the_models_negates_the_mean_and_interval_and_keeps_p():
    d = RNG.normal(0.2, 0.5, size=10)
    ab, ba = corrected_resampled_t(d, 1188 / 2767), corrected_resampled_t(-d, 1188 / 2767)
    assert ba.mean == pytest.approx(-ab.mean)
    assert (ba.ci_low, ba.ci_high) == pytest.approx((-ab.ci_high, -ab.ci_low))
    assert ba.t == pytest.approx(-ab.t)
    assert ba.p == pytest.approx(ab.p)


def test_corrected_t_degenerate_cases():
    for few in ([], [0.3]):
        r = corrected_resampled_t(few, 0.4)
        assert r.n == len(few)
        assert all(math.isnan(v) for v in (r.mean, r.ci_low, r.ci_high, r.t, r.df, r.p))
    assert math.isnan(corrected_resampled_t([1.0, float("nan"), 2.0], 0.4).p)
    same = corrected_resampled_t([0.1] * 5, 0.4)  # zero variance, nonzero mean: p = 0
    assert (same.mean, same.ci_low, same.ci_high, same.p, same.t) == (0.1, 0.1, 0.1, 0.0, math.inf)
    zero = corrected_resampled_t([0.0] * 5, 0.4)  # zero variance, zero mean: p = 1
    assert (zero.mean, zero.ci_low, zero.ci_high, zero.p, zero.t) == (0.0, 0.0, 0.0, 1.0, 0.0)
    assert corrected_resampled_t([-0.2] * 3, 0.4).t == -math.inf
    with pytest.raises(ValueError):
        corrected_resampled_t([1.0, 2.0], -0.1)
    with pytest.raises(ValueError):
        corrected_resampled_t([1.0, 2.0], 0.5, confidence=1.0)


# --- TOST ------------------------------------------------------------------------------


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_tost_by_hand_in_both_directions(sign):
    # differences +/-(1, 2, 3, 4), ratio 0.35: s^2 = 5/3 and (1/4 + 0.35) * 5/3 = 1, so
    # se = 1, |mean| = 2.5, 3 df. Margin 5: the one-sided t's are 7.5 and 2.5, p =
    # P(T3 > 2.5) = 0.0439 < 0.05: equivalent; the 90 % interval |mean| -/+ 2.353363 lies
    # inside (-5, 5). Margin 4: p = P(T3 > 1.5) = 0.115: not equivalent, the interval
    # reaches 4.853 > 4.
    d = sign * np.array([1.0, 2.0, 3.0, 4.0])
    wide = corrected_tost(d, 0.35, margin=5.0, alpha=0.05)
    assert wide.p == pytest.approx(t3_sf(2.5), rel=1e-9)
    assert wide.p == pytest.approx(0.04385, abs=1e-5)
    assert wide.equivalent and wide.margin == 5.0
    low, high = sorted((sign * (2.5 - T3_95), sign * (2.5 + T3_95)))
    assert (wide.ci_low, wide.ci_high) == pytest.approx((low, high), rel=1e-9)
    narrow = corrected_tost(d, 0.35, margin=4.0, alpha=0.05)
    assert narrow.p == pytest.approx(t3_sf(1.5), rel=1e-9)
    assert not narrow.equivalent
    assert (narrow.ci_low, narrow.ci_high) == pytest.approx((wide.ci_low, wide.ci_high))


def test_tost_with_ratio_zero_is_two_of_scipys_one_sided_t_tests():
    d = RNG.normal(0.05, 0.2, size=12)
    r = corrected_tost(d, 0.0, margin=0.3, alpha=0.05)
    lower = stats.ttest_1samp(d, -0.3, alternative="greater").pvalue
    upper = stats.ttest_1samp(d, 0.3, alternative="less").pvalue
    assert r.p == pytest.approx(max(lower, upper), rel=1e-10)


@settings(max_examples=300, deadline=None)
@given(
    d=arrays(
        np.float64,
        st.integers(2, 15),
        elements=st.floats(-10, 10, allow_nan=False, allow_infinity=False),
    ),
    ratio=st.floats(0.0, 1.0),
    margin=st.floats(0.01, 10.0),
    alpha=st.sampled_from([0.01, 0.05, 0.1]),
)
def test_tost_is_dual_to_the_one_minus_two_alpha_interval(d, ratio, margin, alpha):
    r = corrected_tost(d, ratio, margin, alpha)
    # exactly on a boundary the two ways may round differently: leave those out
    assume(min(abs(r.ci_low + margin), abs(r.ci_high - margin)) > 1e-9 * margin)
    inside = -margin < r.ci_low and r.ci_high < margin
    assert r.equivalent == inside == (r.p < alpha)


def test_tost_degenerate_cases_and_invalid_margin():
    assert corrected_tost([0.001] * 4, 0.4, 0.01, 0.05).p == 0.0  # no spread, inside
    assert corrected_tost([0.02] * 4, 0.4, 0.01, 0.05).p == 1.0  # no spread, outside
    single = corrected_tost([0.0], 0.4, 0.01, 0.05)
    assert math.isnan(single.p) and not single.equivalent
    for margin in (0.0, -0.01, float("nan")):
        with pytest.raises(ValueError):
            corrected_tost([1.0, 2.0, 3.0], 0.4, margin, 0.05)
    with pytest.raises(ValueError):
        corrected_tost([1.0, 2.0, 3.0], 0.4, 1.0, 0.5)


# --- Wilcoxon signed-rank ----------------------------------------------------------------


def enumerated_wilcoxon(differences) -> float:
    """The oracle: drop zeros, give |d| mid-ranks by counting, and enumerate all 2^n sign
    assignments of those ranks; p = min(1, 2 min(P(W+ <= w), P(W+ >= w)))."""
    d = [x for x in differences if x != 0]
    if not d:
        return 1.0
    size = [abs(x) for x in d]
    # twice the mid-rank: 2 * (number smaller) + (number equal) + 1, an integer
    twice = [2 * sum(s < a for s in size) + sum(s == a for s in size) + 1 for a in size]
    observed = sum(r for r, x in zip(twice, d, strict=True) if x > 0)
    sums = [
        sum(r for r, positive in zip(twice, signs, strict=True) if positive)
        for signs in itertools.product([False, True], repeat=len(d))
    ]
    lower = sum(s <= observed for s in sums) / len(sums)
    upper = sum(s >= observed for s in sums) / len(sums)
    return min(1.0, 2 * min(lower, upper))


def test_wilcoxon_hand_cases():
    assert wilcoxon_signed_rank([1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx(2 / 32)
    assert wilcoxon_signed_rank([-0.1, -0.2, -0.3, -0.4, -0.5]) == pytest.approx(2 / 32)
    assert wilcoxon_signed_rank([0.0, 0.0, 0.0]) == 1.0
    assert math.isnan(wilcoxon_signed_rank([]))
    assert math.isnan(wilcoxon_signed_rank([1.0, float("nan")]))
    # a tie of opposite signs: W+ takes 0, 1.5, 1.5, 3 equally often; W+ = 1.5 gives 1
    assert wilcoxon_signed_rank([1.0, -1.0]) == 1.0
    # a zero is dropped: 0, 1, 2, 3, 4, 5 is five positive pairs
    assert wilcoxon_signed_rank([0.0, 1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx(2 / 32)


HAND_PICKED = [
    [1.0, 2.0, 2.0, -3.0, 0.0],
    [0.5, 0.5, 0.5, -0.5, 1.0, 0.0, 0.0],
    [1.0, -2.0, 3.0, -4.0, 5.0, -6.0, 7.0, 8.0, 9.0, 10.0],
    [2.0, 2.0, 2.0, 2.0, -2.0, 1.0, 1.0, -1.0, 0.0, 3.0],
    [-1.0, -1.0, -1.0],
    [0.0, 0.0, 4.0],
]


@pytest.mark.parametrize("d", HAND_PICKED)
def test_wilcoxon_matches_the_enumeration_on_hand_picked_cases(d):
    assert wilcoxon_signed_rank(d) == pytest.approx(enumerated_wilcoxon(d), rel=1e-12)


def test_wilcoxon_matches_the_enumeration_with_zeros_and_ties():
    for _ in range(150):
        n = int(RNG.integers(1, 11))
        d = RNG.integers(-3, 4, size=n).astype(float)  # many zeros and ties
        assert wilcoxon_signed_rank(d) == pytest.approx(enumerated_wilcoxon(d), rel=1e-12), d


def test_wilcoxon_without_ties_matches_scipys_exact_test():
    for n in (6, 12, 20, 35, EXACT_MAX_PAIRS):
        d = RNG.normal(0.3, 1.0, size=n)
        exact = stats.wilcoxon(d, method="exact").pvalue
        assert wilcoxon_signed_rank(d) == pytest.approx(exact, rel=1e-9)


def test_wilcoxon_above_the_exact_range_is_scipys_normal_approximation():
    d = np.round(RNG.normal(0.2, 1.0, size=80), 1)  # ties and zeros
    assert (d == 0).any() and len(np.unique(np.abs(d))) < len(d)
    ref = stats.wilcoxon(d, zero_method="wilcox", correction=True, method="asymptotic")
    assert wilcoxon_signed_rank(d) == pytest.approx(ref.pvalue, rel=1e-9)


def test_min_splits_for_wilcoxon():
    # 2 / 2^n < alpha: 2/32 = 0.0625 and 2/64 = 0.031 (0.05); 2/128 = 0.016, 2/256 = 0.0078
    # (0.01); 2/16 = 0.125 and 2/32 = 0.0625 (0.1)
    assert min_splits_for_wilcoxon(0.05) == 6
    assert min_splits_for_wilcoxon(0.01) == 8
    assert min_splits_for_wilcoxon(0.1) == 5
    for alpha in (0.2, 0.05, 0.01, 0.001):
        n = min_splits_for_wilcoxon(alpha)
        assert stats.wilcoxon(np.arange(1.0, n + 1)).pvalue < alpha
        assert stats.wilcoxon(np.arange(1.0, n)).pvalue >= alpha
    with pytest.raises(ValueError):
        min_splits_for_wilcoxon(0.0)


# --- Holm ------------------------------------------------------------------------------


def test_holm_by_hand_with_nan():
    # NaN does not count: m = 3; sorted 0.01 x3 = 0.03, 0.02 x2 = 0.04, 0.04 x1 = 0.04
    adjusted = holm([0.01, float("nan"), 0.02, 0.04])
    assert adjusted[0] == pytest.approx(0.03)
    assert math.isnan(adjusted[1])
    assert adjusted[2:] == pytest.approx([0.04, 0.04])
    assert holm([]) == []


@given(
    st.lists(
        st.one_of(st.floats(0.0, 1.0), st.just(float("nan"))),
        min_size=1,
        max_size=20,
    )
)
def test_holm_properties(p):
    adjusted = holm(p)
    raw = np.array(p)
    q = np.array(adjusted)
    assert np.array_equal(np.isnan(raw), np.isnan(q))
    valid = ~np.isnan(raw)
    raw, q = raw[valid], q[valid]
    assert np.all(q >= raw - 1e-15) and np.all(q <= 1.0)
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(q[order]) >= 0)  # monotone in the order of the raw p-values
    if raw.size:
        assert q[order[0]] == pytest.approx(min(1.0, raw.size * raw[order[0]]))
