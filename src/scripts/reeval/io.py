"""Atomic writes and hashing: an interrupted run never leaves a half-written file."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHUNK_BYTES = 1 << 20


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; move it onto `target` only on success.

    The temporary file lives in the same folder (so the final rename is atomic) and
    keeps the target's suffix (so writers that look at the extension still work).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=f".part{target.suffix}"
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(target: str | os.PathLike, text: str) -> Path:
    """Write `text` to `target` atomically (UTF-8)."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def write_parquet_atomic(frame, target: str | os.PathLike) -> Path:
    """Write a polars DataFrame to `target` as Parquet, atomically."""
    with atomic_path(target) as tmp:
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
