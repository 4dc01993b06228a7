"""Which function builds each table and text of the article, read from the code itself.

Every table or paragraph of src/tex/output is written by one call, `write_table(path,
builder(...))` or `write_text_atomic(path, builder(...))`, in an entry script or a library
module. This module finds those calls in the source (no import, no build needed) and names
the builder as `module.function`, so that `make numbers` can say, next to each table, which
function to read.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

WRITERS = {"write_table", "write_text_atomic"}


@dataclass(frozen=True)
class TableBuilder:
    """One call writing a .tex file: the file's name (a regular expression when the name is
    formatted, None when the path is an argument of the script), the builder
    (`module.function`) and where the call is."""

    name_pattern: str | None
    builder: str
    source: str
    line: int

    def matches(self, file_name: str) -> bool:
        """Whether this call writes the file `file_name` (a name, not a path)."""
        return (
            self.name_pattern is not None and re.fullmatch(self.name_pattern, file_name) is not None
        )


def module_name(path: Path, library_root: Path) -> str:
    """`reeval.materials.section` for src/scripts/reeval/materials/section.py."""
    parts = path.resolve().relative_to(library_root.resolve()).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> dotted name, from the module's imports."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:  # import a.b as c: c is a.b
                    names[alias.asname] = alias.name
                else:  # import a.b: a is a
                    head = alias.name.split(".")[0]
                    names[head] = head
    return names


def _dotted(node: ast.expr) -> list[str] | None:
    """["comparison", "metrics_table"] for `comparison.metrics_table`; None otherwise."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else [*inner, node.attr]
    return None


def _builder(call: ast.expr, module: str, imported: dict[str, str]) -> str | None:
    """The dotted name of the function whose call produces the written text."""
    if not isinstance(call, ast.Call):
        return None
    parts = _dotted(call.func)
    if parts is None:
        return None
    head = imported.get(parts[0], f"{module}.{parts[0]}")
    return ".".join([head, *parts[1:]])


def _name_pattern(path: ast.expr) -> str | None:
    """The written file's name as a regular expression, from the path expression: the last
    string literal ending in .tex (formatted parts match anything); None if there is none."""
    literal = path.right if isinstance(path, ast.BinOp) else path
    if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
        return re.escape(Path(literal.value).name) if literal.value.endswith(".tex") else None
    if isinstance(literal, ast.JoinedStr):
        pieces: list[str] = []
        for value in reversed(literal.values):  # from the end back to the last "/"
            if isinstance(value, ast.Constant):
                text = str(value.value)
                pieces.insert(0, re.escape(text.rsplit("/", 1)[-1]))
                if "/" in text:
                    break
            else:
                pieces.insert(0, "[^/]+")
        pattern = "".join(pieces)
        return pattern if pattern.endswith(r"\.tex") else None
    return None


def builders_in(path: Path, library_root: Path) -> list[TableBuilder]:
    """Every call in `path` that writes a .tex file with the text a function call returns."""
    tree = ast.parse(path.read_text(), filename=str(path))
    module = module_name(path, library_root)
    imported = _imported_names(tree)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and len(node.args) >= 2):
            continue
        writer = _dotted(node.func)
        if writer is None or writer[-1] not in WRITERS:
            continue
        builder = _builder(node.args[1], module, imported)
        pattern = _name_pattern(node.args[0])
        is_argument = isinstance(node.args[0], ast.Attribute)  # args.table
        if builder and (pattern or is_argument):
            source = str(path.resolve().relative_to(library_root.resolve()))
            found.append(TableBuilder(pattern, builder, source, node.lineno))
    return found


def table_builders(files: Iterable[Path], library_root: Path) -> list[TableBuilder]:
    """The writing calls of every file (entry scripts and library modules)."""
    return [found for path in sorted(files) for found in builders_in(path, library_root)]


def builder_of(file_name: str, script: str | None, builders: list[TableBuilder]) -> str | None:
    """The builder of the output file `file_name` written by a rule running `script`: the
    call naming the file, else the script's one call writing the path it is given."""
    named = {b.builder for b in builders if b.matches(file_name)}
    if len(named) == 1:
        return named.pop()
    if named or script is None:
        return None
    given = {
        b.builder
        for b in builders
        if b.name_pattern is None and Path(b.source).name == Path(script).name
    }
    return given.pop() if len(given) == 1 else None
