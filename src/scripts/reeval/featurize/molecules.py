"""The unique molecules of a reaction set, and which reaction holds which (with multiplicity)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class ReactionMolecules:
    """Unique molecule SMILES and, per reaction, the indices of its reactants and products.

    Agents (between the two '>') count as reactants, as in the reaction SMILES of the
    benchmarks, where catalysts, ligands, bases and solvents are all written left of '>>'.
    """

    smiles: list[str]
    reaction_ids: list[int]
    reactants: list[list[int]]
    products: list[list[int]]

    @classmethod
    def from_reactions(cls, reaction_ids: list[int], rxn_smiles: list[str]) -> ReactionMolecules:
        index: dict[str, int] = {}
        reactants, products = [], []
        for reaction in rxn_smiles:
            left, agents, right = reaction.split(">")
            reactants.append([_intern(index, s) for s in _molecules(left, agents)])
            products.append([_intern(index, s) for s in _molecules(right)])
        return cls(list(index), list(reaction_ids), reactants, products)

    def to_frames(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        molecules = pl.DataFrame(
            {"molecule_id": range(len(self.smiles)), "smiles": self.smiles},
            schema={"molecule_id": pl.Int64, "smiles": pl.String},
        )
        membership = pl.DataFrame(
            {
                "reaction_id": self.reaction_ids,
                "reactants": self.reactants,
                "products": self.products,
            },
            schema={
                "reaction_id": pl.Int64,
                "reactants": pl.List(pl.Int64),
                "products": pl.List(pl.Int64),
            },
        )
        return molecules, membership

    @classmethod
    def from_frames(cls, molecules: pl.DataFrame, membership: pl.DataFrame) -> ReactionMolecules:
        ordered = molecules.sort("molecule_id")
        if ordered["molecule_id"].to_list() != list(range(ordered.height)):
            raise ValueError("molecule ids must be 0..n-1")
        return cls(
            ordered["smiles"].to_list(),
            membership["reaction_id"].to_list(),
            membership["reactants"].to_list(),
            membership["products"].to_list(),
        )

    def counts(self) -> np.ndarray:
        """(reactions x molecules) float32: how often each molecule occurs in each reaction,
        reactants and products together (a summed per-molecule feature is counts @ F)."""
        out = np.zeros((len(self.reaction_ids), len(self.smiles)), dtype=np.float32)
        for row, (left, right) in enumerate(zip(self.reactants, self.products, strict=True)):
            np.add.at(out[row], left + right, 1.0)
        return out

    def subset(self, reaction_ids: list[int]) -> ReactionMolecules:
        """The same molecules, restricted to the given reactions (in that order)."""
        position = {rid: i for i, rid in enumerate(self.reaction_ids)}
        rows = [position[rid] for rid in reaction_ids]
        return ReactionMolecules(
            self.smiles,
            list(reaction_ids),
            [self.reactants[i] for i in rows],
            [self.products[i] for i in rows],
        )


def _molecules(*sides: str) -> list[str]:
    return [m for side in sides for m in side.split(".") if m]


def _intern(index: dict[str, int], smiles: str) -> int:
    return index.setdefault(smiles, len(index))
