"""The data manifest (config/data_manifest.yaml): one record per raw file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reeval.config import load_yaml
from reeval.errors import ConfigError

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")
FILE_KEYS = {"path", "source", "url", "static", "sha256", "size", "note"}
STATIC_ROOT = PurePosixPath("src/static")
SOURCE_KEYS = {"title", "repository", "commit", "licence", "citation"}


@dataclass(frozen=True)
class Source:
    """Where a group of files comes from, under which licence, and whom to cite."""

    key: str
    title: str
    repository: str | None
    commit: str | None
    licence: str
    citation: tuple[str, ...]


@dataclass(frozen=True)
class DataFile:
    """One raw file: its relative path, canonical URL and checksum. A file without a public
    URL either ships with the repository (`static`: its path there, under src/static/) or
    comes only from a mirror."""

    path: str
    source: Source
    url: str | None
    sha256: str
    size: int
    note: str = ""
    static: str | None = None

    @property
    def licence(self) -> str:
        return self.source.licence

    @property
    def citation(self) -> tuple[str, ...]:
        return self.source.citation


@dataclass(frozen=True)
class Manifest:
    sources: dict[str, Source]
    files: dict[str, DataFile]

    def entry(self, path: str) -> DataFile:
        """The record of `path`, or a clear error listing where to look."""
        try:
            return self.files[path]
        except KeyError:
            raise ConfigError(
                f"{path!r} is not in the data manifest; add it to config/data_manifest.yaml "
                f"(path, source, url, sha256, size)"
            ) from None

    def of_source(self, key: str) -> list[DataFile]:
        return [f for f in self.files.values() if f.source.key == key]


def load_manifest(path: Path) -> Manifest:
    """Parse and check the manifest; every problem names the entry and the key."""
    raw = load_yaml(path)
    if not isinstance(raw, dict) or set(raw) != {"sources", "files"}:
        raise ConfigError(f"{path}: the manifest must have exactly the keys 'sources' and 'files'")
    sources = {key: _parse_source(path, key, value) for key, value in raw["sources"].items()}
    files: dict[str, DataFile] = {}
    for index, item in enumerate(raw["files"]):
        entry = _parse_file(path, index, item, sources)
        if entry.path in files:
            raise ConfigError(f"{path}: file {entry.path!r} is listed twice")
        files[entry.path] = entry
    return Manifest(sources=sources, files=files)


def _parse_source(path: Path, key: str, value: dict) -> Source:
    _check_keys(path, f"sources.{key}", value, SOURCE_KEYS, SOURCE_KEYS)
    return Source(
        key=key,
        title=str(value["title"]),
        repository=value["repository"],
        commit=value["commit"],
        licence=str(value["licence"]),
        citation=tuple(value["citation"]),
    )


def _parse_file(path: Path, index: int, item: dict, sources: dict[str, Source]) -> DataFile:
    where = f"files[{index}]"
    _check_keys(path, where, item, FILE_KEYS, FILE_KEYS - {"note", "static"})
    rel = PurePosixPath(item["path"])
    if rel.is_absolute() or ".." in rel.parts:
        raise ConfigError(f"{path}: {where}.path must be relative, without '..' (got {rel})")
    if item["source"] not in sources:
        raise ConfigError(
            f"{path}: {where}.source {item['source']!r} is not one of {sorted(sources)}"
        )
    if not SHA256_PATTERN.match(str(item["sha256"])):
        raise ConfigError(f"{path}: {where}.sha256 must be 64 lower-case hex digits")
    if not isinstance(item["size"], int) or item["size"] < 0:
        raise ConfigError(f"{path}: {where}.size must be a non-negative integer (bytes)")
    static = item.get("static")
    if static is not None:
        shipped = PurePosixPath(static)
        if item["url"] is not None:
            raise ConfigError(f"{path}: {where} has both a url and a static copy: give one")
        if shipped.is_absolute() or ".." in shipped.parts or STATIC_ROOT not in shipped.parents:
            raise ConfigError(
                f"{path}: {where}.static must be a path under {STATIC_ROOT}/ (got {static})"
            )
        static = str(shipped)
    return DataFile(
        path=str(rel),
        source=sources[item["source"]],
        url=item["url"],
        sha256=item["sha256"],
        size=item["size"],
        note=item.get("note", ""),
        static=static,
    )


def _check_keys(path: Path, where: str, value: object, allowed: set, required: set) -> None:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {where} must be a mapping")
    unknown = set(value) - allowed
    missing = required - set(value)
    if unknown:
        raise ConfigError(
            f"{path}: {where} has unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}"
        )
    if missing:
        raise ConfigError(f"{path}: {where} is missing {sorted(missing)}")
