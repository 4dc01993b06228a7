"""The graph baselines trained side by side: the stacked encoder and head compute what each
GraphRegressor computes, a run trained among others equals the run trained alone, and
without dropout the engine equals the one-model path."""

import numpy as np
import pytest
import torch

from reeval.baselines.neural import (
    build_graph_regressor,
    fit_end_to_end,
    predict_end_to_end,
    run_graph_group,
)
from reeval.baselines.registry import baseline
from reeval.config import load_config
from reeval.featurize.graphs import MoleculeGraphs
from reeval.featurize.store import (
    FeatureSettings,
    build_feature_store,
    load_graph_cache,
    load_molecules,
)
from reeval.models.stacked_graph import StackedGraphRegressor
from reeval.settings import Baselines, GraphBaseline, with_overrides
from reeval.training.batched import RunSpec
from reeval.training.runtime import seed_everything

CPU = torch.device("cpu")


def settings(dropout: float, epochs: int = 6, patience: int = 1) -> GraphBaseline:
    """The quick profile's graph baselines, small, with this dropout and budget."""
    return with_overrides(
        Baselines.from_profile(load_config("quick")).mpnn,
        dict(
            hidden=8,
            steps=2,
            set2set_steps=2,
            output_dim=8,
            head_hidden=16,
            dropout=dropout,
            mc_samples=4,
            epochs=epochs,
            batch_size=16,
            lr=3e-3,
            weight_decay=0.0,
            min_lr=1e-4,
            patience=patience,
            validation_fraction=0.2,
            grad_clip=5.0,
        ),
    )


@pytest.fixture(scope="module")
def store(bh_tables, mirror, tmp_path_factory):
    reactions = bh_tables.reactions.sample(120, seed=5).sort("reaction_id")
    out = tmp_path_factory.mktemp("features")
    build_feature_store(
        reactions,
        "bh",
        out,
        FeatureSettings(2, 64, 64, 2),
        mirror / "reactions/buchwald_hartwig/rxnpredict",
    )
    return reactions, out


def specs(count=3):
    order = np.random.default_rng(2).permutation(120)
    return [
        RunSpec(f"run{i}", i, np.sort(order[: 60 + 12 * i]), np.sort(order[100:]))
        for i in range(count)
    ]


def test_stacked_forward_equals_each_regressor(store):
    _, features = store
    graphs = MoleculeGraphs(load_molecules(features), load_graph_cache(features), CPU)
    models = []
    for seed in range(3):
        torch.manual_seed(seed)
        models.append(build_graph_regressor(baseline("mpnn_mcdropout"), settings(0.2)).eval())
    stacked = StackedGraphRegressor(models).eval()
    index = torch.stack([torch.arange(10) + 20 * m for m in range(3)])
    mu, log_var = stacked(graphs, index)
    for m, model in enumerate(models):
        expect_mu, expect_log_var = model(graphs, index[m].numpy())
        torch.testing.assert_close(mu[m], expect_mu, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(log_var[m], expect_log_var, atol=1e-5, rtol=1e-5)
        model.load_state_dict(stacked.state_dict_of(m))  # strict: every key and shape


@pytest.mark.parametrize("name", ["mpnn", "mpnn_mcdropout"])
def test_a_run_trained_among_others_equals_the_run_trained_alone(store, name):
    reactions, features = store
    cfg = settings(0.1)
    together = run_graph_group(baseline(name), reactions, features, specs(), cfg, CPU, False)
    assert len({r.facts["epochs_run"] for r in together}) > 1  # they stopped apart
    for i, spec in enumerate(specs()):
        (alone,) = run_graph_group(baseline(name), reactions, features, [spec], cfg, CPU, False)
        assert together[i].facts == alone.facts
        for key, value in alone.out.items():
            np.testing.assert_allclose(together[i].out[key], value, atol=1e-3, err_msg=key)


def test_without_dropout_the_engine_equals_the_one_model_path(store):
    reactions, features = store
    cfg = settings(0.0, epochs=8, patience=8)
    spec = specs(1)[0]
    (engine,) = run_graph_group(baseline("mpnn"), reactions, features, [spec], cfg, CPU, False)
    generator = seed_everything(spec.seed)
    model = build_graph_regressor(baseline("mpnn"), cfg)
    graphs = MoleculeGraphs(load_molecules(features), load_graph_cache(features), CPU)
    yields = torch.tensor(reactions["yield_pct"].to_numpy(), dtype=torch.float32)
    history, best_epoch, scale = fit_end_to_end(
        model, graphs, yields, spec.train_rows, cfg.optimisation, generator, progress=False
    )
    out = predict_end_to_end(model, graphs, spec.test_rows, scale)
    assert engine.facts["best_epoch"] == best_epoch
    assert engine.facts["epochs_run"] == len(history)
    np.testing.assert_allclose(engine.out["mu"], out["mu"], atol=1e-3)


def test_mc_dropout_gives_both_parts_of_sigma(store):
    reactions, features = store
    (run,) = run_graph_group(
        baseline("mpnn_mcdropout"), reactions, features, specs(1), settings(0.2), CPU, False
    )
    assert (run.out["sigma_epistemic"] > 0).all() and (run.out["sigma_aleatoric"] > 0).all()
    np.testing.assert_allclose(
        run.out["sigma"] ** 2,
        run.out["sigma_aleatoric"] ** 2 + run.out["sigma_epistemic"] ** 2,
        rtol=1e-5,
    )


@pytest.mark.parametrize("name", ["mpnn", "mpnn_mcdropout"])
def test_graph_baselines_never_see_test_yields(store, name):
    """Changing the test rows' yields leaves the predictions bit-identical; changing some
    training rows' yields does not (so the check can fail)."""
    reactions, features = store
    cfg = settings(0.1, epochs=3)
    runs = specs(2)
    before = run_graph_group(baseline(name), reactions, features, runs, cfg, CPU, False)

    def flipped(rows):
        y = reactions["yield_pct"].to_numpy().copy()
        y[rows] = 100.0 - y[rows]
        return reactions.with_columns(yield_pct=y)

    after = run_graph_group(
        baseline(name), flipped(runs[0].test_rows), features, runs, cfg, CPU, False
    )
    for a, b in zip(before, after, strict=True):
        for key, value in a.out.items():
            np.testing.assert_array_equal(value, b.out[key], err_msg=key)
    leaked = run_graph_group(
        baseline(name), flipped(runs[0].train_rows[:20]), features, runs[:1], cfg, CPU, False
    )
    assert not np.array_equal(leaked[0].out["mu"], before[0].out["mu"])
