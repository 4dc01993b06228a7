"""Fetch one manifest file: copy it from the repository (a file shipped under src/static/) or
from a local mirror, or download it; verify; write atomically.

Nothing unverified ever lands at the destination: the bytes go to a temporary file beside
it, are checked against the manifest's size and sha256, and only then renamed into place.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.request
from pathlib import Path

from reeval.config import MIRROR_ENV, REPO_ROOT
from reeval.data.manifest import DataFile
from reeval.errors import ChecksumError, FetchError
from reeval.io import CHUNK_BYTES, atomic_path, sha256_file

MIRROR_HINT = (
    f"set the environment variable {MIRROR_ENV}=/path/to/mirror (a folder holding the "
    "manifest's relative paths, e.g. ../shared/data) or `data.mirror` in config/<profile>.yaml"
)


def fetch(
    entry: DataFile,
    destination: Path,
    mirror: Path | None,
    timeout_s: float = 60,
    repo_root: Path = REPO_ROOT,
) -> Path:
    """Place the verified file `entry` at `destination`: from its copy in the repository when
    it ships with it, else from the mirror, else from its URL."""
    destination = Path(destination)
    attempts: list[str] = []
    shipped = static_copy(entry, repo_root)
    if shipped is not None:
        if shipped.is_file():
            return _store_verified(entry, destination, lambda out: _copy(shipped, out))
        attempts.append(f"its repository copy {entry.static} is missing")
    if mirror is not None:
        mirrored = Path(mirror) / entry.path
        if mirrored.is_file():
            return _store_verified(entry, destination, lambda out: _copy(mirrored, out))
        attempts.append(f"not in the mirror ({mirrored})")
    if entry.url is None and entry.static is None:
        attempts.append("it has no public URL, so only a mirror can provide it")
    elif entry.url is None:
        attempts.append("it has no public URL: restore it with `git checkout -- src/static`")
    else:
        try:
            return _store_verified(
                entry, destination, lambda out: _download(entry.url, out, timeout_s)
            )
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            attempts.append(f"download from {entry.url} failed ({_reason(exc)})")
    hint = "" if mirror is not None else f"; no local mirror is configured: {MIRROR_HINT}"
    raise FetchError(f"cannot fetch {entry.path}: {'; '.join(attempts)}{hint}")


def static_copy(entry: DataFile, repo_root: Path = REPO_ROOT) -> Path | None:
    """Where the repository's own copy of `entry` is, or None if it has none."""
    return None if entry.static is None else Path(repo_root) / entry.static


def origin(entry: DataFile, mirror: Path | None, repo_root: Path = REPO_ROOT) -> str:
    """Where `fetch` takes `entry` from, in words (for the job's log)."""
    shipped = static_copy(entry, repo_root)
    if shipped is not None and shipped.is_file():
        return f"the repository ({entry.static})"
    if mirror is not None and (Path(mirror) / entry.path).is_file():
        return f"mirror {mirror}"
    return str(entry.url)


def _store_verified(entry: DataFile, destination: Path, write) -> Path:
    with atomic_path(destination) as tmp:
        with open(tmp, "wb") as out:
            write(out)
        verify(entry, tmp)
    return destination


def verify(entry: DataFile, path: Path) -> None:
    """Raise ChecksumError naming the file, the expected and the actual size or hash."""
    size = path.stat().st_size
    actual = sha256_file(path)
    if actual != entry.sha256:
        raise ChecksumError(
            f"checksum mismatch for {entry.path}: expected sha256 {entry.sha256}, "
            f"got {actual} ({size} bytes, expected {entry.size}); the file was not kept. "
            "Re-download it or repair the mirror copy."
        )
    if size != entry.size:
        raise ChecksumError(
            f"size mismatch for {entry.path}: expected {entry.size} bytes, got {size} "
            "(sha256 matches: fix `size` in config/data_manifest.yaml)"
        )


def _copy(source: Path, out) -> None:
    with open(source, "rb") as handle:
        shutil.copyfileobj(handle, out, CHUNK_BYTES)


def _download(url: str, out, timeout_s: float) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "reeval-fetch/0.1"})
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        shutil.copyfileobj(response, out, CHUNK_BYTES)


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason if reason is not None else exc)
