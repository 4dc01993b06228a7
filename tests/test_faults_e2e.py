"""Faults in a real build (slow): a build killed mid-training resumes without redoing
finished jobs or accepting a half output; a corrupt cache (the frozen encoders' embeddings,
which training reads) or checkpoint is recomputed, not used."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from e2e_support import built_article, run

pytestmark = pytest.mark.slow

RUNS = "src/data/results/yield_model/bh"
FIRST = f"{RUNS}/full/FullCV_02/seed0"
SECOND = f"{RUNS}/full/FullCV_03/seed0"
OUTPUTS = ("predictions.parquet", "metrics.json", "model.safetensors")
EMBEDDINGS = "src/data/models/bh/all/embeddings.safetensors"


@pytest.fixture(scope="module")
def built(repo_root, mirror, tmp_path_factory):
    return built_article(repo_root, mirror, tmp_path_factory.mktemp("article"))


def snakemake(*args):
    return [sys.executable, "-m", "snakemake", "--cores", "1", *args]


def wait_for_one_done_one_training(article, process, started, timeout=600):
    """(finished run, run in its training epochs) of the two, once both hold."""
    deadline = time.time() + timeout
    while time.time() < deadline and process.poll() is None:
        done = [
            d
            for d in (FIRST, SECOND)
            if (article / d / "metrics.json").exists()
            and (article / d / "metrics.json").stat().st_mtime > started
        ]
        training = [
            d for d in (FIRST, SECOND) if d not in done and in_training(article, d, started)
        ]
        if done and training:
            return done[0], training[0]
        time.sleep(0.5)
    raise AssertionError("the build ended or stalled before it could be interrupted")


def in_training(article, run_dir, started) -> bool:
    split = run_dir.split("/")[-2]
    log = article / f"logs/train_yield/bh_full_{split}_seed0.log"  # rewritten by each run
    return (
        log.exists()
        and log.stat().st_mtime > started
        and "train:" in log.read_text(errors="replace")
    )


def test_a_build_killed_mid_training_resumes_cleanly(built):
    article, env = built
    before = {d: json.loads((article / d / "metrics.json").read_text()) for d in (FIRST, SECOND)}
    targets = [f"{d}/metrics.json" for d in (FIRST, SECOND)]
    started = time.time()
    process = subprocess.Popen(
        snakemake("--forcerun", *targets, "--", *targets),
        cwd=article,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        finished, interrupted = wait_for_one_done_one_training(article, process, started)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    # nothing of the interrupted run was accepted: its outputs are gone, not half written
    assert not [name for name in OUTPUTS if (article / interrupted / name).exists()]
    finished_mtime = (article / finished / "metrics.json").stat().st_mtime
    # kill -9 (or a power loss) leaves Snakemake's lock: --unlock once, as its message says
    assert run(snakemake("--unlock", *targets), article, env).returncode == 0
    resumed = run(snakemake("--rerun-incomplete", *targets), article, env)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (article / finished / "metrics.json").stat().st_mtime == finished_mtime  # not redone
    for run_dir in (FIRST, SECOND):
        assert json.loads((article / run_dir / "metrics.json").read_text()) == before[run_dir]
        assert not list((article / run_dir).glob(".*.part*"))  # the killed writes' leftovers


def test_a_corrupt_checkpoint_is_recomputed_not_used(built):
    article, env = built
    checkpoint = article / FIRST / "model.safetensors"
    metrics = json.loads((article / FIRST / "metrics.json").read_text())
    data = bytearray(checkpoint.read_bytes())
    data[-5] ^= 0x01  # a changed weight: the file still parses
    checkpoint.write_bytes(bytes(data))
    result = run(snakemake(f"{FIRST}/metrics.json"), article, env)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "model.safetensors was corrupt (checksum mismatch): deleted with its job's" in log
    assert "Training the yield model full on bh FullCV_02" in log  # the rule's message
    assert json.loads((article / FIRST / "metrics.json").read_text()) == metrics
    assert (article / FIRST / "model.safetensors").read_bytes() != bytes(data)


def test_corrupt_embeddings_are_recomputed_not_used(built):
    """The embeddings that every yield-model run reads: a flipped bit that still parses is
    caught by its checksum, the embedding job reruns, and training gets the same inputs."""
    article, env = built
    embeddings = article / EMBEDDINGS
    good = embeddings.read_bytes()
    metrics = json.loads((article / FIRST / "metrics.json").read_text())
    data = bytearray(good)
    data[-5] ^= 0x01
    embeddings.write_bytes(bytes(data))
    # the corrupt file is deleted before any job runs; a run that reads it (here one forced
    # training run) first recomputes it (Snakemake reruns a deleted intermediate file only
    # for a job that needs to run)
    target = f"{FIRST}/metrics.json"
    result = run(snakemake("--forcerun", "train_yield_model", "--", target), article, env)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert f"{EMBEDDINGS} was corrupt (checksum mismatch)" in log
    assert "Embedding the " in log and "Training the yield model full on bh FullCV_02" in log
    assert embeddings.read_bytes() == good  # recomputed, byte for byte
    assert json.loads((article / FIRST / "metrics.json").read_text()) == metrics
