"""Upstream files of every output of the workflow, in time linear in the size of the graph.

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

from collections.abc import Mapping, Sequence
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
