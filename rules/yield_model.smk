# Stage 4: the multimodal, uncertainty-aware yield model (Chen et al. 2024).
# featurize (per data set) -> pretrain (contrastive, no yields) -> embed (frozen encoders,
# once) -> train (data set x split x variant x seed) -> predictions + metrics.
import json

from reeval.analysis.yield_model import SETTINGS_VARIABLES, YIELD_VARIABLES
from reeval.models.variants import VARIANTS
from reeval.training.plan import planned_runs

YM = CFG["yield_model"]
FEATURES = "src/data/features"
MODELS = "src/data/models"
YIELD_RESULTS = "src/data/results/yield_model"
FEATURE_FILES = ["molecules.parquet", "membership.parquet", "graphs.safetensors",
                 "human_features.safetensors"]
RXNPREDICT = "reactions/buchwald_hartwig/rxnpredict"
DFT_FILES = [raw(f"{RXNPREDICT}/data_table.csv")] + [
    raw(f"{RXNPREDICT}/R/{role}.csv") for role in ("aryl_halide", "ligand", "base", "additive")
]
ALL_SPLITS = "|".join(["FullCV_\\d\\d", "Test\\d", "random_split_\\d"])


def settings_json(*keys):
    """The profile settings a rule depends on, as JSON: changing them reruns just that rule."""
    return json.dumps({key: YM[key] for key in keys}, sort_keys=True)


PRETRAIN_SETTINGS = settings_json("device", "graph_encoder", "smiles_encoder", "pretrain")
TRAIN_SETTINGS = settings_json("device", "human_features", "human_encoder", "head", "loss", "train")


def feature_files(dataset):
    return [f"{FEATURES}/{dataset}/{name}" for name in FEATURE_FILES]


def yield_run_files(run, name):
    return (f"{YIELD_RESULTS}/{run.dataset}/{run.variant}/{run.split}/seed{run.seed}/{name}")


wildcard_constraints:
    dataset="bh|sm",
    variant="|".join(VARIANTS),
    split=ALL_SPLITS,
    scope=f"all|{ALL_SPLITS}",
    seed="\\d+",


rule featurize_reactions:
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
        features=CFG["features"],
        rxnpredict=lambda w: f"--rxnpredict-dir {RAW}/{RXNPREDICT}" if w.dataset == "bh" else "",
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/featurize_{{dataset}}.log",
    benchmark:
        f"{BENCHMARKS}/featurize_{{dataset}}.tsv"
    priority: CRITICAL_PATH
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(20),
    shell:
        "python {input.script} {wildcards.dataset} --reactions {input.reactions:q} "
        "--out-dir {FEATURES}/{wildcards.dataset} --morgan-radius {params.features[morgan_radius]} "
        "--morgan-bits {params.features[morgan_bits]} --drfp-bits {params.features[drfp_bits]} "
        "--drfp-radius {params.features[drfp_radius]} "
        "--random-seed {params.features[random_control_seed]} {params.rxnpredict} "
        "2>&1 | tee {log:q}"


rule pretrain_encoders:
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
        f"{LOGS}/pretrain_{{dataset}}_{{scope}}.log",
    benchmark:
        f"{BENCHMARKS}/pretrain_{{dataset}}_{{scope}}.tsv"
    priority: CRITICAL_PATH
    threads: 2
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(240),
        gpu=NEURAL_GPUS,
    shell:
        "python {input.script} --reactions {input.reactions:q} --splits {input.splits:q} "
        "--features-dir {FEATURES}/{wildcards.dataset} --scope {wildcards.scope} "
        "--settings {params.settings:q} --encoders {output.encoders:q} "
        "--history {output.history:q} --threads {threads} 2>&1 | tee {log:q}"


rule embed_reactions:
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
        device=YM["device"],
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/embed_{{dataset}}_{{scope}}.log",
    benchmark:
        f"{BENCHMARKS}/embed_{{dataset}}_{{scope}}.tsv"
    priority: CRITICAL_PATH
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(20),
        gpu=NEURAL_GPUS,
    shell:
        "python {input.script} --reactions {input.reactions:q} --features-dir "
        "{FEATURES}/{wildcards.dataset} --encoders {input.encoders:q} --device {params.device} "
        "--embeddings {output:q} --threads {threads} 2>&1 | tee {log:q}"


def embeddings_for(wildcards):
    scope = "all" if YM["pretrain_on"] == "all" else wildcards.split
    return f"{MODELS}/{wildcards.dataset}/{scope}/embeddings.safetensors"


rule train_yield_model:
    message:
        "Training the yield model {wildcards.variant} on {wildcards.dataset} "
        "{wildcards.split}, seed {wildcards.seed}..."
    input:
        reactions=f"{TIDY}/{{dataset}}_reactions.parquet",
        splits=f"{TIDY}/{{dataset}}_splits.parquet",
        features=feature_files("{dataset}"),
        embeddings=embeddings_for,
        script="src/scripts/train_yield_model.py",
        library=library("featurize", "models", "training", "stats"),
    output:
        predictions=f"{YIELD_RESULTS}/{{dataset}}/{{variant}}/{{split}}/seed{{seed}}/predictions.parquet",
        metrics=f"{YIELD_RESULTS}/{{dataset}}/{{variant}}/{{split}}/seed{{seed}}/metrics.json",
        checkpoint=f"{YIELD_RESULTS}/{{dataset}}/{{variant}}/{{split}}/seed{{seed}}/model.safetensors",
    params:
        settings=TRAIN_SETTINGS,
        fraction=1.0,
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/train_yield/{{dataset}}_{{variant}}_{{split}}_seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/train_yield/{{dataset}}_{{variant}}_{{split}}_seed{{seed}}.tsv"
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(60),
        gpu=NEURAL_GPUS,
    shell:
        "python {input.script} {wildcards.dataset} --reactions {input.reactions:q} "
        "--splits {input.splits:q} "
        "--features-dir {FEATURES}/{wildcards.dataset} --embeddings {input.embeddings:q} "
        "--split {wildcards.split} --variant {wildcards.variant} --seed {wildcards.seed} "
        "--train-fraction {params.fraction} "
        "--settings {params.settings:q} --predictions {output.predictions:q} "
        "--metrics {output.metrics:q} --checkpoint {output.checkpoint:q} --threads {threads} "
        "2>&1 | tee {log:q}"


YIELD_RUNS = planned_runs(YM)


FIGURE_RUNS = [r for r in YIELD_RUNS if r.dataset == "bh" and r.variant == "full"
               and r.split.startswith("FullCV") and r.seed == YM["seeds"][0]]


rule summarise_yield_model:
    message:
        "Summarising the yield-model runs into tables and numbers..."
    input:
        metrics=[yield_run_files(r, "metrics.json") for r in YIELD_RUNS],
        figure_predictions=[yield_run_files(r, "predictions.parquet") for r in FIGURE_RUNS],
        published=raw("reactions/anchors/published_metrics.csv"),
        script="src/scripts/summarise_yield_model.py",
        library=library("analysis", "data", "render", "stats", "models"),
    output:
        tables=[f"{OUTPUT}/{name}" for name in ("yield_main_table.tex", "yield_ablation_table.tex",
                                                "yield_comparison.tex", "yield_targets.tex",
                                                "yield_ablations.tex")],
        numbers=numbers(YIELD_VARIABLES + SETTINGS_VARIABLES),
        figure_data=f"{YIELD_RESULTS}/figure_predictions.parquet",
    params:
        profile=CFG["profile"],
        settings=json.dumps(YM, sort_keys=True),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/summarise_yield_model.log",
    shell:
        "python {input.script} --metrics {input.metrics:q} --figure-predictions "
        "{input.figure_predictions:q} --published {input.published:q} --profile {params.profile} "
        "--settings {params.settings:q} --output-dir {OUTPUT} --figure-data {output.figure_data:q} "
        "2>&1 | tee {log:q}"
