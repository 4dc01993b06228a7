"""Two of showyourwork's walks over the job graph, in time linear in its size.

showyourwork 0.4.3 (`showyourwork.config.get_upstream_dependencies`) collects the files
upstream of each output by walking every path of the job graph from that output, with no
memory of the files it has already expanded. The number of paths grows with the product of
the fan-ins along a chain (library files, feature files and run results feed many rules), so
after its `syw__dag` checkpoint the build spent minutes of one core in that walk before
running any job. `upstream_dependencies` returns the same sets (every file reachable
through `dependencies`) with each file expanded once; the Snakefile hands it to
showyourwork in place of its own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar


class _Memo:
    """The table last asked about, and the upstream sets found in it."""

    table: Mapping | None = None
    upstream: ClassVar[dict[str, frozenset[str]]] = {}


def upstream_dependencies(
    file: str, dependencies: Mapping[str, Sequence[str]], depth: int = 0
) -> list[str] | set[str]:
    """Every file upstream of `file` in `dependencies` (file -> its direct inputs): a list at
    depth 0, a set below, as showyourwork's function returns them. Results are remembered
    for as long as the same `dependencies` object is asked about."""
    if _Memo.table is not dependencies:
        _Memo.table, _Memo.upstream = dependencies, {}
    result = _collect(file, dependencies, _Memo.upstream)
    return list(result) if depth == 0 else set(result)


def _collect(
    file: str, dependencies: Mapping[str, Sequence[str]], memo: dict[str, frozenset[str]]
) -> frozenset[str]:
    """Iterative depth-first expansion (no recursion limit on long chains)."""
    stack = [(file, False)]
    while stack:
        node, expanded = stack.pop()
        if node in memo:
            continue
        children = dependencies.get(node, [])
        if expanded:
            found: set[str] = set()
            for child in children:
                found.add(child)
                found |= memo.get(child, frozenset())  # (a cycle would stop here)
            memo[node] = frozenset(found)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if child not in memo)
    return memo[file]


def variable_provenance(dag, config: dict, repo: Path, tex: Path) -> None:
    """showyourwork's `infer_variable_provenance`, in time linear in the outputs: for every
    file of a \\variable in the manuscript, the Snakefile (and line) of the rule that makes it,
    as config["variables"]["<file>_rule"]. showyourwork's own resolves every output of every
    job again for each such file and starts a git process per match (about a minute and a
    half here)."""
    config["variables"] = {}
    producer = {}
    for job in dag.jobs:
        for output in job.output:
            producer.setdefault(Path(str(output)).resolve(), job)
    lines: dict[tuple[str, str], int | None] = {}
    for name in config["tree"]["files"]:
        file = Path(name).resolve()
        job = producer.get(file)
        if job is None:
            continue
        snakefile, rule = job.rule.snakefile, job.rule.name
        if (snakefile, rule) not in lines:
            lines[(snakefile, rule)] = _rule_line(snakefile, rule)
        rulepath = str(Path(snakefile).relative_to(repo))
        if lines[(snakefile, rule)] is not None:
            rulepath += rf"\#L{lines[(snakefile, rule)]}"
        prefix = Path(os.path.commonprefix([file, tex]))  # noqa: RUF071 (as showyourwork)
        config["variables"][f"{file.relative_to(prefix)}_rule"] = rulepath


def _rule_line(snakefile: str, rule: str) -> int | None:
    with open(snakefile, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if re.match(rf"\s*rule\s*{rule}:", line):
                return number
    return None
