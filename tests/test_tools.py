"""The project's own tools: set-up mend, stand-ins for conda and tectonic, the PDF check."""

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

import check_pdf
import list_numbers
import mend_ratelimiter
import verify_number
from reeval.io import sha256_file
from reeval.render.builders import TableBuilder
from reeval.render.manifest import RuleProvenance, build_manifest


def test_ratelimiter_mend_is_idempotent(tmp_path, monkeypatch):
    broken = tmp_path / "ratelimiter.py"
    broken.write_text(
        "import asyncio\nclass RateLimiter:\n    def __exit__(self, *a):\n"
        "        return None\n" + mend_ratelimiter.BROKEN
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("ratelimiter", None)
    mend_ratelimiter.main()
    mended = broken.read_text()
    assert "asyncio.coroutine" not in mended and "async def __aexit__" in mended
    mend_ratelimiter.main()
    assert broken.read_text() == mended
    sys.modules.pop("ratelimiter", None)


def fake_program(folder, name, log):
    path = folder / name
    path.write_text(f'#!/usr/bin/env bash\necho "{name} $*" >> {log}\n')
    path.chmod(0o755)
    return path


def test_snakemake_stand_in_drops_conda_flags(repo_root, tmp_path):
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "shims").mkdir()
    log = tmp_path / "calls.log"
    fake_program(venv / "bin", "python", log)
    os.symlink(repo_root / "tools/shims/snakemake", venv / "shims/snakemake")
    subprocess.run(
        [
            venv / "shims/snakemake",
            "--cores",
            "2",
            "--use-conda",
            "--conda-frontend",
            "mamba",
            "--reason",
            "-s",
            "build.smk",
        ],
        check=True,
    )
    assert log.read_text() == "python -m snakemake --cores 2 --reason -s build.smk\n"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--chatter", "minimal", "--keep-logs", "-r", "0", "ms.tex"], "pdflatex"),
        (["--chatter", "minimal", "--keep-logs", "--synctex", "ms.tex"], "latexmk -pdf"),
    ],
)
def test_tectonic_stand_in_runs_pdflatex_or_latexmk(repo_root, tmp_path, args, expected):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    for name in ("pdflatex", "latexmk"):
        fake_program(bin_dir, name, log)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    subprocess.run([repo_root / "tools/shims/tectonic", *args], check=True, env=env)
    call = log.read_text()
    assert call.startswith(expected) and call.rstrip().endswith("ms.tex")
    assert "-halt-on-error" in call
    assert ("-synctex=1" in call) == ("--synctex" in args)


@pytest.fixture
def pdftotext() -> str:
    """check_pdf is CI's last gate: without pdftotext its tests fail, never skip."""
    path = shutil.which("pdftotext")
    if path is None:
        pytest.fail(
            "pdftotext (poppler-utils) is missing: run `make setup`, which installs it "
            "(or `apt-get install poppler-utils`)"
        )
    return path


def write_pdf(path, pages, spacing: float) -> None:
    """A PDF with one page per list of lines, each line a text object `spacing` below the
    last (pdftotext reads them as lines)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path) as pdf:
        for lines in pages:
            fig = plt.figure()
            for i, line in enumerate(lines):
                fig.text(0.1, 0.8 - spacing * i, line)
            pdf.savefig(fig)
            plt.close(fig)


@pytest.mark.usefixtures("pdftotext")
def test_pdf_check_finds_present_and_missing_numbers(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.text(0.1, 0.5, "mean 33.1 and sizes 898, 900, 897")
    fig.savefig(tmp_path / "ms.pdf")
    out = tmp_path / "output"
    out.mkdir()
    (out / "a.txt").write_text("33.1\n")
    (out / "b.txt").write_text("898, 900, 897\n")
    (out / "c.txt").write_text("-4.2\n")
    assert check_pdf.missing_numbers(tmp_path / "ms.pdf", out) == {"c.txt": "-4.2"}


@pytest.mark.usefixtures("pdftotext")
def test_pdf_check_accepts_a_sentence_broken_by_a_page_but_not_a_split_number(tmp_path):
    write_pdf(
        tmp_path / "ms.pdf",
        (
            ["LM-C agrees better with the first half", "0.4", "10"],
            ["G G G", "than with the second (Spearman 0.41)", "1 and more"],
        ),
        spacing=0.2,
    )
    out = tmp_path / "output"
    out.mkdir()
    sentence = "LM-C agrees better with the first half than with the second (Spearman 0.41)"
    (out / "sentence.txt").write_text(sentence + "\n")
    (out / "number.txt").write_text("0.41\n")  # on the second page
    (out / "split_number.txt").write_text("0.4 than\n")  # too few words to split over pages
    wrong_order = "than with the second (Spearman 0.41) LM-C agrees better"
    (out / "wrong_order.txt").write_text(wrong_order + "\n")
    assert check_pdf.missing_numbers(tmp_path / "ms.pdf", out) == {
        "split_number.txt": "0.4 than",
        "wrong_order.txt": wrong_order,
    }


@pytest.mark.usefixtures("pdftotext")
def test_pdf_check_reads_a_short_value_across_a_page_number(tmp_path):
    write_pdf(
        tmp_path / "ms.pdf",
        (["as a one-hot input (300, 600,", "12"], ["900 K, other).", "13"]),
        spacing=0.6,
    )
    out = tmp_path / "output"
    out.mkdir()
    (out / "bins.txt").write_text("300, 600, 900\n")  # only the page number between
    (out / "across_pages.txt").write_text("600, 900\n")
    (out / "with_the_number.txt").write_text("600, 12 900\n")
    (out / "not_there.txt").write_text("300, 900\n")
    assert check_pdf.missing_numbers(tmp_path / "ms.pdf", out) == {"not_there.txt": "300, 900"}


@pytest.mark.usefixtures("pdftotext")
def test_pdf_check_accepts_two_words_of_a_long_value_before_a_float(tmp_path):
    write_pdf(
        tmp_path / "ms.pdf",
        (
            ["tested on seeded", "11"],
            ["Table 13", "subsets of the splits, at most 1000"],
        ),
        spacing=0.6,
    )
    out = tmp_path / "output"
    out.mkdir()
    (out / "sizes.txt").write_text("on seeded subsets of the splits, at most 1000\n")
    (out / "short.txt").write_text("on seeded subsets\n")  # too short to split
    assert check_pdf.missing_numbers(tmp_path / "ms.pdf", out) == {"short.txt": "on seeded subsets"}


@pytest.mark.usefixtures("pdftotext")
def test_pdf_check_reads_a_long_value_across_a_page_of_floats_but_not_further(tmp_path):
    write_pdf(
        tmp_path / "ms.pdf",
        (
            ["tested on seeded", "11"],
            ["Table 13", "Table 14", "12"],
            ["subsets of the splits, at most 1000", "13"],
            ["Table 15", "14"],
            ["Table 16", "15"],
            ["Table 17", "16"],
            ["the other part of a value", "17"],
        ),
        spacing=0.3,
    )
    out = tmp_path / "output"
    out.mkdir()
    (out / "sizes.txt").write_text("on seeded subsets of the splits, at most 1000\n")
    far = "tested on seeded the other part of a value"  # three float pages between
    (out / "far.txt").write_text(far + "\n")
    assert check_pdf.missing_numbers(tmp_path / "ms.pdf", out) == {"far.txt": far}


def test_the_manifest_lists_values_hashes_inputs_and_settings(tmp_path, monkeypatch):
    out = tmp_path / "src/tex/output"
    out.mkdir(parents=True)
    (out / "n.txt").write_text("3955\n")
    (out / "t.tex").write_text("\\begin{tabular}{l}a \\\\\n\\end{tabular}\n")
    (tmp_path / "in.parquet").write_bytes(b"data")
    rule = RuleProvenance(
        "summarise_bh",
        "src/scripts/s.py",
        ["in.parquet", "src/scripts/s.py"],
        ["src/tex/output/n.txt", "src/tex/output/t.tex"],
        ["robust"],
    )
    config = {"profile": "quick", "robust": {"seed": 1, "confidence": 0.95}, "data": {"x": 1}}
    manifest = build_manifest([rule], config, root=tmp_path)
    assert manifest["numbers"]["n"] == {
        "file": "src/tex/output/n.txt",
        "kind": "number",
        "value": "3955",
        "sha256": sha256_file(out / "n.txt"),
        "rule": "summarise_bh",
    }
    assert manifest["numbers"]["t"]["kind"] == "table" and manifest["numbers"]["t"]["value"] is None
    entry = manifest["rules"]["summarise_bh"]
    assert entry["inputs"] == {
        "in.parquet": sha256_file(tmp_path / "in.parquet"),
        "src/scripts/s.py": "missing",
    }
    assert entry["config"] == {"robust.confidence": 0.95, "robust.seed": 1}  # not data.x
    monkeypatch.setattr(list_numbers, "ROOT", tmp_path)
    lines = list_numbers.describe("n", manifest["numbers"]["n"], entry, all_inputs=False)
    assert lines[0] == "n: 3955" and "robust.seed=1" in lines[-1]
    assert any(sha256_file(tmp_path / "in.parquet")[:16] in line for line in lines)
    builders = [TableBuilder(r"t\.tex", "reeval.x.t_table", "s.py", 1)]
    table = list_numbers.describe("t", manifest["numbers"]["t"], entry, False, builders)
    assert table[0] == "t: table" and table[2] == "    built by reeval.x.t_table"
    (out / "n.txt").write_text("3956\n")
    changed = list_numbers.describe("n", manifest["numbers"]["n"], entry, all_inputs=False)
    assert "CHANGED since the build" in changed[0]


def test_build_costs_group_jobs_into_rule_families(tmp_path):
    import build_costs

    rows = {
        "train_dft_rf_bh.tsv": 3.0,
        "train_onehot_rf_sm.tsv": 5.0,
        "train_dft_rf_bh_learning_curve.tsv": 7.0,
        "train_yield_sm_no_uq.tsv": 20.0,
        "train_yield_bh_full.tsv": 30.0,
        "train_yield_sm_end_to_end.tsv": 40.0,
        "train_yield_bh_full_learning_curve.tsv": 9.0,
        "describe_materials.tsv": 100.0,
        "train_mmoe.tsv": 50.0,
        "embed_reactions_bh_all.tsv": 4.0,
        "embed_materials.tsv": 60.0,
    }
    for name, seconds in rows.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"s\th:m:s\n{seconds}\t0:00:01\n")
    assert build_costs.costs(tmp_path) == {
        "tree baselines": [2, 8.0],
        "tree baselines, learning curves": [1, 7.0],
        "multimodal ablations": [1, 20.0],
        "multimodal model": [1, 30.0],
        "multimodal model, end to end": [1, 40.0],
        "multimodal learning curve": [1, 9.0],
        "materials": [3, 210.0],
        "reaction embeddings": [1, 4.0],
    }


def test_core_occupancy_from_the_snakemake_log(tmp_path):
    """Two jobs overlap for 10 s of a 40 s build: both cores busy a quarter of the time."""
    import build_costs

    log = tmp_path / "x.snakemake.log"
    log.write_text(
        "Building DAG of jobs...\n"
        "[Thu Dec  3 10:00:00 2026]\nJob 1: Training A...\nReason: missing\n\n"
        "[Thu Dec  3 10:00:20 2026]\nJob 2: Training B...\n\n"
        "[Thu Dec  3 10:00:30 2026]\nFinished job 1.\n1 of 2 steps (50%) done\n"
        "[Thu Dec  3 10:00:35 2026]\nFinished job 2.\n2 of 2 steps (100%) done\n"
        "[Thu Dec  3 10:00:40 2026]\nComplete log: x\n"
    )
    intervals, first, last = build_costs.job_intervals(log)
    assert len(intervals) == 2
    wall, shares = build_costs.occupancy(intervals, first, last, cores=2)
    assert wall == 40
    assert shares == pytest.approx([5 / 40, 25 / 40, 10 / 40])


def test_core_occupancy_with_jobs_that_start_and_end_in_one_second():
    """Time stamps have whole seconds: four light jobs that start and end in the same second
    while nothing else runs never count as fewer than zero running jobs (before, ends sorted
    before starts and the count fell to -4: IndexError)."""
    import build_costs

    first = datetime(2026, 12, 3, 10, 0, 0)
    at = lambda s: first + timedelta(seconds=s)  # noqa: E731
    intervals = [(at(0), at(10)), *[(at(10), at(10))] * 4, (at(10), at(20))]
    wall, shares = build_costs.occupancy(intervals, first, at(20), cores=2)
    assert wall == 20 and shares == pytest.approx([0.0, 1.0, 0.0])


def test_verify_reruns_under_the_profile_of_the_build(tmp_path, monkeypatch, capsys):
    """A number built with REEVAL_PROFILE=full is rerun with the full profile, whatever the
    shell says, and a checkout at another commit is reported."""
    (tmp_path / "src/tex/output").mkdir(parents=True)
    number = tmp_path / "src/tex/output/x.txt"
    number.write_text("42\n")
    manifest = {
        "profile": "full",
        "commit": "0" * 40,
        "numbers": {
            "x": {
                "file": "src/tex/output/x.txt",
                "kind": "number",
                "value": "42",
                "sha256": sha256_file(number),
                "rule": "r",
            }
        },
    }
    (tmp_path / "src/tex/output/manifest.json").write_text(json.dumps(manifest))
    seen, real_run = {}, subprocess.run

    def fake_scratch_copy(destination):
        (destination / "src/tex/output").mkdir(parents=True)
        shutil.copy2(number, destination / "src/tex/output/x.txt")
        return destination

    def fake_run(command, **kwargs):
        if "snakemake" in command:
            seen["env"] = kwargs["env"]
            return subprocess.CompletedProcess(command, 0, "", "")
        return real_run(command, **kwargs)  # git, in a folder that is no repository

    monkeypatch.setattr(verify_number, "ROOT", tmp_path)
    monkeypatch.setattr(verify_number, "scratch_copy", fake_scratch_copy)
    monkeypatch.setattr(verify_number.subprocess, "run", fake_run)
    monkeypatch.setenv("REEVAL_PROFILE", "quick")
    assert verify_number.verify("x", cores=1, keep=False) == 0
    assert seen["env"]["REEVAL_PROFILE"] == "full"
    out = capsys.readouterr().out
    assert "x reproduces: 42" in out and "built at commit 000000000000" in out

    def fake_run_that_changes_the_number(command, **kwargs):
        if "snakemake" in command:  # the rerun writes another value
            (kwargs["cwd"] / "src/tex/output/x.txt").write_text("43\n")
            return subprocess.CompletedProcess(command, 0, "", "")
        return real_run(command, **kwargs)

    monkeypatch.setattr(verify_number.subprocess, "run", fake_run_that_changes_the_number)
    assert verify_number.verify("x", cores=1, keep=False) == 1
    captured = capsys.readouterr()
    assert "43" in captured.out + captured.err and "reproduces" not in captured.out
