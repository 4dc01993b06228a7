"""The heavy rules on a SLURM cluster through profiles/slurm-gpu, with stand-in `sbatch` and
`sacct` on PATH (slow): each job is submitted with its rule's threads, memory, time and GPU
request, and gives the same results as the local build it reruns."""

import json
import stat
import sys
from pathlib import Path

import polars as pl
import pytest
from e2e_support import built_article, run

from reeval.io import sha256_file

pytestmark = pytest.mark.slow

# rule -> (a target it makes, threads, mem_mb, runtime in minutes, GPUs asked for by
# profiles/slurm-gpu): one job of each kind of heavy rule, the cheapest where a rule has
# several. Pretraining (rerun by the workflow test) and robocrys (its texts are checked by
# the fast tests) take minutes: here how a job is submitted, and that it gives the local
# results, is what is tested.
JOBS = {
    "train_onehot_rf_sm": (
        "src/data/results/baselines/sm/onehot_rf/random_split_0/seed0/frac1/metrics.json",
        1,
        3000,
        120,
        0,
    ),
    "train_mpnn_sm": (
        "src/data/results/baselines/sm/mpnn/random_split_0/seed0/frac1/metrics.json",
        1,
        3000,
        120,
        1,
    ),
    "embed_reactions": ("src/data/models/sm/all/embeddings.safetensors", 1, 2000, 20, 1),
    "train_yield_sm_no_human": (
        "src/data/results/yield_model/sm/no_human/checkpoints.safetensors",
        1,
        4000,
        120,
        1,
    ),
    "recall_materials": ("src/data/materials/recall.parquet", 1, 3000, 30, 0),
}
TARGETS = [target for target, *_ in JOBS.values()]

# sbatch records its options and the job's properties, runs the job script to its end with
# its output in the --output file (a cluster that finishes at once) and prints only a job
# id, as `sbatch --parsable` does; sacct reports how the job ended.
STAND_IN_SBATCH = """#!{python}
import json, os, subprocess, sys
from pathlib import Path
from snakemake.utils import read_job_properties
record = Path(os.environ["STAND_IN_SLURM"])
record.mkdir(exist_ok=True)
job_id = str(1000 + len(list(record.glob("*.json"))))
script = sys.argv[-1]
properties = read_job_properties(script)
log = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--output=")][0]
with open(log.replace("%j", job_id), "w") as out:  # like SLURM: the job's output to its log
    rc = subprocess.run(["bash", script], stdout=out, stderr=subprocess.STDOUT).returncode
(record / f"{{job_id}}.json").write_text(
    json.dumps({{"options": sys.argv[1:-1], "properties": properties, "rc": rc}})
)
print(job_id)
"""
STAND_IN_SACCT = """#!{python}
import json, os, sys
from pathlib import Path
job = json.loads((Path(os.environ["STAND_IN_SLURM"]) / f"{{sys.argv[2]}}.json").read_text())
print("COMPLETED" if job["rc"] == 0 else "FAILED")
"""


def install_stand_ins(folder: Path) -> None:
    folder.mkdir()
    for name, text in [("sbatch", STAND_IN_SBATCH), ("sacct", STAND_IN_SACCT)]:
        path = folder / name
        path.write_text(text.format(python=sys.executable))
        path.chmod(path.stat().st_mode | stat.S_IXUSR)


def results(article: Path) -> dict:
    out = {}
    for target in TARGETS:
        path = article / target
        if path.suffix == ".json":
            out[target] = json.loads(path.read_text())
        elif path.suffix == ".parquet":
            out[target] = pl.read_parquet(path).to_dicts()
        else:  # model weights and embeddings: byte for byte
            out[target] = sha256_file(path)
    return out


@pytest.fixture(scope="module")
def cluster_run(repo_root, mirror, tmp_path_factory):
    article, env = built_article(repo_root, mirror, tmp_path_factory.mktemp("article"))
    local = results(article)
    stand_ins = tmp_path_factory.mktemp("slurm")
    install_stand_ins(stand_ins / "bin")
    env = {
        **env,
        "PATH": f"{stand_ins / 'bin'}:{env['PATH']}",
        "STAND_IN_SLURM": str(stand_ins / "jobs"),
    }
    result = run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--profile",
            "profiles/slurm-gpu",
            "--forcerun",
            *sorted(JOBS),
            "--",
            *TARGETS,
        ],
        article,
        env,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    jobs = [json.loads(p.read_text()) for p in sorted((stand_ins / "jobs").glob("*.json"))]
    return article, local, jobs


def option(options: list[str], name: str) -> str | None:
    values = [o.split("=", 1)[1] for o in options if o.startswith(f"--{name}=")]
    return values[0] if values else None


def test_each_heavy_rule_is_submitted_with_its_resources(cluster_run):
    _, _, jobs = cluster_run
    submitted = {j["properties"]["rule"]: j for j in jobs}
    for rule, (_, threads, mem_mb, runtime, gpus) in JOBS.items():
        job = submitted.get(rule)
        assert job is not None, (rule, sorted(submitted))
        assert job["rc"] == 0
        options = job["options"]
        assert option(options, "cpus-per-task") == str(threads), (rule, options)
        assert option(options, "mem") == f"{mem_mb}M", (rule, options)
        assert option(options, "time") == str(runtime), (rule, options)
        assert option(options, "gres") == (f"gpu:{gpus}" if gpus else None), (rule, options)
        assert option(options, "output").startswith("logs/slurm/")
    assert len(jobs) == len(JOBS)  # nothing else was resubmitted


def test_cluster_results_equal_the_local_ones(cluster_run):
    article, local, _ = cluster_run
    assert results(article) == local
