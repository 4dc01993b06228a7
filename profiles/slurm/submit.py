"""Submit one Snakemake job script to SLURM: `python submit.py JOBSCRIPT` (Snakemake appends
the script). Prints the job id, which Snakemake passes to status.py and scancel.

A job's threads become --cpus-per-task, resources.mem_mb --mem (MB), resources.runtime
--time (minutes), resources.gpu > 0 --gres=gpu:N; its log goes to logs/slurm/. Partition,
account and QOS come from sbatch's own SBATCH_* environment variables."""

import re
import subprocess
import sys
from pathlib import Path

from snakemake.utils import read_job_properties


def sbatch_options(job: dict) -> list[str]:
    resources = job.get("resources", {})
    name = job.get("rule") or f"group-{job.get('groupid', 'job')}"
    wildcards = "_".join(str(v) for v in job.get("wildcards", {}).values())
    label = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{name}-{wildcards}" if wildcards else name)
    options = [
        "--parsable",
        f"--job-name=reeval-{label}"[:128],
        f"--cpus-per-task={job.get('threads', 1)}",
        f"--output=logs/slurm/{label}-%j.log",
    ]
    if "mem_mb" in resources:
        options.append(f"--mem={int(resources['mem_mb'])}M")
    if "runtime" in resources:
        options.append(f"--time={int(resources['runtime'])}")
    if int(resources.get("gpu", 0)) > 0:
        options.append(f"--gres=gpu:{int(resources['gpu'])}")
    return options


def main() -> None:
    jobscript = sys.argv[-1]
    Path("logs/slurm").mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["sbatch", *sbatch_options(read_job_properties(jobscript)), jobscript],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"sbatch failed ({result.returncode}): {result.stderr.strip()}")
    lines = result.stdout.strip().splitlines()
    if not lines:
        sys.exit(f"sbatch printed no job id (stderr: {result.stderr.strip()})")
    print(lines[-1].split(";")[0])  # --parsable: "jobid[;cluster]"


if __name__ == "__main__":
    main()
