"""No test yield reaches training: changing the yields of a run's test rows leaves every
model's predictions bit-identical (the batched multimodal engine with every run of a group,
the graph baselines, the tree models). A leak (the test rows among the standardisation,
validation or training rows) changes them."""

import dataclasses

import numpy as np
import polars as pl
import pytest
import torch
from test_batched import SETTINGS, inputs, specs  # noqa: F401  (the fixture)

from reeval.baselines.tabular import fit_predict_trees
from reeval.errors import DataError
from reeval.models.variants import variant
from reeval.reactions.splits import split_rows
from reeval.settings import Boosting, Forest, with_overrides
from reeval.training.batched import train_group

CPU = torch.device("cpu")
SHORT = with_overrides(SETTINGS, {"train": {"epochs": 4, "patience": 2}})


def with_test_yields_changed(inputs, test_rows: np.ndarray):  # noqa: F811
    yields = inputs.yields.clone()
    yields[torch.from_numpy(test_rows)] = 100.0 - yields[torch.from_numpy(test_rows)]
    return dataclasses.replace(inputs, yields=yields)


@pytest.mark.parametrize("name", ["full", "human_mlp"])
def test_the_batched_engine_never_sees_test_yields(inputs, name):  # noqa: F811
    runs = specs(3)
    test_rows = runs[0].test_rows  # shared by every run of the group
    before = train_group(inputs, runs, variant(name), SHORT, CPU, progress=False)
    after = train_group(
        with_test_yields_changed(inputs, test_rows), runs, variant(name), SHORT, CPU, False
    )
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a.mu, b.mu)
        assert a.best_epoch == b.best_epoch
    # the check can fail: the same change on training rows moves the predictions
    train_rows = runs[0].train_rows[:50]
    moved = train_group(
        with_test_yields_changed(inputs, train_rows), runs[:1], variant(name), SHORT, CPU, False
    )
    assert not np.array_equal(moved[0].mu, before[0].mu)


def test_tree_models_never_see_test_yields():
    rng = np.random.default_rng(0)
    features = rng.integers(0, 3, (300, 20)).astype(np.float32)
    yields = 10 * features[:, :3].sum(axis=1) + rng.normal(0, 5, 300)
    train, test = np.arange(200), np.arange(200, 300)
    changed = yields.copy()
    changed[test] = -changed[test]
    forest = Forest(n_estimators=10, max_features=0.5, min_samples_leaf=1)
    boosting = Boosting(max_iter=20, learning_rate=0.1, max_leaf_nodes=15, min_samples_leaf=5)
    for kind, cfg in (("forest", forest), ("boosting", boosting)):
        a = fit_predict_trees(kind, features, yields, train, test, cfg, 0, 1)
        b = fit_predict_trees(kind, features, changed, train, test, cfg, 0, 1)
        np.testing.assert_array_equal(a, b)
        leak = changed.copy()
        leak[train[:20]] = -leak[train[:20]]
        assert not np.array_equal(
            a, fit_predict_trees(kind, features, leak, train, test, cfg, 0, 1)
        )


def test_a_split_whose_training_and_test_reactions_overlap_is_refused():
    splits = pl.DataFrame(
        {
            "split": ["s"] * 4,
            "reaction_id": [10, 11, 11, 12],
            "subset": ["train", "train", "test", "test"],
            "position": [0, 1, 2, 3],
        }
    )
    with pytest.raises(DataError, match="1 reactions are both training and test"):
        split_rows(splits, "s", np.array([10, 11, 12]))
