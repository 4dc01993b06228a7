"""Recall against ground truth: top-k precision per representation, set against random
recalls of the same size from the same candidates (permutation p, Holm)."""

import polars as pl
import pytest

from reeval.materials import recall_truth

CANDIDATES = [f"c{i}" for i in range(100)]
RELEVANT = {f"q{j}": {f"c{i}" for i in range(10 * j, 10 * j + 10)} for j in range(4)}


def recall_frame(top_of_query) -> pl.DataFrame:
    rows = []
    for representation, pick in top_of_query.items():
        for query in RELEVANT:
            for rank, candidate in enumerate(pick(query), start=1):
                rows.append((representation, query, rank, candidate, 1.0 / rank))
    columns = ["representation", "query", "rank", "candidate", "similarity"]
    return pl.DataFrame(rows, schema=columns, orient="row")


def test_a_recall_of_the_relevant_beats_chance_and_a_blind_one_does_not():
    recall = recall_frame(
        {
            "good": lambda q: sorted(RELEVANT[q])[:10],  # every one of the top 10 relevant
            "blind": lambda q: CANDIDATES[90:100],  # never relevant (q0-q3 hold c0-c39)
        }
    )
    scores = recall_truth.recall_scores(
        recall, dict.fromkeys(["good", "blind"], CANDIDATES), RELEVANT, "group", 10, 2000, 0
    )
    by = {s.representation: s for s in scores}
    assert by["good"].precision == 1.0 and by["blind"].precision == 0.0
    # random top 10 of 100 with 10 relevant: 0.1 expected
    assert by["good"].random_mean == pytest.approx(0.1, abs=0.01)
    assert by["good"].p_holm < 0.01
    assert by["blind"].p == 1.0
    assert by["good"].p_holm >= by["good"].p  # Holm never lowers a p
    text = recall_truth.recall_truth_sentences(scores, {"good": "G", "blind": "B"}, 0.05, 3)
    assert "By group (top 10, 4 queries), G recalls more than chance" in text
    assert "Only 3 candidates" in text
    table = recall_truth.recall_truth_table(scores, {"good": "G", "blind": "B"})
    assert "\nG & 4 & 1.000 & 0.1" in table and "& $<$0.001 \\\\" in table


def test_only_the_top_k_counts():
    recall = recall_frame({"late": lambda q: CANDIDATES[90:95] + sorted(RELEVANT[q])})
    (score,) = recall_truth.recall_scores(
        recall, {"late": CANDIDATES}, RELEVANT, "group", 5, 500, 0
    )
    assert score.precision == 0.0 and score.k == 5


def test_reduced_formulas_match_measured_compositions():
    table = pl.DataFrame({"formula": ["Te1Pb1", "Bi2Te3", "Ag0.01Cr1.99Se3", "not a formula!"]})
    known = recall_truth.measured_compositions(table)
    assert recall_truth.reduced_formula("PbTe") in known
    assert recall_truth.reduced_formula("Te3Bi2") in known
    assert recall_truth.reduced_formula("CrSe") not in known
