"""Features built from a reaction's components: one-hot encodings (Chuang & Keiser 2018),
their random-vector control, and DRFP fingerprints (Probst et al. 2022)."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

ROLE_COLUMNS = {
    "bh": ["aryl_halide", "ligand", "base", "additive"],
    "sm": ["reactant_1", "reactant_2", "catalyst", "ligand", "base", "solvent"],
}


def one_hot_components(reactions: pl.DataFrame, roles: list[str]) -> tuple[np.ndarray, list[str]]:
    """One column per distinct (role, component), sorted; 1 where the reaction uses it."""
    blocks, names = [], []
    for role in roles:
        values = reactions[role].to_list()
        levels = sorted(set(values))
        index = {v: i for i, v in enumerate(levels)}
        block = np.zeros((len(values), len(levels)), dtype=np.float32)
        block[np.arange(len(values)), [index[v] for v in values]] = 1.0
        blocks.append(block)
        names += [f"{role}={v}" for v in levels]
    return np.concatenate(blocks, axis=1), names


def random_vector(seed: int, role: str, component: str, width: int) -> np.ndarray:
    """A fixed standard-normal vector for one component: it depends on the seed, the role
    and the component's own text only, never on which other components exist."""
    digest = hashlib.sha256(f"{role}\0{component}".encode()).digest()
    words = np.frombuffer(digest, dtype=np.uint32)
    rng = np.random.default_rng([seed, *words.tolist()])
    return rng.standard_normal(width).astype(np.float32)


def random_control(reactions: pl.DataFrame, widths: dict[str, int], seed: int) -> np.ndarray:
    """Chuang & Keiser's control: each component's descriptor block replaced by a random
    vector of the same width; the same component always gets the same vector."""
    blocks = []
    for role, width in widths.items():
        vectors = {c: random_vector(seed, role, c, width) for c in set(reactions[role].to_list())}
        blocks.append(np.stack([vectors[c] for c in reactions[role].to_list()]))
    return np.concatenate(blocks, axis=1)


def drfp_fingerprints(rxn_smiles: list[str], n_bits: int, radius: int) -> np.ndarray:
    """Differential reaction fingerprints (folded, binary)."""
    from drfp import DrfpEncoder  # installed without its unused extras (see README)

    return np.asarray(
        DrfpEncoder.encode(rxn_smiles, n_folded_length=n_bits, radius=radius), dtype=np.float32
    )
