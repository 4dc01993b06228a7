"""The MMoE against single-task MLPs: the task is the unit (seeds averaged within a task),
a paired t-test over the tasks, TOST for equivalence, and the sentence follows the verdict
(never a count of tasks won by any margin)."""

import math

import polars as pl
import pytest

from reeval.materials import summary
from reeval.materials.names import TASKS
from reeval.stats.paired import Verdict


def results(gain_of_task, seeds=(0, 1, 2), tasks=TASKS) -> pl.DataFrame:
    rows = []
    for i, task in enumerate(tasks):
        for seed in seeds:
            single = 0.5 + 0.05 * i + 0.001 * seed
            rows += [
                ("single_task", "lm_composition", seed, task, 0.1, single, 100),
                ("mmoe", "lm_composition", seed, task, 0.1, single + gain_of_task(i, seed), 100),
            ]
    columns = ["model", "representation", "seed", "task", "mae", "r2", "n_test"]
    return pl.DataFrame(rows, schema=columns, orient="row")


@pytest.mark.parametrize(
    ("gain", "verdict"),
    [
        (lambda i, s: 0.05 + 0.002 * (i % 2), Verdict.BETTER),
        (lambda i, s: -0.05 - 0.002 * (i % 2), Verdict.WORSE),
        (lambda i, s: 0.001 * (1 if i % 2 else -1), Verdict.EQUIVALENT),
        # two tasks gain 0.04, three lose 0.01: "better on 2 of 5" would be a win count
        (lambda i, s: 0.04 if i < 2 else -0.01, Verdict.INCONCLUSIVE),
    ],
)
def test_the_verdict_follows_the_test_over_tasks(gain, verdict):
    c = summary.mmoe_against_single_task(results(gain), "lm_composition", 0.01, 0.05)
    assert c.verdict == verdict
    assert (c.n_splits, c.seeds_per_split) == (len(TASKS), 3)
    text = summary.mmoe_sentence(c, "LM-C")
    assert f"$n = {len(TASKS)}$ tasks $\\times$ 3 seeds" in text
    assert "nan" not in text and "-0.000" not in text and "p = 0.000" not in text
    if verdict == Verdict.INCONCLUSIVE:
        assert "inconclusive" in text


def test_the_mean_difference_is_over_task_means():
    c = summary.mmoe_against_single_task(
        results(lambda i, s: 0.01 * i + 0.003 * s), "lm_composition", 0.01, 0.05
    )
    # task means of the gain: 0.01 i + 0.003 (the mean of seeds 0, 1, 2) -> mean 0.023
    assert c.mean_difference == pytest.approx(0.02 + 0.003)


def test_fewer_tasks_than_needed_are_inconclusive_and_none_is_not_available():
    c = summary.mmoe_against_single_task(
        results(lambda i, s: 0.05, tasks=TASKS[:3]), "lm_composition", 0.01, 0.05
    )
    assert c.verdict == Verdict.INCONCLUSIVE and c.n_splits == 3
    none = summary.mmoe_against_single_task(results(lambda i, s: 0.05), "magpie", 0.01, 0.05)
    assert none.verdict == Verdict.NOT_AVAILABLE and not math.isfinite(none.mean_difference)
    assert "share no task" in summary.mmoe_sentence(none, "Magpie")
