"""Row checks shared by the reaction tables: what is excluded is listed with its reason."""

from __future__ import annotations

import math

import polars as pl

YIELD_RANGE = (0.0, 100.0)
REJECTED_SCHEMA = {
    "reaction_id": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "reason": pl.String,
}


def yield_problem(value: object) -> str:
    """Why a yield (in %, a number or the text of a cell) cannot be used, or '' when it can."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "missing yield"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return f"yield {value!r} is not a number"
    if math.isnan(value):
        return "missing yield"
    low, high = YIELD_RANGE
    if not low <= value <= high:
        return f"yield {value} % is outside {low:g}-{high:g} %"
    return ""


def rejected_frame(rows: list[dict]) -> pl.DataFrame:
    """The excluded rows: reaction_id, column, value, reason (empty frame when none)."""
    return pl.DataFrame(rows, schema=REJECTED_SCHEMA)
