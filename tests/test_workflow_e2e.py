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

from reeval.io import sha256_file

pytestmark = pytest.mark.slow

BH_XLSX = "reactions/buchwald_hartwig/rxn_yields/Dreher_and_Doyle_input_data.xlsx"
OUR_JOB_MESSAGES = (
    "Fetching ",
    "Tidying ",
    "Summarising ",
    "Drawing the skew-normal",
    "Rendering the data provenance",
    "Featurising ",
    "Contrastive pretraining",
    "Embedding the ",
    "Training the yield model",
)
YIELD_RUN = "src/data/results/yield_model/bh/full/FullCV_01/seed0"


@pytest.fixture(scope="module")
def built(repo_root, mirror, tmp_path_factory):
    return built_article(repo_root, mirror, tmp_path_factory.mktemp("article"))


def test_fresh_build_makes_the_pdf_with_every_number(built):
    article, env = built
    assert (article / "ms.pdf").is_file()
    check = run([sys.executable, "tools/check_pdf.py", "ms.pdf"], article, env)
    assert check.returncode == 0, check.stderr


def test_editing_only_the_text_reruns_no_data_rule(built):
    article, env = built
    ms = article / "src/tex/ms.tex"
    ms.write_text(ms.read_text().replace("We re-examine two", "We re-examine, here, two"))
    start = time.monotonic()
    result = run(["showyourwork", "build", "--cores", "2"], article, env)
    elapsed = time.monotonic() - start
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert not [m for m in OUR_JOB_MESSAGES if m in log], log[-3000:]
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
    assert "yield_model.train.epochs=" in listing.stdout  # the settings behind a number
    verified = run([sys.executable, "tools/verify_number.py", "data_n_files"], article, env)
    assert verified.returncode == 0, verified.stdout + verified.stderr[-3000:]
    assert "data_n_files reproduces: 69" in verified.stdout
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


def test_yield_model_end_to_end_on_one_split_is_deterministic(built):
    """featurize -> pretrain -> embed -> train of the quick profile, rerun from scratch for one
    split, gives the same metrics as the build did."""
    article, env = built
    before = json.loads((article / YIELD_RUN / "metrics.json").read_text())
    result = run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            "2",
            "--forcerun",
            "featurize_reactions",
            f"{YIELD_RUN}/metrics.json",
        ],
        article,
        env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    for step in (
        "featurize_reactions",
        "pretrain_encoders",
        "embed_reactions",
        "train_yield_model",
    ):
        assert f"rule {step}:" in log or step in log
    after = json.loads((article / YIELD_RUN / "metrics.json").read_text())
    assert after == before
    assert after["r2"] > 0.9 and after["n_test"] == 1188
    predictions = pl.read_parquet(article / YIELD_RUN / "predictions.parquet")
    assert predictions.columns == ["reaction_id", "y", "mu", "sigma"]
    assert predictions.height == 1188 and (predictions["sigma"] > 0).all()
