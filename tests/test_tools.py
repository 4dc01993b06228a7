"""The project's own tools: set-up mend, stand-ins for conda and tectonic, the PDF check."""

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

import check_pdf
import list_numbers
import mend_ratelimiter


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


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is set up by make"
)
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


def test_number_listing_describes_values_and_tables(tmp_path):
    (tmp_path / "n.txt").write_text("3955\n")
    (tmp_path / "t.tex").write_text(
        textwrap.dedent(r"""
        \begin{tabular}{lr}
        a & b \\
        1 & 2 \\
        \end{tabular}
    """)
    )
    assert list_numbers.describe_value(tmp_path / "n.txt") == "3955"
    assert list_numbers.describe_value(tmp_path / "t.tex") == "table, 2 rows incl. header"
    assert list_numbers.describe_inputs(list("abcdef")) == "a, b, c, d and 2 more"
