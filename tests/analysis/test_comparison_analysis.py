"""The comparison section: tables over split means with n, bolding only by tests, families
of paired tests with their verdicts, the out-of-sample bootstrap, and the sentences."""

import json
import re

import numpy as np
import polars as pl
import pytest

from reeval.analysis import comparison
from reeval.analysis.families import ComparisonSettings
from reeval.baselines.registry import BASELINES
from reeval.config import load_config
from reeval.data.published import PUBLISHED_MODELS, load_published
from reeval.settings import Baselines, YieldModelProfile
from reeval.stats.paired import Verdict
from reeval.stats.robust import trimean

FULLCV = [f"FullCV_{i:02d}" for i in range(1, 11)]
TESTS = ["Test1", "Test2", "Test3", "Test4"]
SM = [f"random_split_{i}" for i in range(10)]
SETTINGS = ComparisonSettings(0.05, {"r2": 0.01, "mae": 0.25, "rmse": 0.25}, 5, 500, 0)


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
        "n_train": 2767 if dataset == "bh" else 4032,
        "n_test": 1188 if dataset == "bh" else 1728,
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


def split_noise(split: str) -> float:
    """A small value that differs between splits, the same for every model."""
    return 1e-3 * (sum(map(ord, split)) % 7)


def write_runs(tmp_path, value_of, splits=(*FULLCV, *TESTS), mae_of=None, seeds=(0,)):
    def seed_noise(model, seed):  # averages to zero over the multimodal model's seeds
        return 1e-4 * (seed - (len(seeds) - 1) / 2) if model == "multimodal" else 0.0

    records = [
        record(
            model,
            split,
            seed,
            r2=value_of(model, split) + split_noise(split) + seed_noise(model, seed),
            mae=(mae_of(model, split) if mae_of else 1.0) + split_noise(split),
            rmse=2.0,
        )
        for model in ["multimodal", *BASELINES]
        for split in splits
        for seed in (seeds if model == "multimodal" else (0,))
    ]
    return collect(tmp_path, records)


def bold_cells(table):
    """(first cell of the row, column index) of every bold entry."""
    found = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.removesuffix(r"\\").split("&")]
        found += [(cells[0], i) for i, c in enumerate(cells) if c.startswith(r"\textbf")]
    return found


def test_equal_models_are_never_bold_and_the_table_states_splits_and_seeds(tmp_path, published):
    runs = write_runs(tmp_path, lambda model, split: 0.9, seeds=(0, 1, 2))
    table = comparison.comparison_table(runs, published, SETTINGS)
    assert r"\textbf" not in table
    assert "(0.92)" in table  # the verified published DFT forest value beside ours
    assert "BH FullCV (10 splits)" in table and "BH Test1 (1 split)" in table
    multimodal = next(line for line in table.splitlines() if line.startswith("Multimodal"))
    assert multimodal.split("&")[1].strip() == "3"  # seeds per split
    dft = next(line for line in table.splitlines() if line.startswith("DFT"))
    assert dft.split("&")[1].strip() == "1"


def test_a_model_better_on_every_split_is_bold(tmp_path, published):
    runs = write_runs(tmp_path, lambda m, s: 0.95 if m == "drfp_gbt" else 0.90)
    table = comparison.comparison_table(runs, published, SETTINGS)
    assert table.count(r"\textbf") == 1
    bold_line = next(line for line in table.splitlines() if r"\textbf" in line)
    assert bold_line.startswith(BASELINES["drfp_gbt"].label)


def test_a_lead_within_the_noise_of_the_splits_is_not_bold(tmp_path, published):
    # DRFP leads by 0.001 on average, but the split-to-split differences are +-0.02
    def value(model, split):
        wobble = 0.02 * (1 if int(split[-1]) % 2 else -1)
        return 0.901 + wobble if model == "drfp_gbt" else 0.90

    runs = write_runs(tmp_path, value, splits=FULLCV)
    assert r"\textbf" not in comparison.comparison_table(runs, published, SETTINGS)


def test_summaries_are_over_split_means_not_runs(tmp_path):
    # seed 1 of every split is far off: a split mean averages it, a pooled trimean would not
    records = [record("multimodal", s, 0, r2=0.90) for s in FULLCV]
    records += [record("multimodal", s, 1, r2=0.50) for s in FULLCV]
    runs = collect(tmp_path, records)
    by_key = comparison.values_by_model(runs, comparison.BY_KEY["bh_fullcv"], "r2")["multimodal"]
    values = comparison.unit_values(by_key, comparison.BY_KEY["bh_fullcv"])
    assert values == pytest.approx([0.70] * 10)
    # on one out-of-sample split the seeds are the values
    test1 = [record("multimodal", "Test1", s, r2=v) for s, v in enumerate([0.1, 0.2, 0.9])]
    runs = collect(tmp_path / "t", test1)
    by_key = comparison.values_by_model(runs, comparison.BY_KEY["bh_test1"], "r2")["multimodal"]
    assert sorted(comparison.unit_values(by_key, comparison.BY_KEY["bh_test1"])) == [0.1, 0.2, 0.9]


def test_published_sentences_only_beyond_the_iqr(tmp_path, published):
    runs = write_runs(tmp_path, lambda model, split: 0.80 if model == "dft_rf" else 0.9)
    text = comparison.published_sentences(runs, published)
    assert "DFT descriptors + RF on BH FullCV: ours 0.80" in text and "published 0.92" in text
    assert "One-hot + RF on BH Test1: ours 0.90" in text and "published 0.69" in text


def test_the_one_hot_forest_has_its_verified_published_values(tmp_path, published):
    runs = write_runs(tmp_path, lambda model, split: 0.9)
    table = comparison.comparison_table(runs, published, SETTINGS)
    onehot = next(line for line in table.splitlines() if line.startswith("One-hot + RF"))
    # BH FullCV, Test1-4 as tabulated by Schwaller et al.; no verified SM value
    assert re.findall(r"\((0\.\d\d)\)", onehot) == ["0.89", "0.69", "0.67", "0.49", "0.49"]


def test_the_caption_cites_every_source_of_a_published_value(repo_root):
    ms = (repo_root / "src/tex/ms.tex").read_text()
    bib = (repo_root / "src/tex/bib.bib").read_text()
    start = ms.index(r"\label{tab:comparison}")
    caption = ms[ms.rindex(r"\caption", 0, start) : start]
    keys = sorted({PUBLISHED_MODELS[k][1] for k in comparison.PUBLISHED_KEYS.values()})
    assert {"Ahneman2018", "Chuang2018"} <= set(keys)
    for key in keys:
        assert key in caption, key
        assert f"{{{key}," in bib, key


def test_metrics_table_has_every_model_and_protocol_and_nothing_bold_on_ties(tmp_path):
    records = [
        record(model, split, r2=0.9 + split_noise(split), mae=1.0, rmse=2.0)
        for model in ["multimodal", *BASELINES]
        for split in FULLCV + TESTS
    ]
    records += [
        record(model, split, dataset="sm", r2=0.8, mae=5.0, rmse=7.0)
        for model in ("multimodal", "drfp_gbt")
        for split in SM
    ]
    table = comparison.metrics_table(collect(tmp_path, records), SETTINGS)
    assert r"\textbf" not in table
    for model in ["multimodal", *BASELINES]:
        rows = table.count(f"& {comparison.MODEL_LABELS[model]} &")
        assert rows == 2 + (model in ("multimodal", "drfp_gbt"))
    assert "BH FullCV & Multimodal" in table and "BH Test1-4 & Multimodal" in table
    assert (
        "SM & Multimodal (Chen et al., ours) & 5.00 [0.00] & 7.00 [0.00] & 0.800 [0.000]" in table
    )


def test_metrics_table_bolds_a_tested_winner_per_metric(tmp_path):
    runs = write_runs(
        tmp_path,
        lambda model, split: 0.9,
        # DRFP has the lowest MAE on every FullCV split; R2 and RMSE are ties
        mae_of=lambda model, split: 3.0 if model == "drfp_gbt" else 4.0,
        splits=FULLCV,
    )
    table = comparison.metrics_table(runs, SETTINGS)
    bold = bold_cells(table)
    assert len(bold) == 1
    line = next(line for line in table.splitlines() if r"\textbf" in line)
    assert BASELINES["drfp_gbt"].label in line
    assert bold[0][1] == 2  # the MAE column (lower is better)


def test_families_give_the_verdicts_the_data_hold(tmp_path):
    def value(model, split):
        if model == "drfp_gbt":  # 0.002 above on average, +-0.003 from split to split
            return 0.902 + 0.003 * (1 if int(split[-1]) % 2 else -1)
        return {"dft_rf": 0.80, "onehot_rf": 0.95}.get(model, 0.90)

    runs = write_runs(tmp_path, value, splits=FULLCV, seeds=(0, 1, 2))
    families = dict((p.key, tests) for p, tests in comparison.baseline_families(runs, SETTINGS))
    verdicts = {t.model: t.verdict for t in families["bh_fullcv"]}
    assert verdicts["dft_rf"] == Verdict.WORSE  # baseline minus multimodal
    assert verdicts["onehot_rf"] == Verdict.BETTER
    assert verdicts["drfp_gbt"] == Verdict.EQUIVALENT  # 0.002 apart, margin 0.01
    assert all(t.n_splits == 10 and t.seeds_per_split == 1 for t in families["bh_fullcv"])
    table = comparison.comparisons_table(runs, SETTINGS)
    assert "10 x 1" in table and "worse" in table and "equivalent" in table
    summary = comparison.family_summary(
        comparison.BY_KEY["bh_fullcv"], families["bh_fullcv"], SETTINGS
    )
    assert "better than DFT descriptors + RF" in summary
    assert "worse than One-hot + RF" in summary
    assert "$n = 10$ splits" in summary


def test_too_few_splits_are_inconclusive(tmp_path):
    runs = write_runs(tmp_path, lambda m, s: 0.80 if m == "dft_rf" else 0.90, splits=FULLCV[:3])
    (_, tests), *_ = comparison.baseline_families(runs, SETTINGS)
    dft = next(t for t in tests if t.model == "dft_rf")
    assert dft.verdict == Verdict.INCONCLUSIVE and dft.n_splits == 3


def synthetic_predictions(shifts: dict[str, float], noise: float = 2.0):
    """(model, split) -> predictions on four test sets: each model is the truth plus its own
    noise plus a constant shift (a larger shift, a worse model). The multimodal model's
    yields are float32 copies, as the trained model writes them."""
    rng = np.random.default_rng(0)
    out = {}
    for split in TESTS:
        y = rng.uniform(0, 100, 600)
        ids = np.array([f"{split}-{i}" for i in range(y.size)])
        for model, shift in shifts.items():
            seeds = 3 if model == "multimodal" else 1
            mu = np.stack([y + shift + rng.normal(0, noise, y.size) for _ in range(seeds)])
            stored = y.astype(np.float32) if model == "multimodal" else y
            out[(model, split)] = comparison.TestPredictions(ids, stored, mu)
    return out


def test_out_of_sample_rows_per_split_with_bootstrap_intervals():
    predictions = synthetic_predictions({"multimodal": 0.0, "dft_rf": 15.0, "random_rf": 0.0})
    rows = comparison.out_of_sample_rows(
        predictions, ["dft_rf", "random_rf"], "multimodal", SETTINGS
    )
    assert len(rows) == 8
    dft = [r for r in rows if r.model == "dft_rf"]
    assert all(r.verdict == Verdict.WORSE and r.ci_high < 0 for r in dft)
    assert all(r.seeds == (1, 3) and r.n_test == 600 for r in dft)
    random_rows = [r for r in rows if r.model == "random_rf"]
    assert all(r.verdict in (Verdict.EQUIVALENT, Verdict.INCONCLUSIVE) for r in random_rows)
    assert all(r.ci_low <= r.difference <= r.ci_high for r in rows)
    table = comparison.oos_table(predictions, SETTINGS)
    assert table.count(" -") >= 4  # the four worse cells are marked


def test_out_of_sample_rows_refuse_other_reactions():
    predictions = synthetic_predictions({"multimodal": 0.0, "dft_rf": 15.0})
    theirs = predictions[("dft_rf", "Test1")]
    predictions[("dft_rf", "Test1")] = comparison.TestPredictions(
        theirs.reaction_ids[::-1], theirs.y[::-1], theirs.mu[:, ::-1]
    )
    with pytest.raises(ValueError, match="other reactions of Test1"):
        comparison.out_of_sample_rows(predictions, ["dft_rf"], "multimodal", SETTINGS)


def test_control_sentences_follow_the_tests(tmp_path):
    def equal(model, split):
        return 0.9

    runs = write_runs(tmp_path, equal, splits=FULLCV + TESTS)
    predictions = synthetic_predictions({"multimodal": 0.0, "dft_rf": 0.0, "random_rf": 0.0})
    text = comparison.control_sentences(runs, predictions, SETTINGS)
    assert "is equivalent to DFT descriptors + RF" in text
    assert "Test1" in text and "paired bootstrap" in text
    assert "-0.000" not in text and "nan" not in text.lower()

    def apart(model, split):
        return 0.8 if model == "random_rf" else 0.9

    runs = write_runs(tmp_path / "b", apart, splits=FULLCV + TESTS)
    text = comparison.control_sentences(runs, predictions, SETTINGS)
    assert "is worse than DFT descriptors + RF" in text

    runs = write_runs(tmp_path / "c", equal, splits=FULLCV[:3])
    text = comparison.control_sentences(runs, {}, SETTINGS)
    assert "inconclusive" in text and "fewer than the 5 splits" in text
    missing = collect(tmp_path / "d", [record("dft_rf", s, r2=0.9) for s in FULLCV])
    assert comparison.control_sentences(missing, {}, SETTINGS) == (
        "The random-feature control is not available.\n"
    )


def test_verdict_sentences_name_every_family(tmp_path):
    runs = write_runs(tmp_path, lambda m, s: 0.8 if m == "dft_rf" else 0.9, splits=FULLCV)
    predictions = synthetic_predictions({"multimodal": 0.0, "dft_rf": 15.0, "drfp_gbt": 0.0})
    text = comparison.verdict_sentences(runs, predictions, SETTINGS)
    assert text.startswith("On BH FullCV ($n = 10$ splits), the multimodal model is better than")
    assert "against DFT descriptors + RF, the multimodal model is better on Test1" in text
    empty = collect(tmp_path / "e", [record("dft_rf", s, r2=0.9) for s in FULLCV])
    assert comparison.verdict_sentences(empty, {}, SETTINGS) == "No comparison is available.\n"


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
    table = comparison.uncertainty_table(collect(tmp_path, records))
    assert comparison.SIGMA_MODELS == ["multimodal", "multimodal_end_to_end", "mpnn_mcdropout"]
    assert BASELINES["dft_rf"].label not in table
    assert table.count(comparison.MODEL_LABELS["multimodal"]) == 1
    assert "3.25 [0.00]" in table and "0.900 [0.000]" in table and "0.300 [0.000]" in table


def test_discussion_numbers_are_trimeans_of_split_means(tmp_path):
    runs = write_runs(
        tmp_path, lambda m, s: 0.9 if s.startswith("FullCV") else 0.7, splits=FULLCV + TESTS
    )
    numbers = comparison.discussion_variables(runs, SETTINGS)
    quick = load_config("quick")
    counts = comparison.settings_variables(
        Baselines.from_profile(quick), YieldModelProfile.from_profile(quick)
    )
    assert set(numbers) | set(counts) == set(comparison.DISCUSSION_VARIABLES)
    assert numbers["cmp_multimodal_fullcv_r2"] == "0.903"  # 0.9 + the splits' small offsets
    assert numbers["cmp_multimodal_oos_r2"].startswith("0.70")
    assert (numbers["cmp_alpha"], numbers["cmp_margin_r2"]) == ("0.05", "0.010")
    assert counts["cmp_multimodal_seeds"] == "3" and counts["cmp_n_bh_fullcv"] == "10"
    assert numbers["cmp_multimodal_sm_r2"] == "not available"  # no SM run here


def test_learning_curve_averages_seeds_within_a_split(tmp_path):
    records = []
    for model in ("multimodal", "dft_rf"):
        for split in ("FullCV_01", "FullCV_02"):
            for seed in (0, 1, 2):
                records.append(record(model, split, seed, 0.1, r2=0.5 + 0.01 * seed))
            # the main run (seed 0) is the 70 % point; seeds 1, 2 come from curve runs
            records.append(record(model, split, 0, 1.0, r2=0.90))
            records += [record(model, split, s, 0.7, r2=0.90 + 0.01 * s) for s in (1, 2)]
        records.append(record(model, "FullCV_03", 0, 1.0, r2=0.1))  # not a curve split
        records.append(record(model, "FullCV_01", 5, 1.0, r2=0.1))  # not a curve seed
    frame = comparison.learning_curve_frame(
        collect(tmp_path, records), ["FullCV_01", "FullCV_02"], [0, 1, 2]
    )
    assert frame.height == 4
    assert (frame["n_splits"] == 2).all() and (frame["n_seeds"] == 3).all()
    top = frame.filter(pl.col("fraction") == 0.7)
    assert top["trimean"].to_list() == pytest.approx([0.91, 0.91])


def test_out_of_sample_bars_are_means_over_seeds(tmp_path):
    values = [0.1, 0.2, 0.9]
    records = [record("dft_rf", "Test1", seed, r2=v) for seed, v in enumerate(values)]
    frame = comparison.oos_frame(collect(tmp_path, records))
    assert frame["r2"].item() == pytest.approx(np.mean(values))
    assert frame["r2"].item() != pytest.approx(trimean(values))


def test_the_article_shows_every_comparison_output_and_nothing_stale(repo_root):
    ms = (repo_root / "src/tex/ms.tex").read_text()
    shown = set(re.findall(r"\\variable\{output/(cmp_[a-z0-9_]+)\.txt\}", ms))
    assert shown == set(comparison.DISCUSSION_VARIABLES)  # check_pdf needs each one shown
    fragments = set(
        re.findall(r"\\variable\{output/((?:comparison|conclusions)_[a-z_]+\.tex)\}", ms)
    )
    assert fragments == set(comparison.COMPARISON_TABLES)
    section = ms[ms.index(r"\label{sec:baselines}") : ms.index(r"\label{sec:materials}")]
    assert "0.05" not in section  # alpha comes from the profile


def regime_runs(tmp_path, end_to_end_gain: float):
    """The multimodal model frozen, end to end (better by `end_to_end_gain`, with noise over
    splits) and one ablation, beside the DFT forest, on BH FullCV and Test1."""
    records = []
    for i, split in enumerate(FULLCV):
        noise = split_noise(split) + 1e-3 * (i % 3)
        records += [
            record("multimodal", split, r2=0.90 + noise, mae=1.0, rmse=2.0),
            {
                **record("multimodal", split, r2=0.90 + end_to_end_gain + noise, mae=1.0, rmse=2.0),
                "variant": "end_to_end",
            },
            {**record("multimodal", split, r2=0.50, mae=9.0, rmse=9.0), "variant": "no_human"},
            record("dft_rf", split, r2=0.85 + split_noise(split), mae=1.0, rmse=2.0),
        ]
    return collect(tmp_path, records)


def test_the_end_to_end_regime_is_a_model_of_its_own_and_ablations_are_not(tmp_path, published):
    runs = regime_runs(tmp_path, 0.02)
    assert set(runs["model"]) == {"multimodal", "multimodal_end_to_end", "dft_rf"}
    values = comparison.values_by_model(runs, comparison.BY_KEY["bh_fullcv"], "r2")
    assert set(values) == {"multimodal", "multimodal_end_to_end", "dft_rf"}
    assert values["multimodal"][("FullCV_01", 0)] == pytest.approx(0.90 + split_noise("FullCV_01"))
    assert comparison.seeds_label(runs, "multimodal") == "1"  # the ablation is not counted
    table = comparison.comparison_table(runs, published, SETTINGS)
    assert comparison.MODEL_LABELS["multimodal_end_to_end"] in table
    (fullcv,) = [tests for p, tests in comparison.baseline_families(runs, SETTINGS)]
    assert {t.model for t in fullcv} == {"multimodal_end_to_end", "dft_rf"}


@pytest.mark.parametrize(
    ("gain", "words"),
    [
        (0.02, "on BH FullCV it raises $R^2$ (end to end minus frozen 0.020"),
        (-0.02, "on BH FullCV it lowers $R^2$ (end to end minus frozen -0.020"),
        (0.0, "on BH FullCV it leaves $R^2$ within $\\pm$0.010 (end to end minus frozen"),
    ],
)
def test_regime_sentences_follow_the_test(tmp_path, gain, words):
    text = comparison.regime_sentences(regime_runs(tmp_path, gain), {}, SETTINGS)
    assert text.startswith("Training the graph encoder end to end with the head")
    assert words in text
    assert "$n = 10$ splits" in text


def test_regime_sentences_without_the_end_to_end_regime(tmp_path):
    runs = write_runs(tmp_path, lambda m, s: 0.9, splits=FULLCV)
    assert comparison.regime_sentences(runs, {}, SETTINGS) == (
        "The end-to-end regime was not run.\n"
    )
