"""End-to-end: the real `showyourwork build` in a fresh copy of the repository (slow).

Run by `make test-slow` (and so by .ci/run), not by the default `make test`. When the
checkout has already been built (ms.pdf and src/data exist, as in .ci/run after `make
paper`), the copy starts from those results with their Snakemake metadata, so only what
the tests change is recomputed; REEVAL_E2E_FRESH=1 forces a build from scratch.
"""

import json
import os
import shutil
import sys
import time

import polars as pl
import pytest
from e2e_support import built_article, run

from reeval.data.manifest import load_manifest
from reeval.io import sha256_file

pytestmark = pytest.mark.slow

BH_XLSX = "reactions/buchwald_hartwig/rxn_yields/Dreher_and_Doyle_input_data.xlsx"
# a cheap training job of the yield model (its ablation without the human features), and
# one of its runs
YIELD_RULE = "train_yield_bh_no_human"
YIELD_RUN = "src/data/results/yield_model/bh/no_human/FullCV_01/seed0"


@pytest.fixture(scope="module")
def built(repo_root, mirror, tmp_path_factory):
    return built_article(repo_root, mirror, tmp_path_factory.mktemp("article"))


def test_fresh_build_makes_the_pdf_with_every_number(built):
    article, env = built
    assert (article / "ms.pdf").is_file()
    check = run([sys.executable, "tools/check_pdf.py", "ms.pdf"], article, env)
    assert check.returncode == 0, check.stderr


def generated_files(article) -> dict[str, tuple[int, int]]:
    """(size, mtime in ns) of every file the data rules write (src/data, src/tex/output)."""
    out = {}
    for folder in ("src/data", "src/tex/output"):
        for path in (article / folder).rglob("*"):
            if path.is_file():
                stat = path.stat()
                out[str(path.relative_to(article))] = (stat.st_size, stat.st_mtime_ns)
    return out


def test_editing_only_the_text_reruns_no_data_rule(built):
    article, env = built
    before = generated_files(article)
    ms = article / "src/tex/ms.tex"
    ms.write_text(ms.read_text().replace("We re-examine two", "We re-examine, here, two"))
    start = time.monotonic()
    result = run(["showyourwork", "build", "--cores", "2"], article, env)
    elapsed = time.monotonic() - start
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    # no data rule wrote anything: every file of src/data and src/tex/output is as it was
    # (a rule that reran would have rewritten its outputs, atomically: a new mtime)
    after = generated_files(article)
    assert after == before, sorted(
        k for k in after.keys() | before.keys() if after.get(k) != before.get(k)
    )[:10]
    # the check is that no data rule reruns; the time is reported, not asserted (the
    # machine is shared, and the graph grows with every stage)
    print(f"text-only rebuild took {elapsed:.0f} s")


def test_rerunning_every_article_rule_gives_byte_identical_outputs(built):
    """Determinism of the last stage: every rule writing src/tex/output, rerun from the same
    inputs, writes the same bytes (the stages before it: the yield-model test above, and
    the two-build comparison reported in the README)."""
    article, env = built
    output = article / "src/tex/output"
    before = {p.name: p.read_bytes() for p in output.iterdir() if p.is_file()}
    rules = [
        "summarise_bh",
        "summarise_sm",
        "skew_normal_illustration",
        "provenance_table",
        "summarise_yield_model",
        "summarise_comparison",
        "summarise_materials",
        "summarise_authors_split",
        "number_manifest",
    ]
    result = run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            "2",
            "--forcerun",
            *rules,
            "--",
            "src/tex/output/manifest.json",
        ],
        article,
        env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    after = {p.name: p.read_bytes() for p in output.iterdir() if p.is_file()}
    assert sorted(after) == sorted(before)
    assert not [n for n in before if after[n] != before[n] and n != "manifest.json"]
    # the manifest names the commit it was built from: the copy is another repository
    manifests = [json.loads(m[n]) for m in (before, after) for n in ["manifest.json"]]
    assert manifests[0]["commit"] != manifests[1]["commit"]
    assert {**manifests[0], "commit": None} == {**manifests[1], "commit": None}


def test_every_number_is_in_the_manifest_and_one_reproduces(built):
    article, env = built
    manifest = json.loads((article / "src/tex/output/manifest.json").read_text())
    generated = {p.stem for p in (article / "src/tex/output").glob("*.txt")}
    assert generated and generated <= set(manifest["numbers"])
    listing = run([sys.executable, "tools/list_numbers.py"], article, env)
    assert listing.returncode == 0 and "CHANGED" not in listing.stdout
    assert "rule summarise_yield_model, script src/scripts/summarise_yield_model.py" in (
        listing.stdout
    )
    assert "training_budget.epochs=" in listing.stdout  # the settings behind a number
    verified = run([sys.executable, "tools/verify_number.py", "data_n_files"], article, env)
    assert verified.returncode == 0, verified.stdout + verified.stderr[-3000:]
    n_files = len(load_manifest(article / "config/data_manifest.yaml").files)
    assert f"data_n_files reproduces: {n_files}" in verified.stdout
    # a built value that the rerun does not give is reported, with exit status 1
    manifest["numbers"]["data_n_files"]["sha256"] = "0" * 64
    (article / "src/tex/output/manifest.json").write_text(json.dumps(manifest))
    differs = run([sys.executable, "tools/verify_number.py", "data_n_files"], article, env)
    assert differs.returncode == 1 and "does NOT reproduce" in differs.stdout


# The tests below change the copy's data (this one deletes its raw files): tests that need
# the build as made belong above.
def test_corrupt_mirror_file_fails_with_both_hashes_and_leaves_nothing(built, mirror, tmp_path):
    article, env = built
    corrupt = tmp_path / "mirror"
    for path in mirror.rglob("*"):
        if path.is_file():
            (corrupt / path.relative_to(mirror)).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, corrupt / path.relative_to(mirror))
    target = corrupt / BH_XLSX
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.unlink()
    target.write_bytes(bytes(data))
    shutil.rmtree(article / "src/data/raw")
    result = run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            "1",
            "src/data/tidy/bh_reactions.parquet",
            "--forceall",
        ],
        article,
        {**env, "REEVAL_DATA_MIRROR": str(corrupt)},
    )
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert BH_XLSX in log
    assert sha256_file(mirror / BH_XLSX) in log  # expected
    assert sha256_file(target) in log  # actual
    left = [p for p in (article / "src/data").rglob("*") if p.is_file() and p.name != ".gitignore"]
    assert not [p for p in left if "Dreher_and_Doyle" in p.name], left


def test_yield_model_end_to_end_is_deterministic(built):
    """featurize -> pretrain -> embed -> train of the quick profile, rerun from scratch for
    one training job, gives the same bytes as the build did."""
    article, env = built
    folder = article / YIELD_RUN.rsplit("/", 2)[0]
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    result = run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            "2",
            "--forcerun",
            "featurize_reactions",
            "--",
            f"{YIELD_RUN.rsplit('/', 2)[0]}/checkpoints.safetensors",
        ],
        article,
        env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    for message in (
        "Featurising the bh",
        "Contrastive pretraining",
        "Embedding the bh",
        "yield models (no_human) on bh",
    ):
        assert message in log, message
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    metrics = json.loads((article / YIELD_RUN / "metrics.json").read_text())
    assert metrics["n_test"] == 1188 and metrics["variant"] == "no_human"
    predictions = pl.read_parquet(article / YIELD_RUN / "predictions.parquet")
    assert predictions.columns == ["reaction_id", "y", "mu", "sigma"]
    assert predictions.height == 1188 and (predictions["sigma"] > 0).all()
