# Stage 5: the baselines, the learning curves, and their comparison with the multimodal
# model. Every baseline is one job per (data set, model, split, seed, training fraction).
from reeval.analysis.comparison import COMPARISON_TABLES, DISCUSSION_VARIABLES
from reeval.baselines.plan import baseline_runs, learning_curve_runs
from reeval.baselines.registry import BASELINES, baseline

BL = CFG["baselines"]
BASELINE_RESULTS = "src/data/results/baselines"
BASELINE_SETTINGS = json.dumps(BL, sort_keys=True)
BASELINE_RUNS = baseline_runs(BL, YM["splits"])
# (model, split, seed) of the main BH runs: at the 0.7 fraction (the whole FullCV training
# set) these are the learning-curve points; the learning curves add the seeds they lack
MAIN_BH_RUNS = {("multimodal", r.split, r.seed) for r in YIELD_RUNS
                if r.dataset == "bh" and r.variant == "full"} | {
               (r.model, r.split, r.seed) for r in BASELINE_RUNS if r.dataset == "bh"}
LEARNING_CURVE_RUNS = learning_curve_runs(BL, MAIN_BH_RUNS)


def baseline_run_files(run, name):
    return (f"{BASELINE_RESULTS}/{run.dataset}/{run.model}/{run.split}/seed{run.seed}/"
            f"frac{run.fraction}/{name}")


def learning_curve_files(run, name):
    if run.model == "multimodal":
        return (f"{YIELD_RESULTS}/learning_curve/bh/full/{run.split}/seed{run.seed}/"
                f"frac{run.fraction}/{name}")
    return baseline_run_files(run, name)


def baseline_threads(wildcards):
    # tree ensembles use both cores; the neural baselines run one job per core
    return 2 if baseline(wildcards.model).kind in {"forest", "boosting"} else 1


def baseline_gpus(wildcards):
    return 0 if baseline(wildcards.model).kind in {"forest", "boosting"} else NEURAL_GPUS


rule train_baseline:
    message:
        "Training the baseline {wildcards.model} on {wildcards.dataset} {wildcards.split}, "
        "seed {wildcards.seed}, fraction {wildcards.fraction}..."
    input:
        reactions=f"{TIDY}/{{dataset}}_reactions.parquet",
        splits=f"{TIDY}/{{dataset}}_splits.parquet",
        features=feature_files("{dataset}"),
        script="src/scripts/train_baseline.py",
        library=library("baselines", "featurize", "models", "training", "stats"),
    output:
        predictions=f"{BASELINE_RESULTS}/{{dataset}}/{{model}}/{{split}}/seed{{seed}}/frac{{fraction}}/predictions.parquet",
        metrics=f"{BASELINE_RESULTS}/{{dataset}}/{{model}}/{{split}}/seed{{seed}}/frac{{fraction}}/metrics.json",
    wildcard_constraints:
        model="|".join(BASELINES),
        fraction="[0-9.]+",
    params:
        settings=BASELINE_SETTINGS,
        device=YM["device"],  # the neural baselines run where the yield model runs
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/baselines/{{dataset}}_{{model}}_{{split}}_seed{{seed}}_frac{{fraction}}.log",
    benchmark:
        f"{BENCHMARKS}/baselines/{{dataset}}_{{model}}_{{split}}_seed{{seed}}_frac{{fraction}}.tsv"
    threads: baseline_threads
    resources:
        mem_mb=per_attempt(3000),
        runtime=per_attempt(60),
        gpu=baseline_gpus,
    shell:
        "python {input.script} {wildcards.dataset} --model {wildcards.model} "
        "--reactions {input.reactions:q} --splits {input.splits:q} "
        "--features-dir {FEATURES}/{wildcards.dataset} --split {wildcards.split} "
        "--seed {wildcards.seed} --train-fraction {wildcards.fraction} "
        "--settings {params.settings:q} --predictions {output.predictions:q} "
        "--metrics {output.metrics:q} --threads {threads} --device {params.device} "
        "2>&1 | tee {log:q}"


use rule train_yield_model as train_yield_model_fraction with:
    message:
        "Training the yield model on {wildcards.fraction} of {wildcards.dataset} "
        "({wildcards.split}, seed {wildcards.seed})..."
    output:
        predictions=f"{YIELD_RESULTS}/learning_curve/{{dataset}}/{{variant}}/{{split}}/seed{{seed}}/frac{{fraction}}/predictions.parquet",
        metrics=f"{YIELD_RESULTS}/learning_curve/{{dataset}}/{{variant}}/{{split}}/seed{{seed}}/frac{{fraction}}/metrics.json",
        checkpoint=f"{YIELD_RESULTS}/learning_curve/{{dataset}}/{{variant}}/{{split}}/seed{{seed}}/frac{{fraction}}/model.safetensors",
    params:
        settings=TRAIN_SETTINGS,
        fraction=lambda w: w.fraction,
    log:
        f"{LOGS}/train_yield/lc_{{dataset}}_{{variant}}_{{split}}_seed{{seed}}_frac{{fraction}}.log",
    benchmark:
        f"{BENCHMARKS}/train_yield/lc_{{dataset}}_{{variant}}_{{split}}_seed{{seed}}_frac{{fraction}}.tsv"


COMPARISON_FIGURE_DATA = "src/data/results/comparison"
CALIBRATION_SPLITS = [s for s in YM["splits"]["bh"] if s.startswith("FullCV")]
MCDROPOUT_SPLITS = [s for s in BL["neural_splits"]["bh"] if s.startswith("FullCV")]


rule summarise_comparison:
    message:
        "Comparing every model: tables, paired tests, learning curves, calibration..."
    input:
        yield_metrics=[yield_run_files(r, "metrics.json") for r in YIELD_RUNS],
        baseline_metrics=[baseline_run_files(r, "metrics.json") for r in BASELINE_RUNS],
        learning_curve_metrics=[learning_curve_files(r, "metrics.json")
                                for r in LEARNING_CURVE_RUNS],
        # each model's own seeds on the FullCV splits
        calibration_multimodal=[f"{YIELD_RESULTS}/bh/full/{s}/seed{seed}/predictions.parquet"
                                for s in CALIBRATION_SPLITS for seed in YM["seeds"]],
        calibration_mcdropout=[f"{BASELINE_RESULTS}/bh/mpnn_mcdropout/{s}/seed{seed}/frac1/predictions.parquet"
                               for s in MCDROPOUT_SPLITS for seed in BL["seeds"]],
        published=raw("reactions/anchors/published_metrics.csv"),
        script="src/scripts/summarise_comparison.py",
        library=library("analysis", "baselines", "data", "render", "stats", "training"),
    output:
        tables=[f"{OUTPUT}/{name}" for name in COMPARISON_TABLES],
        numbers=numbers(DISCUSSION_VARIABLES),
        figure_data=[f"{COMPARISON_FIGURE_DATA}/{name}.parquet"
                     for name in ("learning_curves", "calibration", "oos_r2")],
    params:
        alpha=BL["alpha"],
        lc_splits=" ".join(BL["learning_curve"]["splits"]),
        lc_seeds=" ".join(str(s) for s in BL["learning_curve"]["seeds"]),
        profile=CFG["profile"],
        settings=BASELINE_SETTINGS,
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/summarise_comparison.log",
    shell:
        "python {input.script} --yield-metrics {input.yield_metrics:q} "
        "--baseline-metrics {input.baseline_metrics:q} "
        "--learning-curve-metrics {input.learning_curve_metrics:q} "
        "--calibration-multimodal {input.calibration_multimodal:q} "
        "--calibration-mcdropout {input.calibration_mcdropout:q} --published {input.published:q} "
        "--learning-curve-splits {params.lc_splits} --learning-curve-seeds {params.lc_seeds} "
        "--profile {params.profile} --settings {params.settings:q} "
        "--alpha {params.alpha} --output-dir {OUTPUT} --figure-dir {COMPARISON_FIGURE_DATA} "
        "2>&1 | tee {log:q}"
