"""Progress of a build: one line per finished Snakemake job, then the wall time and the PDF.

    [37/221, 12:04 elapsed] done: Training the yield model full on bh FullCV_03, seed 1

showyourwork keeps Snakemake quiet on the terminal; Snakemake still writes every event to
.snakemake/log/<time>.snakemake.log ("Job 12: <message>", "Finished job 12.", "37 of 221
steps (17%) done"). This follows the logs that appear while a command runs and prints a line
per finished job with the count, the elapsed time and the job's `message:` (or its rule and
wildcards). A failed job gets its log's last lines. It sets REEVAL_QUIET_JOBS=1 for the
command: each job's output (tqdm bars too) then goes to its log file only (see the Snakefile).
Standard library only, so any Python 3 runs it (conda users too).

    python tools/progress.py -- showyourwork build --cores 2   # what `make paper` runs
    python tools/progress.py --follow                          # beside a running build
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

QUIET_ENV = "REEVAL_QUIET_JOBS"
LOG_DIR = Path(".snakemake/log")
LOG_GLOB = "*.snakemake.log"
POLL_S = 0.5
TAIL_LINES = 15

JOB_MESSAGE = re.compile(r"^\s*Job (\d+): (.*)$")
JOB_RULE = re.compile(r"^\s*(?:local)?(?:rule|checkpoint) (\S+):$")
FIELD = re.compile(r"^\s+([\w-]+): (.*)$")
STAMP = re.compile(r"^\s*\[(\w{3} \w{3} +\d+ \d+:\d+:\d+ \d{4})\]$")
FINISHED = re.compile(r"^\s*Finished job (\d+)\.$")
STEPS = re.compile(r"^\s*(\d+) of (\d+) steps \(.*\) done$")
ERROR = re.compile(r"^\s*Error in rule (\S+):$")
LOG_NOTE = " (check log file(s) for error message)"


def clock_text(seconds: float) -> str:
    """12:04, or 1:02:03 past an hour."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def describe(message: str) -> str:
    """A job's message without Snakemake's trailing dots."""
    return message.strip().rstrip(".").rstrip()


def tail(path: Path, lines: int = TAIL_LINES) -> list[str]:
    try:
        text = path.read_bytes().decode(errors="replace")
    except OSError:
        return [f"({path}: no log file)"]
    # a tqdm bar rewrites its line with carriage returns: keep the last state of each line
    rows = [row.rstrip("\r").rsplit("\r", 1)[-1] for row in text.split("\n")]
    return rows[:-1][-lines:] if rows[-1] == "" else rows[-lines:]


def stamp_time(text: str) -> float:
    """Seconds since the epoch of one of Snakemake's `[Thu Dec  3 10:01:52 2026]` stamps
    (time.asctime, local time)."""
    return time.mktime(time.strptime(text, "%a %b %d %H:%M:%S %Y"))


class LogParser:
    """Turns the lines of one Snakemake log into progress lines. `elapsed(stamp)` gives the
    elapsed time at the log's latest time stamp (None before the first)."""

    def __init__(self, elapsed: Callable[[float | None], float]):
        self.elapsed = elapsed
        self.stamp: float | None = None
        self.jobs: dict[str, str] = {}
        self.block: dict[str, str] | None = None  # the rule / error block being read
        self.finished: list[str] = []
        self.done = 0
        self.total = 0

    def feed(self, line: str) -> list[str]:
        """Progress lines for one line of the log (most lines give none)."""
        line = line.rstrip("\n")
        out: list[str] = []
        if self.block is not None:
            if line.strip() and line[0].isspace():  # an indented line: the block goes on
                if field := FIELD.match(line):
                    self.block.setdefault(field.group(1), field.group(2))
                return out
            out += self._close_block()
        if match := STAMP.match(line):
            self.stamp = stamp_time(match.group(1))
        elif match := JOB_MESSAGE.match(line):
            self.jobs[match.group(1)] = describe(match.group(2))
        elif match := JOB_RULE.match(line):
            self.block = {"kind": "rule", "rule": match.group(1)}
        elif match := ERROR.match(line):
            self.block = {"kind": "error", "rule": match.group(1)}
        elif match := FINISHED.match(line):
            self.finished.append(match.group(1))
        elif match := STEPS.match(line):
            self.done, self.total = int(match.group(1)), int(match.group(2))
            for jobid in self.finished:
                out.append(f"{self._prefix()} done: {self.jobs.get(jobid, f'job {jobid}')}")
            self.finished = []
        return out

    def close(self) -> list[str]:
        """Lines still owed at the end of the log (an error block at its very end)."""
        return self._close_block() if self.block is not None else []

    def _prefix(self) -> str:
        return f"[{self.done}/{self.total}, {clock_text(self.elapsed(self.stamp))} elapsed]"

    def _close_block(self) -> list[str]:
        block, self.block = self.block, None
        jobid = block.get("jobid")
        if block["kind"] == "rule":
            if jobid is not None:
                wildcards = block.get("wildcards", "")
                values = " ".join(part.split("=", 1)[-1] for part in wildcards.split(", "))
                self.jobs[jobid] = f"{block['rule']} {values}".strip()
            return []
        what = self.jobs.get(jobid, block["rule"]) if jobid else block["rule"]
        out = [f"{self._prefix()} FAILED: {what}"]
        logs = block.get("log", "").removesuffix(LOG_NOTE)
        for log in filter(None, (name.strip() for name in logs.split(", "))):
            out.append(f"    last lines of {log}:")
            out += [f"    | {line}" for line in tail(Path(log))]
        return out


class LogFollower:
    """Reads the Snakemake logs that appear in `log_dir` after `since`, in order, as they grow
    (showyourwork runs Snakemake twice: preprocessing, then the build). Times are counted
    from `origin` (seconds since the epoch), or from the first time stamp read."""

    def __init__(self, log_dir: Path, since: float, origin: float | None = None):
        self.log_dir = Path(log_dir)
        self.since = since
        self.origin = origin
        self.files: dict[Path, tuple[int, str, LogParser]] = {}

    def elapsed(self, stamp: float | None) -> float:
        now = time.time() if stamp is None else stamp
        if self.origin is None:
            self.origin = now
        return max(0.0, now - self.origin)

    def logs(self) -> list[Path]:
        if not self.log_dir.is_dir():
            return []
        found = [p for p in self.log_dir.glob(LOG_GLOB) if p.stat().st_mtime >= self.since]
        return sorted(found, key=lambda p: p.name)  # the name is the start time

    def poll(self) -> list[str]:
        """Progress lines for what the logs gained since the last poll."""
        out: list[str] = []
        for path in self.logs():
            offset, partial, parser = self.files.get(path, (0, "", LogParser(self.elapsed)))
            with open(path, encoding="utf-8", errors="replace") as handle:
                handle.seek(offset)
                text = partial + handle.read()
                offset = handle.tell()
            *lines, partial = text.split("\n")
            for line in lines:
                if self.origin is None and (match := STAMP.match(line)):
                    self.origin = stamp_time(match.group(1))
                out += parser.feed(line)
            self.files[path] = (offset, partial, parser)
        return out

    def finish(self) -> list[str]:
        out = self.poll()
        for path, (offset, partial, parser) in self.files.items():
            if partial:
                out += parser.feed(partial)
            out += parser.close()
            self.files[path] = (offset, "", parser)
        return out

    def latest(self) -> Path | None:
        return max(self.files, key=lambda p: p.name) if self.files else None


def emit(lines: Iterable[str]) -> None:
    for line in lines:
        print(line, flush=True)


def summary(rc: int, seconds: float, pdf: Path, since: float, log: Path | None) -> str:
    wall = clock_text(seconds)
    if rc == 0 and pdf.is_file():
        made = "built" if pdf.stat().st_mtime >= since else "up to date, nothing rebuilt"
        return f"[done] {pdf.name} {made} in {wall} (wall time): {pdf.resolve()}"
    if rc == 0:
        return f"[done] finished in {wall} (wall time); it made no {pdf}"
    where = f"; Snakemake's log: {log}" if log else ""
    return (
        f"[failed] the build stopped after {wall} (wall time, exit status {rc}){where}; "
        "showyourwork's logs: .showyourwork/logs/"
    )


def run(command: list[str], pdf: Path, log_dir: Path = LOG_DIR, poll_s: float = POLL_S) -> int:
    """Run `command` with quiet jobs, printing progress; return its exit status."""
    start = time.time()
    monotonic = time.monotonic()
    follower = LogFollower(log_dir, since=start - 1, origin=start)
    env = {**os.environ, QUIET_ENV: "1"}
    process = subprocess.Popen(command, env=env)
    try:
        while process.poll() is None:
            emit(follower.poll())
            time.sleep(poll_s)
    except KeyboardInterrupt:  # Ctrl-C reaches the build too: let it stop cleanly
        process.wait()
    emit(follower.finish())
    rc = process.returncode
    wall = time.monotonic() - monotonic
    print(summary(rc, wall, pdf, start - 1, follower.latest()), flush=True)
    return rc


def follow(log_dir: Path = LOG_DIR, poll_s: float = POLL_S) -> int:
    """Print the progress of a build started elsewhere (until Ctrl-C)."""
    logs = sorted(Path(log_dir).glob(LOG_GLOB), key=lambda p: p.name)
    since = logs[-1].stat().st_mtime - 1 if logs else time.time()
    follower = LogFollower(log_dir, since=since)
    try:
        while True:
            emit(follower.poll())
            time.sleep(poll_s)
    except KeyboardInterrupt:
        emit(follower.finish())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdf", type=Path, default=Path("ms.pdf"), help="the PDF it makes")
    parser.add_argument("--follow", action="store_true", help="follow a build run elsewhere")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the build command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.follow:
        return follow()
    if not command:
        parser.error("give the build command after --, or --follow")
    return run(command, args.pdf)


if __name__ == "__main__":
    sys.exit(main())
