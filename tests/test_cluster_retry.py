"""profiles/slurm under Snakemake with stand-in `sbatch` and `sacct` on PATH, on a one-rule
workflow (fast): a job killed for memory (exit 137) is resubmitted with twice the memory and
time (per_attempt, restart-times); submit.py prints the job id of a `jobid;cluster` reply;
a failing sbatch stops the build with its message."""

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

# the first submission of a job "dies" with 137 without running (like an OOM kill); later
# ones run the job script. Every submission's options are recorded.
SBATCH = """#!{python}
import json, os, subprocess, sys
from pathlib import Path
record = Path(os.environ["STAND_IN_SLURM"])
record.mkdir(exist_ok=True)
job_id = str(2000 + len(list(record.glob("*.json"))))
if os.environ.get("STAND_IN_SBATCH_FAILS"):
    sys.exit("sbatch: error: invalid partition specified: nowhere")
first = not list(record.glob("*.json"))
rc = 137 if first else subprocess.run(["bash", sys.argv[-1]]).returncode
(record / f"{{job_id}}.json").write_text(json.dumps({{"options": sys.argv[1:-1], "rc": rc}}))
print(job_id + os.environ.get("STAND_IN_CLUSTER_SUFFIX", ""))
"""
SACCT = """#!{python}
import json, os, sys
from pathlib import Path
job = json.loads((Path(os.environ["STAND_IN_SLURM"]) / f"{{sys.argv[2]}}.json").read_text())
print({{0: "COMPLETED", 137: "OUT_OF_MEMORY"}}.get(job["rc"], "FAILED"))
"""
SNAKEFILE = """
from reeval.config import per_attempt

rule heavy:
    output: "out.txt"
    threads: 1
    resources:
        mem_mb=per_attempt(3000),
        runtime=per_attempt(120),
    shell: "echo done > {output}"
"""


@pytest.fixture
def workflow(repo_root, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(repo_root / "profiles", work / "profiles")
    (work / "Snakefile").write_text(SNAKEFILE)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in [("sbatch", SBATCH), ("sacct", SACCT)]:
        path = bin_dir / name
        path.write_text(text.format(python=sys.executable))
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{Path(sys.executable).parent}:{os.environ['PATH']}",
        "PYTHONPATH": str(repo_root / "src/scripts"),
        "STAND_IN_SLURM": str(tmp_path / "jobs"),
    }
    return work, env, tmp_path / "jobs"


def snakemake(work: Path, env: dict) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--profile", "profiles/slurm"]
    overrides = ["--latency-wait", "5", "--max-status-checks-per-second", "10"]
    return subprocess.run(
        [*command, *overrides, "out.txt"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def options(record: Path) -> list[dict]:
    jobs = [json.loads(p.read_text()) for p in sorted(record.glob("*.json"))]
    return [{o.split("=", 1)[0]: o.split("=", 1)[-1] for o in j["options"]} for j in jobs]


def test_a_job_killed_for_memory_is_resubmitted_with_twice_the_memory_and_time(workflow):
    work, env, record = workflow
    # sbatch --parsable on a multi-cluster site answers "jobid;cluster": submit.py must
    # hand Snakemake the id alone (sacct, asked about "2000;cluster-a", would not know it)
    result = snakemake(work, {**env, "STAND_IN_CLUSTER_SUFFIX": ";cluster-a"})
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    log = next((work / ".snakemake/log").glob("*.log")).read_text()
    assert "external jobid '2000'." in log and "external jobid '2001'." in log
    first, second = options(record)
    assert (first["--mem"], first["--time"]) == ("3000M", "120")
    assert (second["--mem"], second["--time"]) == ("6000M", "240")
    assert (work / "out.txt").read_text() == "done\n"


def test_a_failing_sbatch_stops_the_build_with_its_message(workflow):
    work, env, _ = workflow
    result = snakemake(work, {**env, "STAND_IN_SBATCH_FAILS": "1"})
    assert result.returncode != 0
    assert "invalid partition specified" in result.stdout + result.stderr
    assert not (work / "out.txt").exists()
