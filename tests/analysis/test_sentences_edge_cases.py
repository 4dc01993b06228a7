"""Every sentence builder of the article on the edge cases a build can produce: NaN metrics
(a diverged run), exact zeros and negative zeros, missing protocols and models. The text
must stay plain and grammatical: never "nan", "n/a", "-0.000" or "0.000 below"."""

import math
import re

import polars as pl
import pytest
from test_comparison_analysis import FULLCV, SETTINGS, collect, record
from test_yield_analysis import fake_metrics

from reeval.analysis import comparison, conclusions, data_effects, published_reference
from reeval.analysis import yield_model as analysis
from reeval.analysis.protocols import REPEATED
from reeval.data.published import load_published, load_reported

BAD = re.compile(r"\bnan\b|n/a|-0\.000\b|0\.000 (below|above)|\binf\b", re.IGNORECASE)


def clean(text: str) -> str:
    assert not BAD.search(text), text
    assert text.endswith("\n") and "  " not in text.strip()
    return text


@pytest.fixture(scope="module")
def published(repo_root):
    return load_published(repo_root / "src/static/anchors/published_metrics.csv")


@pytest.fixture(scope="module")
def reported(repo_root):
    return load_reported(repo_root / "src/static/anchors/published_metrics_additions.csv")


def edge_runs(tmp_path, value: float):
    """The multimodal model and two baselines on BH FullCV only (no SM, no Test1-4): one
    baseline all NaN, the other equal to `value` like the multimodal model."""
    records = []
    for split in FULLCV:
        records += [
            record("multimodal", split, r2=value, mae=value, rmse=value),
            record("drfp_gbt", split, r2=value, mae=value, rmse=value),
            record("dft_rf", split, r2=math.nan, mae=math.nan, rmse=math.nan),
        ]
    return collect(tmp_path, records)


@pytest.mark.parametrize("value", [0.0, -0.0, 0.9])
def test_comparison_sentences_on_edge_cases(tmp_path, published, reported, value):
    runs = edge_runs(tmp_path, value)
    clean(comparison.verdict_sentences(runs, {}, SETTINGS))
    clean(comparison.control_sentences(runs, {}, SETTINGS))
    clean(comparison.published_sentences(runs, published))
    clean(conclusions.machinery_sentences(runs, {}, SETTINGS))
    clean(data_effects.variance_sentences(runs, REPEATED))
    labels = comparison.MODEL_LABELS
    clean(published_reference.yield_bert_sentences(runs, published, labels, SETTINGS))
    clean(published_reference.reproduction_sentences(runs, reported))
    no_additives = pl.DataFrame({"reaction_id": [], "additive": []})
    empty = data_effects.per_additive_errors({}, no_additives)
    clean(data_effects.hardest_additive_sentences(empty, list(comparison.MODELS)))


def test_data_efficiency_with_a_nan_curve():
    curves = pl.DataFrame(
        {
            "model": ["multimodal", "multimodal", "dft_rf", "dft_rf"],
            "fraction": [0.025, 0.7, 0.025, 0.7],
            "trimean": [math.nan, 0.95, 0.5, 0.9],
        }
    )
    points = pl.DataFrame(schema={"model": pl.String, "fraction": pl.Float64, "r2": pl.Float64})
    text = clean(published_reference.data_efficiency_sentences(curves, points))
    assert "the DFT forest 0.500" in text and "multimodal" not in text


@pytest.mark.parametrize("value", [0.0, -0.0, math.nan])
def test_yield_model_sentences_on_edge_cases(tmp_path, published, value):
    runs = {("bh", "full", split, seed): value for split in FULLCV for seed in (0, 1)}
    runs |= {("bh", "no_uq", split, seed): value for split in FULLCV for seed in (0, 1)}
    metrics = fake_metrics(tmp_path, runs)
    clean(analysis.comparison_sentences(metrics, published))
    clean(analysis.ablation_sentences(metrics, SETTINGS))
    clean(analysis.own_input_sentences(metrics, SETTINGS))
    clean(analysis.target_sentences(metrics, "quick"))
    clean(analysis.target_sentences(metrics, "full"))  # SM target without SM runs


def test_the_out_of_sample_range_ignores_a_nan_split_in_any_order(tmp_path):
    for order, nan_split in enumerate(("Test1", "Test4")):
        runs = {("bh", "full", f"Test{i}", 0): 0.5 + 0.1 * i for i in range(1, 5)}
        runs[("bh", "full", nan_split, 0)] = math.nan
        values = analysis.yield_variables(fake_metrics(tmp_path / str(order), runs))
        low, high = (0.7, 0.9) if nan_split == "Test1" else (0.6, 0.8)  # Test1-4: 0.6-0.9
        assert values["ym_bh_oos_r2_min"] == f"{low:.3f}"
        assert values["ym_bh_oos_r2_max"] == f"{high:.3f}"
