"""SMILES canonicalisation with RDKit; failures are returned as reasons, never hidden."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rdkit import Chem, RDLogger

RDLogger.DisableLog("rdApp.*")  # failures are reported by us, with the row they come from

# Bonds written as `~` (SMARTS "any bond") parse as radicals in SMILES. The only such
# species in these data sets is palladium(II) acetate in the Suzuki-Miyaura reaction
# SMILES of rxn_yields; it is replaced by its proper structure. Any other `~` is rejected.
KNOWN_REWRITES = {"CC(=O)O~CC(=O)O~[Pd]": "CC(=O)O[Pd]OC(C)=O"}


@dataclass(frozen=True)
class Canonical:
    """The canonical SMILES, or None with the reason it could not be made."""

    smiles: str | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.smiles is not None


@cache
def canonical_smiles(smiles: str | None) -> Canonical:
    """RDKit canonical SMILES of one molecule (or dot-joined fragments)."""
    if smiles is None or not str(smiles).strip():
        return Canonical(None, "empty SMILES")
    text = KNOWN_REWRITES.get(str(smiles).strip(), str(smiles).strip())
    if "~" in text:
        return Canonical(None, f"'~' (any-bond) is not valid SMILES: {text}")
    mol = Chem.MolFromSmiles(text)
    if mol is None:
        return Canonical(None, f"RDKit cannot parse {text}")
    return Canonical(Chem.MolToSmiles(mol))


def canonical_reaction(reaction: str) -> Canonical:
    """Canonicalise each molecule of `reactants>agents>products`, keeping their order."""
    parts = str(reaction).split(">")
    if len(parts) != 3:
        return Canonical(None, f"not a reaction SMILES (needs two '>'): {reaction}")
    sides = []
    for side in parts:
        molecules = []
        for fragment in filter(None, side.split(".")):
            result = canonical_smiles(fragment)
            if not result.ok:
                return result
            molecules.append(result.smiles)
        sides.append(".".join(molecules))
    return Canonical(">".join(sides))
