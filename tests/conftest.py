"""Shared fixtures: the repository root and the local data mirror (../shared/data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def mirror_path() -> Path:
    return Path(os.environ.get("REEVAL_DATA_MIRROR") or REPO_ROOT.parent / "shared" / "data")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The data mirror; the tests read real data from it, never from the network."""
    path = mirror_path()
    if not (path / "reactions").is_dir():
        pytest.fail(
            f"data mirror not found at {path}: set REEVAL_DATA_MIRROR to the folder holding "
            "reactions/ and materials/ (../shared/data beside the checkout)"
        )
    return path
