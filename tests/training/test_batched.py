"""The batched training engine: a run trained among others equals the same run trained
alone, equals the one-model path where both draw the same random numbers, stops early
when its own validation loss says so, and yields weights a plain YieldModel can load."""

import dataclasses

import numpy as np
import pytest
import torch

from reeval.config import load_config
from reeval.models.multimodal import YieldModel
from reeval.models.stacked import StackedYieldModel, selecting
from reeval.models.variants import VARIANTS, variant
from reeval.settings import YieldModelProfile, with_overrides
from reeval.stats.metrics import r2
from reeval.training import batched
from reeval.training.batched import RunSpec, build_yield_model, loss_weights, train_group
from reeval.training.runtime import TrainingError, seed_everything
from reeval.training.supervised import ReactionInputs, fit_yield_model, predict

CPU = torch.device("cpu")
SETTINGS = with_overrides(
    YieldModelProfile.from_profile(load_config("quick")).training_job(),
    {
        "human_encoder": dict(hidden=16, output_dim=8, layers=1, experts=4, top_k=2, dropout=0.1),
        "head": dict(hidden=16, dropout=0.1),
        "loss": dict(sample_in_mse=True),
        "train": dict(
            epochs=12,
            batch_size=64,
            lr=5e-3,
            weight_decay=5e-5,
            min_lr=1e-5,
            patience=2,
            validation_fraction=0.1,
            grad_clip=5.0,
        ),
    },
)
DETERMINISTIC = with_overrides(
    SETTINGS,
    {"human_encoder": {"dropout": 0.0}, "head": {"dropout": 0.0}, "loss": {"sample_in_mse": False}},
)


@pytest.fixture(scope="module")
def inputs() -> ReactionInputs:
    """600 synthetic reactions whose yield depends on the count features."""
    rng = np.random.default_rng(0)
    n = 600
    human = rng.integers(0, 3, (n, 48)).astype(np.float32)
    yields = 50 + 10 * (human[:, :4].sum(axis=1) - 4) + rng.normal(0, 12, n)
    return ReactionInputs(
        np.arange(n),
        torch.from_numpy(rng.normal(size=(n, 8)).astype(np.float32)),
        torch.from_numpy(rng.normal(size=(n, 8)).astype(np.float32)),
        torch.from_numpy(human),
        torch.from_numpy(np.clip(yields, 0, 100).astype(np.float32)),
    )


def specs(count: int = 4) -> list[RunSpec]:
    """Runs of different training sizes (so their epochs have different numbers of batches)
    and seeds, on one shared test set."""
    order = np.random.default_rng(1).permutation(600)
    return [
        RunSpec(f"run{i}", seed, np.sort(order[: 380 + 41 * i]), np.sort(order[520:]))
        for i, seed in enumerate([0, 1, 2, 3][:count])
    ]


# few epochs and a patience of one: runs stop at different epochs, while the last-bit
# differences of batched reductions over more or fewer runs have not grown (training
# amplifies them over many epochs, as it does any rounding difference)
SHORT = with_overrides(SETTINGS, {"train": {"epochs": 6, "patience": 1}})


@pytest.mark.parametrize("name", ["full", "no_moe", "no_uq", "no_human"])
def test_a_run_trained_among_others_equals_the_run_trained_alone(inputs, name):
    together = train_group(inputs, specs(), variant(name), SHORT, CPU, progress=False)
    stops = {run.metrics["epochs_run"] for run in together}
    for i, spec in enumerate(specs()):
        (alone,) = train_group(inputs, [spec], variant(name), SHORT, CPU, progress=False)
        assert together[i].best_epoch == alone.best_epoch
        assert together[i].metrics["epochs_run"] == alone.metrics["epochs_run"]
        np.testing.assert_allclose(together[i].mu, alone.mu, atol=1e-3)
        if alone.sigma is not None:
            np.testing.assert_allclose(together[i].sigma, alone.sigma, rtol=1e-4)
        for a, b in zip(together[i].history, alone.history, strict=True):
            assert a["validation_mse"] == pytest.approx(b["validation_mse"], rel=1e-4)
    # the check means something only if runs stopped at different epochs while others went on
    assert len(stops) > 1


@pytest.mark.parametrize("name", ["full", "no_moe", "no_uq", "no_human"])
def test_equals_the_one_model_path_when_both_draw_the_same_numbers(inputs, name):
    """Without dropout or the sampled MSE, both paths use the generator only for the
    validation split and the epochs' orders: the same runs, computed in another way."""
    for spec in specs(2):
        (engine,) = train_group(inputs, [spec], variant(name), DETERMINISTIC, CPU, progress=False)
        generator = seed_everything(spec.seed)
        model = build_yield_model(variant(name), inputs, DETERMINISTIC)
        fit = fit_yield_model(
            model,
            inputs,
            spec.train_rows,
            DETERMINISTIC.train,
            loss_weights(DETERMINISTIC.loss),
            generator,
            CPU,
            progress=False,
        )
        mu, _ = predict(fit, inputs, spec.test_rows, CPU)
        assert engine.best_epoch == fit.best_epoch
        assert len(engine.history) == len(fit.history)
        np.testing.assert_allclose(engine.mu, mu, atol=1e-3)


def test_weights_load_into_a_plain_yield_model(inputs):
    runs = train_group(inputs, specs(3), variant("full"), SETTINGS, CPU, progress=False)
    for run in runs:
        model = build_yield_model(variant("full"), inputs, SETTINGS)
        model.load_state_dict(run.state_dict)  # strict: every key and shape
        assert set(run.state_dict) == set(model.state_dict())


def stacked_on_batches(inputs, count: int):
    """`count` full models (seeds 0, 1, ...), their stack in eval mode, and one batch of 10
    reactions per model: (models, stack, [graph, smiles, human] each (count, 10, ...))."""
    models = []
    for seed in range(count):
        torch.manual_seed(seed)
        models.append(build_yield_model(variant("full"), inputs, SETTINGS).eval())
    rows = torch.stack([torch.arange(10) + 7 * m for m in range(count)])
    take = [getattr(inputs, k)[rows] for k in ("graph", "smiles", "human")]
    return models, StackedYieldModel(models).eval(), take


def test_stacked_forward_equals_each_model(inputs):
    """Forward of M stacked models on M different batches, row by row, in eval mode."""
    models, stacked, take = stacked_on_batches(inputs, 3)
    mu, log_var, aux = stacked(*take, torch.ones((3, 10)))
    for m, model in enumerate(models):
        expect_mu, expect_log_var, expect_aux = model(*(t[m] for t in take))
        torch.testing.assert_close(mu[m], expect_mu, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(log_var[m], expect_log_var, atol=1e-5, rtol=1e-5)
        torch.testing.assert_close(aux[m], expect_aux, atol=1e-6, rtol=1e-5)


def test_selecting_computes_only_the_chosen_models(inputs):
    """Inside `selecting`, the stack takes and gives the chosen models only, in the numbers
    the whole stack gives them, and the others' weights get zero gradients."""
    _, stacked, take = stacked_on_batches(inputs, 4)
    mu, log_var, aux = stacked(*take, torch.ones((4, 10)))
    chosen = torch.tensor([1, 3])
    with selecting(stacked, chosen):
        part = stacked(*(t[chosen] for t in take), torch.ones((2, 10)))
    assert stacked.selection is None  # the selection ends with the block
    for whole, some in zip((mu, log_var, aux), part, strict=True):
        torch.testing.assert_close(some, whole[chosen], rtol=0, atol=0)
    part[0].sum().backward()
    for name, weight in stacked.weights.items():
        assert not weight.grad[[0, 2]].any(), name


def test_a_step_computes_only_the_runs_with_rows_in_it(inputs, monkeypatch):
    """Runs of different sizes: the last steps of an epoch hold the larger runs only, and a
    run that has stopped is in no step and in no validation."""
    grids: list[list[int]] = []
    validated: list[list[int]] = []
    original_loss = batched._per_model_loss

    def recording_loss(y, mu, *args):
        grids.append(mu.shape[0])
        return original_loss(y, mu, *args)

    def scripted(model, forward, padded):
        epoch = len(validated) + 1
        chosen = list(range(3)) if padded.models is None else padded.models.tolist()
        validated.append(chosen)
        # run 0 is best at epoch 1 and stops after 1 + patience; runs 1 and 2 improve
        return np.array(
            [(1.0 if epoch == 1 else 5.0) if m == 0 else 2.0 - epoch / 100 for m in chosen]
        )

    monkeypatch.setattr(batched, "_per_model_loss", recording_loss)
    monkeypatch.setattr(batched, "_validation_mse", scripted)
    runs = train_group(inputs, specs(3), variant("full"), SETTINGS, CPU, progress=False)
    patience = SETTINGS.train.patience
    assert runs[0].metrics["epochs_run"] == 1 + patience
    assert validated[patience + 1] == [1, 2]  # run 0 is no longer validated
    assert min(grids) < 3  # some steps left runs out
    assert grids[-1] == 1  # the last step of the last epoch: only the largest run


def test_stacking_refuses_models_of_different_shapes(inputs):
    a = build_yield_model(variant("full"), inputs, SETTINGS)
    b = YieldModel(
        variant("full"),
        8,
        8,
        48,
        dataclasses.replace(SETTINGS.human_encoder, hidden=12),
        SETTINGS.head,
    )
    with pytest.raises(ValueError, match="same variant and sizes"):
        StackedYieldModel([a, b])


def test_each_run_stops_on_its_own_validation_loss_and_keeps_its_best_weights(inputs, monkeypatch):
    """Scripted validation losses: run 0 is best at epoch 2 and stops at 2 + patience; run 1
    keeps improving to the cap; run 2 is best at epoch 5. The weights each run ends with are
    the ones it had at its best epoch."""
    scripts = [
        [5.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.0, 9.0],
        [12.0 - e for e in range(12)],
        [5.0, 4.0, 3.0, 2.5, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0],
    ]
    epoch = {"n": 0}
    snapshots: list[list[dict]] = []

    def scripted(model, forward, padded):
        epoch["n"] += 1
        snapshots.append([model.state_dict_of(m) for m in range(model.n_models)])
        # the loop asks only for the runs still training (padded.models; None: all)
        chosen = range(len(scripts)) if padded.models is None else padded.models.tolist()
        return np.array([scripts[m][epoch["n"] - 1] for m in chosen])

    monkeypatch.setattr(batched, "_validation_mse", scripted)
    runs = train_group(inputs, specs(3), variant("full"), SETTINGS, CPU, progress=False)
    patience = SETTINGS.train.patience
    assert [r.best_epoch for r in runs] == [2, 12, 5]
    assert [r.metrics["epochs_run"] for r in runs] == [2 + patience, 12, 5 + patience]
    assert patience == 2
    for m, run in enumerate(runs):
        best = snapshots[run.best_epoch - 1][m]
        for key, value in run.state_dict.items():
            torch.testing.assert_close(value, best[key], rtol=0, atol=0)
        last = snapshots[run.metrics["epochs_run"] - 1][m]
        if run.metrics["epochs_run"] != run.best_epoch:
            assert any(not torch.equal(last[k], best[k]) for k in best)


def test_a_non_finite_loss_names_its_run(inputs):
    broken = ReactionInputs(
        inputs.reaction_ids,
        inputs.graph,
        inputs.smiles,
        inputs.human,
        torch.where(torch.arange(600) == 5, torch.tensor(float("nan")), inputs.yields),
    )
    spec = RunSpec("bh full FullCV_07 seed 2", 2, np.arange(0, 300), np.arange(300, 400))
    with pytest.raises(TrainingError, match="FullCV_07 seed 2"):
        train_group(broken, [spec], variant("full"), SETTINGS, CPU, progress=False)


def test_every_variant_learns_what_its_inputs_hold(inputs):
    """The yields depend on the human features only (the other inputs are noise): a variant
    that sees them explains a clear share of the test variance, one that does not cannot."""
    settings = with_overrides(SETTINGS, {"train": {"epochs": 30, "patience": 30}})
    for name in (n for n, v in VARIANTS.items() if not v.graph_end_to_end):  # no graphs here
        runs = train_group(inputs, specs(1), variant(name), settings, CPU, progress=False)
        y = inputs.yields[runs[0].spec.test_rows].numpy()
        score = r2(y, runs[0].mu)
        if variant(name).human:
            assert score > 0.2, name
        else:
            assert score < 0.1, name


def test_human_features_as_molecule_factors_train_the_same_models():
    """Human features that are sums over molecules (counts @ per-molecule features): the
    engine's factorised first layer gives the runs the dense features give."""
    rng = np.random.default_rng(3)
    n, n_molecules = 500, 12
    per_molecule = rng.integers(0, 2, (n_molecules, 40)).astype(np.float32)
    counts = np.zeros((n, n_molecules), dtype=np.float32)
    for row in range(n):
        counts[row, rng.choice(n_molecules, size=4, replace=False)] = 1.0
    counts[:, 0] = 2.0  # a molecule every reaction holds twice (a constant column)
    human = counts @ per_molecule
    yields = np.clip(40 + 8 * human[:, :3].sum(axis=1) + rng.normal(0, 5, n), 0, 100)
    common = dict(
        reaction_ids=np.arange(n),
        graph=torch.from_numpy(rng.normal(size=(n, 4)).astype(np.float32)),
        smiles=torch.from_numpy(rng.normal(size=(n, 4)).astype(np.float32)),
        human=torch.from_numpy(human),
        yields=torch.from_numpy(yields.astype(np.float32)),
    )
    dense = ReactionInputs(**common)
    factored = ReactionInputs(
        **common, counts=torch.from_numpy(counts), human_per_molecule=torch.from_numpy(per_molecule)
    )
    order = np.random.default_rng(4).permutation(n)
    runs = [
        RunSpec(f"r{s}", s, np.sort(order[: 350 + 20 * s]), np.sort(order[420:])) for s in (0, 1)
    ]
    for name in ("full", "no_moe"):
        a = train_group(dense, runs, variant(name), SETTINGS, CPU, progress=False)
        b = train_group(factored, runs, variant(name), SETTINGS, CPU, progress=False)
        for x, y in zip(a, b, strict=True):
            assert x.best_epoch == y.best_epoch
            np.testing.assert_allclose(x.mu, y.mu, atol=1e-3)
