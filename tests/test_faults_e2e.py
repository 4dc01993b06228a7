"""Faults in a real build (slow): a build killed mid-training resumes without redoing
finished jobs or accepting a half output, and loses nothing (every output byte for byte as
before); a corrupt cache (the frozen encoders' embeddings, which training reads) or
checkpoint is recomputed byte for byte, not used."""

import os
import signal
import subprocess
import sys
import time

import pytest
from e2e_support import built_article, run

pytestmark = pytest.mark.slow

RESULTS = "src/data/results/yield_model"
# two cheap training jobs (the ablation without the human features trains the head alone)
FIRST = ("train_yield_sm_no_human", f"{RESULTS}/sm/no_human")
SECOND = ("train_yield_bh_no_human", f"{RESULTS}/bh/no_human")
EMBEDDINGS = "src/data/models/bh/all/embeddings.safetensors"


@pytest.fixture(scope="module")
def built(repo_root, mirror, tmp_path_factory):
    return built_article(repo_root, mirror, tmp_path_factory.mktemp("article"))


def snakemake(*args):
    return [sys.executable, "-m", "snakemake", "--cores", "1", *args]


def job_files(article, folder) -> dict[str, bytes]:
    """Every output of a training job (each run's predictions and metrics, the job's
    checkpoint and its checksum), path -> bytes."""
    root = article / folder
    return {
        str(p.relative_to(article)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def checkpoint(folder: str) -> str:
    return f"{folder}/checkpoints.safetensors"


def test_a_build_killed_mid_training_resumes_and_loses_nothing(built):
    article, env = built
    before = {rule: job_files(article, folder) for rule, folder in (FIRST, SECOND)}
    targets = [checkpoint(folder) for _, folder in (FIRST, SECOND)]
    started = time.time()
    process = subprocess.Popen(
        snakemake("--forcerun", FIRST[0], SECOND[0], "--", *targets),
        cwd=article,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:  # kill once one job has finished and the other is training
        deadline = time.time() + 900
        while time.time() < deadline and process.poll() is None:
            done = [
                (rule, folder)
                for rule, folder in (FIRST, SECOND)
                if (article / checkpoint(folder)).exists()
                and (article / checkpoint(folder)).stat().st_mtime > started
            ]
            log = lambda rule: article / f"logs/{rule}.log"  # noqa: E731
            training = [
                (rule, folder)
                for rule, folder in (FIRST, SECOND)
                if (rule, folder) not in done
                and log(rule).exists()
                and log(rule).stat().st_mtime > started
            ]
            if done and training:
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the build ended or stalled before it could be interrupted")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    (_, finished), (_, interrupted) = done[0], training[0]
    # nothing of the interrupted job was accepted: its outputs are gone, not half written
    assert not (article / checkpoint(interrupted)).exists()
    assert not list((article / interrupted).rglob("metrics.json"))
    finished_mtime = (article / checkpoint(finished)).stat().st_mtime
    # kill -9 (or a power loss) leaves Snakemake's lock: --unlock once, as its message says
    assert run(snakemake("--unlock", *targets), article, env).returncode == 0
    resumed = run(snakemake("--rerun-incomplete", *targets), article, env)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert (article / checkpoint(finished)).stat().st_mtime == finished_mtime  # not redone
    for rule, folder in (FIRST, SECOND):
        assert job_files(article, folder) == before[rule], rule  # byte for byte
        assert not list((article / folder).rglob(".*.part*"))  # the killed writes' leftovers
    nothing = run(snakemake("-n", *targets), article, env)
    assert "Nothing to be done" in nothing.stdout + nothing.stderr


def test_a_corrupt_checkpoint_is_recomputed_not_used(built):
    article, env = built
    _, folder = FIRST
    path = article / checkpoint(folder)
    good = job_files(article, folder)
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01  # a changed weight: the file still parses
    path.write_bytes(bytes(data))
    result = run(snakemake(checkpoint(folder)), article, env)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "checkpoints.safetensors was corrupt (checksum mismatch): deleted with its job's" in log
    assert "Training 30 yield models (no_human) on sm" in log  # the rule's message
    assert job_files(article, folder) == good  # every output back, byte for byte


def test_corrupt_embeddings_are_recomputed_not_used(built):
    """The embeddings that every yield-model job reads: a flipped bit that still parses is
    caught by its checksum, the embedding job reruns, and training gets the same inputs."""
    article, env = built
    rule, folder = SECOND
    embeddings = article / EMBEDDINGS
    good, outputs = embeddings.read_bytes(), job_files(article, folder)
    data = bytearray(good)
    data[-5] ^= 0x01
    embeddings.write_bytes(bytes(data))
    # the corrupt file is deleted before any job runs; a job that reads it (here one forced
    # training job) first recomputes it (Snakemake reruns a deleted intermediate file only
    # for a job that needs to run)
    result = run(snakemake("--forcerun", rule, "--", checkpoint(folder)), article, env)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert f"{EMBEDDINGS} was corrupt (checksum mismatch)" in log
    assert "Embedding the " in log and "yield models (no_human) on bh" in log
    assert embeddings.read_bytes() == good  # recomputed, byte for byte
    assert job_files(article, folder) == outputs
