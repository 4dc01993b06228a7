"""Comparison records, families and verdicts on a hand-made family whose answers are worked
out in the comments, and the article's sentence for every verdict."""

import math
import re
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from reeval.stats.paired import (
    Comparison,
    Verdict,
    compare,
    compare_family,
    sentence,
    verdict_of,
)

SPLITS = [f"FullCV_{i:02d}" for i in range(1, 11)]
RATIO = 1188 / 2767  # BH FullCV: n_test / n_train
SEED_OFFSETS = (-0.002, 0.0, 0.002)  # three seeds whose mean is the split's value
NAN = float("nan")


def runs(split_values: dict[str, float], offsets=SEED_OFFSETS) -> dict[tuple[str, int], float]:
    return {
        (split, seed): value + offset
        for split, value in split_values.items()
        for seed, offset in enumerate(offsets)
    }


REFERENCE = {s: 0.80 + 0.01 * i for i, s in enumerate(SPLITS)}


def shifted(differences: list[float], splits=SPLITS) -> dict[str, float]:
    return {s: REFERENCE[s] + d for s, d in zip(splits, differences, strict=True)}


# per-split differences (model - reference) of R^2
BETTER = [0.04, 0.05, 0.06, 0.05, 0.04, 0.06, 0.05, 0.05, 0.04, 0.06]
EQUIVALENT = [0.001, -0.001, 0.002, -0.002, 0.0, 0.001, -0.001, 0.0005, -0.0005, 0.0]
WIDE = [0.04, -0.03, 0.035, -0.025, 0.005, 0.03, -0.02, 0.01, -0.01, 0.005]
FEW = [0.05, 0.06, 0.04]  # only three splits
SETTINGS = dict(metric="r2", higher_is_better=True, test_train_ratio=RATIO, margin=0.01)


def corrected_p(d: list[float]) -> float:
    """The corrected t-test written out: se^2 = (1/J + ratio) s^2, J - 1 df, two-sided."""
    d = np.array(d)
    se = math.sqrt((1 / d.size + RATIO) * d.var(ddof=1))
    return 2 * stats.t.sf(abs(d.mean()) / se, d.size - 1)


@pytest.fixture(scope="module")
def r2_family() -> dict[str, Comparison]:
    reference = runs(REFERENCE)
    models = {
        "better": runs(shifted(BETTER)),
        "equivalent": runs(shifted(EQUIVALENT)),
        "wide": runs(shifted(WIDE)),
        "few": runs(shifted(FEW, SPLITS[:3])),
        "all_nan": {key: NAN for key in reference},
        "missing": {},
    }
    family = [
        compare(values, reference, model=name, other="ref", alpha=0.05, **SETTINGS)
        for name, values in models.items()
    ]
    return {c.model: c for c in compare_family(family, alpha=0.05, min_splits=6)}


def test_every_verdict_of_the_r2_family(r2_family):
    verdicts = {name: c.verdict for name, c in r2_family.items()}
    assert verdicts == {
        "better": Verdict.BETTER,
        "equivalent": Verdict.EQUIVALENT,
        "wide": Verdict.INCONCLUSIVE,  # neither a difference nor equivalence shown
        "few": Verdict.INCONCLUSIVE,  # 3 < 6 splits
        "all_nan": Verdict.NOT_AVAILABLE,
        "missing": Verdict.NOT_AVAILABLE,
    }
    assert verdicts["better"] == "better"  # the enum reads as its string


def test_the_records_hold_split_means_and_counts(r2_family):
    better = r2_family["better"]
    assert (better.n_splits, better.seeds_per_split) == (10, 3)
    assert better.mean_difference == pytest.approx(0.05)
    assert better.p_t == pytest.approx(corrected_p(BETTER), rel=1e-9)
    assert better.ci_low < 0.05 < better.ci_high
    assert better.p_wilcoxon == pytest.approx(2 / 2**10)  # ten positive differences
    assert r2_family["few"].n_splits == 3
    assert r2_family["few"].p_wilcoxon == pytest.approx(2 / 2**3)
    for name in ("all_nan", "missing"):
        c = r2_family[name]
        assert (c.n_splits, c.seeds_per_split) == (0, 0)
        assert all(math.isnan(v) for v in (c.mean_difference, c.p_t, c.p_t_holm, c.p_tost))


def test_holm_is_applied_within_the_family_by_hand(r2_family):
    # four finite p_t (the two unavailable ones do not count): by size better < few <
    # wide < equivalent, so Holm multiplies by 4, 3, 2, 1 and keeps the result monotone
    p = {name: corrected_p(d) for name, d in [("better", BETTER), ("few", FEW), ("wide", WIDE)]}
    assert p["better"] < p["few"] < p["wide"] < 1.0
    assert r2_family["equivalent"].p_t == pytest.approx(1.0)  # mean difference 0
    holm_t = {name: r2_family[name].p_t_holm for name in ("better", "few", "wide", "equivalent")}
    assert holm_t["better"] == pytest.approx(4 * p["better"], rel=1e-9)
    assert holm_t["few"] == pytest.approx(3 * p["few"], rel=1e-9)
    assert holm_t["wide"] == pytest.approx(min(1.0, 2 * p["wide"]), rel=1e-9)
    assert holm_t["equivalent"] == pytest.approx(1.0)
    # the exact Wilcoxon p-values are fractions: 2/1024 x4, 2/8 x3, then capped at 1
    assert r2_family["better"].p_wilcoxon_holm == pytest.approx(4 * 2 / 1024)
    assert r2_family["few"].p_wilcoxon_holm == pytest.approx(3 * 2 / 8)
    # TOST: only the equivalent model has a small p; it is the smallest, so x4
    equivalent = r2_family["equivalent"]
    assert equivalent.p_tost_holm == pytest.approx(4 * equivalent.p_tost, rel=1e-9)
    assert equivalent.p_tost_holm < 0.05
    assert r2_family["wide"].p_tost_holm == 1.0


def test_too_few_splits_is_inconclusive_even_when_p_is_small():
    # alone (a family of one), three splits give p_t = 0.029 < 0.05, yet fewer than the six
    # splits an exact Wilcoxon test needs for p < 0.05
    few = compare(
        runs(shifted(FEW, SPLITS[:3])),
        runs(REFERENCE),
        model="few",
        other="ref",
        alpha=0.05,
        **SETTINGS,
    )
    assert few.p_t == pytest.approx(corrected_p(FEW)) and few.p_t < 0.05
    assert few.p_t_holm == few.p_t  # Holm of one test is the test
    assert (few.min_splits, few.verdict) == (6, Verdict.INCONCLUSIVE)
    assert compare_family([few], alpha=0.05, min_splits=3)[0].verdict == Verdict.BETTER


def test_mae_lower_is_better():
    reference = {s: 5.0 + 0.1 * i for i, s in enumerate(SPLITS)}
    higher = [0.5, 0.4, 0.6, 0.5, 0.45, 0.55, 0.5, 0.5, 0.4, 0.6]
    settings = dict(metric="mae", higher_is_better=False, test_train_ratio=RATIO, margin=0.1)
    worse = compare(
        runs({s: reference[s] + d for s, d in zip(SPLITS, higher, strict=True)}),
        runs(reference),
        model="worse",
        other="ref",
        alpha=0.05,
        **settings,
    )
    better = compare(
        runs({s: reference[s] - d for s, d in zip(SPLITS, higher, strict=True)}),
        runs(reference),
        model="better",
        other="ref",
        alpha=0.05,
        **settings,
    )
    assert worse.mean_difference == pytest.approx(0.5) and worse.verdict == Verdict.WORSE
    assert better.mean_difference == pytest.approx(-0.5) and better.verdict == Verdict.BETTER


def test_swapping_the_models_negates_the_difference_and_keeps_the_p_values():
    a, b = runs(shifted(WIDE)), runs(REFERENCE)
    ab = compare(a, b, model="a", other="b", alpha=0.05, **SETTINGS)
    ba = compare(b, a, model="b", other="a", alpha=0.05, **SETTINGS)
    assert ba.mean_difference == pytest.approx(-ab.mean_difference)
    assert (ba.ci_low, ba.ci_high) == pytest.approx((-ab.ci_high, -ab.ci_low))
    for field in ("p_t", "p_wilcoxon", "p_tost"):
        assert getattr(ba, field) == pytest.approx(getattr(ab, field))


def test_splits_and_seeds_shared_and_nan_seeds():
    reference = runs(REFERENCE)
    model = runs(shifted(BETTER))
    model[(SPLITS[0], 1)] = NAN  # that split keeps two seeds
    del model[(SPLITS[1], 0)], model[(SPLITS[1], 1)], model[(SPLITS[1], 2)]  # split gone
    c = compare(model, reference, model="m", other="ref", alpha=0.05, **SETTINGS)
    assert (c.n_splits, c.seeds_per_split) == (9, 2)
    # split 0 now averages seeds -0.002 and +0.002: its difference is still 0.04
    expected = np.mean([d for i, d in enumerate(BETTER) if i != 1])
    assert c.mean_difference == pytest.approx(expected)


def test_infinite_values_and_a_bad_margin():
    model = runs(shifted(BETTER))
    model[(SPLITS[0], 0)] = math.inf
    c = compare(model, runs(REFERENCE), model="m", other="ref", alpha=0.05, **SETTINGS)
    assert c.verdict == Verdict.NOT_AVAILABLE
    with pytest.raises(ValueError):
        compare(
            runs(REFERENCE),
            runs(REFERENCE),
            model="m",
            other="ref",
            alpha=0.05,
            **(SETTINGS | {"margin": 0.0}),
        )


# --- the verdict rule on records with hand-set p-values ------------------------------------

BASE = Comparison(
    model="m",
    other="ref",
    metric="r2",
    higher_is_better=True,
    n_splits=10,
    seeds_per_split=3,
    mean_difference=0.012,
    ci_low=0.004,
    ci_high=0.020,
    p_t=0.01,
    p_t_holm=0.01,
    p_wilcoxon=0.02,
    p_wilcoxon_holm=0.02,
    margin=0.01,
    p_tost=0.5,
    p_tost_holm=0.5,
    verdict=Verdict.BETTER,
    alpha=0.05,
    min_splits=6,
    test_train_ratio=RATIO,
)


def test_holm_can_turn_a_raw_difference_into_inconclusive():
    # raw 0.02 and 0.03 are below 0.05; Holm: 0.02 x2 = 0.04, 0.03 x1 -> max(0.04, 0.03)
    # = 0.04; with a third test of raw 0.2: 0.02 x3 = 0.06, 0.03 x2 = 0.06, 0.2
    two = compare_family([replace(BASE, p_t=0.02), replace(BASE, p_t=0.03)], 0.05, 6)
    assert [c.p_t_holm for c in two] == pytest.approx([0.04, 0.04])
    assert [c.verdict for c in two] == [Verdict.BETTER, Verdict.BETTER]
    three = compare_family(
        [replace(BASE, p_t=0.02), replace(BASE, p_t=0.03), replace(BASE, p_t=0.2)], 0.05, 6
    )
    assert [c.p_t_holm for c in three] == pytest.approx([0.06, 0.06, 0.2])
    assert {c.verdict for c in three} == {Verdict.INCONCLUSIVE}


def test_the_rule_in_its_order():
    assert verdict_of(BASE, 0.05, 6) == Verdict.BETTER
    assert verdict_of(replace(BASE, mean_difference=-0.012), 0.05, 6) == Verdict.WORSE
    lower = replace(BASE, higher_is_better=False)
    assert verdict_of(lower, 0.05, 6) == Verdict.WORSE  # a higher MAE
    assert verdict_of(replace(BASE, n_splits=5), 0.05, 6) == Verdict.INCONCLUSIVE
    assert verdict_of(replace(BASE, p_t=NAN), 0.05, 6) == Verdict.NOT_AVAILABLE
    # significant and inside the margin: a difference is reported first
    assert verdict_of(replace(BASE, p_tost_holm=0.001), 0.05, 6) == Verdict.BETTER
    equivalent = replace(BASE, p_t_holm=0.3, p_tost_holm=0.001)
    assert verdict_of(equivalent, 0.05, 6) == Verdict.EQUIVALENT
    assert verdict_of(replace(BASE, p_t_holm=0.3), 0.05, 6) == Verdict.INCONCLUSIVE


# --- sentences -----------------------------------------------------------------------------


def assert_printable(text: str) -> None:
    assert "n/a" not in text and "-0.000" not in text
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)
    assert not re.search(r"(?<!\\)%", text)  # a bare % would start a LaTeX comment
    assert text.count("$") % 2 == 0
    outside_math = re.sub(r"\$[^$]*\$", "", text)
    assert "<" not in outside_math and ">" not in outside_math  # OT1 text mode misprints


def say(c: Comparison) -> str:
    text = sentence(c, "X", "Y", "$R^2$")
    assert_printable(text)
    return text


def test_sentence_better_and_worse():
    assert say(replace(BASE, p_t_holm=0.003)) == (
        "X is better than Y in $R^2$: the mean difference (X minus Y) is 0.012 "
        "(95\\,\\% CI 0.004 to 0.020; corrected resampled t-test, Holm $p = 0.003$; "
        "$n = 10$ splits $\\times$ 3 seeds)."
    )
    worse = replace(
        BASE,
        mean_difference=-0.012,
        ci_low=-0.02,
        ci_high=-0.004,
        p_t_holm=0.0002,
        verdict=Verdict.WORSE,
    )
    text = say(worse)
    assert text.startswith("X is worse than Y in $R^2$: the mean difference (X minus Y) is -0.012")
    assert "Holm $p < 0.001$" in text


def test_sentence_equivalent():
    c = replace(
        BASE,
        mean_difference=0.001,
        ci_low=-0.002,
        ci_high=0.004,
        p_t_holm=0.6,
        p_tost_holm=0.004,
        verdict=Verdict.EQUIVALENT,
        seeds_per_split=1,
    )
    assert say(c) == (
        "X is equivalent to Y in $R^2$ within $\\pm$0.010: the mean difference (X minus Y) "
        "is 0.001 (95\\,\\% CI -0.002 to 0.004; equivalence test (TOST), Holm $p = 0.004$; "
        "$n = 10$ splits $\\times$ 1 seed)."
    )


def test_sentence_inconclusive_both_ways():
    few = replace(BASE, n_splits=3, verdict=Verdict.INCONCLUSIVE)
    assert say(few) == (
        "The comparison of X with Y in $R^2$ is inconclusive with $n = 3$ splits $\\times$ "
        "3 seeds, fewer than the 6 splits needed: the mean difference (X minus Y) is 0.012 "
        "(95\\,\\% CI 0.004 to 0.020)."
    )
    wide = replace(
        BASE,
        mean_difference=0.004,
        ci_low=-0.038,
        ci_high=0.046,
        p_t_holm=1.0,
        p_tost_holm=1.0,
        verdict=Verdict.INCONCLUSIVE,
    )
    assert say(wide) == (
        "The comparison of X with Y in $R^2$ is inconclusive: the mean difference (X minus Y) "
        "is 0.004 (95\\,\\% CI -0.038 to 0.046; corrected resampled t-test, Holm "
        "$p = 1.000$; not shown equivalent within $\\pm$0.010, TOST Holm $p = 1.000$; "
        "$n = 10$ splits $\\times$ 3 seeds)."
    )


def test_sentence_not_available():
    gone = replace(
        BASE,
        n_splits=0,
        seeds_per_split=0,
        mean_difference=NAN,
        ci_low=NAN,
        ci_high=NAN,
        p_t=NAN,
        p_t_holm=NAN,
        p_tost=NAN,
        p_tost_holm=NAN,
        verdict=Verdict.NOT_AVAILABLE,
    )
    assert say(gone) == (
        "The comparison of X with Y in $R^2$ is not available: they do not share two or more "
        "splits with finite values."
    )
    # a record that claims a verdict but lacks a number falls back to "not available"
    assert "not available" in say(replace(BASE, ci_low=NAN))


def test_sentence_zero_and_negative_zero_print_without_a_sign():
    c = replace(
        BASE,
        mean_difference=-0.0,
        ci_low=-0.0004,
        ci_high=0.0003,
        p_t_holm=0.0,
        p_tost_holm=0.0,
        verdict=Verdict.EQUIVALENT,
    )
    text = say(c)
    assert "is 0.000 (95\\,\\% CI 0.000 to 0.000;" in text
    assert "Holm $p < 0.001$" in text


def test_sentence_never_rounds_a_significant_p_up_to_alpha():
    # 0.0496 < 0.05 would read "0.050" with three digits: four are printed
    assert "Holm $p = 0.0496$" in say(replace(BASE, p_t_holm=0.0496))
    assert "Holm $p = 0.051$" in say(replace(BASE, p_t_holm=0.0512, verdict=Verdict.INCONCLUSIVE))


def test_sentences_of_the_hand_made_family(r2_family):
    for c in r2_family.values():
        text = say(c)
        assert c.verdict.value in text
