# The article's workflow. `showyourwork build` includes this file in its own workflow, so
# every table, number and figure of src/tex/ms.tex is made by a rule below (or by a
# \script{} figure rule that showyourwork derives from ms.tex and showyourwork.yml).
#
# Stages, one file each: rules/fetch.smk (raw data, verified), rules/reactions.smk (tidy
# reaction tables), rules/yield_model.smk and rules/baselines.smk (the yield models),
# rules/materials.smk (the materials study), rules/article.smk (summaries, tables and numbers for the manuscript).
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path("src/scripts").resolve()))

from snakemake.common import Mode  # noqa: E402

import paths  # noqa: E402

from reeval.config import load_config, per_attempt, resolve_repo_path  # noqa: E402
from reeval.dag import upstream_dependencies, variable_provenance  # noqa: E402
from reeval.data.manifest import load_manifest  # noqa: E402
from reeval.io import discard_corrupt  # noqa: E402
from snakemake.io import apply_wildcards  # noqa: E402

# Every job gets the same string hashes: robocrys words a description from a set of strings
# ("a mixture of edge and corner-sharing" or "of corner and edge-sharing" octahedra), whose
# order follows Python's per-process hash seed. Jobs inherit this (on a cluster, through
# sbatch's exported environment).
os.environ["PYTHONHASHSEED"] = "0"

# showyourwork's rules/dag.smk, included before this file into the same namespace, walks
# every path of the job graph for each output after its syw__dag checkpoint (minutes of one
# core before any job starts); the same sets, each file expanded once (reeval/dag.py).
get_upstream_dependencies = upstream_dependencies


def infer_variable_provenance(dag):
    """showyourwork's own (rules/dag.smk), linear in the graph: reeval/dag.py."""
    from showyourwork import paths as syw_paths

    user = syw_paths.user()
    variable_provenance(dag, config, user.repo, user.tex)


# The profile ($REEVAL_PROFILE, default "quick"), validated against config/schema.yaml
# here, before any job runs.
CFG = load_config()
MANIFEST_PATH = str(resolve_repo_path(CFG["data"]["manifest"]).relative_to(Path.cwd().resolve()))
MANIFEST = load_manifest(Path(MANIFEST_PATH))

# Every rule runs in the environment of environment.yml (conda users), or in the project
# venv that holds the same pins (tools/setup.sh). Absolute, as rules live in rules/*.smk.
CONDA_ENV = str(Path("environment.yml").resolve())

# Under `make paper`, tools/progress.py prints one line per finished job and sets
# REEVAL_QUIET_JOBS=1: every rule ends in `2>&1 | tee {log}`, and this `tee` then writes the
# job's output (tqdm bars too) to its log file only, not to the terminal. Other commands and
# Snakemake's own "set -euo pipefail" are as before. (Snakemake formats the prefix: {{ is {.)
if os.environ.get("REEVAL_QUIET_JOBS") == "1":
    shell.prefix('set -euo pipefail; tee() {{ command tee "$@" >/dev/null; }}; ')

# GPUs per neural-network job on a cluster: `--config neural_gpus=1`, as profiles/slurm-gpu
# sets (resources, so it never reruns anything); tree models and summaries request none.
def neural_gpus(value):
    if not str(value).isdigit():
        from reeval.errors import ConfigError

        raise ConfigError(f"--config neural_gpus={value!r}: allowed is a whole number >= 0")
    return int(value)


NEURAL_GPUS = neural_gpus(config.get("neural_gpus", 0))

# Snakemake starts the ready job of the highest priority first (every job holds one core).
# Fetching and tidying unlock everything and take seconds; then the heads of the long
# serial chains (reactions: featurize -> pretrain -> embed; materials: describe -> embed ->
# train); then the training jobs longest first (as measured by tools/build_costs.py: the
# multimodal learning curve, the Mordred forests and the DRFP learning curve take 2-4 min;
# the other yield-model and graph jobs 1-2 min; the other forests seconds), so that no long
# job is left to run alone at the end while the other core idles.
PRIORITY_FETCH = 100
CRITICAL_PATH = 90
PRIORITY_MATERIALS_CHAIN = 80
PRIORITY_LONGEST = 70
PRIORITY_LONG = 60
PRIORITY_SHORT = 40

# Every folder, from the one path registry (src/scripts/paths.py), relative to the root
RAW = paths.relative(paths.raw)
TIDY = paths.relative(paths.tidy)
DERIVED = paths.relative(paths.derived)
OUTPUT = paths.relative(paths.output)
LOGS = paths.relative(paths.logs)
BENCHMARKS = paths.relative(paths.benchmarks)
FEATURES = paths.relative(paths.features)
MODELS = paths.relative(paths.models)
YIELD_RESULTS = paths.relative(paths.yield_results)
BASELINE_RESULTS = paths.relative(paths.baseline_results)
COMPARISON_FIGURE_DATA = paths.relative(paths.comparison_figure_data)
MATERIALS = paths.relative(paths.materials)


LIBRARY = Path(paths.relative(paths.library))


def library(*packages):
    """Library files behind a rule's script: its core modules and these sub-packages.

    Listed as inputs so that editing the library reruns the rules that use it (Snakemake
    tracks only declared files). Not used by fetch_data: its output is checked by hash.
    """
    files = sorted(LIBRARY.glob("*.py"))
    files += [p for package in packages for p in sorted((LIBRARY / package).glob("*.py"))]
    return [str(p) for p in files]


def numbers(names):
    """The \\variable{} files of these names."""
    return [f"{OUTPUT}/{name}.txt" for name in names]


def raw(path):
    """Where the manifest file `path` lands once fetched."""
    MANIFEST.entry(path)  # fails at parse time if the file is not in the manifest
    return f"{RAW}/{path}"


include: "rules/fetch.smk"
include: "rules/reactions.smk"
include: "rules/yield_model.smk"
include: "rules/baselines.smk"
include: "rules/materials.smk"
include: "rules/article.smk"


# On a cluster (profiles/slurm*), these light jobs run where Snakemake runs, not as sbatch
# jobs: fetching needs the mirror or the network (compute nodes often have neither), the
# others take seconds.
localrules:
    fetch_data,
    summarise_bh,
    summarise_sm,
    skew_normal_illustration,
    provenance_table,
    number_manifest,


def discard_job_outputs(path):
    """Delete every output of the job that wrote `path`. Snakemake reruns a job when an
    output that is *requested* is missing, and the corrupt file may not be the one asked
    for (a checkpoint beside the metrics)."""
    for r in workflow.rules:
        if r.is_producer(path):
            wildcards = r.get_wildcards(path)
            for pattern in r.output:
                Path(apply_wildcards(str(pattern), wildcards)).unlink(missing_ok=True)
            return


# A cached feature file, encoder or checkpoint that no longer matches the checksum written
# beside it is deleted with its job's other outputs before any job runs, so its rule
# recomputes them (only in the main Snakemake process: never while jobs of this build may
# be writing).
if workflow.mode == Mode.default:
    for _path in discard_corrupt(paths.relative(paths.data)):
        discard_job_outputs(str(_path))
        print(f"reeval: {_path} was corrupt (checksum mismatch): deleted with its job's "
              "outputs, to be recomputed", file=sys.stderr)
