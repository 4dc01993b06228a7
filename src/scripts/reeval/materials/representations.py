"""Baseline representations: Mat2Vec composition embeddings (element vectors weighted by
atomic fraction), Magpie element-property statistics and the CrystalNN site fingerprint
(matminer). matminer is imported inside the functions: it is slow to import."""

from __future__ import annotations

import warnings
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


def crystalnn_features(structures: list[Structure]) -> np.ndarray:
    """matminer's SiteStatsFingerprint over CrystalNN order-parameter site fingerprints."""
    from matminer.featurizers.structure import SiteStatsFingerprint

    featurizer = SiteStatsFingerprint.from_preset("CrystalNNFingerprint_ops")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [featurizer.featurize(s) for s in structures]
    return np.nan_to_num(np.asarray(rows, dtype=np.float64))
