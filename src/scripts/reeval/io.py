"""Atomic writes and hashing: an interrupted run never leaves a half-written file, and a
cache written with a checksum is never read back corrupt."""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHUNK_BYTES = 1 << 20
CHECKSUM_SUFFIX = ".sha256"


class CorruptFileError(OSError):
    """A file no longer matches the checksum written beside it."""


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, checksum: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `target`; move it onto `target` only on success.

    The temporary file lives in the same folder (so the final rename is atomic) and
    keeps the target's suffix (so writers that look at the extension still work).
    With `checksum`, the file's sha256 is written beside it (`<name>.sha256`), for
    `verify_checksum` and `discard_corrupt` to check before the file is used.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # temporary files of this target left by a killed run (kill -9 skips the clean-up below);
    # only one job at a time writes a given target
    for orphan in target.parent.glob(f".{glob.escape(target.name)}.*.part{target.suffix}"):
        orphan.unlink(missing_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=f".part{target.suffix}"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        digest = sha256_file(tmp) if checksum else None
        os.replace(tmp, target)
        if digest is not None:
            write_text_atomic(checksum_path(target), digest + "\n")
    finally:
        tmp.unlink(missing_ok=True)


def checksum_path(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name + CHECKSUM_SUFFIX)


def verify_checksum(path: str | os.PathLike) -> None:
    """Raise CorruptFileError when `path` differs from the checksum written beside it (a
    file written without one is not checked)."""
    recorded = checksum_path(path)
    if not recorded.is_file():
        return
    expected = recorded.read_text().strip()
    actual = sha256_file(path)
    if actual != expected:
        raise CorruptFileError(
            f"{path}: corrupt (sha256 {actual}, written as {expected}); the build recomputes "
            "it when rerun (it deletes corrupt caches before any job starts)"
        )


def discard_corrupt(root: str | os.PathLike) -> list[Path]:
    """Delete every file under `root` that no longer matches its checksum (and orphaned
    checksums), so that the workflow recomputes it instead of using it. Returns them."""
    discarded = []
    for recorded in sorted(Path(root).rglob(f"*{CHECKSUM_SUFFIX}")):
        path = recorded.with_name(recorded.name.removesuffix(CHECKSUM_SUFFIX))
        try:
            if path.exists():
                verify_checksum(path)
                continue
        except CorruptFileError:
            path.unlink()
            discarded.append(path)
        recorded.unlink(missing_ok=True)
    return discarded


def write_text_atomic(target: str | os.PathLike, text: str) -> Path:
    """Write `text` to `target` atomically (UTF-8)."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_parquet_atomic(frame, target: str | os.PathLike, checksum: bool = False) -> Path:
    """Write a polars DataFrame to `target` as Parquet, atomically (with `checksum`, its
    sha256 beside it, for caches that later jobs read)."""
    with atomic_path(target, checksum=checksum) as tmp:
        frame.write_parquet(tmp)
    return Path(target)


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_run_outputs(predictions, record: dict, predictions_path, metrics_path) -> None:
    """A training run's predictions (Parquet) and metrics (JSON), each written atomically."""
    import json

    write_parquet_atomic(predictions, predictions_path)
    write_text_atomic(metrics_path, json.dumps(record, indent=2, sort_keys=True) + "\n")


def canonical_safetensors(path: str | os.PathLike) -> None:
    """Rewrite a safetensors file's header in a fixed order: metadata keys sorted, tensors
    by offset. The safetensors writer keeps the metadata in a hash map whose order changes
    from process to process, so equal tensors and metadata gave files of other bytes."""
    path = Path(path)
    with path.open("rb") as handle:
        size = int.from_bytes(handle.read(8), "little")
        header = json.loads(handle.read(size))
        data = handle.read()
    ordered = {}
    if "__metadata__" in header:
        ordered["__metadata__"] = dict(sorted(header.pop("__metadata__").items()))
    ordered |= dict(sorted(header.items(), key=lambda item: item[1]["data_offsets"]))
    text = json.dumps(ordered, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)  # the format pads its header to 8 bytes
    path.write_bytes(len(text).to_bytes(8, "little") + text + data)
