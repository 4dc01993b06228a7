"""The text of a material: a Robocrystallographer description of its structure (robocrys,
computed once per structure and cached) and, for a composition, its reduced formula.

robocrys takes about 10 s to import and, without mineral matching, about 0.7 s per structure
alone or half that with each neighbour search made once (`tools/bench_robocrys.py`), so it
is imported only when a structure is described (in the worker processes of
`describe_structures`, or in this process when it runs on one thread)."""

from __future__ import annotations

import contextlib
import functools
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

import polars as pl
from tqdm import tqdm

from reeval.materials.structures import StructureRecord, compact_formula

CACHE_SCHEMA = {"id": pl.String, "fingerprint": pl.String, "text": pl.String, "error": pl.String}


def composition_text(formula: str) -> str:
    """The paper's composition text: the reduced formula (Hill order, no spaces)."""
    from pymatgen.core import Composition

    return compact_formula(Composition(formula))


@functools.cache
def _robocrys(mineral_matching: bool):
    """One condenser and describer per process. robocrys builds a `MoleculeNamer` for every
    structure it condenses, and each reads the molecule-name database from disk (about a
    third of the time of describing a structure): the condenser gets a namer class that
    reads it once per process (the same names; `tests/materials` checks the texts)."""
    from robocrys import StructureCondenser, StructureDescriber
    from robocrys.condense import condenser as condenser_module
    from robocrys.condense.molecule import MoleculeNamer

    class _OnceReadMoleculeNamer(MoleculeNamer):
        database: dict | None = None

        def __init__(self, *args, **kwargs):
            if _OnceReadMoleculeNamer.database is None:
                super().__init__(*args, **kwargs)
                _OnceReadMoleculeNamer.database = self.molecule_db
                return
            self.molecule_db = _OnceReadMoleculeNamer.database
            self.matched_molecules = {}
            self.use_online_pubchem = kwargs.get("use_online_pubchem", True)
            preference = kwargs.get("name_preference", MoleculeNamer.name_sources)
            self.name_preference = (*preference, *MoleculeNamer.name_sources)

    condenser_module.MoleculeNamer = _OnceReadMoleculeNamer
    condenser = StructureCondenser(mineral_matcher=None if mineral_matching else False)
    return condenser, StructureDescriber()  # without a matcher: formula and space group


@contextlib.contextmanager
def _neighbour_searches_made_once():
    """Within the block, each Voronoi neighbour search and each list of bonded neighbours is
    computed once and then reused: robocrys searches the neighbours of every site twice with
    CrystalNN (for the bonded structure and again for its site fingerprints, the same
    `VoronoiNN` search both times) and asks the bonded structure for the same connected
    sites many times (next-nearest neighbours). A third of the time of describing a
    structure, for the same words (`tests/materials` checks the texts against robocrys
    without this). Callers get copies, as they may change the entries they are given."""
    from pymatgen.analysis.graphs import StructureGraph
    from pymatgen.analysis.local_env import VoronoiNN

    voronoi_nn_info = VoronoiNN.get_nn_info
    connected_sites = StructureGraph.get_connected_sites
    searched: dict[tuple, list[dict]] = {}
    connected: dict[tuple, tuple[StructureGraph, list]] = {}

    def get_nn_info(self, structure, n):
        key = (
            type(self),
            self.weight,
            self.tol,
            None if self.targets is None else tuple(map(str, self.targets)),
            self.cutoff,
            self.allow_pathological,
            self.extra_nn_info,
            self.compute_adj_neighbors,
            structure.lattice.matrix.tobytes(),
            structure.frac_coords.tobytes(),
            tuple(map(str, structure.species_and_occu)),
            n,
        )
        if key not in searched:
            searched[key] = voronoi_nn_info(self, structure, n)
        return [_copied(entry) for entry in searched[key]]

    def get_connected_sites(self, n, jimage=(0, 0, 0)):
        # the graph itself is held in the value, so its id cannot be reused in the block
        key = (id(self), self.graph.number_of_edges(), n, tuple(int(i) for i in jimage))
        if key not in connected:
            connected[key] = (self, connected_sites(self, n, jimage))
        return list(connected[key][1])

    VoronoiNN.get_nn_info = get_nn_info
    StructureGraph.get_connected_sites = get_connected_sites
    try:
        yield
    finally:
        VoronoiNN.get_nn_info = voronoi_nn_info
        StructureGraph.get_connected_sites = connected_sites


def _copied(entry: dict) -> dict:
    """A neighbour entry that its receiver may change (weights, its "poly_info")."""
    copy = dict(entry)
    if "poly_info" in copy:
        copy["poly_info"] = dict(copy["poly_info"])
    return copy


def _robocrys_text(structure_dict: dict, mineral_matching: bool) -> str:
    """The Robocrystallographer description of one structure (raises when robocrys fails)."""
    from pymatgen.core import Structure

    condenser, describer = _robocrys(mineral_matching)
    structure = Structure.from_dict(structure_dict)
    with _neighbour_searches_made_once():
        return describer.describe(condenser.condense_structure(structure))


def _describe(structure_dict: dict, mineral_matching: bool) -> tuple[str | None, str | None]:
    """(description, None) or (None, the reason robocrys failed): a failure is returned,
    never raised, so that one odd structure does not stop the others."""
    os.environ.setdefault("SPGLIB_OLD_ERROR_HANDLING", "false")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # oxidation-state and CrystalNN radius notes
        try:
            return _robocrys_text(structure_dict, mineral_matching), None
        except Exception as error:  # robocrys fails in many ways on odd structures
            return None, f"{type(error).__name__}: {error}"


def describe_structures(
    records: list[StructureRecord],
    cache_path: Path,
    threads: int = 1,
    mineral_matching: bool = False,
    progress: bool = True,
) -> pl.DataFrame:
    """id, fingerprint, text, error for every record, reusing `cache_path` entries whose
    structure fingerprint still matches; returns the table (the caller writes it)."""
    cached = read_cache(cache_path)
    known = {(r["id"], r["fingerprint"]): r for r in cached.iter_rows(named=True)}
    # the robocrys settings, version and string-hash seed are part of the key: a description
    # made otherwise (other words, or the same words in another order) is not reused
    setting = (
        f"minerals={mineral_matching}|robocrys={version('robocrys')}"
        f"|hashseed={os.environ.get('PYTHONHASHSEED', 'random')}"
    )
    keys = [(r.id, f"{r.fingerprint()}|{setting}") for r in records]
    todo = [(key, r) for key, r in zip(keys, records, strict=False) if key not in known]
    if todo:
        dicts = [r.structure.as_dict() for _, r in todo]
        flags = [mineral_matching] * len(todo)
        with contextlib.ExitStack() as stack:
            if threads > 1 and len(todo) > 1:
                pool = stack.enter_context(ProcessPoolExecutor(max_workers=threads))
                jobs = pool.map(_describe, dicts, flags, chunksize=4)
            else:  # one thread: in this process (no worker start-up)
                jobs = map(_describe, dicts, flags)
            for (key, _), (text, error) in tqdm(
                zip(todo, jobs, strict=True),
                total=len(todo),
                desc="robocrys",
                disable=not progress,
            ):
                known[key] = {"id": key[0], "fingerprint": key[1], "text": text, "error": error}
    return pl.DataFrame([known[key] for key in keys], schema=CACHE_SCHEMA)


def read_cache(path: Path) -> pl.DataFrame:
    if not path.exists():
        return pl.DataFrame(schema=CACHE_SCHEMA)
    try:
        return pl.read_parquet(path).select(list(CACHE_SCHEMA))
    except Exception:  # a corrupt cache is recomputed, never trusted
        return pl.DataFrame(schema=CACHE_SCHEMA)
