# Stage 3: what the manuscript shows. Tables go to src/tex/output/*.tex (entering ms.tex
# through \variable{}), numbers to src/tex/output/*.txt (one value per file).
from reeval.reactions.summary import variable_names as reaction_variable_names
from reeval.stats.illustration import PARAMETER_VARIABLES, VARIABLES as SKEW_VARIABLES


for _dataset in ["bh", "sm"]:

    rule:
        name:
            f"summarise_{_dataset}"
        message:
            f"Summarising the {_dataset} data set..."
        input:
            **tidy_tables(_dataset),
            script="src/scripts/summarise_reactions.py",
            library=library("reactions", "stats", "render"),
        output:
            table=f"{OUTPUT}/data_{_dataset}_table.tex",
            numbers=numbers(reaction_variable_names(_dataset)),
        params:
            dataset=_dataset,
            resamples=CFG["robust"]["bootstrap_resamples"],
            confidence=CFG["robust"]["confidence"],
            seed=CFG["robust"]["seed"],
        conda:
            CONDA_ENV
        log:
            f"{LOGS}/summarise_{_dataset}.log",
        resources:
            mem_mb=2000,
            runtime=10,
        shell:
            "python {input.script} {params.dataset} --reactions {input.reactions:q} "
            "--rejected {input.rejected:q} --splits {input.splits:q} --table {output.table:q} "
            "--output-dir {OUTPUT} --bootstrap-resamples {params.resamples} "
            "--confidence {params.confidence} --seed {params.seed} 2>&1 | tee {log:q}"


rule skew_normal_illustration:
    message:
        "Drawing the skew-normal illustration..."
    input:
        script="src/scripts/skew_normal_illustration.py",
        library=library("stats", "render"),
    output:
        sample=f"{DERIVED}/skew_normal_sample.npy",
        numbers=numbers(SKEW_VARIABLES + PARAMETER_VARIABLES),
    params:
        **CFG["skew_normal"],
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/skew_normal_illustration.log",
    resources:
        mem_mb=500,
        runtime=5,
    shell:
        "python {input.script} --shape {params.shape} --scale {params.scale} --n {params.n} "
        "--seed {params.seed} --sample {output.sample:q} --output-dir {OUTPUT} 2>&1 | tee {log:q}"


rule provenance_table:
    message:
        "Rendering the data provenance table from the manifest..."
    input:
        manifest=MANIFEST_PATH,
        script="src/scripts/table_provenance.py",
        library=library("data", "render"),
        # every manifest file, fetched and verified: the table lists only what was checked
        verified=[raw(path) for path in MANIFEST.files],
    output:
        table=f"{OUTPUT}/provenance_table.tex",
        numbers=numbers(["data_n_files", "data_n_sources", "data_total_mb"]),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/provenance_table.log",
    shell:
        "python {input.script} --manifest {input.manifest:q} --table {output.table:q} "
        "--output-dir {OUTPUT} 2>&1 | tee {log:q}"
