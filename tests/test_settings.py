"""Typed settings: built from a profile (or a rule's JSON), a bad key named, overrides
merged key by key, and the JSON a rule passes rebuilding the same settings."""

import json

import pytest

from reeval.config import load_config
from reeval.errors import ConfigError
from reeval.settings import (
    Baselines,
    GraphEncoder,
    Materials,
    Optimisation,
    YieldModelProfile,
    YieldTraining,
    from_mapping,
    to_json,
    to_mapping,
    with_overrides,
)


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_every_profile_builds_every_section(profile):
    config = load_config(profile)
    yield_model = YieldModelProfile.from_profile(config)
    baselines = Baselines.from_profile(config)
    materials = from_mapping(Materials, config["materials"])
    # the training budget is merged into the neural models' training
    budget = config["training_budget"]
    assert yield_model.train.epochs == budget["epochs"] == baselines.mpnn.epochs
    assert baselines.mpnn.optimisation.patience == budget["patience"]
    assert isinstance(yield_model.train, Optimisation)
    assert yield_model.splits["bh"][0] == "FullCV_01" and isinstance(yield_model.seeds, tuple)
    assert materials.mmoe.optimisation.epochs == config["materials"]["mmoe"]["epochs"]
    assert baselines.forest("mordred").max_features == config["baselines"]["mordred_max_features"]


def test_a_bad_key_is_named_with_its_path():
    quick = load_config("quick")
    section = {**quick["yield_model"], "graph_encoder": {"hidden": 8, "steps": 2}}
    with pytest.raises(ConfigError, match=r"needs the key yield_model\.graph_encoder\.'set2set"):
        from_mapping(YieldModelProfile, {**section, "train": {}}, "yield_model.")
    with pytest.raises(ConfigError, match=r"unknown key 'hiden' for GraphEncoder"):
        from_mapping(GraphEncoder, {"hiden": 8, "steps": 2, "set2set_steps": 2, "output_dim": 8})
    with pytest.raises(ConfigError, match="expected a mapping"):
        from_mapping(GraphEncoder, [8, 2, 2, 8])


def test_overrides_merge_nested_sections_key_by_key():
    quick = YieldModelProfile.from_profile(load_config("quick"))
    changed = with_overrides(quick, {"train": {"epochs": 3}, "seeds": [7]})
    assert changed.train.epochs == 3 and changed.train.lr == quick.train.lr
    assert changed.seeds == (7,) and changed.head == quick.head
    assert quick.train.epochs != 3  # the original is untouched (frozen)
    with pytest.raises(ConfigError, match="unknown key"):
        with_overrides(quick, {"train": {"epoch": 3}})


def test_a_training_job_reads_the_encoders_only_in_the_end_to_end_regime():
    quick = YieldModelProfile.from_profile(load_config("quick"))
    frozen, end_to_end = quick.training_job(), quick.training_job(end_to_end=True)
    assert frozen.graph_encoder is None and end_to_end.graph_encoder == quick.graph_encoder
    frozen_json = json.loads(to_json(frozen))
    assert set(frozen_json) == {
        "device",
        "human_features",
        "human_encoder",
        "head",
        "loss",
        "train",
    }
    assert {"graph_encoder", "smiles_encoder", "end_to_end"} <= set(json.loads(to_json(end_to_end)))
    # the JSON a rule passes rebuilds the same settings
    assert from_mapping(YieldTraining, json.loads(to_json(end_to_end))) == end_to_end
    assert from_mapping(YieldTraining, to_mapping(frozen)) == frozen


@pytest.mark.parametrize("profile", ["quick", "full"])
def test_the_json_holds_the_profile_values_as_written(profile):
    """Rule parameters keep their bytes: the typed settings write back exactly the JSON of
    the profile's sections (no int turned into a float, no key added or lost)."""
    config = load_config(profile)
    budget = config["training_budget"]
    for section, cls, merged_into in (
        ("yield_model", YieldModelProfile, "train"),
        ("baselines", Baselines, "mpnn"),
    ):
        raw = config[section]
        merged = {**raw, merged_into: {**raw[merged_into], **budget}}
        assert to_json(cls.from_profile(config)) == json.dumps(merged, sort_keys=True), section
