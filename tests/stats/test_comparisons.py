import numpy as np
import pytest
from scipy import stats

from reeval.stats.comparisons import holm, paired_tests, significantly_best, wilcoxon_paired


def test_wilcoxon_matches_scipy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=12), rng.normal(size=12) + 0.5
    p, median = wilcoxon_paired(a, b)
    assert p == pytest.approx(stats.wilcoxon(a - b).pvalue)
    assert median == pytest.approx(np.median(a - b))
    # the smallest two-sided exact p with n pairs all of one sign is 2 / 2^n
    assert wilcoxon_paired(np.arange(5) + 1.0, np.zeros(5))[0] == pytest.approx(2 / 32)
    assert wilcoxon_paired(np.ones(4), np.ones(4)) == (1.0, 0.0)
    assert np.isnan(wilcoxon_paired(np.array([]), np.array([]))[0])


def test_holm_by_hand():
    # sorted: 0.005 x4 = 0.02; 0.01 x3 = 0.03; 0.03 x2 = 0.06; 0.04 x1 = 0.04 -> 0.06 (monotone)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    adjusted = holm([0.02, float("nan")])
    assert adjusted[0] == pytest.approx(0.02) and np.isnan(adjusted[1])


def test_paired_tests_use_shared_keys():
    values = {
        "ref": {("a", 0): 0.9, ("b", 0): 0.8, ("c", 0): 0.7},
        "x": {("a", 0): 0.5, ("b", 0): 0.4},
    }
    (test,) = paired_tests(values, "ref")
    assert test.n_pairs == 2 and test.median_difference == pytest.approx(-0.4)


def test_nothing_is_best_when_models_tie_and_a_clear_winner_is():
    splits = [(f"s{i}", 0) for i in range(10)]
    equal = {m: {k: 0.9 for k in splits} for m in ("a", "b", "c")}
    assert significantly_best(equal, 0.05) is None
    rng = np.random.default_rng(1)
    clear = {
        "a": {k: 0.95 + 0.001 * rng.normal() for k in splits},
        "b": {k: 0.80 + 0.001 * rng.normal() for k in splits},
        "c": {k: 0.85 + 0.001 * rng.normal() for k in splits},
    }
    assert significantly_best(clear, 0.05) == "a"
    three = {m: dict(list(v.items())[:3]) for m, v in clear.items()}
    assert significantly_best(three, 0.05) is None  # three pairs can never reach 0.05


def test_the_legacy_interface_wraps_reeval_stats_paired():
    from reeval.stats import paired

    assert holm is paired.holm  # one home for Holm's correction
    a = np.array([3.0, 1.0, 2.0, 2.0, 0.5, 4.0, 1.0])
    b = np.array([1.0, 1.0, 0.0, 0.0, 1.5, 1.0, 0.0])  # a zero and tied differences
    p, median = wilcoxon_paired(a, b)
    assert p == paired.wilcoxon_signed_rank(a - b)
    assert median == 2.0  # of 2, 0, 2, 2, -1, 3, 1
