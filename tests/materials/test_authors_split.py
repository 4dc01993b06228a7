"""The MatBERT head to head on the authors' split: the data it is built from, the
regressors, and the tests and sentences, each against an answer known independently."""

from dataclasses import replace

import numpy as np
import polars as pl
import pytest

from reeval.config import load_config
from reeval.errors import DataError
from reeval.materials import authors_split_report as report
from reeval.materials.authors_split import (
    OWN,
    REPRESENTATIONS,
    TARGETS,
    TRAINING_MEAN,
    AuthorsSplit,
    authors_split,
    ridge_predictions,
    run_authors_split,
)
from reeval.materials.pool import MR
from reeval.settings import Materials, from_mapping, with_overrides
from reeval.stats.paired import Verdict

MLP = with_overrides(
    from_mapping(Materials, load_config("quick")["materials"]).property_mlp,
    {
        "expert": [8],
        "tower": [4],
        "dropout": 0.0,
        "epochs": 3,
        "batch_size": 16,
        "lr": 0.01,
        "min_lr": 0.001,
        "weight_decay": 0.0,
        "patience": 5,
        "validation_fraction": 0.1,
        "grad_clip": 5.0,
        "seeds": [0],
        "test_fraction": 0.2,
    },
)


def write_authors_files(raw, train_ids, test_ids):
    for part, ids in (("train", train_ids), ("test", test_ids)):
        folder = raw / MR / f"{part}_structure_egap"
        folder.mkdir(parents=True)
        pl.DataFrame(
            {
                "id": ids,
                "eform": [float(i) for i in range(len(ids))],
                "egap": [10.0 + i for i in range(len(ids))],
            }
        ).write_csv(folder / f"{part}_data.csv")


def test_the_split_follows_the_authors_files_and_lists_what_it_leaves_out(tmp_path):
    write_authors_files(tmp_path, ["mp-1", "mp-2", "mp-3"], ["mp-4", "mp-5"])
    pool = pl.DataFrame(
        {
            "id": [
                "query:TePb",
                "authors:mp-4",
                "authors:mp-1",
                "authors:mp-2",
                "authors:mp-5",
                "authors:mp-3",
                "wbm:x",
            ],
            "source": ["query", "authors", "authors", "authors", "authors", "authors", "wbm"],
        }
    )
    rng = np.random.default_rng(0)
    arrays = {name: rng.normal(size=(7, 3)) for name in OWN}
    arrays["crystalnn"][3] = np.nan  # authors:mp-2 lacks CrystalNN
    matbert = np.arange(5 * 4, dtype=np.float32).reshape(5, 4)  # rows in pool order
    split = authors_split(pool, arrays, matbert, tmp_path)
    assert split.ids == ["authors:mp-4", "authors:mp-1", "authors:mp-5", "authors:mp-3"]
    assert split.left_out == [("authors:mp-2", "no crystalnn")]
    assert split.is_train.tolist() == [False, True, False, True]
    assert (split.n_train, split.n_test) == (2, 2)
    # mp-4 is the first test row (eform 0, egap 10), mp-3 the third training row (2, 12)
    assert split.targets.tolist() == [[0.0, 10.0], [0.0, 10.0], [1.0, 11.0], [2.0, 12.0]]
    # MatBERT rows stay with their structures: [composition | description] halves
    assert split.features["matbert"][3].tolist() == matbert[4].tolist()
    assert split.features["matbert_composition"][0].tolist() == [0.0, 1.0]
    assert split.features["matbert_structure"][0].tolist() == [2.0, 3.0]
    assert split.features["lm"][1].tolist() == arrays["lm"][2].tolist()


def test_missing_split_file_and_misaligned_matbert_are_clear_errors(tmp_path):
    pool = pl.DataFrame({"id": ["authors:mp-1"], "source": ["authors"]})
    arrays = {name: np.zeros((1, 2)) for name in OWN}
    with pytest.raises(DataError, match=r"train_data\.csv is missing"):
        authors_split(pool, arrays, np.zeros((1, 4)), tmp_path)
    with pytest.raises(DataError, match=r"matbert\.npy 2 rows"):
        authors_split(pool, arrays, np.zeros((2, 4)), tmp_path)
    write_authors_files(tmp_path, ["mp-9"], ["mp-8"])
    with pytest.raises(DataError, match="in no split file"):
        authors_split(pool, arrays, np.zeros((1, 4)), tmp_path)


def test_ridge_recovers_a_linear_target_on_held_out_rows():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(80, 5))
    y = np.stack([x @ [1.0, -2.0, 0.5, 0.0, 3.0], x @ [0.0, 1.0, 0.0, 1.0, 0.0]], axis=1)
    train = np.arange(60)
    predicted = ridge_predictions(x, y, train, [1e-3, 1e-2, 1e-1, 1.0, 10.0])
    assert predicted.shape == (80, 2)
    assert np.abs(predicted[60:] - y[60:]).max() < 0.05
    # a penalty far too large for the data pulls every prediction to the training mean
    flat = ridge_predictions(x, y, train, [1e9])
    assert np.allclose(flat[60:], y[train].mean(axis=0), atol=1e-3)


def synthetic_split(n_train=40, n_test=20, seed=2) -> AuthorsSplit:
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    targets = rng.normal(size=(n, 2))
    features = {name: rng.normal(size=(n, 4)) for name in REPRESENTATIONS}
    features["matbert"] = np.hstack([targets, rng.normal(size=(n, 2)) * 0.01])
    return AuthorsSplit(
        ids=[f"authors:mp-{i}" for i in range(n)],
        is_train=np.arange(n) < n_train,
        targets=targets,
        features=features,
        left_out=[],
    )


def test_every_input_predicts_every_test_structure_and_the_informative_one_wins():
    split = synthetic_split()
    runs = run_authors_split(split, MLP, seeds=[0, 1], ridge_alphas=[0.01, 1.0])
    per_target = split.n_test * len(TARGETS)
    # the training mean once per regressor; each representation: one ridge, two MLP seeds
    assert runs.height == per_target * (2 + len(REPRESENTATIONS) * 3)
    assert set(runs["id"]) == {f"authors:mp-{i}" for i in range(40, 60)}
    mean_rows = runs.filter(pl.col("representation") == TRAINING_MEAN)
    assert np.allclose(
        mean_rows.filter(pl.col("target") == "eform")["prediction"].unique().to_numpy(),
        split.targets[:40, 0].mean(),
    )
    intervals = report.mae_intervals(runs, resamples=200, seed=0)
    ridge = intervals.filter(pl.col("regressor") == "ridge")
    mae = dict(zip(ridge["representation"] + "/" + ridge["target"], ridge["mae"], strict=True))
    assert mae["matbert/eform"] < 0.1 < mae["mat2vec/eform"]
    margins = report.equivalence_margins(intervals, 0.1)
    families = report.against_matbert(runs, margins, alpha=0.05)
    ridge_eform = {c.other: c.verdict for c in families[("ridge", "eform")]}
    assert ridge_eform["mat2vec"] == Verdict.BETTER
    assert ridge_eform[TRAINING_MEAN] == Verdict.BETTER


def test_too_small_a_split_is_refused():
    split = synthetic_split(n_train=1, n_test=5)
    with pytest.raises(DataError, match="1 training and 5 test"):
        run_authors_split(split, MLP, seeds=[0], ridge_alphas=[1.0])


def runs_frame(
    errors: dict[str, list[list[float]]], regressors=("mlp",), targets=("eform",)
) -> pl.DataFrame:
    """Runs with y = 0 and the given signed errors per representation (a list per seed of
    one error per structure), repeated for each regressor and target."""
    rows = [
        (regressor, rep, seed, f"s{i}", target, 0.0, e)
        for regressor in regressors
        for target in targets
        for rep, seeds in errors.items()
        for seed, values in enumerate(seeds)
        for i, e in enumerate(values)
    ]
    return pl.DataFrame(
        rows,
        schema=["regressor", "representation", "seed", "id", "target", "y", "prediction"],
        orient="row",
    )


def test_mae_averages_seeds_within_a_structure_and_brackets_it_by_bootstrap():
    runs = runs_frame({"matbert": [[1.0, -3.0, 2.0], [3.0, 1.0, -2.0]]})
    errors = report.structure_errors(runs)
    # |error| averaged over the two seeds: (1+3)/2, (3+1)/2, (2+2)/2
    assert errors["abs_error"].to_list() == [2.0, 2.0, 2.0]
    assert errors["n_seeds"].to_list() == [2, 2, 2]
    row = report.mae_intervals(runs, resamples=100, seed=0).row(0, named=True)
    assert (row["mae"], row["low"], row["high"], row["n_test"], row["n_seeds"]) == (
        2.0,
        2.0,
        2.0,
        3,
        2,
    )


def test_detectable_difference_against_a_hand_worked_case():
    # d = 1..5: sd = 1.58114, n = 5, df = 4; t(0.975, 4) = 2.776445, t(0.80, 4) = 0.940965
    expected = (2.776445 + 0.940965) * 1.5811388 / 5**0.5
    assert report.detectable_difference(np.arange(1.0, 6.0), 0.05, 0.8) == pytest.approx(
        expected, rel=1e-5
    )
    assert np.isnan(report.detectable_difference(np.array([1.0]), 0.05, 0.8))


def family(verdicts: dict[str, Verdict], template) -> list:
    return [replace(template, other=other, verdict=v) for other, v in verdicts.items()]


@pytest.fixture
def template():
    """MatBERT's first comparison when it has no error and every other input an error of 1
    on each of 8 structures."""
    errors = {rep: [[1.0] * 8] for rep in report.COMPARED} | {"matbert": [[0.0] * 8]}
    runs = runs_frame(errors, ("ridge", "mlp"), TARGETS)
    families = report.against_matbert(runs, {"eform": 0.1, "egap": 0.1}, alpha=0.05)
    return families[("mlp", "eform")][0]


def answer_for(verdict_of_other, template) -> str:
    families = {
        (r, t): family({o: verdict_of_other(o, r, t) for o in report.COMPARED}, template)
        for r in ("ridge", "mlp")
        for t in TARGETS
    }
    return report.language_model_answer(families)


def test_the_language_model_answer_follows_every_branch(template):
    better = answer_for(lambda o, r, t: Verdict.BETTER, template)
    assert "is needed in this sense" in better and "better in 4 of 4" in better
    worse = answer_for(
        lambda o, r, t: Verdict.WORSE if (o, t) == ("magpie", "egap") else Verdict.BETTER,
        template,
    )
    assert "a non-language representation (Magpie) is better than MatBERT" in worse
    mixed = answer_for(
        lambda o, r, t: Verdict.BETTER if o == "crystalnn" else Verdict.INCONCLUSIVE, template
    )
    assert "is not shown" in mixed and "in 4 of 12 tests" in mixed
    assert "inconclusive in 4 of 4" in mixed
    for text in (better, worse, mixed):
        assert "nan" not in text and "n/a" not in text and text.endswith(".\n")


def test_the_template_is_matbert_better_by_every_structure(template):
    # zero errors against errors of 1 on every structure: a sure difference
    assert template.verdict == Verdict.BETTER and template.mean_difference == -1.0


def test_tables_state_every_comparison_and_interval(template):
    families = {
        (r, t): family({o: Verdict.EQUIVALENT for o in report.COMPARED}, template)
        for r in ("ridge", "mlp")
        for t in TARGETS
    }
    table = report.tests_table(families)
    assert table.count("equivalent") == 2 * len(TARGETS) * len(report.COMPARED)
    assert table.count(r"\midrule") == 2
    runs = runs_frame({"matbert": [[1.0, 2.0]], TRAINING_MEAN: [[2.0, 2.0]]})
    mae = report.mae_table(report.mae_intervals(runs, resamples=50, seed=0))
    assert "MatBERT & n/a & 1.500 [1.000, 2.000] & n/a & n/a" in mae
    sentences = report.head_to_head_sentences(
        families,
        pl.DataFrame(
            {
                "regressor": ["mlp"],
                "target": ["eform"],
                "representation": ["lm"],
                "detectable": [0.25],
            }
        ),
        {"eform": 0.08, "egap": 0.1},
        n_test=100,
        n_seeds=10,
        alpha=0.05,
        power=0.8,
    )
    assert "equivalent to MatBERT-C" in sentences and "the training mean" in sentences
    assert "0.250 to 0.250\\,eV/atom in formation energy" in sentences
    assert "not available for the band gap" in sentences
    assert "$n = 100$ test structures $\\times$ 1 seed)" in sentences
    assert "$n = 100$ test structures $\\times$ 10 seeds)" in sentences


def test_the_left_out_count_reads_as_words():
    assert report.left_out_text(0) == "none of them lacks any of our representations"
    assert report.left_out_text(1).startswith("1 of them lacks one")
    assert report.left_out_text(3) == ("3 of them lack one of our representations and are left out")
