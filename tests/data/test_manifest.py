"""The manifest against the mirror and the provenance notes that came with it."""

import re

import pytest
import yaml

from reeval.data.manifest import load_manifest
from reeval.errors import ConfigError
from reeval.io import sha256_file

# Files in the mirror that the manifest leaves out on purpose (see its header)
NOT_RAW = (
    "reactions/uam_chen2024/",
    "reactions/amide_coupling_acr/",
    "reactions/buchwald_hartwig/derived/",
    "materials/estm/estm.csv",
)


@pytest.fixture(scope="module")
def manifest(repo_root):
    return load_manifest(repo_root / "config/data_manifest.yaml")


def test_every_entry_matches_the_mirror(manifest, mirror):
    for entry in manifest.files.values():
        path = mirror / entry.path
        assert path.is_file(), entry.path
        assert path.stat().st_size == entry.size, entry.path
        assert sha256_file(path) == entry.sha256, entry.path


def test_every_raw_file_of_the_mirror_is_in_the_manifest(manifest, mirror):
    in_mirror = {
        str(p.relative_to(mirror))
        for p in mirror.rglob("*")
        if p.is_file() and p.name != "PROVENANCE.md"
    }
    raw = {p for p in in_mirror if not p.startswith(NOT_RAW)}
    assert raw == set(manifest.files)


def test_hashes_agree_with_the_provenance_notes(manifest, mirror):
    notes = {  # every PROVENANCE.md of the data set's folder (rxnfp has its own)
        top: "".join(p.read_text() for p in sorted((mirror / top).rglob("PROVENANCE.md")))
        for top in ("reactions", "materials")
    }
    for entry in manifest.files.values():
        assert entry.sha256 in notes[entry.path.split("/")[0]], entry.path


def test_urls_are_pinned_at_the_source_commit(manifest):
    for entry in manifest.files.values():
        if entry.url is None:
            assert entry.note, f"{entry.path}: a file without URL must say where it comes from"
            continue
        assert entry.url.startswith("https://")
        assert entry.source.commit in entry.url, entry.path
        assert re.fullmatch(r"[0-9a-f]{40}", entry.source.commit)


def test_every_file_has_licence_and_citation(manifest):
    for entry in manifest.files.values():
        assert entry.licence and entry.citation, entry.path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: m["files"][0].update(sha256="abc"), r"files\[0\]\.sha256"),
        (lambda m: m["files"][0].update(source="nowhere"), r"files\[0\]\.source 'nowhere'"),
        (lambda m: m["files"][0].update(path="../x"), r"must be relative"),
        (lambda m: m["files"][0].update(colour="red"), r"unknown keys \['colour'\]"),
        (lambda m: m["files"].append(dict(m["files"][0])), r"listed twice"),
        (lambda m: m["sources"]["bh_rxn_yields"].pop("licence"), r"missing \['licence'\]"),
    ],
)
def test_malformed_manifest_is_rejected_with_the_entry_named(repo_root, tmp_path, mutate, message):
    raw = yaml.safe_load((repo_root / "config/data_manifest.yaml").read_text())
    mutate(raw)
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=message):
        load_manifest(path)


def test_unknown_path_says_how_to_add_it(manifest):
    with pytest.raises(ConfigError, match="not in the data manifest"):
        manifest.entry("reactions/nothing.csv")
