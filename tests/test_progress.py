"""Progress of `make paper`: a line per finished job from Snakemake's log, job output kept in
the job logs (the Snakefile's quiet `tee`), and the summary at the end."""

import re
import subprocess
import sys
import textwrap
import time

import progress

START = "Thu Dec  3 10:00:00 2026"


def stamp(seconds: int) -> str:
    base = time.mktime(time.strptime(START, "%a %b %d %H:%M:%S %Y"))
    return time.asctime(time.localtime(base + seconds))


# What Snakemake 7.15 writes to .snakemake/log/<time>.snakemake.log (shortened)
LOG = textwrap.dedent(
    f"""\
    Building DAG of jobs...
    Using shell: /usr/bin/bash
    Provided cores: 2
    Job stats:
    job                  count    min threads    max threads
    -----------------  -------  -------------  -------------
    fetch_data               1              1              1
    train_yield_model        1              1              1
    mystery                  1              1              1
    total                    3              1              1

    Select jobs to execute...

    [{stamp(0)}]
    Job 2: Fetching reactions/anchors/published_metrics.csv...
    Reason: Missing output files: src/data/raw/reactions/anchors/published_metrics.csv


    [{stamp(1)}]
    rule mystery:
        input: a.txt
        output: b.txt
        log: logs/mystery.log
        jobid: 7
        reason: Missing output files: b.txt
        wildcards: dataset=bh, split=FullCV_03
        resources: tmpdir=/tmp

    [{stamp(3)}]
    Finished job 2.
    1 of 3 steps (33%) done
    Select jobs to execute...

    [{stamp(4)}]
    Job 5: Training the yield model full on bh FullCV_03, seed 1...
    Reason: Missing output files: src/data/results/x/metrics.json

    [{stamp(724)}]
    Finished job 5.
    2 of 3 steps (67%) done
    """
)


def parser():
    base = time.mktime(time.strptime(START, "%a %b %d %H:%M:%S %Y"))
    return progress.LogParser(lambda s: (s if s is not None else base) - base)


def feed(parse, text):
    out = []
    for line in text.splitlines():
        out += parse.feed(line)
    return out + parse.close()


def test_a_line_per_finished_job_with_count_elapsed_time_and_message():
    assert feed(parser(), LOG) == [
        "[1/3, 0:03 elapsed] done: Fetching reactions/anchors/published_metrics.csv",
        "[2/3, 12:04 elapsed] done: Training the yield model full on bh FullCV_03, seed 1",
    ]


def test_a_job_without_message_is_named_by_rule_and_wildcards():
    text = LOG + f"\n[{stamp(3725)}]\nFinished job 7.\n3 of 3 steps (100%) done\n"
    assert feed(parser(), text)[-1] == "[3/3, 1:02:05 elapsed] done: mystery bh FullCV_03"


def test_a_failed_job_shows_the_end_of_its_log(tmp_path):
    log = tmp_path / "train.log"
    log.write_text("epoch 1\n" + "".join(f"line {i}\n" for i in range(30)) + "Traceback: boom\n")
    text = LOG + textwrap.dedent(
        f"""\
        [{stamp(800)}]
        Error in rule mystery:
            jobid: 7
            output: b.txt
            log: {log} (check log file(s) for error message)
            shell:
                python x.py 2>&1 | tee {log}
                (one of the commands exited with non-zero exit code)

        Shutting down, this might take some time.
        """
    )
    out = feed(parser(), text)
    failed = out.index("[2/3, 13:20 elapsed] FAILED: mystery bh FullCV_03")
    assert out[failed + 1] == f"    last lines of {log}:"
    assert out[-1] == "    | Traceback: boom" and len(out) == failed + 2 + progress.TAIL_LINES


def test_tqdm_bars_in_a_failed_log_show_their_last_state(tmp_path):
    log = tmp_path / "bar.log"
    log.write_text("train:  10%|#   | 1/10\rtrain:  20%|##  | 2/10\nValueError: x\n")
    assert progress.tail(log) == ["train:  20%|##  | 2/10", "ValueError: x"]


def test_the_follower_reads_growing_logs_in_order(tmp_path):
    logs = tmp_path / ".snakemake/log"
    logs.mkdir(parents=True)
    follower = progress.LogFollower(logs, since=0, origin=None)
    first = logs / "2026-12-03T100000.000000.snakemake.log"
    cut = LOG.index("1 of 3 steps") + 5  # in the middle of a line
    first.write_text(LOG[:cut])
    assert follower.poll() == []
    first.write_text(LOG)
    assert [line.split("] ")[1] for line in follower.poll()] == [
        "done: Fetching reactions/anchors/published_metrics.csv",
        "done: Training the yield model full on bh FullCV_03, seed 1",
    ]
    second = logs / "2026-12-03T101500.000000.snakemake.log"  # showyourwork's second run
    second.write_text(f"[{stamp(900)}]\nJob 0: Copying the article PDF...\n\n")
    assert follower.poll() == []
    with open(second, "a") as handle:
        handle.write(f"[{stamp(905)}]\nFinished job 0.\n1 of 1 steps (100%) done")
    assert follower.finish() == ["[1/1, 15:05 elapsed] done: Copying the article PDF"]
    assert follower.latest() == second


FAKE_BUILD = """
import os, sys, time
from pathlib import Path
log = Path(".snakemake/log/2099-01-01T000000.000000.snakemake.log")
log.parent.mkdir(parents=True, exist_ok=True)
stamp = time.asctime()
quiet = os.environ.get("REEVAL_QUIET_JOBS")
log.write_text(f"[{stamp}]\\nJob 1: Fetching a file (quiet={quiet})...\\n\\n")
time.sleep(0.3)
with open(log, "a") as handle:
    handle.write(f"[{stamp}]\\nFinished job 1.\\n1 of 1 steps (100%) done\\n")
if sys.argv[1] == "ok":
    Path("ms.pdf").write_bytes(b"%PDF-1.5")
sys.exit(0 if sys.argv[1] == "ok" else 3)
"""


def test_run_prints_progress_and_where_the_pdf_is(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "fake_build.py"
    script.write_text(FAKE_BUILD)
    rc = progress.main(["--", sys.executable, str(script), "ok"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 0
    assert re.fullmatch(r"\[1/1, 0:0\d elapsed\] done: Fetching a file \(quiet=1\)", out[0])
    assert re.fullmatch(
        rf"\[done\] ms\.pdf built in 0:0\d \(wall time\): {re.escape(str(tmp_path))}/ms\.pdf",
        out[-1],
    )


def test_run_says_where_to_look_when_the_build_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "fake_build.py"
    script.write_text(FAKE_BUILD)
    assert progress.main(["--pdf", "ms.pdf", "--", sys.executable, str(script), "fail"]) == 3
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("[failed] the build stopped after 0:0")
    assert "exit status 3" in last and "2099-01-01T000000.000000.snakemake.log" in last


def test_a_build_that_makes_no_pdf_says_so(tmp_path):
    line = progress.summary(0, 75, tmp_path / "ms.pdf", since=0, log=None)
    assert line == f"[done] finished in 1:15 (wall time); it made no {tmp_path / 'ms.pdf'}"


def quiet_prefix(repo_root) -> str:
    """The shell prefix the workflow (rules/common.smk) gives Snakemake under
    REEVAL_QUIET_JOBS=1, as bash gets it (Snakemake's formatter turns {{ into {)."""
    text = (repo_root / "rules/common.smk").read_text()
    (prefix,) = re.findall(r"shell\.prefix\('(.*)'\)", text)
    return prefix.replace("{{", "{").replace("}}", "}")


def test_quiet_jobs_write_their_output_to_the_log_only(repo_root, tmp_path):
    log = tmp_path / "job.log"
    job = f"{{ echo to-stdout; echo to-stderr >&2; }} 2>&1 | tee {log}"
    result = subprocess.run(
        ["bash", "-c", quiet_prefix(repo_root) + job], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert result.stdout == "" and result.stderr == ""
    assert "to-stdout" in log.read_text() and "to-stderr" in log.read_text()


def test_a_failing_quiet_job_still_fails(repo_root, tmp_path):
    job = f"python3 -c 'import sys; sys.exit(4)' 2>&1 | tee {tmp_path / 'job.log'}"
    result = subprocess.run(["bash", "-c", quiet_prefix(repo_root) + job])
    assert result.returncode == 4
