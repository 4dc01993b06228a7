"""Recall: cosine similarity of a query to a candidate pool, top-k; how two
representations' rankings agree (overlap at k, Spearman of the similarities); and the two
tables of the recall rule: the top-k of each query structure per representation, and the
agreement of each representation's rankings with the authors' MatBERT vectors."""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.stats import spearmanr

from reeval.materials.representations import matbert_part


def normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def cosine_similarities(queries: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """(n_queries, n_pool) cosine similarities."""
    return normalised(np.atleast_2d(queries)) @ normalised(pool).T


def top_k(similarities: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k most similar candidates per query, most similar first (ties by
    index, so the ranking is deterministic)."""
    k = min(k, similarities.shape[1])
    return np.argsort(-similarities, axis=1, kind="stable")[:, :k]


def overlap_at_k(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Share of the top-k of ranking a that is also in the top-k of ranking b (k capped at
    the number of candidates)."""
    k = min(k, len(a), len(b))
    return len(set(a[:k]) & set(b[:k])) / k


def ranking_agreement(sim_a: np.ndarray, sim_b: np.ndarray, ks: tuple[int, ...]) -> dict:
    """Per query: overlap at each k and Spearman correlation of the two similarity rows."""
    rank_a, rank_b = top_k(sim_a, max(ks)), top_k(sim_b, max(ks))
    out = {
        f"overlap_{k}": [overlap_at_k(x, y, k) for x, y in zip(rank_a, rank_b, strict=False)]
        for k in ks
    }
    out["spearman"] = [spearman(x, y) for x, y in zip(sim_a, sim_b, strict=False)]
    return out


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    return float(spearmanr(a, b).statistic)


RECALL_REPRESENTATIONS = ["lm_structure", "lm", "lm_composition", "mat2vec", "magpie", "crystalnn"]


def usable(matrix: np.ndarray) -> np.ndarray:
    """Rows with every feature finite (a structure robocrys or CrystalNN could not handle
    has NaN rows)."""
    return ~np.isnan(matrix).any(axis=1)


def recall_table(pool: pl.DataFrame, arrays, k: int) -> pl.DataFrame:
    """representation, query, rank, candidate, similarity: the k candidates (every pool
    structure but the queries) most similar to each query, per representation."""
    is_query = (pool["source"] == "query").to_numpy()
    rows = []
    for name in RECALL_REPRESENTATIONS:
        matrix = arrays[name]
        candidates = np.flatnonzero(~is_query & usable(matrix))
        queries = np.flatnonzero(is_query & usable(matrix))
        sims = cosine_similarities(matrix[queries], matrix[candidates])
        for q, order in zip(queries, top_k(sims, k), strict=False):
            for rank, c in enumerate(order, start=1):
                rows.append(
                    (
                        name,
                        pool["id"][int(q)],
                        rank,
                        pool["id"][int(candidates[c])],
                        float(sims[list(queries).index(q), c]),
                    )
                )
    return pl.DataFrame(
        rows, schema=["representation", "query", "rank", "candidate", "similarity"], orient="row"
    )


# Which part of the authors' MatBERT vector (`matbert_part`) each representation is compared
# with: every representation is compared with the description half, the
# composition representations also with the composition half, and LM-SC, whose layout is
# [description | composition], with the whole vector (a cosine does not depend on the order
# of the parts).
AGREEMENT_PAIRS = [(name, "description") for name in RECALL_REPRESENTATIONS] + [
    ("lm_composition", "composition"),
    ("mat2vec", "composition"),
    ("magpie", "composition"),
    ("lm", "full"),
]


def agreement_table(pool: pl.DataFrame, arrays, matbert: np.ndarray, ks: list[int]):
    """Each authors' structure as a query over the other authors' structures: how each
    representation's ranking agrees with MatBERT's (the part of AGREEMENT_PAIRS). Only the
    structures every representation has are used, so that every row of the table ranks
    the same candidates; returns (table, structures used, authors' structures left out)."""
    authors = np.flatnonzero((pool["source"] == "authors").to_numpy())
    ok = np.all([usable(arrays[name][authors]) for name in RECALL_REPRESENTATIONS], axis=0)
    off = ~np.eye(ok.sum(), dtype=bool)
    rows = []
    for name, part in AGREEMENT_PAIRS:
        reference = matbert_part(matbert, part)[ok]
        matrix = arrays[name][authors][ok]
        sim_ref = cosine_similarities(reference, reference)
        sim_rep = cosine_similarities(matrix, matrix)
        np.fill_diagonal(sim_ref, -np.inf)  # a structure is not its own candidate
        np.fill_diagonal(sim_rep, -np.inf)
        agreement = ranking_agreement(sim_ref, sim_rep, tuple(ks))
        # Spearman over the candidates only (the diagonal is excluded)
        agreement["spearman"] = [
            spearman(sim_ref[i][off[i]], sim_rep[i][off[i]]) for i in range(ok.sum())
        ]
        for i in range(ok.sum()):
            rows.append(
                {
                    "representation": name,
                    "reference": part,
                    "query": i,
                    **{key: values[i] for key, values in agreement.items()},
                }
            )
    return pl.DataFrame(rows), int(ok.sum()), int((~ok).sum())
