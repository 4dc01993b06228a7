"""Recall judged against two truths that no representation was trained on, with chance as
the reference: does a recalled candidate share the query's space group, and does its
composition have measured thermoelectric data (UCSB, ESTM)? Each representation's top-k
precision, averaged over the queries, is set against random recalls of the same size
from the same candidates (a permutation p-value, Holm over the representations)."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl

from reeval.render.latex import Latex, format_number, join_words, latex_table, p_cell
from reeval.stats.paired import holm


def space_groups(pool: pl.DataFrame, symprec: float = 0.1) -> dict[str, int]:
    """{pool id: international space-group number} (spglib through pymatgen)."""
    from pymatgen.core import Structure
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    out = {}
    for row in pool.select("id", "structure").iter_rows(named=True):
        structure = Structure.from_dict(json.loads(row["structure"]))
        out[row["id"]] = SpacegroupAnalyzer(structure, symprec=symprec).get_space_group_number()
    return out


def reduced_formula(formula: str) -> str | None:
    """pymatgen's reduced formula, or None for a formula it cannot read."""
    from pymatgen.core import Composition

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Composition(formula).reduced_formula
    except (ValueError, KeyError):
        return None


def measured_compositions(thermoelectrics: pl.DataFrame) -> set[str]:
    """The reduced formulas with measured thermoelectric data."""
    found = {reduced_formula(f) for f in thermoelectrics["formula"].unique().to_list()}
    return {f for f in found if f is not None}


@dataclass(frozen=True)
class RecallScore:
    """One representation against one truth: mean top-k precision over the queries, the
    mean and 95th percentile of random recalls of the same size, the permutation p (and
    Holm's over the representations of this truth)."""

    representation: str
    truth: str
    k: int
    n_queries: int
    precision: float
    random_mean: float
    random_q95: float
    p: float
    p_holm: float


def recall_scores(
    recall: pl.DataFrame,
    candidates: dict[str, list[str]],
    relevant: dict[str, set[str]],
    truth: str,
    k: int,
    draws: int,
    seed: int,
) -> list[RecallScore]:
    """For each representation of `recall` (query, rank, candidate): the mean over queries of
    the share of its top-k candidates in relevant[query], against `draws` random top-k of
    the same candidates of that representation (candidates[representation])."""
    rng = np.random.default_rng(seed)
    rows = []
    for representation in sorted(recall["representation"].unique().to_list()):
        mine = recall.filter((pl.col("representation") == representation) & (pl.col("rank") <= k))
        queries = sorted(q for q in mine["query"].unique().to_list() if q in relevant)
        if not queries:
            continue
        pool = np.array(candidates[representation])
        observed, null = [], np.zeros(draws)
        for query in queries:
            top = mine.filter(pl.col("query") == query)["candidate"].to_list()
            hits = np.isin(pool, list(relevant[query]))
            observed.append(float(np.mean([c in relevant[query] for c in top])))
            # a random recall of size k: its share of hits (without replacement)
            null += rng.hypergeometric(int(hits.sum()), int((~hits).sum()), k, draws) / k
        null /= len(queries)
        precision = float(np.mean(observed))
        p = float((1 + np.sum(null >= precision - 1e-12)) / (1 + draws))
        rows.append(
            RecallScore(
                representation,
                truth,
                k,
                len(queries),
                precision,
                float(null.mean()),
                float(np.quantile(null, 0.95)),
                p,
                p,
            )
        )
    adjusted = holm([r.p for r in rows])
    return [
        RecallScore(**{**r.__dict__, "p_holm": float(a)})
        for r, a in zip(rows, adjusted, strict=True)
    ]


def recall_against_truths(
    pool: pl.DataFrame,
    arrays,
    recall: pl.DataFrame,
    thermoelectrics: pl.DataFrame,
    recall_k: int,
    draws: int,
    seed: int,
) -> tuple[list[RecallScore], int, int, int]:
    """Both truths for every representation of `recall`, at k = at most a tenth of the
    candidates; returns (scores, k, number of candidates, candidates with measured data)."""
    is_query = (pool["source"] == "query").to_numpy()
    ids = pool["id"].to_numpy()
    candidates = {
        name: ids[~is_query & ~np.isnan(arrays[name]).any(axis=1)].tolist()
        for name in recall["representation"].unique().to_list()
    }
    others = ids[~is_query].tolist()
    k = max(1, min(recall_k, len(others) // 10))
    groups = space_groups(pool)
    queries = ids[is_query].tolist()
    same_group = {q: {c for c in others if groups[c] == groups[q]} for q in queries}
    known = measured_compositions(thermoelectrics)
    formula = dict(zip(pool["id"].to_list(), pool["formula"].to_list(), strict=True))
    measured = {c for c in others if reduced_formula(formula[c]) in known}
    scores = recall_scores(recall, candidates, same_group, "space group", k, draws, seed)
    scores += recall_scores(
        recall, candidates, dict.fromkeys(queries, measured), "measured TE data", k, draws, seed
    )
    return scores, k, len(others), len(measured)


SHORT = {"space group": "SG", "measured TE data": "TE"}  # the table's column prefixes


def recall_truth_table(scores: list[RecallScore], labels: dict[str, str]) -> str:
    """Rows: representations; per truth: precision at k, the random recalls' mean, Holm p."""
    truths = list(dict.fromkeys(s.truth for s in scores))
    by = {(s.representation, s.truth): s for s in scores}
    representations = list(dict.fromkeys(s.representation for s in scores))
    rows = []
    for rep in representations:
        n = max(by[(rep, t)].n_queries for t in truths if (rep, t) in by)
        row = [Latex(labels.get(rep, rep)), str(n)]
        for truth in truths:
            s = by.get((rep, truth))
            row += (
                ["--", "--", "--"]
                if s is None
                else [
                    format_number(s.precision, 3),
                    format_number(s.random_mean, 3),
                    p_cell(s.p_holm, 3),
                ]
            )
        rows.append(row)
    header = ["Representation", "n"] + [
        Latex(f"{SHORT.get(t, t)} {m}") for t in truths for m in ("prec.", "random", "$p$")
    ]
    return latex_table(header, rows, align="lr" + "rrr" * len(truths))


def recall_truth_sentences(
    scores: list[RecallScore], labels: dict[str, str], alpha: float, n_known: int
) -> str:
    """Per truth: which representations recall more than chance, as the tests say."""
    parts = []
    for truth in dict.fromkeys(s.truth for s in scores):
        mine = [s for s in scores if s.truth == truth]
        above = [labels.get(s.representation, s.representation) for s in mine if s.p_holm < alpha]
        k, n = mine[0].k, mine[0].n_queries
        if above:
            verdict = f"{join_words(above)} recall{'s' if len(above) == 1 else ''} more than chance"
            if len(above) < len(mine):
                verdict += f", the others are inconclusive ($n = {n}$ queries)"
        else:
            verdict = (
                f"no representation is shown to recall more than chance (inconclusive, "
                f"$n = {n}$ queries)"
            )
        parts.append(
            f"By {truth} (top {k}, {n} queries), {verdict} (permutation test against random "
            f"recalls of the same size, Holm over the representations)"
        )
    text = ". ".join(parts) + "."
    return (
        text + f" Only {n_known} candidates of the pool have measured thermoelectric data, so that "
        "truth can separate little.\n"
    )
