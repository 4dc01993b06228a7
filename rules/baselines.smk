# Stage 4: the baselines, the learning curves, and their comparison with the multimodal
# model. Every run of one baseline on one data set trains in one job (tree models on one
# thread each, so two jobs share the two cores); the learning-curve runs of each model too.
from reeval.analysis.comparison import COMPARISON_TABLES, DISCUSSION_VARIABLES
from reeval.baselines.plan import (
    baseline_runs,
    group_baseline_runs,
    learning_curve_runs,
)
from reeval.baselines.registry import BASELINES, baseline
from reeval.models.variants import REGIMES

BL = Baselines.from_profile(CFG)  # the baselines section, typed, budget merged into mpnn
BASELINE_SETTINGS = from_profile(to_json(BL), "baselines", "training_budget")
# the sections the comparison's summary reads (its --settings)
SUMMARY_SECTIONS = ("baselines", "yield_model", "training_budget", "comparison")
BASELINE_RUNS = baseline_runs(BL, YM.splits)
# (model, split, seed) of the main BH runs: at the 0.7 fraction (the whole FullCV training
# set) these are the learning-curve points; the learning curves add the seeds they lack
MAIN_BH_RUNS = {("multimodal", r.split, r.seed) for r in YIELD_RUNS
                if r.dataset == "bh" and r.variant == "full"} | {
               (r.model, r.split, r.seed) for r in BASELINE_RUNS if r.dataset == "bh"}
LEARNING_CURVE_RUNS = learning_curve_runs(BL, MAIN_BH_RUNS)


def baseline_run_folder(run):
    return (f"{BASELINE_RESULTS}/{run.dataset}/{run.model}/{run.split}/seed{run.seed}/"
            f"frac{run.fraction}")


def learning_curve_files(run, name):
    return f"{learning_curve_folder(run)}/{name}"


def baseline_run_files(run, name):
    return f"{baseline_run_folder(run)}/{name}"


BASELINE_GROUPS = group_baseline_runs(
    BASELINE_RUNS + [r for r in LEARNING_CURVE_RUNS if r.model != "multimodal"]
)


def yield_bert_files(model, dataset):
    """The rxnfp model files a Yield-BERT fine-tuning job reads (none for other models)."""
    if baseline(model).kind != "bert":
        return []
    chosen = getattr(BL.yield_bert, dataset).model
    return [raw(f"reactions/rxnfp/{chosen}/{name}") for name in RXNFP_FILES]


for (_dataset, _model), _runs in BASELINE_GROUPS.items():
    _neural = baseline(_model).kind in {"graph", "bert"}
    _data = _runs[0].dataset
    # the Mordred forests and the DRFP learning curve are the longest jobs; the graph models
    # and the forests' learning curves next
    if _model == "mordred_rf" or (_dataset.endswith("learning_curve") and _model == "drfp_gbt"):
        _priority = PRIORITY_LONGEST
    elif _neural or _dataset.endswith("learning_curve"):
        _priority = PRIORITY_LONG
    else:
        _priority = PRIORITY_SHORT

    rule:
        """One baseline on one data set (or its learning curve): every run in one process."""
        name:
            f"train_{_model}_{_dataset}"
        message:
            f"Training the baseline {_model} on {_dataset} ({len(_runs)} runs)..."
        input:
            reactions=f"{TIDY}/{_data}_reactions.parquet",
            splits=f"{TIDY}/{_data}_splits.parquet",
            features=feature_files(_data, baseline(_model).features),
            rxnfp=yield_bert_files(_model, _data),
            script="src/scripts/train_baselines.py",
            library=library("baselines", "featurize", "models", "training", "stats"),
        output:
            predictions=[baseline_run_files(r, "predictions.parquet") for r in _runs],
            metrics=[baseline_run_files(r, "metrics.json") for r in _runs],
        params:
            dataset=_data,
            model=_model,
            runs=from_profile(runs_json(_runs, baseline_run_folder), "baselines", "yield_model"),
            settings=BASELINE_SETTINGS,
            device=from_profile(YM.device, "yield_model"),  # the neural baselines run where the yield model runs
        conda:
            CONDA_ENV
        log:
            f"{LOGS}/train_{_model}_{_dataset}.log",
        benchmark:
            f"{BENCHMARKS}/train_{_model}_{_dataset}.tsv"
        priority: _priority
        threads: 1
        resources:
            mem_mb=per_attempt(3000),
            runtime=per_attempt(720 if baseline(_model).kind == "bert" else 120),
            gpu=NEURAL_GPUS if _neural else 0,
        shell:
            command(
                "{params.dataset} --model {params.model} --reactions {input.reactions:q} "
                "--splits {input.splits:q} --features-dir {FEATURES}/{params.dataset} "
                "--runs {params.runs:q} --device {params.device} "
                "--rxnfp-dir {RAW}/reactions/rxnfp",
                settings=True, threads=True,
            )


CALIBRATION_SPLITS = [s for s in YM.splits["bh"] if s.startswith("FullCV")]
MCDROPOUT_SPLITS = CALIBRATION_SPLITS


rule summarise_comparison:
    """The comparison section: R^2 and metrics tables, paired tests, out-of-sample bootstrap,
    learning curves, calibration, Yield-BERT and published references, conclusions."""
    message:
        "Comparing every model: tables, paired tests, learning curves, calibration..."
    input:
        yield_metrics=[f"{yield_run_folder(r)}/metrics.json" for r in YIELD_RUNS],
        baseline_metrics=[baseline_run_files(r, "metrics.json") for r in BASELINE_RUNS],
        learning_curve_metrics=[learning_curve_files(r, "metrics.json")
                                for r in LEARNING_CURVE_RUNS],
        # each model's own seeds on the FullCV splits
        calibration_multimodal=[f"{YIELD_RESULTS}/bh/full/{s}/seed{seed}/predictions.parquet"
                                for s in CALIBRATION_SPLITS for seed in YM.seeds],
        calibration_mcdropout=[f"{BASELINE_RESULTS}/bh/mpnn_mcdropout/{s}/seed{seed}/frac1/predictions.parquet"
                               for s in MCDROPOUT_SPLITS for seed in BL.seeds],
        # the out-of-sample predictions of every model (paired bootstrap of each test set)
        oos_predictions=[f"{yield_run_folder(r)}/predictions.parquet" for r in YIELD_RUNS
                         if r.variant in REGIMES and r.split.startswith("Test")]
        + [baseline_run_files(r, "predictions.parquet") for r in BASELINE_RUNS
           if r.split.startswith("Test")],
        published=raw("reactions/anchors/published_metrics.csv"),
        published_additions=raw("reactions/anchors/published_metrics_additions.csv"),
        bh_reactions=f"{TIDY}/bh_reactions.parquet",
        script="src/scripts/summarise_comparison.py",
        library=library("analysis", "baselines", "data", "render", "stats", "training"),
    output:
        tables=[f"{OUTPUT}/{name}" for name in COMPARISON_TABLES],
        numbers=numbers(DISCUSSION_VARIABLES),
        figure_data=[f"{COMPARISON_FIGURE_DATA}/{name}.parquet"
                     for name in ("learning_curves", "learning_curves_published",
                                  "calibration", "oos_r2")],
    params:
        lc_splits=from_profile(" ".join(BL.learning_curve.splits), "baselines"),
        lc_seeds=from_profile(" ".join(str(s) for s in BL.learning_curve.seeds), "baselines"),
        settings=from_profile(
            json.dumps({key: CFG[key] for key in SUMMARY_SECTIONS}, sort_keys=True),
            *SUMMARY_SECTIONS,
        ),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/summarise_comparison.log",
    shell:
        command(
            "--yield-metrics {input.yield_metrics:q} "
            "--baseline-metrics {input.baseline_metrics:q} "
            "--learning-curve-metrics {input.learning_curve_metrics:q} "
            "--calibration-multimodal {input.calibration_multimodal:q} "
            "--calibration-mcdropout {input.calibration_mcdropout:q} "
            "--published {input.published:q} "
            "--published-additions {input.published_additions:q} "
            "--bh-reactions {input.bh_reactions:q} "
            "--learning-curve-splits {params.lc_splits} "
            "--learning-curve-seeds {params.lc_seeds} --output-dir {OUTPUT} "
            "--figure-dir {COMPARISON_FIGURE_DATA}",
            settings=True,
        )
