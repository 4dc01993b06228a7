import json

import pytest

from reeval.analysis import yield_model as analysis
from reeval.analysis.families import ComparisonSettings
from reeval.config import load_config
from reeval.data.published import load_published, published_r2
from reeval.settings import YieldModelProfile, with_overrides
from reeval.stats.paired import Verdict

SETTINGS = ComparisonSettings(0.05, {"r2": 0.01, "mae": 0.25, "rmse": 0.25}, 5, 500, 0)
FULLCV = [f"FullCV_{i:02d}" for i in range(1, 11)]


@pytest.fixture(scope="module")
def published(mirror):
    return load_published(mirror / "reactions/anchors/published_metrics.csv")


def fake_metrics(tmp_path, r2_by_run):
    """Metrics files of {(dataset, variant, split, seed): R2}."""
    paths = []
    for (dataset, variant, split, seed), value in r2_by_run.items():
        path = tmp_path / dataset / variant / split / f"seed{seed}" / "metrics.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(
                {
                    "dataset": dataset,
                    "split": split,
                    "variant": variant,
                    "seed": seed,
                    "train_fraction": 1.0,
                    "n_train": 2767,
                    "n_test": 1188,
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


def test_summaries_over_split_means_with_n_and_sentences(tmp_path, published):
    values = {}
    for i, v in enumerate([0.90, 0.94, 0.96], 1):  # two seeds per split, 0.02 apart
        values[("bh", "full", f"FullCV_0{i}", 0)] = v - 0.01
        values[("bh", "full", f"FullCV_0{i}", 1)] = v + 0.01
    values |= {("bh", "full", f"Test{i}", s): 0.5 + 0.1 * i for i in range(1, 5) for s in (0, 1)}
    values |= {("sm", "full", "random_split_0", 0): 0.82, ("bh", "no_uq", "FullCV_01", 0): 0.91}
    metrics = fake_metrics(tmp_path, values)
    fullcv = analysis.PROTOCOLS[0]
    s = analysis.summarise(metrics, fullcv, "full", "r2")
    # over the three split means (0.90, 0.94, 0.96), not the six runs
    assert (s.n_splits, s.n_seeds) == (3, 2)
    assert s.trimean == pytest.approx((0.92 + 2 * 0.94 + 0.95) / 4)
    assert analysis.summarise(metrics, fullcv, "no_graph", "r2").cell(3) == "--"
    table = analysis.main_table(metrics, published)
    assert "0.951 $\\pm$ 0.005" in table
    assert "BH FullCV (random 70/30) & 3 x 2 &" in table
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
    assert ablation.count("\\\\") == 2 + len(analysis.ABLATIONS)  # header, full, ablations
    assert "3 x 2" in ablation


def ablation_runs(tmp_path, effects, splits=FULLCV, seeds=(0, 1, 2)):
    """The full model and each ablation on BH FullCV: full 0.95 plus a per-split wobble,
    each ablation offset by its effect (and the same wobble, plus its own noise)."""
    values = {}
    for index, split in enumerate(splits):
        wobble = 0.01 * ((index * 7) % 5)
        for seed in seeds:
            values[("bh", "full", split, seed)] = 0.95 + wobble
            for variant, (effect, noise) in effects.items():
                sign = 1 if (index + seed) % 2 else -1
                values[("bh", variant, split, seed)] = 0.95 + wobble + effect + sign * noise
    return fake_metrics(tmp_path, values)


def test_ablation_tests_and_sentences_follow_every_branch(tmp_path):
    metrics = ablation_runs(
        tmp_path,
        {
            "no_human": (-0.25, 0.002),  # worse, clearly
            "no_graph": (0.0, 0.001),  # equivalent within 0.01
            "no_smiles": (-0.004, 0.03),  # too noisy either way
            "no_uq": (0.02, 0.001),  # better
            "no_aux": (0.0, 0.001),  # equivalent too
            "human_mlp": (-0.02, 0.001),  # worse
        },
    )
    ((_, tests),) = analysis.ablation_families(metrics, SETTINGS)
    verdicts = {t.model: t.verdict for t in tests}
    assert verdicts == {
        "no_aux": Verdict.EQUIVALENT,
        "human_mlp": Verdict.WORSE,
        "no_uq": Verdict.BETTER,
        "no_smiles": Verdict.INCONCLUSIVE,
        "no_graph": Verdict.EQUIVALENT,
        "no_human": Verdict.WORSE,
    }
    assert all(t.n_splits == 10 and t.seeds_per_split == 3 for t in tests)
    text = analysis.ablation_sentences(metrics, SETTINGS)
    assert (
        "removing the human features or replacing the model by an MLP on the human features"
        " lowers $R^2$" in text
    )
    assert "removing the UQ head raises $R^2$" in text
    assert "removing $L_r$ or removing the graph encoder leaves it within $\\pm$0.010" in text
    assert "removing the SMILES encoder is inconclusive (n = " in text
    assert "The largest change: without human features is worse than the full model" in text
    for bad in ("n/a", "nan", "-0.000"):
        assert bad not in text
    own = analysis.own_input_sentences(metrics, SETTINGS)
    assert own == (
        "On BH FullCV, replacing the model by an MLP on the human features lowers $R^2$ "
        "(variant minus full -0.020, 95\\,\\% CI -0.021 to -0.019; $n = 10$ splits).\n"
    )
    table = analysis.ablation_tests_table(metrics, SETTINGS)
    assert "10 x 3" in table and "worse" in table and "equivalent" in table


def test_ablations_on_too_few_splits_are_inconclusive(tmp_path):
    metrics = ablation_runs(tmp_path, {"no_human": (-0.25, 0.002)}, splits=FULLCV[:3])
    ((_, (test,)),) = analysis.ablation_families(metrics, SETTINGS)
    assert test.verdict == Verdict.INCONCLUSIVE
    text = analysis.ablation_sentences(metrics, SETTINGS)
    assert "inconclusive with $n = 3$ splits" in text


def test_no_ablation_runs_say_so(tmp_path):
    metrics = fake_metrics(tmp_path, {("bh", "full", "FullCV_01", 0): 0.9})
    assert analysis.ablation_sentences(metrics, SETTINGS) == "No ablation was run.\n"


def test_seeds_text_names_the_out_of_sample_seeds():
    quick = YieldModelProfile.from_profile(load_config("quick"))

    def seeds(**changes):
        return analysis.seeds_text(with_overrides(quick, changes))

    assert seeds(seeds=[0], test_seeds=None) == 1
    assert seeds(seeds=[0], test_seeds=[0]) == 1
    assert seeds(seeds=[0], test_seeds=[0, 1, 2]) == "1 (3 on Test1-4)"
