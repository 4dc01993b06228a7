"""'Human' reaction features: the summed Morgan fingerprint of all molecules (the choice of
Chen et al. for these sets), summed Mordred descriptors, and for Buchwald-Hartwig the DFT
descriptors of Ahneman et al. (one block per component role)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import polars as pl
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator

from reeval.errors import DataError
from reeval.featurize.molecules import ReactionMolecules


def morgan_fingerprints(smiles: list[str], radius: int, n_bits: int) -> np.ndarray:
    """Bit-vector Morgan fingerprints, one row per molecule."""
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)
    return np.stack(
        [generator.GetFingerprintAsNumPy(Chem.MolFromSmiles(s)).astype(np.float32) for s in smiles]
    )


def sum_over_reaction(per_molecule: np.ndarray, molecules: ReactionMolecules) -> np.ndarray:
    """Per reaction: the sum over all its molecules (reactants and products, with multiplicity)."""
    rows = [
        per_molecule[r + p].sum(axis=0)
        for r, p in zip(molecules.reactants, molecules.products, strict=True)
    ]
    return np.stack(rows).astype(np.float32)


def mordred_descriptors(smiles: list[str]) -> tuple[np.ndarray, list[str], int]:
    """2-D Mordred descriptors per molecule: (matrix, kept names, number of columns dropped).

    A descriptor that fails or is non-finite for any molecule of the set, or that is
    constant over the set, is dropped for the whole set (never imputed).
    """
    from mordred import Calculator, descriptors  # slow import; only this featurizer needs it

    calculator = Calculator(descriptors, ignore_3D=True)
    names = [str(d) for d in calculator.descriptors]
    values = np.array(
        [[_finite_or_nan(v) for v in calculator(Chem.MolFromSmiles(s)).values()] for s in smiles],
        dtype=np.float64,
    )
    finite = np.isfinite(values).all(axis=0)
    keep = finite & (np.where(finite, values, 0.0).std(axis=0) > 0)
    return (
        values[:, keep].astype(np.float32),
        [n for n, k in zip(names, keep, strict=True) if k],
        int((~keep).sum()),
    )


def _finite_or_nan(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan  # mordred returns error objects for failed descriptors
    return number if math.isfinite(number) else math.nan


DFT_ROLES = ["aryl_halide", "ligand", "base", "additive"]


def dft_descriptors(
    reactions: pl.DataFrame, data_table: Path, descriptor_dir: Path
) -> tuple[np.ndarray, list[str]]:
    """Ahneman et al.'s DFT descriptors per Buchwald-Hartwig reaction: [aryl halide | ligand |
    base | additive], joined by component name through rxnpredict's data_table.csv."""
    names_by_smiles = _component_names(data_table)
    blocks, columns = [], []
    for role in DFT_ROLES:
        names_in_table, table = _read_descriptor_table(descriptor_dir / f"{role}.csv")
        names = [names_by_smiles[role].get(_match_key(s)) for s in reactions[role].to_list()]
        missing = sorted(
            {s for s, n in zip(reactions[role], names, strict=True) if n is None or n not in table}
        )
        if missing:
            raise DataError(
                f"{descriptor_dir / (role + '.csv')}: no DFT descriptors for {role} {missing[:3]}"
            )
        blocks.append(np.array([table[n] for n in names], dtype=np.float32))
        columns += names_in_table
    return np.concatenate(blocks, axis=1), columns


def _component_names(data_table: Path) -> dict[str, dict[str, str]]:
    """role -> canonical SMILES -> component name, from the plate table."""
    mapping: dict[str, dict[str, str]] = {role: {} for role in DFT_ROLES}
    with open(data_table, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for role in DFT_ROLES:
                smiles, name = row.get(f"{role}_smiles"), row.get(role)
                if smiles and name:
                    mapping[role][_match_key(smiles)] = name
    return mapping


def _match_key(smiles: str) -> str:
    """Canonical SMILES without stereo: the Excel file marks adamantyl stereocentres of
    AdBrettPhos that rxnpredict's table does not."""
    mol = Chem.MolFromSmiles(smiles)
    return Chem.MolToSmiles(mol, isomericSmiles=False) if mol is not None else smiles


def _read_descriptor_table(path: Path) -> tuple[list[str], dict[str, list[float]]]:
    """(descriptor names, component name -> descriptor values)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    if header[-1] != "name":
        raise DataError(f"{path}: expected the last column to be 'name', found {header[-1]!r}")
    return header[:-1], {row[-1]: [float(v) for v in row[:-1]] for row in rows[1:] if row}
