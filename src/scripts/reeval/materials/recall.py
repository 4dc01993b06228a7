"""Recall: cosine similarity of a query to a candidate pool, top-k; and how two
representations' rankings agree (overlap at k, Spearman of the similarities)."""

from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr


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
