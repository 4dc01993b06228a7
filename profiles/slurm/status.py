"""Tell Snakemake how a SLURM job stands: `python status.py JOBID` prints running, success or
failed. Asks sacct first; where sacct is missing, fails (no accounting) or does not know the
job yet, asks `scontrol show job` (which keeps a finished job for a few minutes), then
squeue. A job that none of them knows is reported failed, with the reason on stderr."""

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


def ask(command: list[str]) -> str | None:
    """The command's output, or None when it is missing or fails."""
    try:
        result = subprocess.run(command, capture_output=True, text=True)
    except FileNotFoundError:
        return None
    return result.stdout if result.returncode == 0 else None


def sacct_state(job_id: str) -> str | None:
    answer = ask(["sacct", "-j", job_id, "-X", "-n", "-P", "-o", "State"])
    states = [s.split()[0] for s in (answer or "").splitlines() if s.strip()]
    return states[0] if states else None


def scontrol_state(job_id: str) -> str | None:
    answer = ask(["scontrol", "show", "job", "-o", job_id]) or ""
    fields = dict(f.split("=", 1) for f in answer.split() if "=" in f)
    return fields.get("JobState")


def queued(job_id: str) -> bool:
    return bool((ask(["squeue", "-h", "-j", job_id]) or "").strip())


def state(job_id: str) -> str:
    slurm_state = sacct_state(job_id) or scontrol_state(job_id)
    if slurm_state is None:
        if queued(job_id):
            return "running"
        print(f"status.py: neither sacct, scontrol nor squeue knows job {job_id}", file=sys.stderr)
        return "failed"
    if slurm_state == "COMPLETED":
        return "success"
    if slurm_state in FAILED:
        return "failed"
    return "running"


if __name__ == "__main__":
    print(state(sys.argv[1]))
