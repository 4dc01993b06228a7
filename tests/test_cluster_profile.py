"""profiles/slurm*: every setting is a Snakemake option, and a job's threads and resources
become the sbatch options a SLURM site expects (the submission itself: test_cluster_e2e)."""

import importlib.util
import subprocess

import pytest
import snakemake
import yaml

PROFILES = ["slurm", "slurm-gpu"]


def load_script(repo_root, name):
    spec = importlib.util.spec_from_file_location(name, repo_root / f"profiles/slurm/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_setting_is_a_snakemake_option(repo_root, profile):
    settings = yaml.safe_load((repo_root / f"profiles/{profile}/config.yaml").read_text())
    # profile keys are the long option names (configargparse)
    options = {o for a in snakemake.get_argument_parser()._actions for o in a.option_strings}
    assert not [k for k in settings if f"--{k}" not in options]
    assert settings["cluster"].endswith("profiles/slurm/submit.py")
    assert "gpu=0" in settings["default-resources"]


def test_only_the_gpu_profile_asks_for_gpus(repo_root):
    plain, gpu = (
        yaml.safe_load((repo_root / f"profiles/{p}/config.yaml").read_text()) for p in PROFILES
    )
    assert "config" not in plain and gpu["config"] == ["neural_gpus=1"]
    shared = {k: v for k, v in gpu.items() if k != "config"}
    assert shared == plain  # the GPU profile differs in nothing else


def test_a_job_becomes_sbatch_options(repo_root):
    submit = load_script(repo_root, "submit")
    job = {
        "rule": "train_baseline",
        "wildcards": {"dataset": "bh", "model": "mpnn", "split": "FullCV_01"},
        "threads": 1,
        "resources": {"mem_mb": 3000, "runtime": 60, "gpu": 1},
    }
    options = submit.sbatch_options(job)
    assert options[:4] == [
        "--parsable",
        "--job-name=reeval-train_baseline-bh_mpnn_FullCV_01",
        "--cpus-per-task=1",
        "--output=logs/slurm/train_baseline-bh_mpnn_FullCV_01-%j.log",
    ]
    assert options[4:] == ["--mem=3000M", "--time=60", "--gres=gpu:1"]
    cpu_only = submit.sbatch_options({**job, "resources": {"mem_mb": 100, "gpu": 0}})
    assert not [o for o in cpu_only if o.startswith(("--gres", "--time"))]


def test_status_maps_slurm_states(repo_root, monkeypatch):
    status = load_script(repo_root, "status")
    answers = {"sacct": "", "scontrol": "", "squeue": ""}
    missing: set[str] = set()

    def fake_run(command, **_):
        if command[0] in missing:
            raise FileNotFoundError(command[0])
        return subprocess.CompletedProcess(command, 0, answers[command[0]], "")

    monkeypatch.setattr(status.subprocess, "run", fake_run)
    for sacct, expected in [
        ("COMPLETED\n", "success"),
        ("RUNNING\n", "running"),
        ("PENDING\n", "running"),
        ("TIMEOUT\n", "failed"),
        ("OUT_OF_MEMORY\n", "failed"),
        ("CANCELLED by 12\n", "failed"),
    ]:
        answers["sacct"] = sacct
        assert status.state("7") == expected, sacct
    answers.update(sacct="", squeue="7 main reeval R 0:01\n")
    assert status.state("7") == "running"  # not in the accounting database yet
    answers.update(squeue="")
    assert status.state("7") == "failed"
    # a site without accounting: scontrol still knows a job that has just finished
    missing.add("sacct")
    answers["scontrol"] = "JobId=7 JobName=reeval JobState=COMPLETED Reason=None\n"
    assert status.state("7") == "success"
    answers["scontrol"] = "JobId=7 JobName=reeval JobState=OUT_OF_MEMORY Reason=None\n"
    assert status.state("7") == "failed"
    missing.update({"scontrol", "squeue"})
    assert status.state("7") == "failed"  # nobody knows the job


def test_status_survives_a_failing_sacct(repo_root, monkeypatch):
    """sacct exits non-zero where accounting is disabled: its output is not a state."""
    status = load_script(repo_root, "status")

    def fake_run(command, **_):
        if command[0] == "sacct":
            return subprocess.CompletedProcess(command, 1, "", "accounting storage disabled")
        if command[0] == "scontrol":
            return subprocess.CompletedProcess(command, 0, "JobId=7 JobState=RUNNING\n", "")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(status.subprocess, "run", fake_run)
    assert status.state("7") == "running"
