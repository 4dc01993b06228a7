import json

import pytest

from reeval.analysis import comparison
from reeval.baselines.registry import BASELINES
from reeval.data.published import load_published


@pytest.fixture(scope="module")
def published(mirror):
    return load_published(mirror / "reactions/anchors/published_metrics.csv")


def write_runs(tmp_path, value_of):
    paths = []
    for model in ["multimodal", *BASELINES]:
        for split in [f"FullCV_{i:02d}" for i in range(1, 11)] + ["Test1", "Test2"]:
            record = {
                "dataset": "bh",
                "model": model,
                "split": split,
                "seed": 0,
                "train_fraction": 1.0,
                "r2": value_of(model, split),
                "mae": 1.0,
            }
            if model == "multimodal":
                record["variant"] = "full"
            path = tmp_path / f"{model}_{split}.json"
            path.write_text(json.dumps(record))
            paths.append(path)
    return comparison.collect_runs(paths)


def test_the_table_marks_nothing_bold_when_all_models_are_equal(tmp_path, published):
    runs = write_runs(tmp_path, lambda model, split: 0.9)
    table = comparison.comparison_table(runs, published, alpha=0.05)
    assert r"\textbf" not in table
    assert "(0.92)" in table  # the verified published DFT forest value beside ours


def test_a_model_better_on_every_split_is_bold(tmp_path, published):
    runs = write_runs(
        tmp_path,
        lambda model, split: (
            0.95 + int(split[-1]) * 1e-4 if model == "drfp_gbt" else 0.9 - int(split[-1]) * 1e-3
        ),
    )
    table = comparison.comparison_table(runs, published, alpha=0.05)
    assert table.count(r"\textbf") == 1
    bold_line = next(line for line in table.splitlines() if r"\textbf" in line)
    assert bold_line.startswith(BASELINES["drfp_gbt"].label)
    tests = comparison.tests_table(runs, 0.05)
    assert "yes" in tests


def test_published_sentences_only_beyond_the_iqr(tmp_path, published):
    runs = write_runs(tmp_path, lambda model, split: 0.80 if model == "dft_rf" else 0.9)
    text = comparison.published_sentences(runs, published)
    assert "DFT descriptors + RF on BH FullCV: ours 0.800, published 0.92, 0.120 lower." in text
