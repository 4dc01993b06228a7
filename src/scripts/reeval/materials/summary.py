"""Tables, numbers and figure data of the materials section, from the rules' results.
Across seeds or queries: trimean [IQR] (the robust-statistics library)."""

from __future__ import annotations

import numpy as np
import polars as pl

from reeval.materials.aflow import PROPERTIES
from reeval.materials.thermoelectrics import TASKS
from reeval.render.latex import Latex, cell_iqr, format_number, latex_table
from reeval.stats.robust import iqr, trimean

# every \variable number of the section (the rule declares these outputs)
MATERIALS_NUMBERS = [
    "mat_n_pool",
    "mat_n_queries",
    "mat_n_authors",
    "mat_n_mp",
    "mat_n_wbm",
    "mat_n_unreadable",
    "mat_n_undescribed",
    "mat_recall_k",
    "mat_text_encoder",
    "mat_chunk_tokens",
    "mat_aflow_max_train",
    "mat_aflow_max_test",
    "mat_n_seeds",
    "mat_te_rows",
    "mat_te_formulas",
    "mat_te_sparse",
    "mat_n_agreement",
    "mat_best_agreement",
    "mat_best_agreement_spearman",
    "mat_lm_structure_spearman",
    "mat_lm_aflow_wins",
    "mat_n_aflow",
    "mat_lm_aflow_ratio",
    "mat_structure_gain_r2",
    "mat_mmoe_wins",
    "mat_n_tasks",
    "mat_mmoe_median_gain",
    "mat_pbte_zt",
    "mat_top_zt_lm_structure",
    "mat_top_zt_mat2vec",
    "mat_top_zt_crystalnn",
]

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


def agreement_table(agreement: pl.DataFrame, ks: list[int], n_structures: int) -> str:
    header = ["representation", *[f"overlap@{k}" for k in ks], "Spearman"]
    rows = []
    for rep, label in REPRESENTATION_LABELS.items():
        part = agreement.filter(pl.col("representation") == rep)
        cells = [cell_iqr(*robust(part[f"overlap_{k}"])) for k in ks]
        rows.append([label, *cells, cell_iqr(*robust(part["spearman"]))])
    chance = [format_number(min(k, n_structures - 1) / (n_structures - 1)) for k in ks]
    rows.append(["chance (random ranking)", *chance, "0.00"])
    return latex_table(header, rows, midrules_after=[len(rows) - 2])


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
