"""Inputs without a public URL ship with the repository (src/static/): small, with their
provenance, and checked against the manifest's sha256 and size, so that a GitHub build needs
no mirror."""

import subprocess

import pytest
import yaml

from reeval.data.fetch import fetch, origin
from reeval.data.manifest import load_manifest
from reeval.data.provenance import provenance_rows
from reeval.errors import ChecksumError, ConfigError
from reeval.io import sha256_file

MAX_STATIC_BYTES = 200_000
ANCHORS = (
    "reactions/anchors/published_metrics.csv",
    "reactions/anchors/published_metrics_additions.csv",
)


@pytest.fixture(scope="module")
def manifest(repo_root):
    return load_manifest(repo_root / "config/data_manifest.yaml")


def shipped(manifest):
    return [entry for entry in manifest.files.values() if entry.static]


def test_the_hand_compiled_tables_ship_with_the_repository(manifest):
    assert {entry.path for entry in shipped(manifest)} >= set(ANCHORS)


def test_every_file_without_a_url_ships_with_the_repository(manifest):
    """Else a build without the mirror (GitHub Actions) could not run."""
    assert not [e.path for e in manifest.files.values() if e.url is None and e.static is None]


def test_shipped_files_match_the_manifest_and_are_tracked(manifest, repo_root):
    tracked = set(
        subprocess.run(
            ["git", "ls-files", "src/static"],
            cwd=repo_root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    for entry in shipped(manifest):
        path = repo_root / entry.static
        assert entry.static in tracked, f"{entry.static} is not committed"
        assert path.stat().st_size == entry.size <= MAX_STATIC_BYTES, entry.static
        assert sha256_file(path) == entry.sha256, entry.static


def test_shipped_files_have_their_provenance_beside_them(manifest, repo_root):
    for entry in shipped(manifest):
        notes = (repo_root / entry.static).parent / "PROVENANCE.md"
        text = notes.read_text()
        assert (repo_root / entry.static).name in text and entry.sha256 in text, entry.static


def test_shipped_files_equal_the_mirror_copies(manifest, mirror, repo_root):
    for entry in shipped(manifest):
        if (mirror / entry.path).is_file():
            assert (mirror / entry.path).read_bytes() == (repo_root / entry.static).read_bytes()


def test_fetch_copies_the_shipped_file_with_no_mirror_and_no_url(manifest, repo_root, tmp_path):
    entry = manifest.entry(ANCHORS[0])
    out = tmp_path / "raw" / entry.path
    assert fetch(entry, out, mirror=None) == out
    assert sha256_file(out) == entry.sha256
    assert origin(entry, None) == f"the repository ({entry.static})"


def test_an_edited_shipped_file_fails_and_leaves_nothing(manifest, repo_root, tmp_path):
    entry = manifest.entry(ANCHORS[1])
    copy = tmp_path / "checkout" / entry.static
    copy.parent.mkdir(parents=True)
    copy.write_bytes((repo_root / entry.static).read_bytes().replace(b"0.976", b"0.977", 1))
    dest = tmp_path / "raw"
    with pytest.raises(ChecksumError, match=entry.sha256):
        fetch(entry, dest / entry.path, mirror=None, repo_root=tmp_path / "checkout")
    assert not dest.exists() or not [p for p in dest.rglob("*") if p.is_file()]


def test_the_provenance_table_says_where_shipped_files_come_from(manifest):
    rows = {row[0]: str(row[1]) for row in provenance_rows(manifest)}
    published = manifest.sources["published_metrics"].title
    assert "this repository" in rows[published]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"url": "https://example.invalid/x.csv"}, "both a url and a static copy"),
        ({"static": "data/published_metrics.csv"}, r"must be a path under src/static/"),
        ({"static": "src/static/../published_metrics.csv"}, r"must be a path under src/static/"),
    ],
)
def test_malformed_static_entries_are_rejected(repo_root, tmp_path, change, message):
    raw = yaml.safe_load((repo_root / "config/data_manifest.yaml").read_text())
    index = next(i for i, f in enumerate(raw["files"]) if f.get("static"))
    raw["files"][index].update(change)
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError, match=message):
        load_manifest(path)
