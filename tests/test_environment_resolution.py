"""The pip section of environment.yml resolves with pip's normal resolver, and the workflow
parses where showyourwork runs Snakemake when it uses conda.

`showyourwork build` with conda creates its environment from environment.yml; conda's pip
step runs `pip install -r` on the pip section, every package with its dependencies. This
test does the same with `--dry-run` in a fresh Python 3.11 virtual environment, against the
package index: it needs the network (CI runs it with `make test-slow`). It fails, never
skips, when pip cannot resolve the section or the index cannot be reached, and also when the
resolution holds a package the section does not pin or another version of one (the pins
must be one closed resolution, the one `make paper` installs from requirements.txt).
"""

import json
import shutil
import subprocess
import sys

import pytest
import yaml
from e2e_support import fresh_copy

from pins import differences

pytestmark = [pytest.mark.slow, pytest.mark.network]

RESOLVE_TIMEOUT_S = 1800


def python311() -> str:
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    found = shutil.which("python3.11")
    if found is None:
        pytest.fail("Python 3.11 is needed to check environment.yml's pip section")
    return found


def test_pip_section_of_environment_yml_resolves(repo_root, tmp_path):
    environment = yaml.safe_load((repo_root / "environment.yml").read_text())
    section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "python=3.11" in environment["dependencies"]
    requirements = tmp_path / "environment-pip.txt"
    requirements.write_text("".join(f"{line}\n" for line in section))

    venv = tmp_path / "venv"
    subprocess.run([python311(), "-m", "venv", str(venv)], check=True)
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            str(venv / "bin/python"),
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--disable-pip-version-check",
            "--quiet",
            "--report",
            str(report),
            "-r",
            str(requirements),
        ],
        capture_output=True,
        text=True,
        timeout=RESOLVE_TIMEOUT_S,
    )
    assert result.returncode == 0, (
        f"pip's resolver cannot install the pip section of environment.yml "
        f"({len(section)} pins), as conda's pip step would:\n{result.stderr[-4000:]}"
    )
    problems = differences(json.loads(report.read_text()), section)
    assert not problems, "the resolution departs from environment.yml's pins:\n" + "\n".join(
        problems
    )


def test_the_workflow_parses_with_only_the_snakemake_runner_requirements(repo_root, tmp_path):
    """With conda (a researcher's `showyourwork build`, the GitHub action) Snakemake runs in
    the environment that holds showyourwork, not in environment.yml's: the rule files'
    imports must be met there by requirements-workflow.txt."""
    venv = tmp_path / "venv"
    subprocess.run([python311(), "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin/python")
    runner = str(repo_root / "requirements-workflow.txt")
    install = subprocess.run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "-r", runner],
        capture_output=True,
        text=True,
        timeout=RESOLVE_TIMEOUT_S,
    )
    assert install.returncode == 0, install.stderr[-4000:]
    subprocess.run([python, str(repo_root / "tools/mend_ratelimiter.py")], check=True)
    article = fresh_copy(repo_root, tmp_path / "article")
    target = "src/tex/output/manifest.json"
    dry = subprocess.run(
        [python, "-m", "snakemake", "-n", "--nolock", "--cores", "2", target],
        cwd=article,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert dry.returncode == 0, (
        "the workflow does not parse with only requirements-workflow.txt installed (add what "
        f"the rule files import there):\n{dry.stdout[-2000:]}\n{dry.stderr[-3000:]}"
    )
    assert "This was a dry-run" in dry.stdout + dry.stderr
