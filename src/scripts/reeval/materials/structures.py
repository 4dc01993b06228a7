"""Crystal structures from the mirror: the matcalc benchmark sets (pymatgen dicts), the
authors' CIF archives and single CIF files. A structure that does not parse is counted with
its reason, never dropped silently."""

from __future__ import annotations

import gzip
import hashlib
import json
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pymatgen.core import Composition, Structure

from reeval.errors import DataError


class StructureError(DataError):
    """A CIF or structure record that cannot be read as a crystal structure."""


def compact_formula(composition: Composition) -> str:
    """Reduced Hill formula without spaces (PbTe, AgMo6Te8, Cu1.98Se): one key per
    composition however it was written."""
    return composition.reduced_composition.hill_formula.replace(" ", "")


@dataclass
class StructureRecord:
    id: str
    source: str
    structure: Structure
    properties: dict = field(default_factory=dict)

    @property
    def formula(self) -> str:
        return compact_formula(self.structure.composition)

    def fingerprint(self) -> str:
        """sha256 of the structure's canonical JSON: a cache key that changes with the data."""
        text = json.dumps(self.structure.as_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class LoadReport:
    records: list[StructureRecord]
    failures: list[tuple[str, str]]  # (id, reason)


def parse_cif(text: str, name: str) -> Structure:
    """One structure from CIF text; StructureError naming `name` when it cannot be read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pymatgen's notes on rounded coordinates
            structure = Structure.from_str(text, fmt="cif")
    except Exception as error:  # pymatgen raises many types for a bad CIF
        raise StructureError(
            f"{name}: not a readable CIF ({type(error).__name__}: {error})"
        ) from None
    if len(structure) == 0:
        raise StructureError(f"{name}: the CIF holds no atoms")
    return structure


def load_cif_zip(path: Path, source: str) -> LoadReport:
    """Every *.cif of a zip archive, id = file name without .cif, in name order."""
    records, failures = [], []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(n for n in archive.namelist() if n.endswith(".cif")):
            entry_id = Path(name).stem
            try:
                structure = parse_cif(archive.read(name).decode(), f"{path.name}:{name}")
            except (StructureError, UnicodeDecodeError) as error:
                failures.append((entry_id, str(error)))
                continue
            records.append(StructureRecord(entry_id, source, structure))
    return LoadReport(records, failures)


def load_cif_files(paths: list[Path], source: str) -> LoadReport:
    records, failures = [], []
    for path in paths:
        try:
            records.append(
                StructureRecord(path.stem, source, parse_cif(path.read_text(), path.name))
            )
        except StructureError as error:
            failures.append((path.stem, str(error)))
    return LoadReport(records, failures)


def load_matcalc(path: Path, source: str, properties: tuple[str, ...] = ()) -> LoadReport:
    """A matcalc benchmark file: a gzipped JSON list of {id, formula, structure, ...}."""
    try:
        with gzip.open(path) as handle:
            entries = json.loads(handle.read())
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: not a gzipped JSON list ({error}); fetch it again") from None
    records, failures = [], []
    for entry in entries:
        entry_id = str(entry.get("material_id") or entry.get("mp_id"))
        try:
            structure = Structure.from_dict(entry["structure"])
        except Exception as error:
            failures.append((entry_id, f"{type(error).__name__}: {error}"))
            continue
        values = {name: entry[name] for name in properties}
        records.append(StructureRecord(entry_id, source, structure, values))
    return LoadReport(records, failures)
