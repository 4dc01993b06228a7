# Stage 2: tidy reaction tables (polars, Parquet): reactions with canonical SMILES and
# yields, split definitions, and the rows excluded with their reasons.

BH_XLSX = raw("reactions/buchwald_hartwig/rxn_yields/Dreher_and_Doyle_input_data.xlsx")
SM_XLSX = raw("reactions/suzuki_miyaura/rxn_yields/aap9112_Data_File_S1.xlsx")
SM_SPLIT_FILES = [
    raw(f"reactions/suzuki_miyaura/rxn_yields/random_splits/random_split_{i}.tsv")
    for i in range(10)
]


def tidy_tables(dataset):
    return {
        "reactions": f"{TIDY}/{dataset}_reactions.parquet",
        "splits": f"{TIDY}/{dataset}_splits.parquet",
        "rejected": f"{TIDY}/{dataset}_rejected.parquet",
    }


rule tidy_buchwald_hartwig:
    """The tidy Buchwald-Hartwig tables: reactions, rejected rows, FullCV and Test splits."""
    message:
        "Tidying the Buchwald-Hartwig reactions and splits..."
    input:
        xlsx=BH_XLSX,
        script="src/scripts/tidy_reactions.py",
        library=library("reactions"),
    output:
        **tidy_tables("bh"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/tidy_buchwald_hartwig.log",
    benchmark:
        f"{BENCHMARKS}/tidy_buchwald_hartwig.tsv"
    priority: PRIORITY_FETCH
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(10),
    shell:
        command(
            "bh --xlsx {input.xlsx:q} --out-prefix {TIDY}/bh",
        )


rule tidy_suzuki_miyaura:
    """The tidy Suzuki-Miyaura tables: reactions, rejected rows, random splits."""
    message:
        "Tidying the Suzuki-Miyaura reactions and splits..."
    input:
        xlsx=SM_XLSX,
        splits=SM_SPLIT_FILES,
        script="src/scripts/tidy_reactions.py",
        library=library("reactions"),
    output:
        **tidy_tables("sm"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/tidy_suzuki_miyaura.log",
    benchmark:
        f"{BENCHMARKS}/tidy_suzuki_miyaura.tsv"
    priority: PRIORITY_FETCH
    threads: 1
    resources:
        mem_mb=per_attempt(2000),
        runtime=per_attempt(10),
    shell:
        command(
            "sm --xlsx {input.xlsx:q} --split-files {input.splits:q} "
            "--out-prefix {TIDY}/sm",
        )
