import numpy as np
import pytest

from reeval.stats.illustration import estimate_variables, location_estimates, skew_normal_sample


def test_skew_normal_sample_is_seeded_and_left_skewed():
    a = skew_normal_sample(-6, 1000, 20000, seed=1)
    assert np.array_equal(a, skew_normal_sample(-6, 1000, 20000, seed=1))
    est = location_estimates(a, -6, 1000)
    # a negative shape puts the long tail on the left: mean < trimean < median
    assert est.mean < est.trimean < est.median
    delta = -6 / np.sqrt(37)
    assert est.population_mean == pytest.approx(1000 * delta * np.sqrt(2 / np.pi))
    assert est.mean == pytest.approx(est.population_mean, abs=15)
    values = estimate_variables(est)
    assert values["skewnorm_mean_median_gap"] == pytest.approx(abs(est.mean - est.median), abs=0.05)
