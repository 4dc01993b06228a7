# The article's workflow. `showyourwork build` includes this file in its own workflow, so
# every table, number and figure of src/tex/ms.tex is made by a rule below (or by a
# \script{} figure rule that showyourwork derives from ms.tex and showyourwork.yml).
#
# Stages, one file each, in the order of the README's layout: 1 rules/fetch.smk (raw data,
# verified), 2 rules/reactions.smk (tidy reaction tables), 3 rules/yield_model.smk and
# 4 rules/baselines.smk (the yield models), 5 rules/materials.smk (the materials study),
# 6 rules/article.smk (the Data section's tables and numbers, the number manifest). The
# helpers they share (folders, priorities, library(), raw(), command()) are rules/common.smk.
import os
import re
import sys
from pathlib import Path

# The library of this checkout. Not the installed one (tools/setup.sh installs it editable
# into the project venv): Snakemake may run where it is not installed (showyourwork's own
# environment under conda, requirements-workflow.txt), and a copy of the repository (the
# tests' fresh copies, `make verify`'s scratch copy) must parse with its own rules' library.
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

include: "rules/common.smk"
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
