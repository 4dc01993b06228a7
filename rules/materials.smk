# Stage 5: the materials study (Qu et al. 2024). describe -> embed -> recall | property
# models | MMoE (side by side) -> summary. robocrys, matminer and umap are imported only by
# the rules that use them. Only a module that imports nothing is imported here: every parse
# of the workflow reads it. No rule here asks for a GPU: the networks are small (MiniLM on a
# few thousand short texts, MLPs and the MMoE on fixed features) and run on the CPU.
from reeval.materials.names import AUTHORS_SPLIT_NUMBERS, MATERIALS_NUMBERS

MT = CFG["materials"]
MATERIALS_SETTINGS = from_profile(json.dumps(MT, sort_keys=True), "materials")
COMPARISON_SETTINGS = from_profile(json.dumps(CFG["comparison"], sort_keys=True), "comparison")
MR_DATA = "materials/material_recommender/data"
MATERIAL_STRUCTURE_FILES = [
    raw(f"{MR_DATA}/query_structure/{name}.cif")
    for name in ["TePb", "Bi2Te3", "CoSb3", "Cu2Se", "CuBiSeO", "GaCuTe2", "Mg3Sb2"]
] + [
    raw(f"{MR_DATA}/{part}_structure_egap/{part}_{kind}")
    for part in ("train", "test")
    for kind in ("data.csv", "embeddings.npy", "structure_egap.zip")
] + [
    raw(f"materials/matcalc_benchmark/{name}")
    for name in ("mp-binary-pbe-elasticity-2025.1.json.gz",
                 "wbm-random-pbe52-equilibrium-2025.1.json.gz")
]
AFLOW_FILES = [
    raw(f"materials/crabnet_aflow/{folder}/{split}.csv")
    for folder in ("aflow__energy_atom", "aflow__Egap", "aflow__ael_bulk_modulus_vrh",
                   "aflow__ael_shear_modulus_vrh", "aflow__ael_debye_temperature",
                   "aflow__agl_thermal_expansion_300K")
    for split in ("train", "val", "test")
]
TE_FILES = [raw("materials/ucsb_thermoelectrics/ucsb_thermoelectrics.csv"),
            raw("materials/estm/estm.xlsx")]


rule describe_materials:
    """The materials pool (queries, authors' structures, MP elasticity, WBM) and its
    Robocrystallographer texts."""
    message:
        "Describing the materials' structures with Robocrystallographer (cached)..."
    input:
        structures=MATERIAL_STRUCTURE_FILES,
        script="src/scripts/describe_materials.py",
        library=library("materials"),
    output:
        pool=f"{MATERIALS}/pool.parquet",
        texts=f"{MATERIALS}/texts.parquet",
        matbert=f"{MATERIALS}/matbert.npy",
        failures=f"{MATERIALS}/failures.parquet",
        counts=f"{MATERIALS}/pool_counts.json",
    params:
        sizes=from_profile(json.dumps(MT["pool"]), "materials"),
        minerals=from_profile("--mineral-matching" if MT["mineral_matching"] else "", "materials"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/describe_materials.log",
    benchmark:
        f"{BENCHMARKS}/describe_materials.tsv"
    priority: PRIORITY_MATERIALS_CHAIN
    threads: 1
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(120),
    shell:
        command(
            "--raw {RAW} --sizes {params.sizes:q} --seed {MT[seed]} {params.minerals} "
            "--cache {MATERIALS}/cache/robocrys.parquet --pool {output.pool:q} "
            "--texts {output.texts:q} --matbert {output.matbert:q} "
            "--failures {output.failures:q} --counts {output.counts:q}",
            threads=True,
        )


rule embed_materials:
    """Language-model, Mat2Vec, Magpie and CrystalNN representations of the pool and the
    thermoelectric data."""
    message:
        "Embedding the materials: language model, Mat2Vec, Magpie, CrystalNN..."
    input:
        pool=rules.describe_materials.output.pool,
        texts=rules.describe_materials.output.texts,
        aflow=AFLOW_FILES,
        thermoelectrics=TE_FILES,
        mat2vec=raw("materials/mat2vec_elements/mat2vec.csv"),
        script="src/scripts/embed_materials.py",
        library=library("materials"),
    output:
        arrays=f"{MATERIALS}/pool_representations.npz",
        compositions=f"{MATERIALS}/composition_representations.npz",
        aflow=f"{MATERIALS}/aflow_splits.parquet",
        thermoelectrics=f"{MATERIALS}/thermoelectrics.parquet",
        counts=f"{MATERIALS}/thermoelectrics.json",
        issues=f"{MATERIALS}/representation_issues.parquet",
        encoder=f"{MATERIALS}/encoder.json",
    params:
        settings=MATERIALS_SETTINGS,
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/embed_materials.log",
    benchmark:
        f"{BENCHMARKS}/embed_materials.tsv"
    priority: PRIORITY_MATERIALS_CHAIN
    threads: 1
    resources:
        mem_mb=per_attempt(4000),
        runtime=per_attempt(60),
    shell:
        command(
            "--pool {input.pool:q} --texts {input.texts:q} --raw {RAW} "
            "--cache {MATERIALS}/cache/lm_embeddings.parquet --pool-out {output.arrays:q} "
            "--compositions-out {output.compositions:q} --aflow-out {output.aflow:q} "
            "--thermoelectrics-out {output.thermoelectrics:q} "
            "--counts-out {output.counts:q} --issues-out {output.issues:q} "
            "--encoder-out {output.encoder:q}",
            settings=True, threads=True,
        )


rule recall_materials:
    """Cosine recall per query, agreement with the authors' MatBERT vectors, the UMAP projection."""
    message:
        "Recalling candidates per query and representation; agreement with MatBERT; UMAP..."
    input:
        pool=rules.describe_materials.output.pool,
        arrays=rules.embed_materials.output.arrays,
        matbert=rules.describe_materials.output.matbert,
        script="src/scripts/recall_materials.py",
        library=library("materials"),
    output:
        recall=f"{MATERIALS}/recall.parquet",
        agreement=f"{MATERIALS}/agreement.parquet",
        umap=f"{MATERIALS}/umap.parquet",
    params:
        settings=MATERIALS_SETTINGS,
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/recall_materials.log",
    benchmark:
        f"{BENCHMARKS}/recall_materials.tsv"
    priority: PRIORITY_LONG
    threads: 1
    resources:
        mem_mb=per_attempt(3000),
        runtime=per_attempt(30),
    shell:
        command(
            "--pool {input.pool:q} --arrays {input.arrays:q} --matbert {input.matbert:q} "
            "--recall-out {output.recall:q} --agreement-out {output.agreement:q} "
            "--umap-out {output.umap:q}",
            settings=True, environment="NUMBA_CACHE_DIR={MATERIALS}/cache/numba",
        )


rule train_property_models:
    """Property MLPs of every representation (AFLOW, MP elasticity): the embedding quality."""
    message:
        "Training the property MLPs of every representation (embedding quality)..."
    input:
        pool=rules.describe_materials.output.pool,
        arrays=rules.embed_materials.output.arrays,
        compositions=rules.embed_materials.output.compositions,
        aflow=rules.embed_materials.output.aflow,
        script="src/scripts/train_property_models.py",
        library=library("materials", "training", "stats"),
    output:
        f"{MATERIALS}/embedding_quality.parquet",
    params:
        settings=MATERIALS_SETTINGS,
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/train_property_models.log",
    benchmark:
        f"{BENCHMARKS}/train_property_models.tsv"
    priority: PRIORITY_MATERIALS_CHAIN
    threads: 1
    resources:
        mem_mb=per_attempt(3000),
        runtime=per_attempt(120),
    shell:
        command(
            "--pool {input.pool:q} --arrays {input.arrays:q} "
            "--compositions {input.compositions:q} --aflow {input.aflow:q} "
            "--out {output:q}",
            settings=True, threads=True,
        )


rule train_mmoe:
    """The MMoE against single-task MLPs on the thermoelectric data, and its ranking of the pool."""
    message:
        "Training the thermoelectric MMoE and single-task MLPs; predicting the pool..."
    input:
        pool=rules.describe_materials.output.pool,
        arrays=rules.embed_materials.output.arrays,
        compositions=rules.embed_materials.output.compositions,
        thermoelectrics=rules.embed_materials.output.thermoelectrics,
        script="src/scripts/train_mmoe.py",
        library=library("materials", "training", "stats"),
    output:
        runs=f"{MATERIALS}/thermoelectric_models.parquet",
        predictions=f"{MATERIALS}/pool_predictions.parquet",
    params:
        settings=MATERIALS_SETTINGS,
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/train_mmoe.log",
    benchmark:
        f"{BENCHMARKS}/train_mmoe.tsv"
    priority: PRIORITY_MATERIALS_CHAIN
    threads: 1
    resources:
        mem_mb=per_attempt(3000),
        runtime=per_attempt(120),
    shell:
        command(
            "--pool {input.pool:q} --arrays {input.arrays:q} "
            "--compositions {input.compositions:q} "
            "--thermoelectrics {input.thermoelectrics:q} --runs-out {output.runs:q} "
            "--predictions-out {output.predictions:q}",
            settings=True, threads=True,
        )


rule train_authors_split:
    """MatBERT against the other representations on the authors' 200/100 split (ridge and MLP)."""
    message:
        "MatBERT head to head: every representation on the authors' train/test split..."
    input:
        pool=rules.describe_materials.output.pool,
        arrays=rules.embed_materials.output.arrays,
        matbert=rules.describe_materials.output.matbert,
        splits=[raw(f"{MR_DATA}/{part}_structure_egap/{part}_data.csv")
                for part in ("train", "test")],
        script="src/scripts/train_authors_split.py",
        library=library("materials", "training"),
    output:
        runs=f"{MATERIALS}/authors_split_runs.parquet",
        counts=f"{MATERIALS}/authors_split_counts.json",
    params:
        settings=MATERIALS_SETTINGS,
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/train_authors_split.log",
    benchmark:
        f"{BENCHMARKS}/train_authors_split.tsv"
    priority: PRIORITY_LONG
    threads: 1
    resources:
        mem_mb=per_attempt(3000),
        runtime=per_attempt(60),
    shell:
        command(
            "--pool {input.pool:q} --arrays {input.arrays:q} --matbert {input.matbert:q} "
            "--raw {RAW} --out {output.runs:q} --counts-out {output.counts:q}",
            settings=True, threads=True,
        )


rule summarise_authors_split:
    """The head-to-head tables and answer: MAE with bootstrap intervals, paired tests, TOST."""
    message:
        "Summarising the MatBERT head to head: MAE intervals, paired tests, sentences..."
    input:
        runs=rules.train_authors_split.output.runs,
        counts=rules.train_authors_split.output.counts,
        script="src/scripts/summarise_authors_split.py",
        library=library("materials", "render", "stats"),
    output:
        tables=[f"{OUTPUT}/materials_authors_split_{name}.tex"
                for name in ("mae", "tests", "sentences", "answer")],
        numbers=numbers(AUTHORS_SPLIT_NUMBERS),
    params:
        settings=MATERIALS_SETTINGS,
        comparison=COMPARISON_SETTINGS,
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/summarise_authors_split.log",
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(10),
    shell:
        command(
            "--runs {input.runs:q} --counts {input.counts:q} "
            "--comparison {params.comparison:q} --output-dir {OUTPUT}",
            settings=True,
        )


rule summarise_materials:
    """The materials section: recall truths, rankings, embedding quality, MMoE tests, numbers."""
    message:
        "Summarising the materials study: tables, numbers, figure data..."
    input:
        pool=rules.describe_materials.output.pool,
        texts=rules.describe_materials.output.texts,
        failures=rules.describe_materials.output.failures,
        pool_counts=rules.describe_materials.output.counts,
        issues=rules.embed_materials.output.issues,
        encoder=rules.embed_materials.output.encoder,
        recall=rules.recall_materials.output.recall,
        agreement=rules.recall_materials.output.agreement,
        embedding=rules.train_property_models.output[0],
        thermoelectric=rules.train_mmoe.output.runs,
        predictions=rules.train_mmoe.output.predictions,
        te_table=rules.embed_materials.output.thermoelectrics,
        te_counts=rules.embed_materials.output.counts,
        arrays=rules.embed_materials.output.arrays,
        published=raw("materials/crabnet_aflow/all_metrics.csv"),
        script="src/scripts/summarise_materials.py",
        library=library("materials", "render", "stats"),
    output:
        tables=[f"{OUTPUT}/materials_{name}.tex"
                for name in ("agreement", "embedding", "structure", "mmoe", "top")]
        + [f"{OUTPUT}/materials_{name}.tex"
           for name in ("mmoe_test", "recall_truth", "recall_truth_sentences")],
        numbers=numbers(MATERIALS_NUMBERS),
        figure_data=[f"{MATERIALS}/figure_{name}.parquet" for name in ("thermoelectric", "top_zt")],
    params:
        settings=MATERIALS_SETTINGS,
        comparison=COMPARISON_SETTINGS,
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/summarise_materials.log",
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(10),
    shell:
        command(
            "--pool {input.pool:q} --texts {input.texts:q} --failures {input.failures:q} "
            "--pool-counts {input.pool_counts:q} --issues {input.issues:q} "
            "--encoder {input.encoder:q} --recall {input.recall:q} "
            "--agreement {input.agreement:q} --embedding {input.embedding:q} "
            "--thermoelectric {input.thermoelectric:q} --predictions {input.predictions:q} "
            "--te-table {input.te_table:q} --te-counts {input.te_counts:q} "
            "--arrays {input.arrays:q} --published {input.published:q} "
            "--comparison {params.comparison:q} --output-dir {OUTPUT} "
            "--figure-dir {MATERIALS}",
            settings=True,
        )
