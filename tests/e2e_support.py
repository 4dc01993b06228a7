"""Helpers of the end-to-end tests: a fresh copy of the repository, seeded with a finished
build's results, and the environment a build runs in."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

BUILD_RESULTS = ["src/data", "src/tex/output", "src/tex/figures", ".snakemake/metadata"]


def fresh_copy(repo_root: Path, destination: Path) -> Path:
    """Tracked and new (not ignored) files, committed into a new git repository without remote."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo_root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = repo_root / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    git = ["git", "-c", "user.email=ci@example.org", "-c", "user.name=ci"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=destination, check=True)
    subprocess.run([*git, "add", "-A"], cwd=destination, check=True)
    subprocess.run([*git, "commit", "-qm", "copy"], cwd=destination, check=True)
    return destination


def seed_with_build(repo_root: Path, article: Path) -> None:
    """Copy a finished build's results (with mtimes and metadata) into the copy."""
    for name in BUILD_RESULTS:
        if (repo_root / name).exists():
            shutil.copytree(repo_root / name, article / name, dirs_exist_ok=True)


def environment(mirror: Path) -> dict:
    venv = Path(sys.executable).parent.parent
    env = {k: v for k, v in os.environ.items() if k not in {"REEVAL_PROFILE"}}
    env["PATH"] = f"{venv / 'shims'}:{venv / 'bin'}:{env['PATH']}"
    env["REEVAL_DATA_MIRROR"] = str(mirror)
    return env


def run(command, cwd, env, timeout=900):
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def built_article(repo_root: Path, mirror: Path, destination: Path) -> tuple[Path, dict]:
    """A fresh copy, seeded with this checkout's build when there is one (unless
    REEVAL_E2E_FRESH=1), then built with `showyourwork build` (a no-op when seeded)."""
    article = fresh_copy(repo_root, destination)
    built_here = (repo_root / "ms.pdf").is_file() and (repo_root / "src/data/results").is_dir()
    if built_here and not os.environ.get("REEVAL_E2E_FRESH"):
        seed_with_build(repo_root, article)
    env = environment(mirror)
    result = run(["showyourwork", "build", "--cores", "2"], article, env, timeout=3600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return article, env
