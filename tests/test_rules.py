"""The workflow describes itself: `snakemake --list` gives every rule with its docstring."""

import subprocess
import sys


def test_every_rule_has_a_docstring(repo_root):
    listed = subprocess.run(
        [sys.executable, "-m", "snakemake", "--list"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    lines = [line for line in listed.stdout.splitlines() if line.strip()]
    rules = [i for i, line in enumerate(lines) if not line.startswith(" ")]
    assert len(rules) > 20  # the whole workflow was parsed
    undocumented = [
        lines[i] for i in rules if i + 1 >= len(lines) or not lines[i + 1].startswith(" ")
    ]
    assert not undocumented, f"rules without a docstring: {undocumented}"
