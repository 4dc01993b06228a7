"""Tables, numbers and figure data of the materials section, from the rules' results.
Across seeds or queries: trimean [IQR] (the robust-statistics library)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from reeval.materials.aflow import PROPERTIES
from reeval.materials.names import MATERIALS_NUMBERS, TASKS, TEMPERATURE_BINS
from reeval.render.latex import Latex, cell_iqr, difference_text, format_number, latex_table
from reeval.stats.paired import Comparison, Verdict, compare
from reeval.stats.robust import iqr, trimean

__all__ = ["MATERIALS_NUMBERS"]  # the rule's outputs (kept in a module that imports nothing)

REPRESENTATION_LABELS = {
    "lm_structure": "LM-S",  # language model, structure text
    "lm": "LM-SC",  # [structure text | composition text], the paper's feature
    "lm_composition": "LM-C",  # language model, composition text
    "mat2vec": "Mat2Vec",
    "magpie": "Magpie",
    "crystalnn": "CrystalNN",
}
TASK_CELLS = {
    "seebeck": "Seebeck",
    "log_sigma": Latex(r"$\log_{10}\sigma$"),
    "log_kappa": Latex(r"$\log_{10}\kappa$"),
    "log_pf": Latex(r"$\log_{10}$ PF"),
    "zt": "zT",
}
# AFLOW values shown in convenient units (thermal expansion in 1e-6/K)
DISPLAY_SCALE = {"thermal_expansion": 1e6}
DISPLAY_UNIT = {"thermal_expansion": "1e-6/K"}
MP_LABELS = {
    "log_bulk_modulus": (r"$\log_{10} K_\mathrm{VRH}$", "log GPa"),
    "log_shear_modulus": (r"$\log_{10} G_\mathrm{VRH}$", "log GPa"),
}


def robust(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    return float(trimean(values)), float(iqr(values))


# the part of the authors' MatBERT vector a ranking is compared with (recall_materials)
MATBERT_PARTS = {"description": "description", "composition": "composition", "full": "both"}


def agreement_table(agreement: pl.DataFrame, ks: list[int], n_structures: int) -> str:
    header = ["representation", "MatBERT part", *[f"overlap@{k}" for k in ks], "Spearman"]
    rows, midrules = [], []
    for part, part_label in MATBERT_PARTS.items():
        for rep, label in REPRESENTATION_LABELS.items():
            rows_of = agreement.filter(
                (pl.col("representation") == rep) & (pl.col("reference") == part)
            )
            if rows_of.is_empty():
                continue
            cells = [cell_iqr(*robust(rows_of[f"overlap_{k}"])) for k in ks]
            rows.append([label, part_label, *cells, cell_iqr(*robust(rows_of["spearman"]))])
        midrules.append(len(rows) - 1)
    chance = [format_number(min(k, n_structures - 1) / (n_structures - 1)) for k in ks]
    rows.append(["chance (random ranking)", "", *chance, "0.00"])
    return latex_table(header, rows, align="ll" + "r" * (len(ks) + 1), midrules_after=midrules)


def agreement_spearman(agreement: pl.DataFrame, part: str) -> dict[str, float]:
    """Trimean over the queries of the Spearman correlation with MatBERT's `part`, by
    representation."""
    spearman = {}
    for rep in REPRESENTATION_LABELS:
        rows = agreement.filter((pl.col("representation") == rep) & (pl.col("reference") == part))
        if not rows.is_empty():
            spearman[rep] = robust(rows["spearman"])[0]
    return spearman


def layout_check(agreement: pl.DataFrame) -> str:
    """Whether LM-C's similarities agree better with the first half of the MatBERT vectors
    (the composition, by the mirror's notes) than with the second."""
    first = agreement_spearman(agreement, "composition")["lm_composition"]
    second = agreement_spearman(agreement, "description")["lm_composition"]
    numbers = f"Spearman {format_number(first)} against {format_number(second)}"
    if first > second:
        return (
            "LM-C agrees better with the first half of the MatBERT vectors than with the "
            f"second ({numbers}), as the composition-first layout stated in the mirror implies"
        )
    return (
        "LM-C agrees no better with the first half of the MatBERT vectors than with the "
        f"second ({numbers}), which casts doubt on the composition-first layout stated in "
        "the mirror"
    )


def embedding_table(results: pl.DataFrame, published: pl.DataFrame) -> str:
    reps = ["lm_composition", "mat2vec", "magpie"]
    header = [
        "property (unit)",
        *[f"{REPRESENTATION_LABELS[r]} MAE" for r in reps],
        *[Latex(f"{REPRESENTATION_LABELS[r]} $R^2$") for r in reps],
        "CrabNet MAE",
        "Roost MAE",
    ]
    aflow = results.filter(pl.col("benchmark") == "aflow")
    rows = []
    for prop in aflow["property"].unique(maintain_order=True):
        scale = DISPLAY_SCALE.get(prop, 1.0)
        _, label, unit = PROPERTIES[prop]
        parts = [
            aflow.filter((pl.col("property") == prop) & (pl.col("representation") == r))
            for r in reps
        ]
        maes = [cell_iqr(*robust(part["mae"] * scale)) for part in parts]
        r2s = [cell_iqr(*robust(part["r2"])) for part in parts]
        pub = {
            m: published.filter((pl.col("property") == prop) & (pl.col("model") == m))["mae"][0]
            * scale
            for m in ("CrabNet", "Roost")
        }
        rows.append(
            [
                f"{label} ({DISPLAY_UNIT.get(prop, unit)})",
                *maes,
                *r2s,
                format_number(pub["CrabNet"]),
                format_number(pub["Roost"]),
            ]
        )
    return latex_table(header, rows)


def structure_table(results: pl.DataFrame) -> str:
    reps = ["lm", "lm_structure", "lm_composition", "crystalnn", "mat2vec", "magpie"]
    header = ["target", *[REPRESENTATION_LABELS[r] for r in reps]]
    rows = []
    for prop, (label, _) in MP_LABELS.items():
        part = results.filter(pl.col("property") == prop)
        rows.append(
            [
                Latex(f"{label}, MAE"),
                *[
                    cell_iqr(*robust(part.filter(pl.col("representation") == r)["mae"]))
                    for r in reps
                ],
            ]
        )
        rows.append(
            [
                Latex(f"{label}, $R^2$"),
                *[
                    cell_iqr(*robust(part.filter(pl.col("representation") == r)["r2"]))
                    for r in reps
                ],
            ]
        )
    return latex_table(header, rows)


def thermoelectric_table(results: pl.DataFrame) -> str:
    reps = results["representation"].unique(maintain_order=True).to_list()
    header = [
        "task",
        "metric",
        *[f"{REPRESENTATION_LABELS[r]} {m}" for r in reps for m in ("MMoE", "single")],
    ]
    rows = []
    for task in TASKS:
        for metric in ("r2", "mae"):
            cells = []
            for rep in reps:
                for model in ("mmoe", "single_task"):
                    part = results.filter(
                        (pl.col("task") == task)
                        & (pl.col("representation") == rep)
                        & (pl.col("model") == model)
                    )
                    cells.append(cell_iqr(*robust(part[metric])))
            name = Latex("$R^2$") if metric == "r2" else "MAE"
            rows.append([TASK_CELLS[task] if metric == "r2" else "", name, *cells])
    return latex_table(
        header,
        rows,
        align="ll" + "r" * (len(header) - 2),
        midrules_after=list(range(1, 2 * len(TASKS), 2)),
    )


def natural_units(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        sigma=10 ** pl.col("log_sigma"),
        kappa=10 ** pl.col("log_kappa"),
        pf=10 ** pl.col("log_pf"),
    )


def ranked_candidates(recall: pl.DataFrame, predictions: pl.DataFrame) -> pl.DataFrame:
    """Recalled candidates ranked by how close their predicted properties are to the
    query's: the mean of |(q - c) / q| over Seebeck, sigma, kappa, PF and zT (the paper's
    score; lower is closer)."""
    props = ["seebeck", "sigma", "kappa", "pf", "zt"]
    pred = natural_units(predictions).select("id", "formula", *props)
    query = pred.rename({p: f"q_{p}" for p in props} | {"id": "query", "formula": "query_formula"})
    joined = recall.join(pred.rename({"id": "candidate"}), on="candidate").join(query, on="query")
    score = pl.mean_horizontal(
        [((pl.col(f"q_{p}") - pl.col(p)) / pl.col(f"q_{p}")).abs() for p in props]
    )
    return joined.with_columns(score=score).sort("representation", "query", "score")


def distinct_candidates(ranked: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The ranked candidates as the authors' code keeps them: none with the query's own
    reduced formula, and one per reduced formula (the best score; ties by the higher recall
    similarity). Returns (kept, counts per representation and query: n_recalled,
    n_query_formula, n_duplicates)."""
    own = pl.col("formula") == pl.col("query_formula")
    kept = (
        ranked.filter(~own)
        .sort(
            ["representation", "query", "score", "similarity"],
            descending=[False, False, False, True],
            nulls_last=True,
        )
        .unique(["representation", "query", "formula"], keep="first", maintain_order=True)
    )
    counts = (
        ranked.group_by("representation", "query")
        .agg(n_recalled=pl.len(), n_query_formula=own.sum())
        .join(
            kept.group_by("representation", "query").agg(n_kept=pl.len()),
            on=["representation", "query"],
            how="left",
        )
        .with_columns(
            n_duplicates=pl.col("n_recalled")
            - pl.col("n_query_formula")
            - pl.col("n_kept").fill_null(0)
        )
        .sort("representation", "query")
    )
    return kept, counts


def top_table(ranked: pl.DataFrame, query: str, representation: str, top: int) -> str:
    part = ranked.filter((pl.col("query") == query) & (pl.col("representation") == representation))
    header = ["rank", "candidate", "formula", "recall similarity", "score", "predicted zT"]
    rows = [
        [
            str(i + 1),
            row["candidate"].split(":", 1)[1],
            row["formula"],
            format_number(row["similarity"]),
            format_number(row["score"]),
            format_number(row["zt"]),
        ]
        for i, row in enumerate(part.head(top).iter_rows(named=True))
    ]
    return latex_table(header, rows, align="rllrrr")


def zt_frame(ranked: pl.DataFrame, query: str) -> pl.DataFrame:
    return ranked.filter(pl.col("query") == query).select("representation", "candidate", "zt")


# Sentences whose claim depends on the numbers: each is generated from them, so that the
# text never states what the numbers do not show. Plain words only (no TeX, so that the
# PDF check finds them verbatim; no apostrophes either, which TeX typesets as quotes).


def pool_sampling(counts: dict) -> str:
    """Whether any source of the pool was subsampled (the describe rule's counts)."""
    sampled = [
        source
        for source in ("authors", "mp_elasticity", "wbm")
        if counts["kept"][source] < counts["readable"][source]
    ]
    if sampled:
        return "seeded random subsets of the larger sources in this profile"
    return "every readable structure of every source"


def aflow_sizes(max_train: int | None, max_test: int | None) -> str:
    if max_train is None and max_test is None:
        return "on the full splits, training and validation merged"
    train = "all" if max_train is None else f"at most {max_train}"
    test = "all" if max_test is None else f"at most {max_test}"
    return (
        f"on seeded subsets of the splits, {train} training and {test} test compositions "
        "per property"
    )


def aflow_verdict(wins: int, n: int, encoder: str) -> str:
    """What the count of properties on which the composition embedding of `encoder` beats
    both baselines supports, worded for that encoder only (not language models in
    general; MatBERT's own vectors are tested on the authors' split, `authors_split`)."""
    if wins == 0:
        return (
            f"It is behind the better baseline on every property (a count over properties, "
            f"not a test), so these results show no advantage of the general-domain encoder "
            f"{encoder} for predicting them from the composition; whether a materials "
            "language model helps is the question of the MatBERT comparison above."
        )
    if wins == n:
        return (
            f"It beats the better baseline on every property (a count over properties, not a "
            f"test), so here {encoder} helps."
        )
    return (
        f"It beats the better baseline on some properties only, so whether {encoder} "
        "helps depends on the property."
    )


def mineral_matching_text(on: bool) -> str:
    """The profile's robocrys mineral matching, as the article states it."""
    if on:
        return "on: a description names the mineral a structure matches"
    return "off in this profile (it doubles the description time): no description names a mineral"


def structure_gain(results: pl.DataFrame) -> tuple[float, float, str]:
    """(median over the MP targets of R2([structure | composition]) - R2(composition), the
    median IQR over seeds of those R2 values, how the two compare)."""
    mp = results.filter(pl.col("benchmark") == "mp_elasticity")
    gains, spreads = [], []
    for prop in mp["property"].unique(maintain_order=True):
        r2 = {}
        for rep in ("lm", "lm_composition"):
            centre, spread = robust(
                mp.filter((pl.col("property") == prop) & (pl.col("representation") == rep))["r2"]
            )
            r2[rep] = centre
            spreads.append(spread)
        gains.append(r2["lm"] - r2["lm_composition"])
    gain, spread = float(np.median(gains)), float(np.median(spreads))
    if not (np.isfinite(gain) and np.isfinite(spread)):
        return gain, spread, "not comparable with"
    # compared as printed, so that the words never contradict the numbers beside them
    shown_gain, shown_spread = abs(float(format_number(gain))), float(format_number(spread))
    words = "smaller in size than" if shown_gain < shown_spread else "at least as large as"
    return gain, spread, words


def ranking_temperature(temperature_k: float) -> tuple[str, str]:
    """(the temperature as printed, which one-hot bin it falls in and how that compares with
    the authors' code, which ranks with the "other" bin)."""
    shown = format_number(temperature_k, 0)
    bins = [b for b in TEMPERATURE_BINS if np.isclose(temperature_k, b)]
    if not bins:
        return shown, "the other bin of the one-hot input, as in the code of the authors"
    return shown, (
        f"the {bins[0]} K bin of the one-hot input; the code of the authors ranks with the "
        "other bin instead"
    )


def encoder_length_note(report: dict) -> str:
    """The encoder's training sequence length against the chunk length (embed rule)."""
    n, multi = report["n_descriptions"], report["n_multi_chunk"]
    chunks = f"{multi} of {n} descriptions need more than one chunk"
    length = report["training_length"]
    if length is None:
        return f"The model folder does not record the sequence length it was trained on; {chunks}."
    source = "the max sequence length of its Sentence-Transformers configuration"
    if report["chunk_tokens"] > length:
        return (
            f"The encoder was trained on sequences of at most {length} tokens ({source}), "
            f"shorter than these chunks: {report['n_beyond_training']} of {n} descriptions "
            f"run past that length, and {chunks}."
        )
    return (
        f"The encoder was trained on sequences of up to {length} tokens ({source}), no "
        f"shorter than these chunks; {chunks}."
    )


def mp_query_formula(count: int, formula: str) -> str:
    if count:
        return (
            f"the whole MP elasticity set holds {count} entries with the composition of "
            f"{formula}, although the notes of the data mirror say it holds none"
        )
    return f"the whole MP elasticity set holds no entry with the composition of {formula}"


def mmoe_against_single_task(
    results: pl.DataFrame, representation: str, margin: float, alpha: float
) -> Comparison:
    """The MMoE minus single-task MLPs of the same sizes in R2 on one input representation.
    The task is the unit (each model's seeds averaged within a task): one test set and five
    targets, so a paired t-test over the tasks without the overlap correction of resampled
    splits; "equivalent" only by TOST within `margin`; every task must be present."""
    part = results.filter(pl.col("representation") == representation)
    values = {
        model: {
            (row["task"], int(row["seed"])): float(row["r2"])
            for row in part.filter(pl.col("model") == model).iter_rows(named=True)
        }
        for model in ("mmoe", "single_task")
    }
    return compare(
        values["mmoe"],
        values["single_task"],
        model="mmoe",
        other="single_task",
        metric="r2",
        higher_is_better=True,
        test_train_ratio=0.0,
        margin=margin,
        alpha=alpha,
        min_splits=len(TASKS),
    )


def _p(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"= {format_number(value, 3)}"


def mmoe_sentence(c: Comparison, representation_label: str) -> str:
    """The verdict of `mmoe_against_single_task`, with its interval and n."""
    n = f"$n = {c.n_splits}$ tasks $\\times$ {c.seeds_per_split} seeds"
    if not math.isfinite(c.mean_difference):
        return f"The MMoE and the single-task MLPs share no task to compare ({n}).\n"
    numbers = (
        f"the mean difference over the tasks (MMoE minus single-task) is "
        f"{difference_text(c.mean_difference, 3)} (95\\,\\% CI "
        f"{difference_text(c.ci_low, 3)} to {difference_text(c.ci_high, 3)}; paired $t$-test "
        f"over tasks $p {_p(c.p_t)}$; TOST within $\\pm$"
        f"{format_number(c.margin, 3)} $p {_p(c.p_tost)}$; {n})"
    )
    models = "single-task MLPs of the same sizes in $R^2$"
    opening = {
        Verdict.BETTER: f"the MMoE is better than {models}",
        Verdict.WORSE: f"the MMoE is worse than {models}",
        Verdict.EQUIVALENT: f"the MMoE is equivalent within "
        f"$\\pm${format_number(c.margin, 3)} to {models}",
        Verdict.INCONCLUSIVE: f"the comparison of the MMoE with {models} is inconclusive",
        Verdict.NOT_AVAILABLE: f"the MMoE cannot be compared with {models}",
    }[c.verdict]
    return f"On the {representation_label} input, {opening}: {numbers}.\n"
