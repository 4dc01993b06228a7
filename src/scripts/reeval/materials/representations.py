"""Baseline representations: Mat2Vec composition embeddings (element vectors weighted by
atomic fraction), Magpie element-property statistics and the CrystalNN site fingerprint
(matminer); and the parts of the authors' MatBERT vectors. matminer is imported inside the
functions: it is slow to import."""

from __future__ import annotations

import functools
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from pymatgen.core import Composition, Structure

from reeval.errors import DataError


def matbert_part(matbert: np.ndarray, part: str) -> np.ndarray:
    """A part of the authors' MatBERT vectors (n, 1536): the mirror stores each as
    [composition | description], two halves of equal width (PROVENANCE.md); `part` is
    "composition", "description" or "full"."""
    half = matbert.shape[1] // 2
    parts = {"composition": matbert[:, :half], "description": matbert[:, half:], "full": matbert}
    if part not in parts:
        raise ValueError(f"unknown MatBERT part {part!r}: one of {sorted(parts)}")
    return parts[part]


class ElementTable:
    """Element vectors (rows of a CSV whose first column is the element symbol)."""

    def __init__(self, path: Path):
        table = pl.read_csv(path)
        self.symbols = table[:, 0].to_list()
        self.vectors = table[:, 1:].to_numpy().astype(np.float64)
        self.index = {s: i for i, s in enumerate(self.symbols)}

    def composition_vector(self, formula: str) -> np.ndarray:
        fractions = Composition(formula).fractional_composition.get_el_amt_dict()
        missing = [e for e in fractions if e not in self.index]
        if missing:
            raise DataError(f"{formula}: no Mat2Vec vector for {', '.join(missing)}")
        return sum(f * self.vectors[self.index[e]] for e, f in fractions.items())


def mat2vec_features(formulas: list[str], table: ElementTable) -> np.ndarray:
    return np.stack([table.composition_vector(f) for f in formulas])


@dataclass
class Features:
    """A feature matrix and what went wrong on the way. A row with some missing (NaN)
    features has them set to 0 (listed in `incomplete`, with how many were missing); a row
    whose featurizer failed stays NaN throughout (listed in `failed` with the reason), so
    that every later step leaves it out instead of reading zeros."""

    matrix: np.ndarray
    incomplete: dict[int, int] = field(default_factory=dict)  # row -> missing features
    failed: dict[int, str] = field(default_factory=dict)  # row -> reason


def fill_missing(rows: list[list[float] | None], errors: list[str | None], width: int) -> Features:
    matrix = np.full((len(rows), width), np.nan)
    incomplete, failed = {}, {}
    for i, (row, error) in enumerate(zip(rows, errors, strict=True)):
        if error is not None:
            failed[i] = error
            continue
        values = np.asarray(row, dtype=np.float64)
        missing = int(np.isnan(values).sum())
        if missing:
            incomplete[i] = missing
        matrix[i] = np.nan_to_num(values, nan=0.0)
    return Features(matrix, incomplete, failed)


def magpie_features(formulas: list[str]) -> Features:
    from matminer.featurizers.composition import ElementProperty

    featurizer = ElementProperty.from_preset("magpie")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [featurizer.featurize(Composition(f)) for f in formulas]
    return fill_missing(rows, [None] * len(rows), len(featurizer.feature_labels()))


def crystalnn_features(structures: list[Structure], threads: int = 1) -> Features:
    """matminer's SiteStatsFingerprint over CrystalNN order-parameter site fingerprints,
    over `threads` processes (about 0.5 s per structure). A structure the featurizer fails
    on is listed with the reason, not fatal."""
    dicts = [s.as_dict() for s in structures]
    if threads <= 1 or len(dicts) < 2:
        results = [_crystalnn_row(d) for d in dicts]
    else:
        with ProcessPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(_crystalnn_row, dicts, chunksize=8))
    rows, errors = zip(*results, strict=True) if results else ((), ())
    return fill_missing(list(rows), list(errors), len(_crystalnn_featurizer().feature_labels()))


@functools.cache
def _crystalnn_featurizer():
    from matminer.featurizers.structure import SiteStatsFingerprint

    return SiteStatsFingerprint.from_preset("CrystalNNFingerprint_ops")


def _crystalnn_row(structure_dict: dict) -> tuple[list[float] | None, str | None]:
    """(features, None) or (None, why the featurizer failed)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _crystalnn_featurizer().featurize(Structure.from_dict(structure_dict)), None
        except Exception as error:  # CrystalNN fails on some odd structures
            return None, f"{type(error).__name__}: {error}"
