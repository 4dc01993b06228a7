"""Tell Snakemake how a SLURM job stands: `python status.py JOBID` prints running, success or
failed (sacct first; squeue while sacct does not know the job yet)."""

import subprocess
import sys

FAILED = {
    "BOOT_FAIL",
    "CANCELLED",
    "DEADLINE",
    "FAILED",
    "NODE_FAIL",
    "OUT_OF_MEMORY",
    "PREEMPTED",
    "TIMEOUT",
}


def state(job_id: str) -> str:
    sacct = subprocess.run(
        ["sacct", "-j", job_id, "-X", "-n", "-P", "-o", "State"], capture_output=True, text=True
    )
    states = [s.split()[0] for s in sacct.stdout.split() if s.strip()]
    if not states:
        return "running" if queued(job_id) else "failed"
    if states[0] == "COMPLETED":
        return "success"
    if states[0] in FAILED:
        return "failed"
    return "running"


def queued(job_id: str) -> bool:
    try:
        squeue = subprocess.run(["squeue", "-h", "-j", job_id], capture_output=True, text=True)
    except FileNotFoundError:  # no squeue here: sacct is the only source
        return False
    return squeue.returncode == 0 and bool(squeue.stdout.strip())


if __name__ == "__main__":
    print(state(sys.argv[1]))
