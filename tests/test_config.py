import os
import subprocess
import sys

import pytest
import yaml

from reeval.config import (
    available_profiles,
    data_mirror,
    load_config,
    per_attempt,
    validate_config,
)
from reeval.errors import ConfigError
from reeval.settings import DataSettings, from_mapping, with_overrides


def write_profile(tmp_path, name, config):
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(config))
    return tmp_path


@pytest.fixture
def quick():
    return load_config("quick")


def test_both_profiles_load_and_validate():
    assert {"quick", "full"} <= set(available_profiles())
    for name in ("quick", "full"):
        assert load_config(name)["profile"] == name


def test_profile_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("REEVAL_PROFILE", "full")
    assert load_config()["profile"] == "full"


def test_unknown_profile_lists_the_allowed_ones():
    with pytest.raises(ConfigError, match=r"unknown profile 'huge'.*\['full', 'quick'\]"):
        load_config("huge")


def test_unknown_key_is_named_with_the_allowed_keys(quick, tmp_path):
    quick["data"]["mirorr"] = "/data"
    write_profile(tmp_path, "quick", quick)
    with pytest.raises(ConfigError) as error:
        load_config("quick", config_dir=tmp_path)
    message = str(error.value)
    assert "'data.mirorr'" in message
    assert "download_timeout_s" in message and "mirror" in message


def test_wrong_type_names_the_key_and_the_type(quick):
    quick["robust"]["bootstrap_resamples"] = "many"
    with pytest.raises(ConfigError, match=r"'robust.bootstrap_resamples' must be of type integer"):
        validate_config(quick)


def test_out_of_range_value_is_rejected(quick):
    quick["robust"]["confidence"] = 1.5
    with pytest.raises(ConfigError, match=r"robust\.confidence"):
        validate_config(quick)


def test_profile_name_must_match_its_file(quick, tmp_path):
    write_profile(tmp_path, "other", quick)
    with pytest.raises(ConfigError, match="expected 'other'"):
        load_config("other", config_dir=tmp_path)


def test_mirror_environment_variable_wins_over_config(quick, monkeypatch, tmp_path):
    monkeypatch.delenv("REEVAL_DATA_MIRROR", raising=False)
    data = from_mapping(DataSettings, quick["data"])
    assert data_mirror(data) is None
    data = with_overrides(data, {"mirror": "relative/mirror"})
    assert data_mirror(data).parts[-2:] == ("relative", "mirror")
    assert data_mirror(data).is_absolute()
    monkeypatch.setenv("REEVAL_DATA_MIRROR", str(tmp_path))
    assert data_mirror(data) == tmp_path


def test_a_bad_config_fails_before_any_job_with_the_key(repo_root, tmp_path):
    """Through Snakemake itself: a dry run of the real workflow stops at parse time."""
    env = {**os.environ, "REEVAL_PROFILE": "quickest"}
    dry = [sys.executable, "-m", "snakemake", "-n", "--cores", "1"]
    unknown = subprocess.run(dry, cwd=repo_root, env=env, capture_output=True, text=True)
    assert unknown.returncode != 0 and "quickest" in unknown.stderr + unknown.stdout
    assert "quick" in (unknown.stderr + unknown.stdout).replace("quickest", "")
    gpus = subprocess.run(
        [*dry, "--config", "neural_gpus=one"], cwd=repo_root, capture_output=True, text=True
    )
    log = gpus.stderr + gpus.stdout
    assert gpus.returncode != 0 and "neural_gpus='one'" in log and "whole number" in log


def test_cluster_resources_grow_with_each_attempt():
    memory = per_attempt(3000)
    assert [memory(None, attempt) for attempt in (1, 2, 3)] == [3000, 6000, 9000]
