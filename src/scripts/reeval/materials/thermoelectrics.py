"""Experimental thermoelectric data: UCSB (Gaultois et al. 2013) and ESTM (Na & Chang 2022)
in the same units, joined by composition and temperature.

Targets: Seebeck coefficient (uV/K), log10 electrical conductivity (S/m), log10 thermal
conductivity (W/m K), log10 power factor (W/m K^2) and zT. The log targets span decades;
a non-positive value there has no logarithm and becomes a missing label (counted)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from reeval.errors import DataError
from reeval.materials.names import TASKS, TEMPERATURE_BINS


@dataclass
class ThermoelectricData:
    table: pl.DataFrame  # formula, temperature_k, sources, one column per task
    n_raw: dict[str, int]
    n_bad_formula: int  # rows whose formula pymatgen cannot read (dropped)
    n_no_temperature: int  # rows with a readable formula but no temperature (dropped)
    n_nonpositive: int  # sigma, kappa or PF values <= 0 (each becomes a missing label)
    n_sparse: int  # (formula, temperature) rows with fewer than min_labels labels (dropped)

    def counts(self) -> dict:
        return {
            "n_raw": self.n_raw,
            "n_bad_formula": self.n_bad_formula,
            "n_no_temperature": self.n_no_temperature,
            "n_nonpositive": self.n_nonpositive,
            "n_sparse": self.n_sparse,
        }


def normalised_formula(text: str) -> str | None:
    from pymatgen.core import Composition  # slow to import: only where formulas are read

    from reeval.materials.structures import compact_formula

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            composition = Composition(str(text))
        if composition.num_atoms <= 0:
            return None
        return compact_formula(composition)
    except Exception:  # not a formula pymatgen can read
        return None


def _ucsb(path: Path) -> pl.DataFrame:
    table = pl.read_csv(path, infer_schema_length=None)
    return table.select(
        pl.col("composition").alias("raw_formula"),
        pl.col("T [K]").cast(pl.Float64).alias("temperature_k"),
        pl.col("S [muV/K]").cast(pl.Float64).alias("seebeck"),
        (pl.col("sigma [S/cm]").cast(pl.Float64) * 100).alias("sigma"),  # S/cm -> S/m
        pl.col("kappa [W/mK]").cast(pl.Float64).alias("kappa"),
        pl.col("PF [W/mK^2]").cast(pl.Float64).alias("pf"),
        pl.col("zT").cast(pl.Float64).alias("zt"),
    ).with_columns(source=pl.lit("UCSB"))


def _estm(path: Path) -> pl.DataFrame:
    table = pl.read_excel(path)
    names = dict(
        zip(
            table.columns,
            ["raw_formula", "temperature_k", "seebeck", "sigma", "kappa", "pf", "zt"],
            strict=False,
        )
    )
    return (
        table.rename(names)
        .select(list(names.values()))
        .with_columns(pl.col(list(names.values())[1:]).cast(pl.Float64), source=pl.lit("ESTM"))
    )


def load_thermoelectrics(ucsb: Path, estm: Path, min_labels: int = 4) -> ThermoelectricData:
    """Both sets, formulas normalised, rows of one (formula, temperature) averaged; rows
    with an unreadable formula, without a temperature, or (after averaging) with fewer than
    `min_labels` of the five targets are dropped, and each kind is counted."""
    try:
        parts = [_ucsb(ucsb), _estm(estm)]
    except Exception as error:
        raise DataError(f"thermoelectric data unreadable ({error}); fetch it again") from None
    raw = pl.concat(parts)
    raw = raw.with_columns(
        formula=pl.col("raw_formula").map_elements(normalised_formula, return_dtype=pl.String),
        temperature_k=pl.col("temperature_k").round(0),
    )
    n_bad = int(raw["formula"].is_null().sum())
    raw = raw.filter(pl.col("formula").is_not_null())
    n_no_temperature = int(raw["temperature_k"].is_null().sum())
    raw = raw.filter(pl.col("temperature_k").is_not_null())
    logs = {"log_sigma": "sigma", "log_kappa": "kappa", "log_pf": "pf"}
    nonpositive = sum(int((raw[c] <= 0).sum()) for c in logs.values())
    raw = raw.with_columns(
        [
            pl.when(pl.col(c) > 0).then(pl.col(c).log10()).otherwise(None).alias(t)
            for t, c in logs.items()
        ]
    )
    table = (
        raw.group_by("formula", "temperature_k")
        .agg(
            [pl.col(t).mean() for t in TASKS]
            + [pl.col("source").unique().sort().str.join("+").alias("sources")]
        )
        .sort("formula", "temperature_k")
    )
    labels = table.select(pl.sum_horizontal(pl.col(TASKS).is_not_null())).to_series()
    kept = table.filter(labels >= min_labels)
    n_raw = {name: part.height for name, part in zip(["UCSB", "ESTM"], parts, strict=False)}
    return ThermoelectricData(
        kept, n_raw, n_bad, n_no_temperature, nonpositive, table.height - kept.height
    )


def temperature_one_hot(temperatures: np.ndarray) -> np.ndarray:
    """(n, 4): 300, 600, 900 K, other."""
    t = np.asarray(temperatures, dtype=float)
    columns = [np.isclose(t, b) for b in TEMPERATURE_BINS]
    columns.append(~np.any(columns, axis=0))
    return np.stack(columns, axis=1).astype(np.float32)
