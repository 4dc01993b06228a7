"""Recall: the top-k candidates of each query structure per representation; agreement of
each representation's similarity rankings with the authors' MatBERT embeddings; and the
2-D UMAP of each representation (for the figure)."""

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl

from reeval.cli import run
from reeval.io import write_parquet_atomic
from reeval.materials import recall

RECALL_REPRESENTATIONS = ["lm_structure", "lm", "lm_composition", "mat2vec", "magpie", "crystalnn"]


def usable(matrix: np.ndarray) -> np.ndarray:
    return ~np.isnan(matrix).any(axis=1)


def recall_table(pool: pl.DataFrame, arrays, k: int) -> pl.DataFrame:
    is_query = (pool["source"] == "query").to_numpy()
    rows = []
    for name in RECALL_REPRESENTATIONS:
        matrix = arrays[name]
        candidates = np.flatnonzero(~is_query & usable(matrix))
        queries = np.flatnonzero(is_query & usable(matrix))
        sims = recall.cosine_similarities(matrix[queries], matrix[candidates])
        for q, order in zip(queries, recall.top_k(sims, k), strict=False):
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


# Which part of the authors' MatBERT vector each representation is compared with. The
# mirror's vectors are [composition | description], two halves of equal width
# (PROVENANCE.md); every representation is compared with the description half, the
# composition representations also with the composition half, and LM-SC, whose layout is
# [description | composition], with the whole vector (a cosine does not depend on the order
# of the parts).
AGREEMENT_PAIRS = [(name, "description") for name in RECALL_REPRESENTATIONS] + [
    ("lm_composition", "composition"),
    ("mat2vec", "composition"),
    ("magpie", "composition"),
    ("lm", "full"),
]


def matbert_part(matbert: np.ndarray, part: str) -> np.ndarray:
    half = matbert.shape[1] // 2
    return {
        "composition": matbert[:, :half],
        "description": matbert[:, half:],
        "full": matbert,
    }[part]


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
        sim_ref = recall.cosine_similarities(reference, reference)
        sim_rep = recall.cosine_similarities(matrix, matrix)
        np.fill_diagonal(sim_ref, -np.inf)  # a structure is not its own candidate
        np.fill_diagonal(sim_rep, -np.inf)
        agreement = recall.ranking_agreement(sim_ref, sim_rep, tuple(ks))
        # Spearman over the candidates only (the diagonal is excluded)
        agreement["spearman"] = [
            recall.spearman(sim_ref[i][off[i]], sim_rep[i][off[i]]) for i in range(ok.sum())
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


def umap_table(pool: pl.DataFrame, arrays, cfg: dict) -> pl.DataFrame:
    import umap

    parts = []
    for name in RECALL_REPRESENTATIONS:
        matrix = arrays[name]
        ok = usable(matrix)
        x = matrix[ok]
        x = (x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1)
        reducer = umap.UMAP(
            n_neighbors=cfg["n_neighbors"],
            min_dist=cfg["min_dist"],
            random_state=cfg["seed"],
            n_jobs=1,
        )
        xy = reducer.fit_transform(x)
        parts.append(
            pl.DataFrame(
                {
                    "representation": name,
                    "id": pool["id"].filter(pl.Series(ok)),
                    "crystal_system": pool["crystal_system"].filter(pl.Series(ok)),
                    "x": xy[:, 0],
                    "y": xy[:, 1],
                }
            )
        )
    return pl.concat(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pool", required=True, type=Path)
    parser.add_argument("--arrays", required=True, type=Path)
    parser.add_argument("--matbert", required=True, type=Path)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--recall-out", required=True, type=Path)
    parser.add_argument("--agreement-out", required=True, type=Path)
    parser.add_argument("--umap-out", required=True, type=Path)
    args = parser.parse_args()
    cfg = json.loads(args.settings)
    pool = pl.read_parquet(args.pool)
    arrays = dict(np.load(args.arrays, allow_pickle=False))
    write_parquet_atomic(recall_table(pool, arrays, cfg["recall_k"]), args.recall_out)
    agreement, n, left_out = agreement_table(
        pool, arrays, np.load(args.matbert, allow_pickle=False), cfg["agreement_ks"]
    )
    write_parquet_atomic(agreement, args.agreement_out)
    print(
        f"agreement with MatBERT over {n} of the authors' structures "
        f"({left_out} without every representation left out)"
    )
    write_parquet_atomic(umap_table(pool, arrays, cfg["umap"]), args.umap_out)


if __name__ == "__main__":
    run(main)
