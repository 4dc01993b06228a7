# Stage 6: what the manuscript shows. Tables go to src/tex/output/*.tex (entering ms.tex
# through \variable{}), numbers to src/tex/output/*.txt (one value per file).
from reeval.reactions.summary import variable_names as reaction_variable_names
from reeval.stats.illustration import PARAMETER_VARIABLES, VARIABLES as SKEW_VARIABLES

import functools


for _dataset in ["bh", "sm"]:

    rule:
        """The Data section's table and numbers of one data set (counts, yield summaries,
        splits)."""
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
            resamples=from_profile(CFG["robust"]["bootstrap_resamples"], "robust"),
            confidence=from_profile(CFG["robust"]["confidence"], "robust"),
            seed=from_profile(CFG["robust"]["seed"], "robust"),
        conda:
            CONDA_ENV
        log:
            f"{LOGS}/summarise_{_dataset}.log",
        resources:
            mem_mb=2000,
            runtime=10,
        shell:
            command(
                "{params.dataset} --reactions {input.reactions:q} "
                "--rejected {input.rejected:q} --splits {input.splits:q} "
                "--table {output.table:q} --output-dir {OUTPUT} "
                "--bootstrap-resamples {params.resamples} --confidence {params.confidence} "
                "--seed {params.seed}",
            )


rule skew_normal_illustration:
    """The skew-normal illustration: why the article reports trimeans, with its numbers."""
    message:
        "Drawing the skew-normal illustration..."
    input:
        script="src/scripts/skew_normal_illustration.py",
        library=library("stats", "render"),
    output:
        sample=f"{DERIVED}/skew_normal_sample.npy",
        numbers=numbers(SKEW_VARIABLES + PARAMETER_VARIABLES),
    params:
        **{key: from_profile(value, "skew_normal") for key, value in CFG["skew_normal"].items()},
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/skew_normal_illustration.log",
    resources:
        mem_mb=500,
        runtime=5,
    shell:
        command(
            "--shape {params.shape} --scale {params.scale} --n {params.n} "
            "--seed {params.seed} --sample {output.sample:q} --output-dir {OUTPUT}",
        )


rule provenance_table:
    """The data provenance table: every manifest file with its source, licence and sha256."""
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
        command(
            "--manifest {input.manifest:q} --table {output.table:q} --output-dir {OUTPUT}",
        )


# The number manifest: every file of src/tex/output with its value and hash, the rule and
# script behind it, the hashes of that rule's inputs, and the profile sections it depends
# on: those its rule's parameters and its upstream rules' were made from (profile_sections).
NUMBER_MANIFEST = f"{OUTPUT}/manifest.json"


@functools.cache
def profile_sections(r):
    """The profile sections read by the rule `r` and by every rule upstream of its jobs:
    those its parameters and theirs were made from (from_profile, rules/common.smk)."""
    from snakemake.io import Wildcards

    from reeval.rule_settings import sections_of, upstream_rules

    upstream = upstream_rules(
        r, workflow.rules, apply_wildcards, lambda w: Wildcards(fromdict=dict(w))
    )
    return sorted(set().union(*(sections_of(list(x.params)) for x in [r, *upstream])))


def article_rules():
    """RuleProvenance of every rule that writes into src/tex/output."""
    from reeval.render.manifest import RuleProvenance

    found = []
    for r in workflow.rules:
        outputs = [str(f) for f in r.output if str(f).startswith(f"{OUTPUT}/")]
        outputs = [f for f in outputs if f != NUMBER_MANIFEST]
        if not outputs:
            continue
        inputs = [str(f) for f in r.input if isinstance(f, str)]
        scripts = [f for f in inputs if f.startswith("src/scripts/") and "/reeval/" not in f]
        found.append(
            RuleProvenance(r.name, scripts[0] if scripts else None, inputs, outputs,
                           profile_sections(r))
        )
    return found


rule number_manifest:
    """The machine-readable manifest of every number: value, rule, input hashes, settings."""
    message:
        "Writing the number manifest (values, hashes, rules, inputs, settings)..."
    input:
        outputs=lambda w: sorted(f for r in article_rules() for f in r.outputs),
        script="src/scripts/write_number_manifest.py",
        library=library("render"),
    output:
        NUMBER_MANIFEST,
    params:
        provenance=lambda w: json.dumps([vars(r) for r in article_rules()], sort_keys=True),
        config=json.dumps(CFG, sort_keys=True),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/number_manifest.log",
    resources:
        mem_mb=500,
        runtime=5,
    # the rules' inputs (every run's metrics) outgrow the limit of one argument (128 KB):
    # the provenance goes in on standard input
    shell:
        "python {input.script} --provenance - --config {params.config:q} --out {output:q} "
        "2>&1 <<'PROVENANCE_JSON' | tee {log:q}\n{params.provenance}\nPROVENANCE_JSON"
