"""The materials section: tables, numbers and the data of its figures."""

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl

from reeval.cli import run
from reeval.io import write_parquet_atomic
from reeval.materials import summary
from reeval.materials.aflow import published_maes
from reeval.materials.summary import MATERIALS_NUMBERS, REPRESENTATION_LABELS, robust
from reeval.materials.thermoelectrics import TASKS
from reeval.render.latex import write_table
from reeval.render.variables import write_variables


def aflow_numbers(results: pl.DataFrame) -> dict:
    aflow = results.filter(pl.col("benchmark") == "aflow")
    wins, ratios = 0, []
    props = aflow["property"].unique(maintain_order=True).to_list()
    for prop in props:
        mae = {
            rep: robust(
                aflow.filter((pl.col("property") == prop) & (pl.col("representation") == rep))[
                    "mae"
                ]
            )[0]
            for rep in ("lm_composition", "mat2vec", "magpie")
        }
        best_baseline = min(mae["mat2vec"], mae["magpie"])
        wins += mae["lm_composition"] < best_baseline
        ratios.append(mae["lm_composition"] / best_baseline)
    return {
        "mat_lm_aflow_wins": wins,
        "mat_n_aflow": len(props),
        "mat_lm_aflow_ratio": float(np.median(ratios)),
    }


def structure_gain(results: pl.DataFrame) -> float:
    """Median over the MP targets of R2([structure | composition]) - R2(composition)."""
    mp = results.filter(pl.col("benchmark") == "mp_elasticity")
    gains = []
    for prop in mp["property"].unique(maintain_order=True):
        r2 = {
            rep: robust(
                mp.filter((pl.col("property") == prop) & (pl.col("representation") == rep))["r2"]
            )[0]
            for rep in ("lm", "lm_composition")
        }
        gains.append(r2["lm"] - r2["lm_composition"])
    return float(np.median(gains))


def mmoe_numbers(results: pl.DataFrame, representation: str) -> dict:
    part = results.filter(pl.col("representation") == representation)
    gains = []
    for task in TASKS:
        r2 = {
            m: robust(part.filter((pl.col("task") == task) & (pl.col("model") == m))["r2"])[0]
            for m in ("mmoe", "single_task")
        }
        gains.append(r2["mmoe"] - r2["single_task"])
    return {
        "mat_mmoe_wins": int(sum(g > 0 for g in gains)),
        "mat_n_tasks": len(TASKS),
        "mat_mmoe_median_gain": float(np.median(gains)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in (
        "pool",
        "texts",
        "failures",
        "recall",
        "agreement",
        "embedding",
        "thermoelectric",
        "predictions",
        "te_table",
        "te_counts",
        "published",
    ):
        parser.add_argument(f"--{name.replace('_', '-')}", required=True, type=Path)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--figure-dir", required=True, type=Path)
    args = parser.parse_args()
    cfg = json.loads(args.settings)
    pool = pl.read_parquet(args.pool)
    texts = pl.read_parquet(args.texts)
    failures = pl.read_parquet(args.failures)
    agreement = pl.read_parquet(args.agreement)
    embedding = pl.read_parquet(args.embedding)
    thermoelectric = pl.read_parquet(args.thermoelectric)
    ranked = summary.ranked_candidates(
        pl.read_parquet(args.recall), pl.read_parquet(args.predictions)
    )
    te_counts = json.loads(args.te_counts.read_text())
    te_table = pl.read_parquet(args.te_table)
    out = args.output_dir
    n_agreement = int(agreement["query"].n_unique())
    write_table(
        out / "materials_agreement.tex",
        summary.agreement_table(agreement, cfg["agreement_ks"], n_agreement),
    )
    write_table(
        out / "materials_embedding.tex",
        summary.embedding_table(embedding, published_maes(args.published)),
    )
    write_table(out / "materials_structure.tex", summary.structure_table(embedding))
    write_table(out / "materials_mmoe.tex", summary.thermoelectric_table(thermoelectric))
    write_table(
        out / "materials_top.tex",
        summary.top_table(ranked, "query:TePb", "lm_structure", cfg["ranking_top"]),
    )

    spearman = {
        rep: robust(agreement.filter(pl.col("representation") == rep)["spearman"])[0]
        for rep in REPRESENTATION_LABELS
    }
    best = max(spearman, key=spearman.get)
    top_zt = {
        rep: float(
            ranked.filter((pl.col("query") == "query:TePb") & (pl.col("representation") == rep))[
                "zt"
            ].median()
        )
        for rep in ("lm_structure", "mat2vec", "crystalnn")
    }
    predictions = pl.read_parquet(args.predictions)
    counts = pool["source"].value_counts()
    count = dict(zip(counts["source"], counts["count"], strict=False))
    values = {
        "mat_n_pool": pool.height,
        "mat_n_queries": count.get("query", 0),
        "mat_n_authors": count.get("authors", 0),
        "mat_n_mp": count.get("mp_elasticity", 0),
        "mat_n_wbm": count.get("wbm", 0),
        "mat_n_unreadable": int(
            (~failures["reason"].cast(pl.String).str.starts_with("robocrys")).sum()
        ),
        "mat_n_undescribed": int(texts["error"].is_not_null().sum()),
        "mat_recall_k": cfg["recall_k"],
        "mat_text_encoder": cfg["text_encoder"],
        "mat_chunk_tokens": cfg["chunk_tokens"],
        "mat_aflow_max_train": cfg["aflow"]["max_train"] or "all",
        "mat_aflow_max_test": cfg["aflow"]["max_test"] or "all",
        "mat_n_seeds": len(cfg["property_mlp"]["seeds"]),
        "mat_te_rows": te_table.height,
        "mat_te_formulas": te_table["formula"].n_unique(),
        "mat_te_sparse": te_counts["n_sparse"],
        "mat_n_agreement": n_agreement,
        "mat_best_agreement": REPRESENTATION_LABELS[best],
        "mat_best_agreement_spearman": spearman[best],
        "mat_lm_structure_spearman": spearman["lm_structure"],
        **aflow_numbers(embedding),
        "mat_structure_gain_r2": structure_gain(embedding),
        **mmoe_numbers(thermoelectric, cfg["mmoe"]["ranking_representation"]),
        "mat_pbte_zt": float(predictions.filter(pl.col("id") == "query:TePb")["zt"][0]),
        **{f"mat_top_zt_{rep}": v for rep, v in top_zt.items()},
    }
    assert set(values) == set(MATERIALS_NUMBERS), set(values) ^ set(MATERIALS_NUMBERS)
    write_variables(out, values)
    for name, frame in [
        ("thermoelectric", thermoelectric),
        ("top_zt", summary.zt_frame(ranked, "query:TePb")),
    ]:
        write_parquet_atomic(frame, args.figure_dir / f"figure_{name}.parquet")


if __name__ == "__main__":
    run(main)
