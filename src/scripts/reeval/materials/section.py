"""The materials section of the article: its tables, \\variable numbers and figure data,
from the results of the materials rules (read once into `MaterialsResults`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl

from reeval.analysis.families import ComparisonSettings
from reeval.io import write_parquet_atomic, write_text_atomic
from reeval.materials import recall_truth, summary
from reeval.materials.aflow import published_maes
from reeval.materials.names import MATERIALS_NUMBERS, TASKS, TEMPERATURE_BINS
from reeval.materials.summary import REPRESENTATION_LABELS, robust
from reeval.render.latex import write_table
from reeval.render.variables import write_variables
from reeval.settings import Materials

# the inputs of the summarise_materials rule, by argument name
RESULT_FILES = [
    "pool",
    "texts",
    "failures",
    "pool_counts",
    "issues",
    "encoder",
    "recall",
    "agreement",
    "embedding",
    "thermoelectric",
    "predictions",
    "te_table",
    "arrays",
    "te_counts",
    "published",
]


def aflow_numbers(results: pl.DataFrame) -> dict:
    """How often, and by what median ratio of MAE, LM-C beats the better of Mat2Vec and
    Magpie over the AFLOW properties (a count, not a test)."""
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


def write_section(
    paths: dict[str, Path],
    cfg: Materials,
    tests: ComparisonSettings,
    out: Path,
    figure_dir: Path,
) -> None:
    """Every table, sentence and number of the materials section into `out`, and the data
    of its figures into `figure_dir`. `paths`: RESULT_FILES -> the rule's input files; cfg:
    the materials settings; tests: the comparison settings (alpha, margins)."""
    pool = pl.read_parquet(paths["pool"])
    texts = pl.read_parquet(paths["texts"])
    excluded = pl.read_parquet(paths["failures"])
    issues = pl.read_parquet(paths["issues"])
    agreement = pl.read_parquet(paths["agreement"])
    embedding = pl.read_parquet(paths["embedding"])
    thermoelectric = pl.read_parquet(paths["thermoelectric"])
    predictions = pl.read_parquet(paths["predictions"])
    ranked, removed = summary.distinct_candidates(
        summary.ranked_candidates(pl.read_parquet(paths["recall"]), predictions)
    )
    pool_counts = json.loads(paths["pool_counts"].read_text())
    te_counts = json.loads(paths["te_counts"].read_text())
    encoder = json.loads(paths["encoder"].read_text())
    te_table = pl.read_parquet(paths["te_table"])
    query, shown = "query:TePb", "lm_structure"  # the paper's example: PbTe after LM-S recall
    out = out
    n_agreement = int(agreement["query"].n_unique())
    write_table(
        out / "materials_agreement.tex",
        summary.agreement_table(agreement, cfg.agreement_ks, n_agreement),
    )
    write_table(
        out / "materials_embedding.tex",
        summary.embedding_table(embedding, published_maes(paths["published"])),
    )
    write_table(out / "materials_structure.tex", summary.structure_table(embedding))
    write_table(out / "materials_mmoe.tex", summary.thermoelectric_table(thermoelectric))
    truth, truth_k, n_candidates, n_measured = recall_truth.recall_against_truths(
        pool,
        np.load(paths["arrays"], allow_pickle=False),
        pl.read_parquet(paths["recall"]),
        te_table,
        cfg.recall_k,
        draws=10_000,
        seed=cfg.seed,
    )
    write_table(
        out / "materials_recall_truth.tex",
        recall_truth.recall_truth_table(truth, REPRESENTATION_LABELS),
    )
    alpha = tests.alpha
    write_text_atomic(
        out / "materials_recall_truth_sentences.tex",
        recall_truth.recall_truth_sentences(truth, REPRESENTATION_LABELS, alpha, n_measured),
    )
    mmoe = summary.mmoe_against_single_task(
        thermoelectric,
        cfg.mmoe.ranking_representation,
        tests.margins["r2"],
        tests.alpha,
    )
    write_text_atomic(
        out / "materials_mmoe_test.tex",
        summary.mmoe_sentence(mmoe, REPRESENTATION_LABELS[cfg.mmoe.ranking_representation]),
    )
    write_table(
        out / "materials_top.tex",
        summary.top_table(ranked, query, shown, cfg.ranking_top),
    )

    described = summary.agreement_spearman(agreement, "description")
    composed = summary.agreement_spearman(agreement, "composition")
    best = max(described, key=described.get)
    best_composition = max(composed, key=composed.get)
    top_zt = {
        rep: float(
            ranked.filter((pl.col("query") == query) & (pl.col("representation") == rep))[
                "zt"
            ].median()
        )
        for rep in ("lm_structure", "mat2vec", "crystalnn")
    }
    counts = pool["source"].value_counts()
    count = dict(zip(counts["source"], counts["count"], strict=False))
    kinds = excluded["kind"].value_counts()
    kind = dict(zip(kinds["kind"], kinds["count"], strict=False))

    def n_issues(part: str, representation: str, what: str) -> int:
        return issues.filter(
            (pl.col("set") == part)
            & (pl.col("representation") == representation)
            & (pl.col("kind") == what)
        ).height

    elasticity = embedding.filter(pl.col("benchmark") == "mp_elasticity").row(0, named=True)
    gain, spread, gain_words = summary.structure_gain(embedding)
    temperature, temperature_note = summary.ranking_temperature(cfg.mmoe.ranking_temperature_k)
    shown_removed = removed.filter(
        (pl.col("query") == query) & (pl.col("representation") == shown)
    ).row(0, named=True)
    test_percent = round(100 * cfg.property_mlp.test_fraction)
    query_formula = predictions.filter(pl.col("id") == query)["formula"][0]
    values = {
        "mat_n_pool": pool.height,
        "mat_n_queries": count.get("query", 0),
        "mat_n_authors": count.get("authors", 0),
        "mat_n_authors_total": pool_counts["total"]["authors"],
        "mat_n_mp": count.get("mp_elasticity", 0),
        "mat_n_wbm": count.get("wbm", 0),
        "mat_pool_sampling": summary.pool_sampling(pool_counts),
        "mat_n_unreadable": kind.get("unreadable", 0),
        "mat_n_undescribed": int(texts["error"].is_not_null().sum()),
        "mat_n_duplicates": kind.get("duplicate", 0),
        "mat_mp_query_formula": summary.mp_query_formula(
            pool_counts["mp_query_formula"][query_formula], query_formula
        ),
        "mat_text_encoder": cfg.text_encoder,
        "mat_chunk_tokens": encoder["chunk_tokens"],
        "mat_encoder_length_note": summary.encoder_length_note(encoder),
        "mat_magpie_missing_pool": n_issues("pool", "magpie", "incomplete"),
        "mat_magpie_missing_compositions": n_issues("compositions", "magpie", "incomplete"),
        "mat_crystalnn_missing": n_issues("pool", "crystalnn", "incomplete"),
        "mat_crystalnn_failed": n_issues("pool", "crystalnn", "failed"),
        "mat_n_agreement": n_agreement,
        "mat_agreement_excluded": count.get("authors", 0) - n_agreement,
        "mat_best_agreement": REPRESENTATION_LABELS[best],
        "mat_best_agreement_spearman": described[best],
        "mat_lm_structure_spearman": described["lm_structure"],
        "mat_best_composition_agreement": REPRESENTATION_LABELS[best_composition],
        "mat_best_composition_agreement_spearman": composed[best_composition],
        "mat_lm_full_spearman": summary.agreement_spearman(agreement, "full")["lm"],
        "mat_matbert_layout_check": summary.layout_check(agreement),
        "mat_aflow_sizes": summary.aflow_sizes(cfg.aflow.max_train, cfg.aflow.max_test),
        "mat_n_seeds": len(cfg.property_mlp.seeds),
        **(aflow := aflow_numbers(embedding)),
        "mat_lm_aflow_verdict": summary.aflow_verdict(
            aflow["mat_lm_aflow_wins"], aflow["mat_n_aflow"], Path(cfg.text_encoder).name
        ),
        "mat_elasticity_n": elasticity["n_labelled"],
        "mat_elasticity_unlabelled": elasticity["n_unlabelled"],
        "mat_elasticity_unrepresented": elasticity["n_unrepresented"],
        "mat_elasticity_split": f"{100 - test_percent}/{test_percent}",
        "mat_structure_gain_r2": gain,
        "mat_structure_gain_vs_iqr": gain_words,
        "mat_structure_iqr_r2": spread,
        "mat_te_raw_ucsb": te_counts["n_raw"]["UCSB"],
        "mat_te_raw_estm": te_counts["n_raw"]["ESTM"],
        "mat_te_bad_formula": te_counts["n_bad_formula"],
        "mat_te_no_temperature": te_counts["n_no_temperature"],
        "mat_te_nonpositive": te_counts["n_nonpositive"],
        "mat_te_rows": te_table.height,
        "mat_te_formulas": te_table["formula"].n_unique(),
        "mat_te_min_labels": cfg.mmoe.min_labels,
        "mat_te_sparse": te_counts["n_sparse"],
        "mat_temperature_bins": ", ".join(str(b) for b in TEMPERATURE_BINS),
        "mat_n_mmoe_seeds": len(cfg.mmoe.seeds),
        "mat_mmoe_input": REPRESENTATION_LABELS[cfg.mmoe.ranking_representation],
        "mat_n_tasks": len(TASKS),
        "mat_truth_k": truth_k,
        "mat_truth_candidates": n_candidates,
        "mat_mineral_matching": summary.mineral_matching_text(cfg.mineral_matching),
        "mat_recall_k": cfg.recall_k,
        "mat_ranking_temperature": temperature,
        "mat_ranking_temperature_note": temperature_note,
        "mat_pbte_zt": float(predictions.filter(pl.col("id") == query)["zt"][0]),
        "mat_top_removed_query": shown_removed["n_query_formula"],
        "mat_top_removed_duplicates": shown_removed["n_duplicates"],
        "mat_ranking_top": cfg.ranking_top,
        **{f"mat_top_zt_{rep}": v for rep, v in top_zt.items()},
    }
    assert set(values) == set(MATERIALS_NUMBERS), set(values) ^ set(MATERIALS_NUMBERS)
    write_variables(out, values)
    for name, frame in [
        ("thermoelectric", thermoelectric),
        ("top_zt", summary.zt_frame(ranked, query)),
    ]:
        write_parquet_atomic(frame, figure_dir / f"figure_{name}.parquet")
