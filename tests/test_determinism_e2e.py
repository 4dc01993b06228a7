"""Determinism (slow): jobs rerun from the same inputs in a fresh copy of the build write
the same bytes, and the rebuilt article has the same text.

A second build from scratch does not fit CI's time (the whole design takes most of a
build), so this test reruns one job of each kind of rule that the other end-to-end tests do
not rerun (they rerun the featurize -> pretrain -> embed -> train chain of Buchwald-Hartwig,
every article rule, and on a stand-in cluster embedding, a forest, the MPNN, a yield-model
job and the recall of materials), compares every output of those jobs byte for byte, then
redraws the figures, recompiles ms.pdf and compares the figures' data files and the PDF's
text with the build's. The jobs are the cheapest of their kind: CI has minutes for all of
this (the tidying and featurising of Suzuki-Miyaura would rerun its pretraining too).
"""

import subprocess
import sys

import pytest
from e2e_support import built_article, run

pytestmark = pytest.mark.slow

# rule -> the folder (or file) holding the outputs of the job of it that is rerun
JOBS = {
    "train_dft_rf_bh": "src/data/results/baselines/bh/dft_rf",
    "train_yield_bh_no_moe": "src/data/results/yield_model/bh/no_moe",
    "train_property_models": "src/data/materials/embedding_quality.parquet",
}
TARGETS = {
    "train_dft_rf_bh": "src/data/results/baselines/bh/dft_rf/Test1/seed0/frac1/metrics.json",
    "train_yield_bh_no_moe": "src/data/results/yield_model/bh/no_moe/checkpoints.safetensors",
    "train_property_models": "src/data/materials/embedding_quality.parquet",
}
FIGURE_DATA = [
    *(
        f"src/data/results/comparison/{n}.parquet"
        for n in ("learning_curves", "calibration", "oos_r2")
    ),
    "src/data/results/yield_model/figure_predictions.parquet",
]


def files_under(article, name) -> dict[str, bytes]:
    path = article / name
    paths = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p.relative_to(article)): p.read_bytes() for p in paths}


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def built(repo_root, mirror, tmp_path_factory):
    return built_article(repo_root, mirror, tmp_path_factory.mktemp("article"))


def test_rerun_jobs_write_the_same_bytes(built):
    article, env = built
    before = {rule: files_under(article, folder) for rule, folder in JOBS.items()}
    result = run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            "2",
            "--forcerun",
            *JOBS,
            "--",
            *TARGETS.values(),
        ],
        article,
        env,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for rule, folder in JOBS.items():
        after = files_under(article, folder)
        assert sorted(after) == sorted(before[rule]), rule
        differing = [name for name in after if after[name] != before[rule][name]]
        assert not differing, (rule, differing[:5])


def test_the_rebuilt_article_has_the_same_figures_data_and_text(built):
    article, env = built
    figures_before = {n: files_under(article, n) for n in FIGURE_DATA}
    text_before = pdf_text(article / "ms.pdf")
    (article / "ms.pdf").unlink()
    result = run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            "2",
            "--forcerun",
            "summarise_yield_model",
            "summarise_comparison",
            "--",
            *FIGURE_DATA,
        ],
        article,
        env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rebuilt = run(["showyourwork", "build", "--cores", "2"], article, env, timeout=1800)
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:] + rebuilt.stderr[-3000:]
    assert {n: files_under(article, n) for n in FIGURE_DATA} == figures_before
    assert pdf_text(article / "ms.pdf") == text_before
