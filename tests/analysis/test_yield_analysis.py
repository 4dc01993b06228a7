import json

import pytest

from reeval.analysis import yield_model as analysis
from reeval.data.published import load_published, published_r2


@pytest.fixture(scope="module")
def published(mirror):
    return load_published(mirror / "reactions/anchors/published_metrics.csv")


def fake_metrics(tmp_path, r2_by_split):
    paths = []
    for (dataset, variant, split), value in r2_by_split.items():
        path = tmp_path / dataset / variant / split / "seed0" / "metrics.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "split": split,
                    "variant": variant,
                    "seed": 0,
                    "r2": value,
                    "mae": 1 - value,
                    "rmse": 2 - value,
                    "spearman_error_sigma": 0.3,
                    "coverage_95": 0.9,
                    "coverage_68": 0.6,
                }
            )
        )
        paths.append(path)
    return analysis.collect_metrics(paths)


def test_published_numbers_are_the_verified_ones(published):
    bert = published_r2(published, "yield_bert", "bh_fullcv")
    assert (bert.value, bert.std) == (0.951, 0.005)
    assert published_r2(published, "dft_rf", "bh_test4").value == 0.54
    assert published_r2(published, "yield_bert", "sm").value == 0.81
    assert published_r2(published, "dft_rf", "sm") is None
    assert published["verification"].str.starts_with("verified").all()


def test_summaries_and_sentences(tmp_path, published):
    values = {("bh", "full", f"FullCV_0{i}"): v for i, v in enumerate([0.90, 0.94, 0.96], 1)}
    values |= {("bh", "full", f"Test{i}"): 0.5 + 0.1 * i for i in range(1, 5)}
    values |= {("sm", "full", "random_split_0"): 0.82, ("bh", "no_uq", "FullCV_01"): 0.91}
    metrics = fake_metrics(tmp_path, values)
    s = analysis.summarise(metrics, analysis.PROTOCOLS[0], "full", "r2")
    assert s.n == 3 and s.trimean == pytest.approx((0.92 + 2 * 0.94 + 0.95) / 4)
    assert analysis.summarise(metrics, analysis.PROTOCOLS[0], "no_graph", "r2").cell(3) == "--"
    table = analysis.main_table(metrics, published)
    assert "0.951 $\\pm$ 0.005" in table and r"\textbf" not in table
    text = analysis.comparison_sentences(metrics, published)
    assert "is 0.013 below the published Yield-BERT value of 0.951 (within our IQR)" in text
    targets = analysis.target_sentences(metrics, "full")
    assert (
        "misses its target $R^2 \\geq 0.95$" in targets
        and "meets its target $R^2 \\geq 0.80$" in targets
    )
    variables = analysis.yield_variables(metrics)
    assert set(variables) == set(analysis.YIELD_VARIABLES)
    assert variables["ym_bh_oos_r2_min"] == "0.600"
    ablation = analysis.ablation_table(metrics)
    assert ablation.count("\\\\") == 1 + len(analysis.VARIANTS)


def test_seeds_text_names_the_out_of_sample_seeds():
    assert analysis.seeds_text({"seeds": [0]}) == 1
    assert analysis.seeds_text({"seeds": [0], "test_seeds": [0]}) == 1
    assert analysis.seeds_text({"seeds": [0], "test_seeds": [0, 1, 2]}) == "1 (3 on Test1-4)"
