"""Shared fixtures: the repository root and the local data mirror (../shared/data)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reeval.reactions import buchwald_hartwig, suzuki_miyaura

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


BH_XLSX = "reactions/buchwald_hartwig/rxn_yields/Dreher_and_Doyle_input_data.xlsx"
SM_DIR = "reactions/suzuki_miyaura/rxn_yields"


@pytest.fixture(scope="session")
def bh_tables(mirror):
    return buchwald_hartwig.build_tables(mirror / BH_XLSX)


@pytest.fixture(scope="session")
def sm_split_files(mirror):
    return [mirror / SM_DIR / f"random_splits/random_split_{i}.tsv" for i in range(10)]


@pytest.fixture(scope="session")
def sm_tables(mirror, sm_split_files):
    return suzuki_miyaura.build_tables(
        mirror / SM_DIR / "aap9112_Data_File_S1.xlsx", sm_split_files
    )
