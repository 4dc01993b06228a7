"""Reviewer aid (`make verify NAME=yield_bh_full_r2`): rerun the rule behind one number (or
table) of the article in a scratch copy of this checkout and report whether it reproduces.

The copy holds the tracked files and this build's results (hard links: nothing here is
changed) with Snakemake's metadata, so only the rule behind NAME reruns, from the same
inputs. Exit status 0 when the rerun gives the same bytes, 1 when it does not.

    python tools/verify_number.py NAME [--cores 2] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import paths  # the one path registry
from reeval.config import PROFILE_ENV
from reeval.errors import ReevalError
from reeval.io import sha256_file
from reeval.render.manifest import MANIFEST_NAME, git_commit, read_manifest

ROOT = Path(__file__).resolve().parents[1]

LINKED = [paths.relative(paths.data)]  # large; every writer replaces files by atomic rename
# small; Snakemake rewrites its metadata in place
COPIED = [paths.relative(paths.output), ".snakemake/metadata"]


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


def scratch_copy(destination: Path) -> Path:
    """Tracked files and small results copied, src/data hard-linked (Snakemake deletes a
    rerun job's outputs first and our writers rename new files into place, so the rerun
    replaces links in the copy and never writes into this checkout's files)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    for names, copy in [(LINKED, link_or_copy), (COPIED, shutil.copy2)]:
        for name in names:
            if (ROOT / name).is_dir():
                shutil.copytree(
                    ROOT / name, destination / name, copy_function=copy, dirs_exist_ok=True
                )
    return destination


def verify(name: str, cores: int, keep: bool) -> int:
    manifest = read_manifest(ROOT / paths.relative(paths.output) / MANIFEST_NAME)
    if name not in manifest["numbers"]:
        known = ", ".join(sorted(manifest["numbers"])[:8])
        print(
            f"verify: no number {name!r} in the manifest (some: {known}, ...; "
            "`make numbers` lists all)",
            file=sys.stderr,
        )
        return 2
    entry = manifest["numbers"][name]
    warn_if_code_differs(manifest)
    # the rerun must use the profile the number was built with, whatever this shell says
    env = {**os.environ, PROFILE_ENV: manifest["profile"]} if manifest.get("profile") else None
    (ROOT / ".verify").mkdir(exist_ok=True)  # beside the build: hard links need one disk
    scratch = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=ROOT / ".verify"))
    try:
        scratch_copy(scratch)
        print(f"verify: rerunning rule {entry['rule']} for {entry['file']} in {scratch} ...")
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "snakemake",
                "--cores",
                str(cores),
                "--forcerun",
                entry["rule"],
                "--",
                entry["file"],
            ],
            cwd=scratch,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            print(result.stdout[-2000:] + result.stderr[-3000:], file=sys.stderr)
            print(f"verify: the rerun of {entry['rule']} failed", file=sys.stderr)
            return 1
        rerun = scratch / entry["file"]
        value = rerun.read_text(encoding="utf-8").strip() if entry["kind"] == "number" else "table"
        if sha256_file(rerun) == entry["sha256"]:
            print(f"verify: {name} reproduces: {value} (sha256 {entry['sha256'][:16]})")
            return 0
        print(
            f"verify: {name} does NOT reproduce: built {entry['value'] or 'table'} "
            f"(sha256 {entry['sha256'][:16]}), rerun {value} (sha256 {sha256_file(rerun)[:16]})"
        )
        return 1
    finally:
        if keep:
            print(f"verify: the scratch copy is kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def warn_if_code_differs(manifest: dict) -> None:
    """The rerun uses this checkout's code: say so when it is not the code of the build."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    head = git_commit(ROOT)
    if manifest.get("commit") and head != manifest["commit"]:
        print(
            f"verify: warning: the number was built at commit {manifest['commit'][:12]}, "
            f"this checkout is at {str(head)[:12]}; the rerun uses this checkout's code"
        )
    if status:
        print("verify: warning: this checkout has uncommitted changes; the rerun uses them")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="a number's name (its file name without .txt/.tex)")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="keep the scratch copy")
    args = parser.parse_args()
    try:
        return verify(args.name, args.cores, args.keep)
    except ReevalError as error:
        print(f"verify: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
