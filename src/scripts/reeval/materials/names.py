"""Names the workflow needs when Snakemake parses the rules: the \\variable numbers of the
materials section and the thermoelectric tasks. Nothing is imported here, so that every
parse of the workflow stays cheap (pymatgen, polars and scipy cost about half a second)."""

TASKS = ["seebeck", "log_sigma", "log_kappa", "log_pf", "zt"]
TEMPERATURE_BINS = (300, 600, 900)  # and "other": the paper's one-hot context

# every \variable number of the section (the rule declares these outputs)
MATERIALS_NUMBERS = [
    # the pool
    "mat_n_pool",
    "mat_n_queries",
    "mat_n_authors",
    "mat_n_authors_total",
    "mat_n_mp",
    "mat_n_wbm",
    "mat_pool_sampling",
    "mat_n_unreadable",
    "mat_n_undescribed",
    "mat_n_duplicates",
    "mat_mp_query_formula",
    # representations
    "mat_text_encoder",
    "mat_chunk_tokens",
    "mat_encoder_length_note",
    "mat_magpie_missing_pool",
    "mat_magpie_missing_compositions",
    "mat_crystalnn_missing",
    "mat_crystalnn_failed",
    # agreement with MatBERT
    "mat_n_agreement",
    "mat_agreement_excluded",
    "mat_best_agreement",
    "mat_best_agreement_spearman",
    "mat_lm_structure_spearman",
    "mat_best_composition_agreement",
    "mat_best_composition_agreement_spearman",
    "mat_lm_full_spearman",
    "mat_matbert_layout_check",
    # embedding quality
    "mat_aflow_sizes",
    "mat_n_seeds",
    "mat_lm_aflow_wins",
    "mat_n_aflow",
    "mat_lm_aflow_ratio",
    "mat_lm_aflow_verdict",
    "mat_elasticity_n",
    "mat_elasticity_unlabelled",
    "mat_elasticity_unrepresented",
    "mat_elasticity_split",
    "mat_structure_gain_r2",
    "mat_structure_gain_vs_iqr",
    "mat_structure_iqr_r2",
    # thermoelectric data and the MMoE
    "mat_te_raw_ucsb",
    "mat_te_raw_estm",
    "mat_te_bad_formula",
    "mat_te_no_temperature",
    "mat_te_nonpositive",
    "mat_te_rows",
    "mat_te_formulas",
    "mat_te_min_labels",
    "mat_te_sparse",
    "mat_temperature_bins",
    "mat_n_mmoe_seeds",
    "mat_mmoe_input",
    "mat_n_tasks",
    "mat_mineral_matching",
    "mat_truth_k",
    "mat_truth_candidates",
    # ranking
    "mat_recall_k",
    "mat_ranking_temperature",
    "mat_ranking_temperature_note",
    "mat_pbte_zt",
    "mat_top_removed_query",
    "mat_top_removed_duplicates",
    "mat_ranking_top",
    "mat_top_zt_lm_structure",
    "mat_top_zt_mat2vec",
    "mat_top_zt_crystalnn",
]

# the \variable numbers of the MatBERT head to head on the authors' split
AUTHORS_SPLIT_NUMBERS = [
    "mat_split_n_train",
    "mat_split_n_test",
    "mat_split_left_out",
    "mat_split_n_seeds",
    "mat_split_margin_percent",
    "mat_split_resamples",
]
