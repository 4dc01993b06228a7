"""Numbers for `\\variable{output/<name>.txt}`: one plain-text value per file.

Values are written as plain text (ASCII minus, no thousands separator) so that the CI
check can find each one verbatim in the text of ms.pdf.
"""

from __future__ import annotations

import numbers
import re
from pathlib import Path

from reeval.io import write_text_atomic
from reeval.render.latex import format_number

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


def format_value(value: float | int | str, digits: int = 2) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("write booleans as words, not numbers")
    return format_number(value, 0 if isinstance(value, numbers.Integral) else digits)


def write_variable(
    output_dir: str | Path, name: str, value: float | int | str, digits: int = 2
) -> Path:
    """Write `value` to `<output_dir>/<name>.txt` atomically and return the path."""
    if not NAME_PATTERN.match(name):
        raise ValueError(f"variable name {name!r} must match {NAME_PATTERN.pattern}")
    text = format_value(value, digits)
    if "\n" in text:
        raise ValueError(f"variable {name!r} must be a single line, got {text!r}")
    return write_text_atomic(Path(output_dir) / f"{name}.txt", text + "\n")


def write_variables(
    output_dir: str | Path, values: dict[str, float | int | str], digits: int = 2
) -> list[Path]:
    """Write several numbers with the same precision."""
    return [write_variable(output_dir, name, v, digits) for name, v in values.items()]
