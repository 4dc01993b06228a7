"""Fetching: from the mirror, by download (a local HTTP server), and every failure mode."""

import functools
import http.server
import shutil
import threading

import pytest

from reeval.data.fetch import fetch
from reeval.data.manifest import load_manifest
from reeval.errors import ChecksumError, FetchError

SMALL_FILE = "reactions/buchwald_hartwig/rxnpredict/smiles/base-list.csv"


@pytest.fixture(scope="module")
def entry(repo_root):
    return load_manifest(repo_root / "config/data_manifest.yaml").entry(SMALL_FILE)


@pytest.fixture
def corrupt_mirror(tmp_path, mirror):
    """A mirror copy of the small file with one byte changed."""
    root = tmp_path / "corrupt_mirror"
    target = root / SMALL_FILE
    target.parent.mkdir(parents=True)
    data = bytearray((mirror / SMALL_FILE).read_bytes())
    data[0] ^= 0xFF
    target.write_bytes(bytes(data))
    return root


def leftovers(folder):
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_copy_from_mirror_is_verified(entry, mirror, tmp_path):
    out = tmp_path / "raw" / SMALL_FILE
    assert fetch(entry, out, mirror) == out
    assert out.read_bytes() == (mirror / SMALL_FILE).read_bytes()
    assert leftovers(tmp_path / "raw") == [out]


def test_wrong_hash_names_file_and_both_hashes_and_keeps_nothing(entry, corrupt_mirror, tmp_path):
    dest = tmp_path / "raw"
    with pytest.raises(ChecksumError) as error:
        fetch(entry, dest / SMALL_FILE, corrupt_mirror)
    message = str(error.value)
    assert SMALL_FILE in message
    assert entry.sha256 in message
    from reeval.io import sha256_file

    assert sha256_file(corrupt_mirror / SMALL_FILE) in message
    assert leftovers(dest) == []


def test_wrong_hash_does_not_replace_a_good_file(entry, mirror, corrupt_mirror, tmp_path):
    out = tmp_path / SMALL_FILE
    fetch(entry, out, mirror)
    with pytest.raises(ChecksumError):
        fetch(entry, out, corrupt_mirror)
    assert out.read_bytes() == (mirror / SMALL_FILE).read_bytes()


def test_no_network_and_no_mirror_says_how_to_set_the_mirror(entry, tmp_path):
    offline = type(entry)(**{**entry.__dict__, "url": "http://127.0.0.1:9/base-list.csv"})
    with pytest.raises(FetchError) as error:
        fetch(offline, tmp_path / "out.csv", mirror=None, timeout_s=5)
    message = str(error.value)
    assert "REEVAL_DATA_MIRROR" in message and "data.mirror" in message
    assert SMALL_FILE in message
    assert leftovers(tmp_path) == []


def test_file_missing_from_mirror_and_without_url(entry, tmp_path):
    mirror_only = type(entry)(**{**entry.__dict__, "url": None})
    with pytest.raises(FetchError, match=r"not in the mirror.*no public URL"):
        fetch(mirror_only, tmp_path / "out.csv", mirror=tmp_path / "empty")


@pytest.fixture
def http_server(mirror):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(mirror))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_is_verified(entry, http_server, tmp_path):
    remote = type(entry)(**{**entry.__dict__, "url": f"{http_server}/{SMALL_FILE}"})
    out = tmp_path / "downloaded.csv"
    fetch(remote, out, mirror=None)
    assert out.stat().st_size == entry.size


def test_download_of_wrong_bytes_fails(entry, http_server, tmp_path):
    other = "reactions/buchwald_hartwig/rxnpredict/smiles/ligand-list.csv"
    remote = type(entry)(**{**entry.__dict__, "url": f"{http_server}/{other}"})
    with pytest.raises(ChecksumError, match="checksum mismatch"):
        fetch(remote, tmp_path / "out.csv", mirror=None)
    assert leftovers(tmp_path) == []


def test_mirror_is_tried_before_the_url(entry, mirror, tmp_path):
    unreachable = type(entry)(**{**entry.__dict__, "url": "http://127.0.0.1:9/never"})
    local = tmp_path / "mirror"
    shutil.copytree(
        mirror / "reactions/buchwald_hartwig/rxnpredict/smiles",
        local / "reactions/buchwald_hartwig/rxnpredict/smiles",
    )
    fetch(unreachable, tmp_path / "out.csv", local)
    assert (tmp_path / "out.csv").is_file()
