"""Determinism (slow): two builds of the quick profile from the same commit give
byte-identical src/tex/output files (every number and table of the article).

The first build is this checkout's (in CI, `make paper` of this commit) when it is up to
date with the working tree; otherwise a fresh copy is built first. The second is built from
scratch in another fresh copy: fetching, featurising, pretraining, every model, every
summary. Only the manifest's `commit` differs (each copy is its own git repository).
"""

import json
import sys

import pytest
from e2e_support import environment, fresh_copy, run

pytestmark = pytest.mark.slow

MANIFEST = "src/tex/output/manifest.json"


def build_outputs(article, env) -> None:
    """Everything behind src/tex/output (the manifest depends on every number and table)."""
    result = run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--", MANIFEST],
        article,
        env,
        timeout=3600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def is_up_to_date(article, env) -> bool:
    if not (article / MANIFEST).is_file():
        return False
    dry = run([sys.executable, "-m", "snakemake", "-n", "--", MANIFEST], article, env)
    return dry.returncode == 0 and "Nothing to be done" in dry.stdout + dry.stderr


def outputs(article) -> dict[str, bytes]:
    folder = article / "src/tex/output"
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_two_builds_of_one_commit_give_byte_identical_outputs(repo_root, mirror, tmp_path):
    env = environment(mirror)
    first = repo_root
    if not is_up_to_date(repo_root, env):
        first = fresh_copy(repo_root, tmp_path / "first")
        build_outputs(first, env)
    second = fresh_copy(repo_root, tmp_path / "second")
    build_outputs(second, env)
    before, after = outputs(first), outputs(second)
    assert sorted(after) == sorted(before)
    differing = [n for n in before if before[n] != after[n] and n != "manifest.json"]
    assert not differing, differing
    manifests = [json.loads(o["manifest.json"]) for o in (before, after)]
    assert {**manifests[0], "commit": None} == {**manifests[1], "commit": None}
