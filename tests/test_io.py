"""Atomic writes and checksummed caches (reeval.io)."""

import pytest

from reeval.io import (
    CorruptFileError,
    atomic_path,
    canonical_safetensors,
    checksum_path,
    discard_corrupt,
    verify_checksum,
)


def test_an_interrupted_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(RuntimeError), atomic_path(target, checksum=True) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_a_rerun_removes_the_temporary_files_of_a_killed_write(tmp_path):
    """kill -9 skips the clean-up: the next write of the same target removes what is left,
    and leaves other targets' temporary files alone."""
    target, other = tmp_path / "run[1].parquet", tmp_path / "other.parquet"
    orphan = tmp_path / ".run[1].parquet.k1ll3d.part.parquet"
    others = tmp_path / ".other.parquet.abc.part.parquet"
    orphan.write_bytes(b"half")
    others.write_bytes(b"half, of another target")
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"whole")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, others.name])
    assert target.read_bytes() == b"whole" and not other.exists()


def test_corrupt_caches_are_discarded_and_good_ones_kept(tmp_path):
    good, bad, plain = (tmp_path / "a" / n for n in ("good.bin", "bad.bin", "plain.bin"))
    for path in (good, bad):
        with atomic_path(path, checksum=True) as tmp:
            tmp.write_bytes(b"features" * 100)
    plain.write_bytes(b"written without a checksum")
    verify_checksum(good)
    verify_checksum(plain)  # nothing to check against
    bad.write_bytes(b"features" * 99 + b"featureX")
    with pytest.raises(CorruptFileError, match=r"bad\.bin: corrupt"):
        verify_checksum(bad)
    orphan = checksum_path(tmp_path / "a" / "gone.bin")
    orphan.write_text("0" * 64)
    assert discard_corrupt(tmp_path) == [bad]
    assert good.exists() and checksum_path(good).exists() and plain.exists()
    assert not bad.exists() and not checksum_path(bad).exists() and not orphan.exists()


def test_safetensors_headers_are_written_in_one_order(tmp_path):
    """Equal tensors and metadata give equal bytes, and the file still loads as written."""
    import numpy as np
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    tensors = {name: np.arange(6, dtype=np.float32) * i for i, name in enumerate("zyxwv")}
    metadata = {f"key{i}": str(i) for i in range(30)}
    written = []
    for n, order in enumerate([list(metadata), list(reversed(metadata))]):
        path = tmp_path / f"{n}.safetensors"
        save_file(tensors, str(path), metadata={k: metadata[k] for k in order})
        canonical_safetensors(path)
        written.append(path.read_bytes())
        loaded = load_file(str(path))
        assert sorted(loaded) == sorted(tensors)
        assert all(np.array_equal(loaded[k], tensors[k]) for k in tensors)
        with safe_open(str(path), framework="numpy") as handle:
            assert handle.metadata() == metadata
    assert written[0] == written[1]
    header_size = int.from_bytes(written[0][:8], "little")
    assert header_size % 8 == 0 and b'"key0":"0","key1":"1","key10"' in written[0][8:]
