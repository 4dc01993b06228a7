import json
import re

import numpy as np
import polars as pl
import pytest
from scipy import stats

from reeval.analysis import comparison
from reeval.baselines.registry import BASELINES
from reeval.config import load_config
from reeval.data.published import load_published
from reeval.stats.robust import trimean

FULLCV = [f"FullCV_{i:02d}" for i in range(1, 11)]
TESTS = ["Test1", "Test2", "Test3", "Test4"]
QUICK_TRANSFORMER = {"smiles_transformer": {"layers": 1, "embed_dim": 32, "epochs": 4}}


@pytest.fixture(scope="module")
def published(mirror):
    return load_published(mirror / "reactions/anchors/published_metrics.csv")


def record(model, split, seed=0, fraction=1.0, dataset="bh", **metrics):
    out = {
        "dataset": dataset,
        "model": model,
        "split": split,
        "seed": seed,
        "train_fraction": fraction,
        **metrics,
    }
    if model == "multimodal":
        out["variant"] = "full"
    return out


def collect(tmp_path, records):
    tmp_path.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, rec in enumerate(records):
        path = tmp_path / f"run{index}.json"
        path.write_text(json.dumps(rec))
        paths.append(path)
    return comparison.collect_runs(paths)


def write_runs(tmp_path, value_of, splits=(*FULLCV, "Test1", "Test2"), mae_of=None):
    records = [
        record(
            model,
            split,
            r2=value_of(model, split),
            mae=mae_of(model, split) if mae_of else 1.0,
            rmse=2.0,
        )
        for model in ["multimodal", *BASELINES]
        for split in splits
    ]
    return collect(tmp_path, records)


def bold_cells(table):
    """(first cell of the row, column index) of every bold entry."""
    found = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.removesuffix(r"\\").split("&")]
        found += [(cells[0], i) for i, c in enumerate(cells) if c.startswith(r"\textbf")]
    return found


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
    # 0.9 is within 0.01 of no published value of the one-hot forest on Test1 (0.69)
    assert "One-hot + RF on BH Test1: ours 0.900, published 0.69, 0.210 higher." in text


def test_the_one_hot_forest_has_its_verified_published_values(tmp_path, published):
    runs = write_runs(tmp_path, lambda model, split: 0.9, splits=FULLCV + TESTS)
    table = comparison.comparison_table(runs, published, alpha=0.05)
    onehot = next(line for line in table.splitlines() if line.startswith("One-hot + RF"))
    # BH FullCV, Test1-4 as tabulated by Schwaller et al.; no verified SM value
    assert re.findall(r"\((0\.\d\d)\)", onehot) == ["0.89", "0.69", "0.67", "0.49", "0.49"]
    transformer = next(line for line in table.splitlines() if line.startswith("SMILES"))
    assert "(0.95)" in transformer  # Yield-BERT beside our SMILES transformer


def test_the_caption_cites_every_source_of_a_published_value(repo_root):
    ms = (repo_root / "src/tex/ms.tex").read_text()
    bib = (repo_root / "src/tex/bib.bib").read_text()
    start = ms.index(r"\label{tab:comparison}")
    caption = ms[ms.rindex(r"\caption", 0, start) : start]
    keys = comparison.published_citations()
    assert {"Ahneman2018", "Chuang2018", "Schwaller2021"} <= set(keys)
    for key in keys:
        assert key in caption, key
        assert f"{{{key}," in bib, key


def test_metrics_table_has_every_model_and_protocol_and_nothing_bold_on_ties(tmp_path):
    records = [
        record(model, split, r2=0.9, mae=1.0, rmse=2.0)
        for model in ["multimodal", *BASELINES]
        for split in FULLCV + TESTS
    ]
    records += [
        record(model, f"random_split_{i}", dataset="sm", r2=0.8, mae=5.0, rmse=7.0)
        for model in ("multimodal", "drfp_gbt")
        for i in range(3)
    ]
    table = comparison.metrics_table(collect(tmp_path, records), alpha=0.05)
    assert r"\textbf" not in table
    for model in ["multimodal", *BASELINES]:
        rows = table.count(f"& {comparison.MODEL_LABELS[model]} &")
        assert rows == 2 + (model in ("multimodal", "drfp_gbt"))
    assert "MAE (\\%)" in table and "$R^2$" in table
    assert "BH FullCV & Multimodal" in table and "BH Test1-4 & Multimodal" in table
    # trimean [IQR] over the splits: equal values, zero spread
    assert (
        "SM & Multimodal (Chen et al., ours) & 5.00 [0.00] & 7.00 [0.00] & 0.800 [0.000]" in table
    )
    assert table.count(r"\midrule") == 3  # after the header and between the three protocols


def test_metrics_table_bolds_a_tested_winner_per_metric(tmp_path):
    runs = write_runs(
        tmp_path,
        lambda model, split: 0.9,
        # DRFP has the lowest MAE on every FullCV split; R2 and RMSE are ties
        mae_of=lambda model, split: (
            3.0 - int(split[-1]) * 1e-3 if model == "drfp_gbt" else 4.0 + int(split[-1]) * 1e-2
        ),
        splits=FULLCV,
    )
    table = comparison.metrics_table(runs, alpha=0.05)
    bold = bold_cells(table)
    assert len(bold) == 1
    line = next(line for line in table.splitlines() if r"\textbf" in line)
    assert BASELINES["drfp_gbt"].label in line
    assert bold[0][1] == 2  # the MAE column (lower is better)


def test_uncertainty_table_has_only_the_models_with_sigma(tmp_path):
    sigma_metrics = dict(
        r2=0.9,
        mae=1.0,
        rmse=2.0,
        nll=3.25,
        coverage_68=0.6,
        coverage_95=0.9,
        miscalibration_area=0.05,
        spearman_error_sigma=0.3,
    )
    records = [
        record(m, s, **sigma_metrics) for m in ("multimodal", "mpnn_mcdropout") for s in FULLCV
    ]
    records += [record("dft_rf", s, r2=0.9, mae=1.0, rmse=2.0) for s in FULLCV]
    records += [record("multimodal", "Test1", **sigma_metrics)]
    table = comparison.uncertainty_table(collect(tmp_path, records))
    assert comparison.SIGMA_MODELS == ["multimodal", "mpnn_mcdropout"]
    assert BASELINES["dft_rf"].label not in table
    assert table.count(comparison.MODEL_LABELS["multimodal"]) == 2  # FullCV and Test1-4
    assert table.count(BASELINES["mpnn_mcdropout"].label) == 1
    assert "3.25 [0.00]" in table and "0.900 [0.000]" in table and "0.300 [0.000]" in table
    assert "BH Test1-4 & Multimodal (Chen et al., ours) & 3.25 & 0.600" in table


def test_transformer_sentence_names_the_small_quick_model(tmp_path, published):
    low = write_runs(tmp_path, lambda model, split: 0.1 if model == "smiles_transformer" else 0.9)
    quick = comparison.transformer_sentence(low, published, "quick", QUICK_TRANSFORMER)
    assert "a small model of the quick profile (1 layer, 32 wide, at most 4 epochs)" in quick
    assert "0.100" in quick and "0.951" in quick and r"\citep{Schwaller2021}" in quick
    full_settings = {"smiles_transformer": {"layers": 4, "embed_dim": 256, "epochs": 100}}
    full = comparison.transformer_sentence(low, published, "full", full_settings)
    assert "quick" not in full and "4 layers, 256 wide" in full and "0.851 lower" in full
    close = write_runs(tmp_path, lambda model, split: 0.96)
    same = comparison.transformer_sentence(close, published, "quick", QUICK_TRANSFORMER)
    assert "quick profile" not in same and "although it is trained from scratch" in same


def test_min_pairs_agrees_with_scipy():
    for alpha in (0.05, 0.01, 0.1):
        n = comparison.min_pairs(alpha)
        assert stats.wilcoxon(np.arange(1.0, n + 1)).pvalue < alpha
        assert stats.wilcoxon(np.arange(1.0, n)).pvalue >= alpha
    assert comparison.min_pairs(0.05) == 6


def ablation_frame(gains):
    rows = []
    for split in FULLCV[:5]:
        rows.append({"dataset": "bh", "split": split, "seed": 0, "variant": "full", "r2": 0.9})
        for variant, gain in gains.items():
            rows.append(
                {"dataset": "bh", "split": split, "seed": 0, "variant": variant, "r2": 0.9 - gain}
            )
    return pl.DataFrame(rows)


def test_discussion_words_follow_the_numbers(tmp_path):
    def falling(model, split):
        return 0.9 if split.startswith("FullCV") else 0.7

    runs = write_runs(tmp_path, falling, splits=FULLCV + TESTS)
    gains = {"no_human": 0.05, "no_graph": -0.02, "no_smiles": 0.0}
    words = comparison.discussion_variables(runs, ablation_frame(gains), alpha=0.05)
    settings = load_config("full")["baselines"]
    counts = comparison.settings_variables(settings)
    assert set(words) | set(counts) == set(comparison.DISCUSSION_VARIABLES)
    assert (counts["cmp_lc_n_seeds"], counts["cmp_n_test_seeds"]) == ("3", "3")
    assert words["cmp_multimodal_oos_direction"] == "falls"
    assert words["cmp_drfp_oos_direction"] == "falls"
    assert words["cmp_multimodal_oos_gap"] == "0.200"
    assert (words["cmp_removing_human_effect"], words["cmp_removing_human_size"]) == (
        "lowers",
        "0.050",
    )
    assert (words["cmp_removing_graph_effect"], words["cmp_removing_graph_size"]) == (
        "raises",
        "0.020",
    )
    assert words["cmp_removing_smiles_effect"] == "changes"
    # random and DFT forests equal on every split: not distinguishable, as Chuang & Keiser
    assert words["cmp_random_vs_dft_verdict"] == "cannot be distinguished from"
    assert words["cmp_random_vs_dft_agreement"] == "in agreement with"
    assert (words["cmp_alpha"], words["cmp_min_pairs"]) == ("0.05", "6")

    def rising_and_apart(model, split):
        index = int(split[-1])
        if model == "dft_rf":
            return 0.95 + index * 1e-4
        return 0.8 + index * 1e-3 if split.startswith("FullCV") else 0.85

    runs = write_runs(tmp_path / "b", rising_and_apart, splits=FULLCV + TESTS)
    words = comparison.discussion_variables(runs, ablation_frame(gains), alpha=0.1)
    assert words["cmp_multimodal_oos_direction"] == "rises"
    assert words["cmp_random_vs_dft_verdict"] == "is distinguishable from"
    assert words["cmp_random_vs_dft_agreement"] == "unlike"
    assert words["cmp_alpha"] == "0.1"


def test_learning_curve_has_every_seed_at_every_fraction(tmp_path):
    records = []
    for model in ("multimodal", "dft_rf"):
        for seed in (0, 1, 2):
            records.append(record(model, "FullCV_01", seed, 0.1, r2=0.5 + 0.01 * seed))
        # the main run (seed 0) is the 70 % point; seeds 1, 2 come from learning-curve runs
        records.append(record(model, "FullCV_01", 0, 1.0, r2=0.90))
        records += [record(model, "FullCV_01", s, 0.7, r2=0.90 + 0.01 * s) for s in (1, 2)]
        records.append(record(model, "FullCV_02", 0, 1.0, r2=0.1))  # not a curve split
        records.append(record(model, "FullCV_01", 5, 1.0, r2=0.1))  # not a curve seed
    frame = comparison.learning_curve_frame(collect(tmp_path, records), ["FullCV_01"], [0, 1, 2])
    assert frame.height == 4
    assert (frame["n"] == 3).all()
    top = frame.filter(pl.col("fraction") == 0.7)
    assert top["trimean"].to_list() == pytest.approx([trimean([0.90, 0.91, 0.92])] * 2)


def test_out_of_sample_bars_are_trimeans_over_seeds(tmp_path):
    values = [0.1, 0.2, 0.9]
    records = [record("dft_rf", "Test1", seed, r2=v) for seed, v in enumerate(values)]
    frame = comparison.oos_frame(collect(tmp_path, records))
    assert frame["r2"].item() == pytest.approx(trimean(values))
    assert frame["r2"].item() != pytest.approx(np.median(values))


def test_the_article_shows_every_comparison_output_and_nothing_stale(repo_root):
    ms = (repo_root / "src/tex/ms.tex").read_text()
    shown = set(re.findall(r"\\variable\{output/(cmp_[a-z0-9_]+)\.txt\}", ms))
    assert shown == set(comparison.DISCUSSION_VARIABLES)  # check_pdf needs each one shown
    fragments = set(re.findall(r"\\variable\{output/(comparison_[a-z_]+\.tex)\}", ms))
    assert fragments == set(comparison.COMPARISON_TABLES)
    section = ms[ms.index(r"\label{sec:baselines}") : ms.index(r"\label{sec:materials}")]
    assert "0.05" not in section  # alpha comes from the profile
