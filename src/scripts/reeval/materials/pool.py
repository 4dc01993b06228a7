"""The structures of the materials study: the 7 query structures of the paper, the authors'
300 Materials Project structures (in the row order of their MatBERT embeddings), the MP
elasticity set and the WBM set (matcalc), each subsampled (seeded) to the profile's size."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from reeval.materials.structures import (
    LoadReport,
    StructureRecord,
    load_cif_files,
    load_cif_zip,
    load_matcalc,
)
from reeval.settings import MaterialsPool

MR = "materials/material_recommender/data"
MATCALC = "materials/matcalc_benchmark"
QUERY_ORDER = ["TePb", "Bi2Te3", "CoSb3", "Cu2Se", "CuBiSeO", "GaCuTe2", "Mg3Sb2"]


def authors_structures(raw: Path) -> tuple[LoadReport, np.ndarray]:
    """The authors' 300 structures in embedding-row order, and their MatBERT embeddings."""
    records, failures, embeddings = [], [], []
    for part in ("train", "test"):
        folder = raw / MR / f"{part}_structure_egap"
        ids = pl.read_csv(folder / f"{part}_data.csv")["id"].to_list()
        report = load_cif_zip(folder / f"{part}_structure_egap.zip", "authors")
        by_id = {r.id: r for r in report.records}
        failures += report.failures
        vectors = np.load(folder / f"{part}_embeddings.npy", allow_pickle=False)
        for row, entry_id in enumerate(ids):
            if entry_id in by_id:
                records.append(by_id[entry_id])
                embeddings.append(vectors[row])
            elif entry_id not in {f[0] for f in report.failures}:
                failures.append((entry_id, f"{part}_data.csv lists it but the zip has no CIF"))
    return LoadReport(records, failures), np.asarray(embeddings, dtype=np.float32)


def _sample(records: list[StructureRecord], size: int | None, seed: int) -> list[StructureRecord]:
    if size is None or size >= len(records):
        return records
    chosen = np.random.default_rng(seed).choice(len(records), size, replace=False)
    return [records[i] for i in sorted(chosen)]


@dataclass
class PoolReport:
    """What happened to each source's structures on the way into the pool."""

    total: dict[str, int]  # entries per source, readable or not
    readable: dict[str, int]
    kept: dict[str, int]  # after subsampling, before removing duplicates
    excluded: list[tuple[str, str, str, str]]  # (source, id, kind, reason)
    mp_query_formula: dict[str, int]  # entries of the whole MP set with a query's formula

    def counts(self) -> dict:
        return {
            "total": self.total,
            "readable": self.readable,
            "kept": self.kept,
            "mp_query_formula": self.mp_query_formula,
        }


def build_pool(
    raw: Path, sizes: MaterialsPool, seed: int
) -> tuple[list[StructureRecord], PoolReport, np.ndarray]:
    """(records, report, MatBERT embeddings of the authors' records kept). Ids are prefixed
    by source so they never collide. An MP elasticity entry with the Materials Project id of
    a kept authors' structure is the same material: it is kept once, as the authors' record
    (which has a MatBERT embedding) carrying the MP entry's elasticity values, and the
    duplicate is listed in the report."""
    paths = [raw / MR / "query_structure" / f"{name}.cif" for name in QUERY_ORDER]
    queries = load_cif_files(paths, "query")
    authors, matbert = authors_structures(raw)
    mp = load_matcalc(
        raw / MATCALC / "mp-binary-pbe-elasticity-2025.1.json.gz",
        "mp_elasticity",
        ("bulk_modulus_vrh", "shear_modulus_vrh"),
    )
    wbm = load_matcalc(raw / MATCALC / "wbm-random-pbe52-equilibrium-2025.1.json.gz", "wbm")
    keep = _sample(list(range(len(authors.records))), sizes.authors, seed)
    parts = {
        "query": queries.records,
        "authors": [authors.records[i] for i in keep],
        "mp_elasticity": _sample(mp.records, sizes.mp_elasticity, seed),
        "wbm": _sample(wbm.records, sizes.wbm, seed),
    }
    reports = {"query": queries, "authors": authors, "mp_elasticity": mp, "wbm": wbm}
    excluded = [
        (name, i, "unreadable", why)
        for name, report in reports.items()
        for i, why in report.failures
    ]
    unique_mp, duplicates = merge_duplicates(parts["authors"], parts["mp_elasticity"])
    excluded += duplicates
    mp_formulas = Counter(r.formula for r in mp.records)
    report = PoolReport(
        total={n: len(r.records) + len(r.failures) for n, r in reports.items()},
        readable={n: len(r.records) for n, r in reports.items()},
        kept={n: len(records) for n, records in parts.items()},
        excluded=excluded,
        mp_query_formula={q.formula: mp_formulas[q.formula] for q in queries.records},
    )
    records = parts["query"] + parts["authors"] + unique_mp + parts["wbm"]
    for record in records:
        record.id = f"{record.source}:{record.id}"
    return records, report, matbert[keep]


def merge_duplicates(
    authors: list[StructureRecord], mp: list[StructureRecord]
) -> tuple[list[StructureRecord], list[tuple[str, str, str, str]]]:
    """(the MP records that are not an authors' structure, the duplicates as excluded rows).
    A duplicate's elasticity values move to the authors' record of the same id."""
    by_id = {r.id: r for r in authors}
    unique, duplicates = [], []
    for record in mp:
        twin = by_id.get(record.id)
        if twin is None:
            unique.append(record)
            continue
        twin.properties.update(record.properties)
        duplicates.append(
            (
                record.source,
                record.id,
                "duplicate",
                f"the same Materials Project id as {twin.source}:{twin.id} (kept once, as that)",
            )
        )
    return unique, duplicates


def excluded_frame(excluded: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    """The structures left out of (or merged in) the pool: source, id, kind, reason. Kinds:
    unreadable (a CIF or record that does not parse), duplicate (kept once), undescribed
    (robocrys failed; the structure stays in the pool without a text)."""
    return pl.DataFrame(
        excluded,
        schema={"source": pl.String, "id": pl.String, "kind": pl.String, "reason": pl.String},
        orient="row",
    )


def undescribed(records: list[StructureRecord], texts: pl.DataFrame) -> list[tuple]:
    """(source, id, "undescribed", reason) of each record robocrys could not describe."""
    return [
        (r.source, r.id, "undescribed", f"robocrys: {error}")
        for r, error in zip(records, texts["error"], strict=True)
        if error is not None
    ]


def pool_frame(records: list[StructureRecord]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [r.id for r in records],
            "source": [r.source for r in records],
            "formula": [r.formula for r in records],
            "n_sites": [len(r.structure) for r in records],
            "crystal_system": [_crystal_system(r) for r in records],
            "properties": [json.dumps(r.properties) for r in records],
            "structure": [json.dumps(r.structure.as_dict()) for r in records],
        }
    )


def _crystal_system(record: StructureRecord) -> str:
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    try:
        return SpacegroupAnalyzer(record.structure, symprec=0.1).get_crystal_system()
    except Exception:  # spglib gives up on some cells
        return "unknown"


def records_from_frame(frame: pl.DataFrame) -> list[StructureRecord]:
    from pymatgen.core import Structure

    return [
        StructureRecord(
            row["id"],
            row["source"],
            Structure.from_dict(json.loads(row["structure"])),
            json.loads(row["properties"]),
        )
        for row in frame.iter_rows(named=True)
    ]
