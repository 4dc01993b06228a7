"""'It's the data': the split x model decomposition by hand, per-additive errors, the
published learning-curve points and the data-efficiency sentence."""

import numpy as np
import polars as pl
import pytest
from test_comparison_analysis import FULLCV, collect, record

from reeval.analysis import comparison, data_effects, published_reference
from reeval.analysis.protocols import BY_KEY
from reeval.data.published import load_published


def test_variance_shares_by_hand(tmp_path):
    # splits x models: split effects (+1, -1) * 0.01, model effects (0.9, 0.8), and an
    # interaction of +-0.002 on the first model
    table = {
        ("FullCV_01", "dft_rf"): 0.91 + 0.002,
        ("FullCV_01", "onehot_rf"): 0.81,
        ("FullCV_02", "dft_rf"): 0.89 - 0.002,
        ("FullCV_02", "onehot_rf"): 0.79,
    }
    runs = collect(tmp_path, [record(m, s, r2=v) for (s, m), v in table.items()])
    shares = data_effects.variance_shares(runs, BY_KEY["bh_fullcv"])
    values = np.array([[0.912, 0.81], [0.888, 0.79]])
    grand = values.mean()
    total = ((values - grand) ** 2).sum()
    split = 2 * ((values.mean(axis=1) - grand) ** 2).sum()
    model = 2 * ((values.mean(axis=0) - grand) ** 2).sum()
    assert shares.split == pytest.approx(split / total)
    assert shares.model == pytest.approx(model / total)
    assert shares.split + shares.model + shares.residual == pytest.approx(1.0)
    assert (shares.n_splits, shares.n_models) == (2, 2)
    assert shares.model > 0.9 and 0 < shares.residual < shares.split


def test_variance_needs_two_models_on_two_splits(tmp_path):
    runs = collect(tmp_path, [record("dft_rf", s, r2=0.9) for s in FULLCV])
    assert data_effects.variance_shares(runs, BY_KEY["bh_fullcv"]) is None
    assert "No protocol" in data_effects.variance_sentences(runs, [BY_KEY["bh_fullcv"]])


def test_the_split_share_among_the_strongest_models(tmp_path):
    # two strong models that move with the split, one weak model far below
    records = []
    for i, split in enumerate(FULLCV):
        bump = 0.01 * (i % 2)
        records += [
            record("multimodal", split, r2=0.95 + bump),
            record("dft_rf", split, r2=0.95 + bump),
            record("mpnn", split, r2=0.5),
        ]
    runs = collect(tmp_path, records)
    text = data_effects.variance_sentences(runs, [BY_KEY["bh_fullcv"]])
    everything = data_effects.variance_shares(runs, BY_KEY["bh_fullcv"])
    top = data_effects.variance_shares(runs, BY_KEY["bh_fullcv"], strongest=2)
    assert everything.model > 0.99
    assert top.split == pytest.approx(1.0) and top.model == pytest.approx(0.0)
    assert "among the 2 strongest models, the split accounts for 100.0\\,\\%" in text


def test_per_additive_errors_and_the_hardest_additive():
    ids = np.arange(6)
    y = np.array([10.0, 20, 30, 40, 50, 60])
    additives = pl.DataFrame({"reaction_id": ids, "additive": ["a", "a", "b", "b", "c#N", "c#N"]})
    mu_good = np.stack([y + 1, y + 3])  # seeds average to y + 2
    mu_bad_on_c = np.stack([y + np.array([1, 1, 1, 1, 10, 10])])
    predictions = {
        ("multimodal", "Test1"): comparison.TestPredictions(ids, y, mu_good),
        ("dft_rf", "Test1"): comparison.TestPredictions(ids, y, mu_bad_on_c),
    }
    errors = data_effects.per_additive_errors(predictions, additives)
    got = {(r["model"], r["additive"]): (r["n"], r["mae"]) for r in errors.iter_rows(named=True)}
    assert got[("multimodal", "a")] == (2, pytest.approx(2.0))
    assert got[("dft_rf", "c#N")] == (2, pytest.approx(10.0))
    table = data_effects.per_additive_table(
        errors, ["multimodal", "dft_rf"], {"multimodal": "M", "dft_rf": "D"}
    )
    assert "\\texttt{c\\#N} & 2 & 2.0 & 10.0" in table
    text = data_effects.hardest_additive_sentences(errors, ["multimodal", "dft_rf"])
    # every additive ties for the multimodal model (the first by name counts), "c#N" is
    # the dft forest's worst: a tie of one model each, broken by name
    assert "\\texttt{a} is the hardest held-out additive for 1 of 2 models" in text
    assert "Test1" in text and "nan" not in text


def test_published_learning_curve_points(repo_root):
    published = load_published(repo_root / "src/static/anchors/published_metrics.csv")
    points = published_reference.published_learning_curves(published)
    assert set(points["model"]) == {"dft_rf", "yield_bert"}
    dft = dict(points.filter(pl.col("model") == "dft_rf").select("fraction", "r2").iter_rows())
    assert dft[0.025] == 0.59 and dft[0.7] == 0.92
    curves = pl.DataFrame(
        {
            "model": ["multimodal", "multimodal", "dft_rf", "dft_rf"],
            "fraction": [0.025, 0.7, 0.025, 0.7],
            "trimean": [0.4, 0.95, 0.55, 0.93],
        }
    )
    text = published_reference.data_efficiency_sentences(curves, points)
    assert "Trained on 2.5\\,\\% of the reactions" in text
    assert "the multimodal model 0.400 (at 70\\,\\%: 0.950)" in text
    assert "the DFT forest 0.59; Yield-BERT 0.45" in text
