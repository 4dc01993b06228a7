"""Reviewer aid (`make numbers`): every generated file of src/tex/output, with its value,
the Snakemake rule and the script that made it, and that rule's inputs.

The rule of each file comes from Snakemake itself (`--detailed-summary` of the workflow
in ./Snakefile), so the listing cannot drift from what the build runs.

    python tools/list_numbers.py [--output-dir src/tex/output]
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT_PATTERN = re.compile(r"src/scripts/[\w/]+\.py")
MAX_INPUTS_SHOWN = 4


@dataclass(frozen=True)
class Provenance:
    rule: str
    script: str
    inputs: list[str]


def provenance(targets: list[str]) -> dict[str, Provenance]:
    """{output file: Provenance} from `snakemake --detailed-summary`."""
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--nolock",
        "--cores",
        "1",
        "--detailed-summary",
        *targets,
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"numbers: snakemake --detailed-summary failed:\n{result.stderr}")
    header_at = result.stdout.find("output_file\t")
    rows = csv.DictReader(io.StringIO(result.stdout[header_at:]), delimiter="\t")
    found = {}
    for row in rows:
        inputs = [p for p in row["input-file(s)"].split(",") if p and not p.endswith(".py")]
        match = SCRIPT_PATTERN.search(row["shellcmd"]) or SCRIPT_PATTERN.search(
            row["input-file(s)"]
        )
        found[row["output_file"]] = Provenance(row["rule"], match.group() if match else "-", inputs)
    return found


def describe_value(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".tex":
        rows = sum(line.rstrip().endswith("\\\\") for line in text.splitlines())
        return f"table, {rows} rows incl. header"
    return text.strip()


def describe_inputs(inputs: list[str]) -> str:
    if len(inputs) <= MAX_INPUTS_SHOWN:
        return ", ".join(inputs) or "-"
    shown = ", ".join(inputs[:MAX_INPUTS_SHOWN])
    return f"{shown} and {len(inputs) - MAX_INPUTS_SHOWN} more"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=ROOT / "src/tex/output")
    args = parser.parse_args()
    files = sorted(p for p in args.output_dir.iterdir() if p.suffix in {".txt", ".tex"})
    if not files:
        print(f"numbers: {args.output_dir} is empty; build the article first (make paper)")
        return 1
    targets = [str(p.resolve().relative_to(ROOT)) for p in files]
    origin = provenance(targets)
    for path, target in zip(files, targets, strict=True):
        source = origin.get(target)
        print(f"{path.name}: {describe_value(path)}")
        if source is None:
            print("    made by: no rule of the workflow (a stale file?)")
            continue
        print(f"    rule {source.rule}, script {source.script}")
        print(f"    inputs: {describe_inputs(source.inputs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
