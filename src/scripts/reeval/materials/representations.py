"""Baseline representations: Mat2Vec composition embeddings (element vectors weighted by
atomic fraction), Magpie element-property statistics and the CrystalNN site fingerprint
(matminer). matminer is imported inside the functions: it is slow to import."""

from __future__ import annotations

import functools
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import polars as pl
from pymatgen.core import Composition, Structure

from reeval.errors import DataError


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


def magpie_features(formulas: list[str]) -> np.ndarray:
    from matminer.featurizers.composition import ElementProperty

    featurizer = ElementProperty.from_preset("magpie")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [featurizer.featurize(Composition(f)) for f in formulas]
    return np.nan_to_num(np.asarray(rows, dtype=np.float64))


def crystalnn_features(structures: list[Structure], threads: int = 1) -> np.ndarray:
    """matminer's SiteStatsFingerprint over CrystalNN order-parameter site fingerprints,
    over `threads` processes (about 0.5 s per structure)."""
    dicts = [s.as_dict() for s in structures]
    if threads <= 1 or len(dicts) < 2:
        rows = [_crystalnn_row(d) for d in dicts]
    else:
        with ProcessPoolExecutor(max_workers=threads) as pool:
            rows = list(pool.map(_crystalnn_row, dicts, chunksize=8))
    return np.nan_to_num(np.asarray(rows, dtype=np.float64))


@functools.cache
def _crystalnn_featurizer():
    from matminer.featurizers.structure import SiteStatsFingerprint

    return SiteStatsFingerprint.from_preset("CrystalNNFingerprint_ops")


def _crystalnn_row(structure_dict: dict) -> list[float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _crystalnn_featurizer().featurize(Structure.from_dict(structure_dict))
