"""Yield-BERT fine-tuning (the full profile's job): it learns, it is reproducible, it keeps
Schwaller et al.'s schedule, and its settings come from the profile."""

from dataclasses import replace

import numpy as np
import pytest
import torch

from reeval.config import load_config
from reeval.settings import Baselines, YieldBertSettings
from reeval.training.yield_bert import fine_tune_yield_bert

# small enough for the fast suite: no dropout, a larger step, 16 reactions
TINY = YieldBertSettings(
    model="bert_pretrained",
    epochs=6,
    lr=3e-4,
    dropout=0.0,
    batch_size=8,
    max_tokens=300,
    grad_clip=1.0,
)


@pytest.fixture(scope="module")
def sixteen(bh_tables):
    reactions = bh_tables.reactions.sample(16, seed=5).sort("reaction_id")
    return reactions["rxn_smiles"].to_list(), reactions["yield_pct"].to_numpy()


def test_fine_tuning_learns_and_is_reproducible(sixteen, mirror):
    smiles, yields = sixteen
    rows = np.arange(16)
    cpu = torch.device("cpu")
    mu, history = fine_tune_yield_bert(
        smiles, yields, rows, rows[:4], mirror / "reactions/rxnfp", TINY, 0, cpu
    )
    assert [h["epoch"] for h in history] == list(range(1, 7))
    # the training loss (MSE of standardised yields) falls: the model fits its rows
    assert history[-1]["train_loss"] < 0.5 * history[0]["train_loss"], history
    assert mu.shape == (4,) and np.isfinite(mu).all()
    again, _ = fine_tune_yield_bert(
        smiles, yields, rows, rows[:4], mirror / "reactions/rxnfp", TINY, 0, cpu
    )
    np.testing.assert_array_equal(mu, again)
    other, _ = fine_tune_yield_bert(
        smiles,
        yields,
        rows,
        rows[:4],
        mirror / "reactions/rxnfp",
        replace(TINY, epochs=1),
        1,
        cpu,
    )
    assert not np.allclose(mu, other)


def test_the_profiles_hold_schwallers_settings():
    for profile in ("quick", "full"):
        section = Baselines.from_profile(load_config(profile)).yield_bert
        bh = section.bh
        assert (bh.model, bh.lr, bh.dropout, bh.batch_size, bh.epochs) == (
            "bert_pretrained",
            0.00009659,
            0.7987,
            16,
            10,
        )
        sm = section.sm
        assert (sm.model, sm.lr, sm.dropout, sm.epochs) == ("bert_ft", 0.00009116, 0.7542, 15)
