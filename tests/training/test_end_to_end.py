"""The released code's regime: the graph encoder trained with the yield model. The stacked
model computes what each one-model `EndToEndYieldModel` computes, the engine equals the
one-model path, a run trained among others equals the run alone, the encoder learns (its
weights move and the loss falls), no test yield reaches training, and the SMILES encoder can
be trained end to end too."""

import dataclasses

import numpy as np
import pytest
import torch

from reeval.config import load_config
from reeval.featurize.graphs import MoleculeGraphs
from reeval.featurize.store import (
    FeatureSettings,
    build_feature_store,
    load_graph_cache,
    load_human_features,
    load_molecules,
)
from reeval.models.end_to_end import EndToEndYieldModel, StackedEndToEndYieldModel
from reeval.models.variants import variant
from reeval.settings import YieldModelProfile, with_overrides
from reeval.training.batched import RunSpec, build_end_to_end_model, loss_weights, train_group
from reeval.training.end_to_end import (
    ReactionTokens,
    build_one_model,
    fit_one_model,
    predict_one_model,
    train_one_by_one,
)
from reeval.training.runtime import seed_everything
from reeval.training.supervised import ReactionInputs

CPU = torch.device("cpu")
N = 160
SETTINGS = with_overrides(
    YieldModelProfile.from_profile(load_config("quick")).training_job(end_to_end=True),
    {
        "graph_encoder": dict(hidden=8, steps=2, set2set_steps=2, output_dim=8),
        "smiles_encoder": dict(
            embed_dim=16,
            heads=2,
            layers=1,
            output_dim=8,
            max_tokens=512,
            dropout=0.0,
            checkpoint_layers=False,
        ),
        "human_encoder": dict(hidden=16, output_dim=8, layers=1, experts=4, top_k=2, dropout=0.0),
        "head": dict(hidden=16, dropout=0.0),
        "loss": dict(sample_in_mse=False),
        "train": dict(
            epochs=6,
            batch_size=32,
            lr=5e-3,
            weight_decay=5e-5,
            min_lr=1e-5,
            patience=1,
            validation_fraction=0.15,
            grad_clip=5.0,
        ),
        "end_to_end": {"smiles": False},
    },
)
DROPOUT = with_overrides(SETTINGS, {"human_encoder": {"dropout": 0.1}, "head": {"dropout": 0.1}})


@pytest.fixture(scope="module")
def data(bh_tables, mirror, tmp_path_factory):
    """160 BH reactions: their molecule graphs, Morgan features, cached SMILES stand-ins."""
    reactions = bh_tables.reactions.sample(N, seed=3).sort("reaction_id")
    out = tmp_path_factory.mktemp("features")
    build_feature_store(
        reactions,
        "bh",
        out,
        FeatureSettings(2, 64, 64, 2),
        mirror / "reactions/buchwald_hartwig/rxnpredict",
    )
    _, human = load_human_features(out, ["morgan"])
    rng = np.random.default_rng(0)
    inputs = ReactionInputs(
        reactions["reaction_id"].to_numpy(),
        torch.zeros((N, 16)),  # the cached graph embedding: unused in this regime
        torch.from_numpy(rng.normal(size=(N, 8)).astype(np.float32)),
        torch.from_numpy(human),
        torch.tensor(reactions["yield_pct"].to_numpy(), dtype=torch.float32),
    )
    graphs = MoleculeGraphs(load_molecules(out), load_graph_cache(out), CPU)
    return reactions, inputs, graphs


def specs(count: int = 3) -> list[RunSpec]:
    order = np.random.default_rng(4).permutation(N)
    return [
        RunSpec(f"run{i}", seed, np.sort(order[: 80 + 16 * i]), np.sort(order[130:]))
        for i, seed in enumerate([0, 1, 2][:count])
    ]


def test_the_stacked_model_computes_what_each_model_computes(data):
    _, inputs, graphs = data
    models = []
    for seed in range(3):
        torch.manual_seed(seed)
        models.append(build_end_to_end_model(variant("end_to_end"), inputs, SETTINGS).eval())
    stacked = StackedEndToEndYieldModel(models).eval()
    index = torch.stack([torch.arange(12) + 30 * m for m in range(3)])
    smiles, human = inputs.smiles[index], inputs.human[index]
    mu, log_var, aux = stacked(graphs, index, smiles, human, torch.ones(index.shape))
    for m, model in enumerate(models):
        expect_mu, expect_log_var, expect_aux = model(graphs, index[m], human[m], smiles[m])
        torch.testing.assert_close(mu[m], expect_mu, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(log_var[m], expect_log_var, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(aux[m], expect_aux, atol=1e-6, rtol=1e-5)
        model.load_state_dict(stacked.state_dict_of(m))  # strict: every key and shape


def test_the_engine_equals_the_one_model_path(data):
    """Without dropout both paths draw the same numbers (validation split, epoch orders)."""
    _, inputs, graphs = data
    chosen = variant("end_to_end")
    for spec in specs(2):
        (engine,) = train_group(inputs, [spec], chosen, SETTINGS, CPU, False, graphs)
        generator = seed_everything(spec.seed)
        model = build_one_model(chosen, inputs, SETTINGS)
        fit = fit_one_model(
            model,
            graphs,
            inputs,
            spec.train_rows,
            SETTINGS.train,
            loss_weights(SETTINGS.loss, chosen),
            generator,
            CPU,
            progress=False,
        )
        mu, sigma = predict_one_model(fit, graphs, inputs, spec.test_rows, CPU)
        assert engine.best_epoch == fit.best_epoch
        assert len(engine.history) == len(fit.history)
        np.testing.assert_allclose(engine.mu, mu, atol=1e-3)
        np.testing.assert_allclose(engine.sigma, sigma, rtol=1e-3)
        EndToEndYieldModel.load_state_dict(model, engine.state_dict)  # strict


def test_a_run_trained_among_others_equals_the_run_trained_alone(data):
    _, inputs, graphs = data
    chosen = variant("end_to_end")
    together = train_group(inputs, specs(), chosen, DROPOUT, CPU, False, graphs)
    assert len({run.metrics["epochs_run"] for run in together}) > 1  # they stopped apart
    for i, spec in enumerate(specs()):
        (alone,) = train_group(inputs, [spec], chosen, DROPOUT, CPU, False, graphs)
        assert together[i].best_epoch == alone.best_epoch
        np.testing.assert_allclose(together[i].mu, alone.mu, atol=1e-3)


def test_the_graph_encoder_learns(data):
    """Its weights leave their initial values, and the training loss falls."""
    _, inputs, graphs = data
    chosen = variant("end_to_end")
    spec = specs(1)[0]
    long = with_overrides(SETTINGS, {"train": {"epochs": 12, "patience": 12}})
    seed_everything(spec.seed)
    initial = build_end_to_end_model(chosen, inputs, long).state_dict()
    (run,) = train_group(inputs, [spec], chosen, long, CPU, False, graphs)
    moved = [k for k in initial if k.startswith("graph_encoder.")]
    assert moved and all(not torch.equal(initial[k], run.state_dict[k]) for k in moved)
    losses = [h["train_loss"] for h in run.history]
    assert losses[-1] < 0.7 * losses[0]


def test_no_test_yield_reaches_the_end_to_end_engine(data):
    _, inputs, graphs = data
    chosen = variant("end_to_end")
    runs = specs(2)
    test_rows = torch.from_numpy(runs[0].test_rows)

    def flipped(rows):
        yields = inputs.yields.clone()
        yields[rows] = 100.0 - yields[rows]
        return dataclasses.replace(inputs, yields=yields)

    before = train_group(inputs, runs, chosen, DROPOUT, CPU, False, graphs)
    after = train_group(flipped(test_rows), runs, chosen, DROPOUT, CPU, False, graphs)
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a.mu, b.mu)
    moved = train_group(
        flipped(torch.from_numpy(runs[0].train_rows[:30])),
        runs[:1],
        chosen,
        DROPOUT,
        CPU,
        False,
        graphs,
    )
    assert not np.array_equal(moved[0].mu, before[0].mu)


def test_the_smiles_encoder_can_be_trained_end_to_end_too(data):
    reactions, inputs, graphs = data
    tokens = ReactionTokens.from_smiles(reactions["rxn_smiles"].to_list(), 512)
    chosen = variant("end_to_end")
    settings = with_overrides(SETTINGS, {"train": {"epochs": 3, "patience": 3}})
    spec = specs(1)[0]
    seed_everything(spec.seed)
    initial = build_one_model(chosen, inputs, settings, tokens).state_dict()
    (run,) = train_one_by_one(
        inputs,
        graphs,
        [spec],
        chosen,
        settings,
        CPU,
        loss_weights(settings.loss, chosen),
        tokens,
        progress=False,
    )
    trained = [k for k in initial if k.startswith("smiles_encoder.layers.0.linear1")]
    assert trained and all(not torch.equal(initial[k], run.state_dict[k]) for k in trained)
    assert np.isfinite(run.mu).all() and run.metrics["n_test"] == len(spec.test_rows)
    # a model with a SMILES encoder cannot run without the tokens
    model = build_one_model(chosen, inputs, settings, tokens)
    with pytest.raises(ValueError, match="pass the tokens"):
        fit_one_model(
            model,
            graphs,
            inputs,
            spec.train_rows,
            settings.train,
            loss_weights(settings.loss, chosen),
            seed_everything(0),
            CPU,
            progress=False,
        )


def test_the_sample_mse_variant_samples_whatever_the_profile_says():
    assert not loss_weights(SETTINGS.loss, variant("full")).sample_in_mse
    assert loss_weights(SETTINGS.loss, variant("mse_on_sample")).sample_in_mse
    assert loss_weights(
        with_overrides(SETTINGS, {"loss": {"sample_in_mse": True}}).loss
    ).sample_in_mse


def test_an_end_to_end_variant_without_graphs_is_refused(data):
    _, inputs, _ = data
    with pytest.raises(ValueError, match="pass the graphs"):
        train_group(inputs, specs(1), variant("end_to_end"), SETTINGS, CPU, False)
