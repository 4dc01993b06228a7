"""Our models against published numbers: the released Yield-BERT checkpoints split by split
(paired, corrected t-tests), the strongest published results on our protocols, the
deviations table from the profile, and the conclusions' sentences."""

import pytest
from test_comparison_analysis import (
    FULLCV,
    SETTINGS,
    TESTS,
    collect,
    record,
    synthetic_predictions,
)

from reeval.analysis import conclusions, published_reference
from reeval.analysis.comparison import MODEL_LABELS
from reeval.analysis.deviations import deviations_table
from reeval.analysis.families import relation_text
from reeval.config import load_config
from reeval.data.published import (
    ReportedResult,
    load_published,
    load_reported,
    published_split_r2,
)
from reeval.errors import DataError
from reeval.settings import YieldModelProfile, with_overrides
from reeval.stats.paired import Verdict

ANCHORS = "src/static/anchors"


@pytest.fixture(scope="module")
def published(repo_root):
    return load_published(repo_root / ANCHORS / "published_metrics.csv")


def test_the_released_checkpoints_have_one_r2_per_split(published):
    per_split = published_split_r2(published)
    assert sorted(per_split) == sorted(FULLCV + TESTS)
    # as the notebook printed them (anchors file, verified rows)
    assert per_split["FullCV_01"] == 0.95 and per_split["Test4"] == 0.54


def test_two_rows_for_one_split_are_refused(published):
    row = published.filter(published["split"].str.starts_with("FullCV_01 ")).head(1)
    with pytest.raises(DataError, match="two verified R2 rows"):
        published_split_r2(published.vstack(row))


def runs_against_yield_bert(tmp_path, published, shift: dict[str, float]):
    """Each model = the published Yield-BERT value of the split + its shift, with a
    wobble of +-0.002 from split to split (3 seeds for the multimodal model)."""
    theirs = published_split_r2(published)
    records = []
    for index, split in enumerate(FULLCV + TESTS):
        wobble = 0.002 * (1 if index % 2 else -1)
        for model, delta in shift.items():
            for seed in (0, 1, 2) if model == "multimodal" else (0,):
                records.append(record(model, split, seed, r2=theirs[split] + delta + wobble))
    return collect(tmp_path, records)


def test_models_are_tested_against_yield_bert_split_by_split(tmp_path, published):
    runs = runs_against_yield_bert(
        tmp_path, published, {"multimodal": 0.02, "dft_rf": -0.05, "drfp_gbt": 0.0}
    )
    tests = {
        t.model: t
        for t in published_reference.yield_bert_family(
            runs, published, list(MODEL_LABELS), SETTINGS
        )
    }
    assert set(tests) == {"multimodal", "dft_rf", "drfp_gbt"}
    assert tests["multimodal"].verdict == Verdict.BETTER
    assert tests["dft_rf"].verdict == Verdict.WORSE
    assert tests["drfp_gbt"].verdict == Verdict.EQUIVALENT
    assert tests["multimodal"].mean_difference == pytest.approx(0.02, abs=1e-9)
    assert all(t.n_splits == 10 for t in tests.values())
    text = published_reference.yield_bert_sentences(runs, published, MODEL_LABELS, SETTINGS)
    assert "Multimodal (Chen et al., ours) is better than the released Yield-BERT" in text
    assert "DFT descriptors + RF is worse than" in text
    assert "0.020 (95\\,\\% CI" in text
    table = published_reference.yield_bert_table(runs, published, MODEL_LABELS, SETTINGS)
    # out of sample: ours (mean of the seeds) minus the published single run
    assert "Test4 (0.54)" in table
    dft_row = next(line for line in table.splitlines() if line.startswith("DFT descriptors"))
    assert dft_row.split(" & ")[1:] == ["-0.052 (1)", "-0.048 (1)", "-0.052 (1)", "-0.048 (1) \\\\"]


@pytest.mark.parametrize(
    ("shift", "says", "conclusion"),
    [
        (-0.2, "is worse than the fine-tuned checkpoints: it minus them is -0.200", True),
        (0.0, "is equivalent to the fine-tuned checkpoints: it minus them is 0.000", False),
    ],
)
def test_the_fine_tuning_sentence_follows_its_test(tmp_path, published, shift, says, conclusion):
    runs = runs_against_yield_bert(tmp_path, published, {"multimodal": 0.0, "rxnbert_gbt": shift})
    text = published_reference.yield_bert_sentences(runs, published, MODEL_LABELS, SETTINGS)
    assert says in text and "$n = 10$ splits" in text
    assert ("accuracy comes from fine-tuning" in text) == conclusion
    # without the frozen BERT's runs (a profile without them) nothing is said of it
    alone = runs_against_yield_bert(tmp_path, published, {"multimodal": 0.0})
    assert "fine-tunes" not in published_reference.yield_bert_sentences(
        alone, published, MODEL_LABELS, SETTINGS
    )


def test_reported_results_sit_beside_ours_with_the_gap(tmp_path, repo_root):
    reported = load_reported(repo_root / ANCHORS / "published_metrics_additions.csv")
    uam = [r for r in reported if r.model.startswith("UAM")]
    assert {(r.dataset, r.value) for r in uam} == {
        ("Buchwald-Hartwig", 0.976),
        ("Suzuki-Miyaura", 0.888),
    }
    end_to_end = [{**record("multimodal", s, r2=0.96), "variant": "end_to_end"} for s in FULLCV]
    runs = collect(tmp_path, [record("multimodal", s, r2=0.95) for s in FULLCV] + end_to_end)
    table = published_reference.reported_table(runs, reported)
    assert "0.976 $\\pm$ 0.001 & 10 & 0.950 (10) & -0.026 & 0.960 (10) & -0.016" in table
    assert "BH Test4 & 0.736 & -- & -- & -- & -- & --" in table  # no run on Test4 here
    text = published_reference.reproduction_sentences(runs, reported)
    assert (
        "on BH FullCV our $R^2$ trimean with frozen encoders 0.950 ($n = 10$ splits) is 0.026 "
        "below its 0.976 and with the graph encoder end to end 0.960 ($n = 10$ splits) is "
        "0.016 below its 0.976"
    ) in text
    assert "SM" not in text  # no SM run: no claim
    none = [ReportedResult("X", "p", "Amide", "rand", 0.5, None, None, "v")]
    assert "No published re-run" in published_reference.reproduction_sentences(runs, none)


def test_deviations_follow_the_profile():
    settings = YieldModelProfile.from_profile(load_config("quick"))
    table = deviations_table(settings)
    assert "MSE on $\\mu$" in table and "then frozen" in table
    assert "on all reactions" in table
    changed = with_overrides(settings, {"pretrain_on": "train", "loss": {"sample_in_mse": True}})
    other = deviations_table(changed)
    assert "the sample $\\mu + \\epsilon\\sigma$" in other
    assert "each split's training reactions" in other
    assert other != table


def test_conclusions_name_the_strongest_baseline_and_follow_its_test(tmp_path):
    def value(model, split):
        return {"multimodal": 0.95, "drfp_gbt": 0.93, "dft_rf": 0.90}.get(model, 0.5)

    records = [
        record(m, s, r2=value(m, s) + 0.001 * (i % 3))
        for i, s in enumerate(FULLCV)
        for m in ("multimodal", "drfp_gbt", "dft_rf")
    ]
    runs = collect(tmp_path, records)
    predictions = synthetic_predictions({"multimodal": 15.0, "dft_rf": 0.0, "drfp_gbt": 15.0})
    text = conclusions.machinery_sentences(runs, predictions, SETTINGS)
    assert text.startswith(
        "On BH FullCV the multimodal model is better than the strongest baseline, "
        "DRFP + gradient boosting: the multimodal model minus it is 0.020"
    )
    # out of sample: DFT (unbiased) is better on every test set, DRFP as biased as ours
    assert "worse than at least one baseline on 4 of the 4 test sets" in text
    assert "better than every baseline on 0 " in text
    assert "nan" not in text.lower() and "-0.000" not in text


@pytest.mark.parametrize(
    ("gap", "text"),
    [
        (0.0, "equal at 3 decimals to"),
        (-0.0, "equal at 3 decimals to"),
        (-0.0004, "equal at 3 decimals to"),
        (0.0004, "equal at 3 decimals to"),
        (-0.021, "0.021 below"),
        (0.0206, "0.021 above"),
    ],
)
def test_relation_never_reads_zero_below(gap, text):
    assert relation_text(gap, 3) == text


def test_a_reproduction_equal_to_the_published_value_says_so(tmp_path, repo_root):
    reported = load_reported(repo_root / ANCHORS / "published_metrics_additions.csv")
    runs = collect(tmp_path, [record("multimodal", s, r2=0.976) for s in FULLCV])
    text = published_reference.reproduction_sentences(runs, reported)
    assert "is equal at 3 decimals to its 0.976" in text
    assert "0.000" not in text and "n/a" not in text
