"""LaTeX table fragments (booktabs) for `\\variable{output/<table>.tex}` in ms.tex.

A table is a header and rows of cells. Plain `str` cells are escaped; `Latex` cells are
trusted markup (math, citations). The writer never decides what is best: an entry is
bold only when the caller passes it in `significantly_best`, which should come from a
statistical test, not from comparing point estimates.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from reeval.io import write_text_atomic

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_PATTERN = re.compile("|".join(re.escape(c) for c in _SPECIAL))
_COLUMN_SPEC = re.compile(r"[lcr]|[pmb]\{[^}]*\}")


class Latex(str):
    """A string that is already LaTeX markup and must not be escaped."""


def escape(text: str) -> str:
    """Escape LaTeX's special characters in plain text; `Latex` strings pass unchanged."""
    if isinstance(text, Latex):
        return text
    return _SPECIAL_PATTERN.sub(lambda m: _SPECIAL[m.group()], str(text))


def format_number(value: float, digits: int = 2) -> str:
    """Fixed-point text of a number ('n/a' for None or NaN, never scientific notation)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, numbers.Integral) or digits == 0:
        return f"{round(value):d}"
    return f"{value:.{digits}f}"


def difference_text(value: float, digits: int) -> str:
    """A difference to `digits` decimals, never "-0.000"."""
    text = format_number(value, digits)
    return text.lstrip("-") if set(text) <= set("-0.") else text


def join_words(words: list[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (or with another conjunction)."""
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def p_cell(p: float, digits: int = 3) -> str:
    """A p-value for a table cell: "--" when not finite, "$<$0.001" below 10^-digits (a bare
    "<" is set as an inverted exclamation mark in text mode), else the rounded value."""
    if p is None or not math.isfinite(p):
        return "--"
    smallest = 10.0**-digits
    return (
        Latex(f"$<${format_number(smallest, digits)}") if p < smallest else format_number(p, digits)
    )


def cell_iqr(value: float, spread: float, digits: int = 2) -> str:
    """`value [IQR]`, the robust cell of the article's tables."""
    return f"{format_number(float(value), digits)} [{format_number(float(spread), digits)}]"


def cell_pm(value: float, spread: float, digits: int = 2) -> Latex:
    """`value ± spread` (for published numbers quoted as mean ± standard deviation)."""
    value, spread = format_number(float(value), digits), format_number(float(spread), digits)
    return Latex(f"{value} $\\pm$ {spread}")


def cell_interval(low: float, high: float, digits: int = 2) -> str:
    """`[low, high]`, a confidence interval."""
    return f"[{format_number(float(low), digits)}, {format_number(float(high), digits)}]"


def latex_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    align: str | None = None,
    significantly_best: Iterable[tuple[int, int]] = (),
    midrules_after: Iterable[int] = (),
) -> str:
    """A booktabs `tabular`; (row, column) pairs in `significantly_best` are set bold."""
    width = len(header)
    align = align or "l" + "r" * (width - 1)
    if len(_COLUMN_SPEC.findall(align)) != width:
        raise ValueError(f"align {align!r} does not have the header's {width} columns")
    bold = set(significantly_best)
    breaks = set(midrules_after)
    lines = [f"\\begin{{tabular}}{{{align}}}", "\\toprule", _row(header, set()), "\\midrule"]
    for index, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"row {index} has {len(row)} cells, the header {width}: {row}")
        lines.append(_row(row, {col for (r, col) in bold if r == index}))
        if index in breaks and index != len(rows) - 1:
            lines.append("\\midrule")
    lines += ["\\bottomrule", "\\end{tabular}"]
    return "\n".join(lines) + "\n"


def _row(cells: Sequence[str], bold_columns: set[int]) -> str:
    rendered = [
        f"\\textbf{{{escape(cell)}}}" if col in bold_columns else escape(cell)
        for col, cell in enumerate(cells)
    ]
    return " & ".join(rendered) + r" \\"


def write_table(path: str | Path, table: str) -> Path:
    """Write a rendered table atomically."""
    return write_text_atomic(path, table)
