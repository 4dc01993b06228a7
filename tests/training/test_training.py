"""The training loops on tiny real data: overfitting, determinism, guards, checkpoints."""

import numpy as np
import pytest
import torch

from reeval.config import load_config
from reeval.errors import DataError
from reeval.featurize import graphs, human
from reeval.featurize.molecules import ReactionMolecules
from reeval.featurize.tokens import Vocabulary
from reeval.models.contrastive import ContrastiveModel
from reeval.models.losses import LossWeights
from reeval.models.variants import variant
from reeval.reactions.splits import split_rows
from reeval.settings import GraphEncoder, YieldModelProfile, with_overrides
from reeval.stats.metrics import r2
from reeval.training.batched import RunSpec, build_yield_model, train_group
from reeval.training.plan import planned_runs
from reeval.training.pretrain import ReactionCorpus, build_encoders, embed_reactions, pretrain
from reeval.training.runtime import (
    TrainingError,
    choose_device,
    load_checkpoint,
    save_checkpoint,
    seed_everything,
)
from reeval.training.supervised import ReactionInputs, fit_yield_model, predict

CPU = torch.device("cpu")
SETTINGS = with_overrides(
    YieldModelProfile.from_profile(load_config("quick")).training_job(),
    {
        "human_encoder": dict(hidden=64, output_dim=32, layers=1, experts=4, top_k=2, dropout=0.0),
        "head": dict(hidden=64, dropout=0.0),
        "loss": dict(sample_in_mse=True),
        "train": dict(
            epochs=300,
            batch_size=32,
            lr=3e-3,
            weight_decay=0.0,
            min_lr=1e-4,
            patience=300,
            validation_fraction=0.1,
            grad_clip=5.0,
        ),
    },
)
PROFILE = YieldModelProfile.from_profile(load_config("quick"))
GRAPH = GraphEncoder(hidden=8, steps=2, set2set_steps=2, output_dim=8)
SMILES = with_overrides(
    PROFILE.smiles_encoder,
    dict(embed_dim=16, heads=2, layers=1, output_dim=8, dropout=0.0, checkpoint_layers=True),
)


@pytest.fixture(scope="module")
def tiny(bh_tables):
    """64 Buchwald-Hartwig reactions with their molecules, tokens and fingerprints."""
    reactions = bh_tables.reactions.head(64)
    molecules = ReactionMolecules.from_reactions(
        reactions["reaction_id"].to_list(), reactions["rxn_smiles"].to_list()
    )
    vocab = Vocabulary.build(reactions["rxn_smiles"].to_list())
    corpus = ReactionCorpus(
        molecules,
        [graphs.mol_to_graph(s) for s in molecules.smiles],
        [vocab.encode(t) for t in reactions["rxn_smiles"]],
    )
    fingerprints = human.sum_over_reaction(
        human.morgan_fingerprints(molecules.smiles, 2, 256), molecules
    )
    return reactions, corpus, vocab, fingerprints


def inputs_from(tiny, graph=None, smiles=None):
    reactions, corpus, _, fingerprints = tiny
    n = len(corpus)
    generator = torch.Generator().manual_seed(0)
    return ReactionInputs(
        reactions["reaction_id"].to_numpy(),
        graph if graph is not None else torch.randn((n, 4), generator=generator),
        smiles if smiles is not None else torch.randn((n, 4), generator=generator),
        torch.from_numpy(fingerprints),
        torch.tensor(reactions["yield_pct"].to_numpy(), dtype=torch.float32),
    )


def test_overfits_64_reactions(tiny):
    inputs = inputs_from(tiny)
    rows = np.arange(64)
    generator = seed_everything(0)
    model = build_yield_model(variant("full"), inputs, SETTINGS)
    weights = LossWeights(
        **{"mse": 0.9, "heteroscedastic": 0.1, "aux": 0.01, "sample_in_mse": True}
    )
    fit = fit_yield_model(
        model,
        inputs,
        rows,
        SETTINGS.train,
        weights,
        generator,
        torch.device("cpu"),
        progress=False,
    )
    losses = [h["train_loss"] for h in fit.history]
    assert np.mean(losses[-10:]) < np.mean(losses[:10]) - 0.5
    mu, sigma = predict(fit, inputs, rows, torch.device("cpu"))
    assert r2(inputs.yields.numpy(), mu) > 0.9
    assert (sigma > 0).all()


def test_same_seed_gives_identical_runs(tiny):
    inputs = inputs_from(tiny)
    settings = with_overrides(SETTINGS, {"train": {"epochs": 20}})

    def train(seed):
        spec = RunSpec(f"seed {seed}", seed, np.arange(48), np.arange(48, 64))
        return train_group(inputs, [spec], variant("full"), settings, CPU, progress=False)[0]

    first, second, other = train(7), train(7), train(8)
    assert first.metrics == second.metrics
    assert np.array_equal(first.mu, second.mu) and np.array_equal(first.sigma, second.sigma)
    assert other.metrics != first.metrics


def test_non_finite_features_stop_training_with_a_clear_error(tiny):
    inputs = inputs_from(tiny)
    broken = ReactionInputs(
        inputs.reaction_ids, inputs.graph, inputs.smiles, inputs.human * float("inf"), inputs.yields
    )
    spec = RunSpec("bh full FullCV_01 seed 0", 0, np.arange(48), np.arange(48, 64))
    with pytest.raises(TrainingError, match="non-finite loss"):
        train_group(broken, [spec], variant("full"), SETTINGS, CPU, progress=False)


def test_pretraining_lowers_the_contrastive_loss_and_embeds_every_reaction(tiny):
    _, corpus, vocab, _ = tiny
    generator = seed_everything(0)
    graph_encoder, smiles_encoder = build_encoders(GRAPH, SMILES, len(vocab))
    model = ContrastiveModel(graph_encoder, smiles_encoder, 8, 0.07, learn_temperature=True)
    cfg = with_overrides(
        PROFILE.pretrain, dict(epochs=15, batch_size=16, lr=3e-3, weight_decay=0.0, grad_clip=5.0)
    )
    history = pretrain(model, corpus, vocab, cfg, 512, generator, torch.device("cpu"))
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    graph, smiles = embed_reactions(
        graph_encoder, smiles_encoder, corpus, vocab, 512, torch.device("cpu")
    )
    assert graph.shape == (64, 16) and smiles.shape == (64, 8)
    assert torch.isfinite(graph).all() and torch.isfinite(smiles).all()


def test_fixed_temperature_is_not_trained():
    graph_encoder, smiles_encoder = build_encoders(GRAPH, SMILES, vocab_size=10)
    fixed = ContrastiveModel(graph_encoder, smiles_encoder, 8, 0.07, learn_temperature=False)
    assert "log_scale" not in dict(fixed.named_parameters())
    assert fixed.log_scale.item() == pytest.approx(np.log(1 / 0.07))


def test_checkpoints_round_trip_and_corruption_is_detected(tmp_path):
    path = tmp_path / "model.safetensors"
    save_checkpoint(path, {"w": torch.arange(6.0).reshape(2, 3)}, {"note": "x"})
    tensors, metadata = load_checkpoint(path)
    assert torch.equal(tensors["w"], torch.arange(6.0).reshape(2, 3)) and metadata == {"note": "x"}
    path.write_bytes(b"\x00" * 20)
    with pytest.raises(DataError, match="corrupt"):
        load_checkpoint(path)


def test_a_flipped_bit_in_a_checkpoint_is_caught_by_its_checksum(tmp_path):
    """safetensors itself cannot see a changed weight; the checksum written beside it can."""
    path = tmp_path / "model.safetensors"
    save_checkpoint(path, {"w": torch.zeros(64)}, {})
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01  # inside the tensor data: the file still parses
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match=r"model\.safetensors: corrupt \(sha256"):
        load_checkpoint(path)


def test_device_choice(monkeypatch):
    assert choose_device("cpu").type == "cpu"
    for present, expected in ((False, "cpu"), (True, "cuda")):
        monkeypatch.setattr(torch.cuda, "is_available", lambda present=present: present)
        assert choose_device("auto").type == expected
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(Exception, match="no CUDA device"):
        choose_device("cuda")
    with pytest.raises(Exception, match="device must be"):
        choose_device("tpu")


def test_split_rows_follow_the_split_order(bh_tables):
    ids = bh_tables.reactions["reaction_id"].to_numpy()
    train, test = split_rows(bh_tables.splits, "Test2", ids)
    assert len(train) == 3055 and len(test) == 900 and not set(train) & set(test)
    with pytest.raises(DataError, match="not found"):
        split_rows(bh_tables.splits, "Test9", ids)


def test_planned_runs():
    settings = with_overrides(
        PROFILE,
        {
            "seeds": [0, 1],
            "test_seeds": None,
            "splits": {"bh": ["FullCV_01", "Test1"], "sm": ["random_split_0"]},
            "ablation_splits": {"bh": ["FullCV_01"], "sm": ["random_split_0"]},
        },
    )
    runs = planned_runs(settings)
    assert len(runs) == len(set(runs))
    # both regimes: 2 x (2 bh + 1 sm) x 2 seeds; ablations: 9 x (1 + 1) x 2 seeds
    assert len(runs) == 12 + 36
    assert {r.split for r in runs if r.variant == "end_to_end"} == {
        "FullCV_01",
        "Test1",
        "random_split_0",
    }
    assert not any(r.split == "Test1" for r in runs if r.variant not in ("full", "end_to_end"))
