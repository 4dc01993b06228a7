"""Molecular graphs with categorical (one-hot) atom and bond features, as PyG `Data`.

Atom features: element, degree, formal charge, hybridisation, aromaticity, total hydrogens,
ring membership, chirality. Bond features: type, conjugation, ring membership, stereo.
Each category list ends with an "other" slot, so an unexpected value never fails.
Graphs of a data set are stored together in one safetensors file (no pickle).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from rdkit import Chem
from safetensors.torch import load_file, save_file

from reeval.errors import DataError
from reeval.io import atomic_path, canonical_safetensors, verify_checksum

if TYPE_CHECKING:
    # PyG takes about 3 s to import (all of its data sets and models): imported where
    # graphs are made, so that a job training on cached embeddings never pays for it
    from torch_geometric.data import Data

    from reeval.featurize.molecules import ReactionMolecules

ELEMENTS = [
    "H",
    "Li",
    "B",
    "C",
    "N",
    "O",
    "F",
    "Na",
    "Si",
    "P",
    "S",
    "Cl",
    "K",
    "Fe",
    "Br",
    "Pd",
    "I",
    "Cs",
]
DEGREES = [0, 1, 2, 3, 4, 5, 6]
CHARGES = [-2, -1, 0, 1, 2]
HYBRIDISATIONS = [
    Chem.HybridizationType.S,
    Chem.HybridizationType.SP,
    Chem.HybridizationType.SP2,
    Chem.HybridizationType.SP3,
    Chem.HybridizationType.SP3D,
    Chem.HybridizationType.SP3D2,
]
HYDROGENS = [0, 1, 2, 3, 4]
CHIRALITIES = [
    Chem.ChiralType.CHI_UNSPECIFIED,
    Chem.ChiralType.CHI_TETRAHEDRAL_CW,
    Chem.ChiralType.CHI_TETRAHEDRAL_CCW,
]
BOND_TYPES = [
    Chem.BondType.SINGLE,
    Chem.BondType.DOUBLE,
    Chem.BondType.TRIPLE,
    Chem.BondType.AROMATIC,
]
BOND_STEREO = [
    Chem.BondStereo.STEREONONE,
    Chem.BondStereo.STEREOANY,
    Chem.BondStereo.STEREOZ,
    Chem.BondStereo.STEREOE,
    Chem.BondStereo.STEREOCIS,
    Chem.BondStereo.STEREOTRANS,
]
BINARY = [False, True]


def one_hot(value, choices: list) -> list[float]:
    """One-hot over `choices` plus a final "other" slot."""
    vector = [0.0] * (len(choices) + 1)
    vector[choices.index(value) if value in choices else len(choices)] = 1.0
    return vector


def atom_features(atom: Chem.Atom) -> list[float]:
    return (
        one_hot(atom.GetSymbol(), ELEMENTS)
        + one_hot(atom.GetDegree(), DEGREES)
        + one_hot(atom.GetFormalCharge(), CHARGES)
        + one_hot(atom.GetHybridization(), HYBRIDISATIONS)
        + one_hot(atom.GetIsAromatic(), BINARY)
        + one_hot(atom.GetTotalNumHs(), HYDROGENS)
        + one_hot(atom.IsInRing(), BINARY)
        + one_hot(atom.GetChiralTag(), CHIRALITIES)
    )


def bond_features(bond: Chem.Bond) -> list[float]:
    return (
        one_hot(bond.GetBondType(), BOND_TYPES)
        + one_hot(bond.GetIsConjugated(), BINARY)
        + one_hot(bond.IsInRing(), BINARY)
        + one_hot(bond.GetStereo(), BOND_STEREO)
    )


N_ATOM_FEATURES = len(atom_features(Chem.MolFromSmiles("C").GetAtomWithIdx(0)))
N_BOND_FEATURES = len(bond_features(Chem.MolFromSmiles("CC").GetBondWithIdx(0)))


def mol_to_graph(smiles: str) -> Data:
    """A directed graph (each bond in both directions) of one molecule."""
    from torch_geometric.data import Data

    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise DataError(f"RDKit cannot parse {smiles!r}; tidy tables hold only parsable SMILES")
    x = torch.tensor([atom_features(a) for a in mol.GetAtoms()], dtype=torch.float32)
    sources, targets, attributes = [], [], []
    for bond in mol.GetBonds():
        i, j, features = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx(), bond_features(bond)
        sources += [i, j]
        targets += [j, i]
        attributes += [features, features]
    edge_index = torch.tensor([sources, targets], dtype=torch.long).reshape(2, -1)
    edge_attr = torch.tensor(attributes, dtype=torch.float32).reshape(-1, N_BOND_FEATURES)
    return Data(x=x, edge_index=edge_index, edge_attr=edge_attr)


def save_graphs(graphs: list[Data], path: Path) -> None:
    """All graphs in one safetensors file: concatenated tensors plus offsets."""
    atom_ptr = torch.tensor([0] + [g.num_nodes for g in graphs]).cumsum(0)
    edge_ptr = torch.tensor([0] + [g.edge_index.shape[1] for g in graphs]).cumsum(0)
    tensors = {
        "x": torch.cat([g.x for g in graphs]),
        "edge_index": torch.cat([g.edge_index for g in graphs], dim=1),
        "edge_attr": torch.cat([g.edge_attr for g in graphs]),
        "atom_ptr": atom_ptr,
        "edge_ptr": edge_ptr,
    }
    with atomic_path(path, checksum=True) as tmp:
        save_file(tensors, str(tmp))
        canonical_safetensors(tmp)


def load_graphs(path: Path) -> list[Data]:
    from torch_geometric.data import Data

    try:
        verify_checksum(path)
        t = load_file(str(path))
    except Exception as exc:
        raise DataError(
            f"{path}: cannot load the graph cache ({exc}); "
            "rerun the build, which deletes and recomputes a corrupt cache"
        ) from exc
    graphs = []
    for m in range(len(t["atom_ptr"]) - 1):
        a0, a1 = int(t["atom_ptr"][m]), int(t["atom_ptr"][m + 1])
        e0, e1 = int(t["edge_ptr"][m]), int(t["edge_ptr"][m + 1])
        graphs.append(
            Data(
                x=t["x"][a0:a1],
                edge_index=t["edge_index"][:, e0:e1],
                edge_attr=t["edge_attr"][e0:e1],
            )
        )
    return graphs


class MoleculeGraphs:
    """Every molecule of a data set as one collated graph batch, with each reaction's
    reactant and product counts per molecule (reactions x molecules)."""

    def __init__(self, molecules: ReactionMolecules, graphs: list[Data], device: torch.device):
        from torch_geometric.data import Batch

        self.batch = Batch.from_data_list(graphs).to(device)
        n_reactions, n_molecules = len(molecules.reaction_ids), len(molecules.smiles)
        reactants = np.zeros((n_reactions, n_molecules), dtype=np.float32)
        products = np.zeros((n_reactions, n_molecules), dtype=np.float32)
        for row, (left, right) in enumerate(
            zip(molecules.reactants, molecules.products, strict=True)
        ):
            np.add.at(reactants[row], left, 1.0)
            np.add.at(products[row], right, 1.0)
        self.reactants = torch.from_numpy(reactants).to(device)
        self.products = torch.from_numpy(products).to(device)
