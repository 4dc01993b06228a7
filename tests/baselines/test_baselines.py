"""Every baseline overfits a tiny real set; the random-feature control is chemistry-blind."""

import dataclasses
import json

import numpy as np
import polars as pl
import pytest
from safetensors import safe_open
from safetensors.numpy import save_file

from reeval.baselines.plan import baseline_runs, group_baseline_runs, learning_curve_runs
from reeval.baselines.registry import BASELINES, baseline
from reeval.baselines.run import _features_of, run_baseline_rows
from reeval.baselines.tabular import fit_predict_trees
from reeval.config import load_config
from reeval.errors import DataError
from reeval.featurize import components
from reeval.featurize.human import DFT_ROLES
from reeval.featurize.rxnfp import write_rxnfp_vectors
from reeval.featurize.rxnfp_files import RXNFP_MODELS, rxnfp_file
from reeval.featurize.store import HUMAN, FeatureSettings, build_feature_store, dft_widths
from reeval.io import atomic_path
from reeval.reactions.splits import subsample_training
from reeval.settings import Baselines, YieldModelProfile, seeds_of_split, with_overrides
from reeval.stats.metrics import r2
from reeval.training.plan import planned_runs

# constant learning rates, no validation part: every epoch trains on all 64 reactions
TRAINING = dict(
    epochs=100, batch_size=8, weight_decay=0.0, patience=100, validation_fraction=0.0, grad_clip=5.0
)
SETTINGS = with_overrides(
    Baselines.from_profile(load_config("quick")),
    {
        "random_forest": dict(n_estimators=50, max_features=1.0, min_samples_leaf=1),
        "mordred_max_features": 0.5,
        "boosting": dict(max_iter=200, learning_rate=0.2, max_leaf_nodes=15, min_samples_leaf=2),
        "mpnn": dict(
            hidden=16,
            steps=2,
            set2set_steps=2,
            output_dim=64,
            head_hidden=64,
            dropout=0.05,
            mc_samples=5,
            lr=1e-3,
            min_lr=1e-3,
            **(TRAINING | {"epochs": 200}),
        ),
    },
)


@pytest.fixture(scope="module")
def tiny_store(bh_tables, mirror, tmp_path_factory):
    """Feature store of 64 Buchwald-Hartwig reactions (with DFT and the random control)."""
    reactions = bh_tables.reactions.sample(64, seed=3).sort("reaction_id")
    out = tmp_path_factory.mktemp("features")
    build_feature_store(
        reactions,
        "bh",
        out,
        FeatureSettings(2, 256, 512, 3),
        mirror / "reactions/buchwald_hartwig/rxnpredict",
    )
    for model in RXNFP_MODELS:
        write_rxnfp_vectors(reactions, mirror / "reactions/rxnfp" / model, out / rxnfp_file(model))
    return reactions, out


# Yield-BERT's fine-tuning has a test of its own (tests/training/test_yield_bert.py)
@pytest.mark.parametrize("name", [n for n, b in BASELINES.items() if b.kind != "bert"])
def test_every_baseline_overfits_64_reactions(tiny_store, name):
    reactions, features = tiny_store
    rows = np.arange(64)
    ((predictions, metrics),) = run_baseline_rows(
        baseline(name), reactions, features, [("all", 0, rows, rows)], SETTINGS, 1, "cpu", False
    )
    # bootstrap resampling keeps a forest's training fit below the other models'; the
    # heteroscedastic loss lets the MC-dropout model explain hard reactions by a large sigma
    # (over seeds its training R2 ranged 0.76-0.94 here)
    floor = {"forest": 0.85, "boosting": 0.9}.get(baseline(name).kind, 0.9)
    if baseline(name).predicts_sigma:
        floor = 0.7
    assert r2(predictions["y"], predictions["mu"]) > floor, metrics
    assert predictions.height == 64
    assert predictions["sigma"].is_nan().all() != baseline(name).predicts_sigma
    if baseline(name).predicts_sigma:
        assert {"nll", "coverage_95"} <= set(metrics)
        assert (predictions["sigma_epistemic"] > 0).all()


def test_random_control_depends_on_component_identity_only():
    a = components.random_vector(0, "ligand", "XPhos", 8)
    assert np.array_equal(a, components.random_vector(0, "ligand", "XPhos", 8))
    assert not np.allclose(a, components.random_vector(0, "ligand", "tBuXPhos", 8))
    assert not np.allclose(a, components.random_vector(1, "ligand", "XPhos", 8))
    assert not np.allclose(a, components.random_vector(0, "base", "XPhos", 8))


def test_random_control_of_reactions(bh_tables):
    reactions = bh_tables.reactions
    widths = {"aryl_halide": 3, "ligand": 2, "base": 4, "additive": 5}
    features = components.random_control(reactions, widths, seed=0)
    assert features.shape == (reactions.height, 14)
    # a component's vector does not depend on which other reactions are present
    subset = reactions.filter(pl.col("additive") == reactions["additive"][0])
    again = components.random_control(subset, widths, seed=0)
    np.testing.assert_array_equal(
        again, features[reactions["additive"] == reactions["additive"][0]]
    )
    # two distinct components never share a vector
    block = features[:, 9:]
    distinct = {tuple(np.round(v, 6)) for v in block}
    assert len(distinct) == reactions["additive"].n_unique()


def test_each_run_draws_its_random_features_in_the_dft_layout(tiny_store):
    """The control of Chuang & Keiser: each run's vectors have the DFT blocks' widths, one
    vector per component within the run, drawn afresh for every run (split and seed)."""
    reactions, features = tiny_store
    with safe_open(str(features / HUMAN), "np") as handle:
        dft = handle.get_tensor("dft")
        dft_names = json.loads(handle.metadata()["columns"])["dft"]
    # the DFT columns run role by role; the random vectors follow the same layout
    roles = [next(r for r in DFT_ROLES if n.startswith(f"{r}_")) for n in dft_names]
    assert roles == sorted(roles, key=DFT_ROLES.index)
    widths = {role: roles.count(role) for role in DFT_ROLES}
    assert dft_widths(features) == widths and all(widths.values())
    draws = {
        name: _features_of(baseline("random_rf"), reactions, features)(name, seed)
        for name, seed in [
            ("FullCV_01 seed 0", 0),
            ("FullCV_02 seed 0", 0),
            ("FullCV_01 seed 1", 1),
        ]
    }
    first = draws["FullCV_01 seed 0"]
    assert first.shape == dft.shape == (64, len(dft_names))
    for other in ("FullCV_02 seed 0", "FullCV_01 seed 1"):
        assert not np.allclose(first, draws[other])  # a fresh draw per split and per seed
    start = 0
    for role, width in widths.items():
        block = first[:, start : start + width]
        start += width
        vectors: dict[str, set[bytes]] = {}
        for component, vector in zip(reactions[role].to_list(), block, strict=True):
            vectors.setdefault(component, set()).add(vector.tobytes())
            expected = components.random_vector(0, role, component, width, "FullCV_01 seed 0")
            np.testing.assert_array_equal(vector, expected)
        assert all(len(v) == 1 for v in vectors.values()), role  # same component, same vector
        shared = [v.pop() for v in vectors.values()]
        assert len(set(shared)) == len(shared), role  # distinct components, distinct vectors
        assert len(shared) == reactions[role].n_unique()
    assert start == first.shape[1]


def test_a_store_without_dft_descriptors_has_no_random_control(tmp_path):
    """Suzuki-Miyaura has no DFT descriptors: asking for the control's layout says so."""
    with atomic_path(tmp_path / HUMAN, checksum=True) as tmp:
        save_file({"reaction_id": np.arange(3)}, str(tmp), metadata={"columns": "{}"})
    with pytest.raises(DataError, match="no DFT descriptors"):
        dft_widths(tmp_path)


def test_one_hot_has_one_component_per_role(bh_tables):
    onehot, names = components.one_hot_components(
        bh_tables.reactions, components.ROLE_COLUMNS["bh"]
    )
    assert onehot.shape == (3955, 15 + 4 + 3 + 22) and len(names) == onehot.shape[1]
    assert (onehot.sum(axis=1) == 4).all()


def test_training_fractions():
    train = np.arange(100, 2867)
    small = subsample_training(train, 3955, 0.025, seed=0)
    assert len(small) == 99 and set(small) <= set(train)
    assert np.array_equal(small, subsample_training(train, 3955, 0.025, seed=0))
    assert not np.array_equal(small, subsample_training(train, 3955, 0.025, seed=1))
    assert np.array_equal(subsample_training(train, 3955, 0.7, seed=0), train)
    assert np.array_equal(subsample_training(train, 3955, 1.0, seed=0), train)


def test_plans():
    splits = {"bh": ["FullCV_01", "Test1"], "sm": ["random_split_0"]}
    settings = with_overrides(
        Baselines.from_profile(load_config("quick")),
        {
            "seeds": [0],
            "test_seeds": None,
            "learning_curve": {
                "fractions": [0.05, 0.1],
                "splits": ["FullCV_01"],
                "seeds": [0, 1],
                "models": ["multimodal", "dft_rf"],
            },
        },
    )
    runs = baseline_runs(settings, splits)
    per_model = {m: sum(r.model == m for r in runs) for m in BASELINES}
    # every baseline on every split of its data sets (dft and random: bh only)
    assert per_model["dft_rf"] == 2 and per_model["onehot_rf"] == 3 and per_model["mpnn"] == 3
    lc = learning_curve_runs(settings)
    assert len(lc) == 2 * 2 * 2 and {r.fraction for r in lc} == {"0.05", "0.1"}
    groups = group_baseline_runs(runs + [r for r in lc if r.model != "multimodal"])
    # one job per data set and model, the learning curve of a model in a job of its own
    assert sorted(groups) == sorted(
        {(r.dataset, r.model) for r in runs} | {("bh_learning_curve", "dft_rf")}
    )
    assert sum(len(v) for v in groups.values()) == len(runs) + 4
    assert all(r.fraction != "1" for r in groups[("bh_learning_curve", "dft_rf")])


def test_yield_bert_runs_only_where_enabled_one_job_per_split():
    splits = {"bh": ["FullCV_01", "Test1"], "sm": ["random_split_0"]}
    off = with_overrides(
        Baselines.from_profile(load_config("quick")),
        {
            "seeds": [0],
            "test_seeds": None,
            "yield_bert": {"enabled": False},
            "learning_curve": {"fractions": [0.1], "splits": [], "seeds": [0], "models": []},
        },
    )
    assert not [r for r in baseline_runs(off, splits) if r.model == "yield_bert"]
    on = with_overrides(off, {"yield_bert": {"enabled": True}})
    runs = [r for r in baseline_runs(on, splits) if r.model == "yield_bert"]
    assert sorted((r.dataset, r.split) for r in runs) == [
        ("bh", "FullCV_01"),
        ("bh", "Test1"),
        ("sm", "random_split_0"),
    ]
    groups = group_baseline_runs(runs)
    assert sorted(groups) == [
        ("bh_FullCV_01", "yield_bert"),
        ("bh_Test1", "yield_bert"),
        ("sm_random_split_0", "yield_bert"),
    ]
    # the profiles: off in the default build, on in the full profile, both complete
    assert not Baselines.from_profile(load_config("quick")).yield_bert.enabled
    assert Baselines.from_profile(load_config("full")).yield_bert.enabled


def test_out_of_sample_seeds_and_the_whole_training_set_point():
    splits = {"bh": ["FullCV_01", "Test1", "Test2"], "sm": ["random_split_0"]}
    settings = with_overrides(
        Baselines.from_profile(load_config("quick")),
        {
            "seeds": [0],
            "test_seeds": [0, 1, 2],
            "learning_curve": {
                "fractions": [0.1, 0.7],
                "splits": ["FullCV_01"],
                "seeds": [0, 1, 2],
                "models": ["multimodal", "dft_rf"],
            },
        },
    )
    assert seeds_of_split(settings, "Test3") == [0, 1, 2]
    assert seeds_of_split(settings, "FullCV_01") == [0]
    runs = baseline_runs(settings, splits)
    dft = sorted((r.split, r.seed) for r in runs if r.model == "dft_rf")
    assert dft == [("FullCV_01", 0)] + [(t, s) for t in ("Test1", "Test2") for s in (0, 1, 2)]
    assert sum(r.model == "mpnn" and r.split == "Test1" for r in runs) == 3
    main = {("multimodal", "FullCV_01", 0), ("dft_rf", "FullCV_01", 0)}
    lc = learning_curve_runs(settings, main)
    whole = sorted((r.model, r.seed) for r in lc if r.fraction == "0.7")
    # seed 0 of each model is its main run; seeds 1 and 2 are trained at 0.7
    assert whole == [("dft_rf", 1), ("dft_rf", 2), ("multimodal", 1), ("multimodal", 2)]
    assert sum(r.fraction == "0.1" for r in lc) == 2 * 3
    yield_settings = with_overrides(
        YieldModelProfile.from_profile(load_config("quick")),
        {
            "seeds": [0],
            "test_seeds": [0, 1, 2],
            "splits": splits,
            "ablation_splits": {"bh": ["FullCV_01"], "sm": ["random_split_0"]},
        },
    )
    full_runs = [r for r in planned_runs(yield_settings) if r.variant == "full"]
    assert sorted((r.split, r.seed) for r in full_runs if r.dataset == "bh") == dft


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_every_learning_curve_point_has_every_seed(profile):
    config = load_config(profile)
    ym, bl = YieldModelProfile.from_profile(config), Baselines.from_profile(config)
    yield_runs = planned_runs(ym)
    runs = baseline_runs(bl, ym.splits)
    main = {("multimodal", r.split, r.seed) for r in yield_runs if r.dataset == "bh"} | {
        (r.model, r.split, r.seed) for r in runs if r.dataset == "bh"
    }
    lc = learning_curve_runs(bl, main)
    curve = bl.learning_curve
    for model in curve.models:
        for split in curve.splits:
            whole = {r.seed for r in lc if (r.model, r.split, r.fraction) == (model, split, "0.7")}
            whole |= {s for (m, sp, s) in main if (m, sp) == (model, split)}
            assert whole >= set(curve.seeds), (model, split)
    # the design does not shrink in any profile: at least 5 FullCV splits x 3 seeds at every
    # fraction, every baseline on every split of the multimodal model
    assert len(curve.splits) >= 5 and len(curve.seeds) >= 3
    assert len(ym.splits["bh"]) == 14 and len(ym.splits["sm"]) == 10
    assert len(ym.seeds) >= 3 and len(ym.test_seeds) >= 3
    assert list(ym.ablation_splits["bh"]) == [s for s in ym.splits["bh"] if "FullCV" in s]
    assert ym.ablation_splits["sm"] == ym.splits["sm"]


def test_forest_predictions_do_not_depend_on_threads():
    generator = np.random.default_rng(0)
    features, yields = generator.normal(size=(600, 8)), generator.uniform(0, 100, 600)
    train, test = np.arange(400), np.arange(400, 600)
    cfg = dataclasses.replace(SETTINGS.random_forest, n_estimators=64)
    one, two = (
        fit_predict_trees("forest", features, yields, train, test, cfg, seed=0, threads=t)
        for t in (1, 2)
    )
    assert np.array_equal(one, two)  # bit for bit, not approximately


def test_boosting_without_the_constant_columns_is_the_same_model():
    generator = np.random.default_rng(1)
    informative = generator.normal(size=(500, 6))
    constant = np.zeros((500, 40))
    constant[:, ::7] = 3.0
    yields = 50 + 10 * informative[:, 0] - 5 * informative[:, 1] ** 2
    train, test = np.arange(350), np.arange(350, 500)
    cfg = dataclasses.replace(SETTINGS.boosting, max_iter=50)
    from sklearn.ensemble import HistGradientBoostingRegressor

    direct = HistGradientBoostingRegressor(
        max_iter=50,
        learning_rate=cfg.learning_rate,
        max_leaf_nodes=cfg.max_leaf_nodes,
        min_samples_leaf=cfg.min_samples_leaf,
        early_stopping=False,
        random_state=0,
    ).fit(np.hstack([constant, informative])[train], yields[train])
    ours = fit_predict_trees(
        "boosting", np.hstack([constant, informative]), yields, train, test, cfg, seed=0, threads=1
    )
    expected = direct.predict(np.hstack([constant, informative])[test])
    assert np.array_equal(ours, expected)  # bit for bit
