"""The AFLOW property splits of CrabNet (composition only) and their published test MAEs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from reeval.errors import DataError

PROPERTIES = {
    "energy_atom": ("aflow__energy_atom", "energy per atom", "eV/atom"),
    "egap": ("aflow__Egap", "band gap", "eV"),
    "bulk_modulus": ("aflow__ael_bulk_modulus_vrh", "bulk modulus", "GPa"),
    "shear_modulus": ("aflow__ael_shear_modulus_vrh", "shear modulus", "GPa"),
    "debye_temperature": ("aflow__ael_debye_temperature", "Debye temperature", "K"),
    "thermal_expansion": ("aflow__agl_thermal_expansion_300K", "thermal expansion", "1/K"),
}


def load_splits(
    folder: Path, properties: list[str], max_train: int | None, max_test: int | None, seed: int
) -> pl.DataFrame:
    """property, split (train/test), formula, target; train and val are merged into train
    (the MLPs hold out their own validation part); each subsampled, seeded."""
    parts = []
    for name in properties:
        if name not in PROPERTIES:
            raise DataError(f"unknown AFLOW property {name!r}; choose from {sorted(PROPERTIES)}")
        stem = folder / PROPERTIES[name][0]
        for split, files, cap in [
            ("train", ("train", "val"), max_train),
            ("test", ("test",), max_test),
        ]:
            table = pl.concat([pl.read_csv(stem / f"{f}.csv") for f in files])
            if cap is not None and table.height > cap:
                rows = np.sort(np.random.default_rng(seed).choice(table.height, cap, replace=False))
                table = table[rows]
            parts.append(
                table.select(
                    pl.lit(name).alias("property"),
                    pl.lit(split).alias("split"),
                    pl.col("formula"),
                    pl.col("target").cast(pl.Float64),
                )
            )
    return pl.concat(parts)


def published_maes(path: Path) -> pl.DataFrame:
    """property (our name), model (CrabNet, Roost), mae."""
    table = pl.read_csv(path)
    names = {folder: name for name, (folder, _, _) in PROPERTIES.items()}
    return (
        table.filter(pl.col("property").is_in(list(names)))
        .select(
            pl.col("property").replace_strict(names),
            pl.col("crabnet").alias("CrabNet"),
            pl.col("roost").alias("Roost"),
        )
        .unpivot(index="property", variable_name="model", value_name="mae")
    )
