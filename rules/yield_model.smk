# Stage 3: the multimodal, uncertainty-aware yield model (Chen et al. 2024).
# featurize (per data set) -> pretrain (contrastive, no yields) -> embed (frozen encoders,
# once) -> train (data set x split x variant x seed) -> predictions + metrics.
import json

from reeval.analysis.yield_model import SETTINGS_VARIABLES, YIELD_VARIABLES
from reeval.models.variants import VARIANTS
from reeval.baselines.plan import learning_curve_runs
from reeval.featurize.rxnfp_files import MODEL_FILES as RXNFP_FILES, RXNFP_KINDS, RXNFP_MODELS, rxnfp_file
from reeval.settings import Baselines, PretrainingJob, YieldModelProfile, to_json
from reeval.training.plan import group_runs, planned_runs

YM = YieldModelProfile.from_profile(CFG)  # the yield_model section, typed, budget merged
FEATURE_FILES = ["molecules.parquet", "membership.parquet", "graphs.safetensors",
                 "human_features.safetensors"]
RXNPREDICT = "reactions/buchwald_hartwig/rxnpredict"
DFT_FILES = [raw(f"{RXNPREDICT}/data_table.csv")] + [
    raw(f"{RXNPREDICT}/R/{role}.csv") for role in ("aryl_halide", "ligand", "base", "additive")
]
ALL_SPLITS = "|".join(["FullCV_\\d\\d", "Test\\d", "random_split_\\d"])


# The settings each job reads, as JSON: changing them reruns just the jobs that read them.
PRETRAIN_SETTINGS = from_profile(
    to_json(PretrainingJob(YM.device, YM.graph_encoder, YM.smiles_encoder, YM.pretrain)),
    "yield_model",
)


def train_settings(variant):
    """The settings a training job of `variant` reads: the encoders' sizes and the
    end-to-end section only for the variant that trains them."""
    return from_profile(
        to_json(YM.training_job(end_to_end=VARIANTS[variant].graph_end_to_end)),
        "yield_model",
        "training_budget",
    )


def feature_files(dataset, kind=None):
    """The feature store of a data set, and the rxnfp vectors when `kind` is one of them."""
    extra = [rxnfp_file(RXNFP_KINDS[kind])] if kind in RXNFP_KINDS else []
    return [f"{FEATURES}/{dataset}/{name}" for name in FEATURE_FILES + extra]


wildcard_constraints:
    dataset="bh|sm",
    variant="|".join(VARIANTS),
    split=ALL_SPLITS,
    scope=f"all|{ALL_SPLITS}",
    seed="\\d+",
    rxnfp_model="|".join(RXNFP_MODELS),


rule featurize_reactions:
    """One data set's feature store: molecules, graphs, fingerprints and descriptors."""
    message:
        "Featurising the {wildcards.dataset} reactions (graphs, fingerprints, descriptors)..."
    input:
        reactions=f"{TIDY}/{{dataset}}_reactions.parquet",
        dft=lambda w: DFT_FILES if w.dataset == "bh" else [],
        script="src/scripts/featurize_reactions.py",
        library=library("featurize", "reactions"),
    output:
        [f"{FEATURES}/{{dataset}}/{name}" for name in FEATURE_FILES],
    params:
        features=from_profile(CFG["features"], "features"),
        rxnpredict=lambda w: f"--rxnpredict-dir {RAW}/{RXNPREDICT}" if w.dataset == "bh" else "",
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/featurize_reactions_{{dataset}}.log",
    benchmark:
        f"{BENCHMARKS}/featurize_reactions_{{dataset}}.tsv"
    priority: CRITICAL_PATH
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(20),
    shell:
        command(
            "{wildcards.dataset} --reactions {input.reactions:q} "
            "--out-dir {FEATURES}/{wildcards.dataset} "
            "--morgan-radius {params.features[morgan_radius]} "
            "--morgan-bits {params.features[morgan_bits]} "
            "--drfp-bits {params.features[drfp_bits]} "
            "--drfp-radius {params.features[drfp_radius]} {params.rxnpredict}",
        )


rule pretrain_encoders:
    """Contrastive (CLIP) pretraining of the graph and SMILES encoders, without yields."""
    message:
        "Contrastive pretraining of the encoders on {wildcards.dataset} ({wildcards.scope})..."
    input:
        reactions=f"{TIDY}/{{dataset}}_reactions.parquet",
        splits=f"{TIDY}/{{dataset}}_splits.parquet",
        features=feature_files("{dataset}"),
        script="src/scripts/pretrain_encoders.py",
        library=library("featurize", "models", "training"),
    output:
        encoders=f"{MODELS}/{{dataset}}/{{scope}}/encoders.safetensors",
        history=f"{MODELS}/{{dataset}}/{{scope}}/pretrain_history.parquet",
    params:
        settings=PRETRAIN_SETTINGS,
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/pretrain_encoders_{{dataset}}_{{scope}}.log",
    benchmark:
        f"{BENCHMARKS}/pretrain_encoders_{{dataset}}_{{scope}}.tsv"
    priority: CRITICAL_PATH
    threads: 1
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(240),
        gpu=NEURAL_GPUS,
    shell:
        command(
            "--reactions {input.reactions:q} --splits {input.splits:q} "
            "--features-dir {FEATURES}/{wildcards.dataset} --scope {wildcards.scope} "
            "--encoders {output.encoders:q} --history {output.history:q}",
            settings=True, threads=True,
        )


rule embed_reactions:
    """Every reaction embedded once with the frozen, pretrained encoders."""
    message:
        "Embedding the {wildcards.dataset} reactions with the frozen encoders ({wildcards.scope})..."
    input:
        reactions=f"{TIDY}/{{dataset}}_reactions.parquet",
        features=feature_files("{dataset}"),
        encoders=f"{MODELS}/{{dataset}}/{{scope}}/encoders.safetensors",
        script="src/scripts/embed_reactions.py",
        library=library("featurize", "models", "training"),
    output:
        f"{MODELS}/{{dataset}}/{{scope}}/embeddings.safetensors",
    params:
        device=from_profile(YM.device, "yield_model"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/embed_reactions_{{dataset}}_{{scope}}.log",
    benchmark:
        f"{BENCHMARKS}/embed_reactions_{{dataset}}_{{scope}}.tsv"
    priority: CRITICAL_PATH
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(20),
        gpu=NEURAL_GPUS,
    shell:
        command(
            "--reactions {input.reactions:q} --features-dir {FEATURES}/{wildcards.dataset} "
            "--encoders {input.encoders:q} --device {params.device} "
            "--embeddings {output:q}",
            threads=True,
        )


rule rxnfp_reactions:
    """The [CLS] vector of one rxnfp BERT for every reaction of a data set."""
    message:
        "The rxnfp [CLS] vectors of the {wildcards.dataset} reactions ({wildcards.rxnfp_model})..."
    input:
        reactions=f"{TIDY}/{{dataset}}_reactions.parquet",
        model=lambda w: [raw(f"reactions/rxnfp/{w.rxnfp_model}/{name}") for name in RXNFP_FILES],
        script="src/scripts/rxnfp_reactions.py",
        library=library("featurize"),
    output:
        f"{FEATURES}/{{dataset}}/rxnfp_{{rxnfp_model}}.safetensors",
    params:
        model_dir=lambda w: f"{RAW}/reactions/rxnfp/{w.rxnfp_model}",
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/rxnfp_reactions_{{dataset}}_{{rxnfp_model}}.log",
    benchmark:
        f"{BENCHMARKS}/rxnfp_reactions_{{dataset}}_{{rxnfp_model}}.tsv"
    priority: PRIORITY_LONGEST
    threads: 1
    resources:
        mem_mb=per_attempt(3000),
        runtime=per_attempt(60),
    shell:
        command(
            "--reactions {input.reactions:q} --model-dir {params.model_dir:q} "
            "--out {output:q} --batch-size 16",
            threads=True,
        )


def embeddings_of(dataset, split):
    scope = "all" if YM.pretrain_on == "all" else split
    return f"{MODELS}/{dataset}/{scope}/embeddings.safetensors"


def runs_json(runs, folder_of):
    """The --runs argument of the group scripts: each run's split, seed, fraction, folder."""
    return json.dumps(
        [{"split": r.split, "seed": r.seed, "fraction": float(getattr(r, "fraction", 1)),
          "out": folder_of(r)} for r in runs]
    )


YIELD_RUNS = planned_runs(YM)


def yield_run_folder(run):
    return f"{YIELD_RESULTS}/{run.dataset}/{run.variant}/{run.split}/seed{run.seed}"


def yield_group_jobs(groups, folder_of, results, label=""):
    """Training jobs (rule name, data set, variant, runs, run folder, checkpoint): one per
    group of runs {(data set, variant): runs}, split further by split when each split has
    its own pretrained encoders (pretrain_on: train)."""
    jobs = []
    for (dataset, variant), runs in groups.items():
        scopes = ["all"] if YM.pretrain_on == "all" else sorted({r.split for r in runs})
        for scope in scopes:
            chosen = [r for r in runs if scope == "all" or r.split == scope]
            tail = "" if scope == "all" else f"_{scope}"
            jobs.append((f"train_yield_{dataset}_{variant}{label}{tail}", dataset, variant,
                         chosen, folder_of,
                         f"{results}/{dataset}/{variant}/checkpoints{tail}.safetensors"))
    return jobs


def learning_curve_folder(run):
    if run.model == "multimodal":
        return (f"{YIELD_RESULTS}/learning_curve/bh/full/{run.split}/seed{run.seed}/"
                f"frac{run.fraction}")
    return (f"{BASELINE_RESULTS}/{run.dataset}/{run.model}/{run.split}/seed{run.seed}/"
            f"frac{run.fraction}")


# the multimodal model's learning curve (its main runs stand in at the whole training set)
LEARNING_CURVE_YIELD_RUNS = [
    r for r in learning_curve_runs(
        Baselines.from_profile(CFG),
        {("multimodal", r.split, r.seed) for r in YIELD_RUNS
         if r.dataset == "bh" and r.variant == "full"},
    )
    if r.model == "multimodal"
]
YIELD_GROUP_JOBS = yield_group_jobs(
    group_runs(YIELD_RUNS), yield_run_folder, YIELD_RESULTS
) + yield_group_jobs(
    {("bh", "full"): LEARNING_CURVE_YIELD_RUNS} if LEARNING_CURVE_YIELD_RUNS else {},
    learning_curve_folder,
    f"{YIELD_RESULTS}/learning_curve",
    label="_learning_curve",
)


for _name, _dataset, _variant, _runs, _folder, _checkpoint in YIELD_GROUP_JOBS:

    rule:
        """One variant (or regime) of the multimodal model on one data set: every run side by
        side."""
        name:
            _name
        message:
            f"Training {len(_runs)} yield models ({_variant}) on {_dataset}, side by side..."
        input:
            reactions=f"{TIDY}/{_dataset}_reactions.parquet",
            splits=f"{TIDY}/{_dataset}_splits.parquet",
            features=feature_files(_dataset),
            embeddings=sorted({embeddings_of(_dataset, r.split) for r in _runs}),
            script="src/scripts/train_yield_models.py",
            library=library("featurize", "models", "training", "stats"),
        output:
            predictions=[f"{_folder(r)}/predictions.parquet" for r in _runs],
            metrics=[f"{_folder(r)}/metrics.json" for r in _runs],
            checkpoint=_checkpoint,
        params:
            dataset=_dataset,
            variant=_variant,
            runs=from_profile(runs_json(_runs, _folder), "yield_model"),
            settings=train_settings(_variant),
        conda:
            CONDA_ENV
        log:
            f"{LOGS}/{_name}.log",
        benchmark:
            f"{BENCHMARKS}/{_name}.tsv"
        priority: PRIORITY_LONGEST if "learning_curve" in _name else PRIORITY_LONG
        threads: 1
        resources:
            mem_mb=per_attempt(4000),
            runtime=per_attempt(120),
            gpu=NEURAL_GPUS,
        shell:
            command(
                "{params.dataset} --variant {params.variant} "
                "--reactions {input.reactions:q} --splits {input.splits:q} "
                "--features-dir {FEATURES}/{params.dataset} "
                "--embeddings {input.embeddings[0]:q} --runs {params.runs:q} "
                "--checkpoint {output.checkpoint:q}",
                settings=True, threads=True,
            )


FIGURE_RUNS = [r for r in YIELD_RUNS if r.dataset == "bh" and r.variant == "full"
               and r.split.startswith("FullCV") and r.seed == YM.seeds[0]]


rule summarise_yield_model:
    """The yield-model section: main, ablation and deviations tables, tests, numbers, parity
    data."""
    message:
        "Summarising the yield-model runs into tables and numbers..."
    input:
        metrics=[f"{yield_run_folder(r)}/metrics.json" for r in YIELD_RUNS],
        figure_predictions=[f"{yield_run_folder(r)}/predictions.parquet" for r in FIGURE_RUNS],
        published=raw("reactions/anchors/published_metrics.csv"),
        script="src/scripts/summarise_yield_model.py",
        library=library("analysis", "data", "render", "stats", "models"),
    output:
        tables=[f"{OUTPUT}/{name}" for name in ("yield_main_table.tex", "yield_ablation_table.tex",
                                                "yield_ablation_tests.tex", "yield_comparison.tex",
                                                "yield_targets.tex", "yield_ablations.tex",
                                                "yield_deviations.tex", "yield_own_input.tex")],
        numbers=numbers(YIELD_VARIABLES + SETTINGS_VARIABLES),
        figure_data=f"{YIELD_RESULTS}/figure_predictions.parquet",
    params:
        profile=CFG["profile"],
        settings=from_profile(to_json(YM), "yield_model", "training_budget"),
        comparison=from_profile(json.dumps(CFG["comparison"], sort_keys=True), "comparison"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/summarise_yield_model.log",
    shell:
        command(
            "--metrics {input.metrics:q} --figure-predictions {input.figure_predictions:q} "
            "--published {input.published:q} --profile {params.profile} "
            "--comparison {params.comparison:q} --output-dir {OUTPUT} "
            "--figure-data {output.figure_data:q}",
            settings=True,
        )
