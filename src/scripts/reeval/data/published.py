"""Published numbers to put beside ours: only rows of the anchors file marked verified."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from reeval.errors import DataError

# (our model key, our protocol key) -> (model, dataset, split) as written in the anchors file
PUBLISHED_R2 = {
    ("yield_bert", "bh_fullcv"): ("Yield-BERT", "Buchwald-Hartwig", "rand 70/30"),
    **{
        ("yield_bert", f"bh_test{i}"): ("Yield-BERT", "Buchwald-Hartwig", f"Test{i}")
        for i in range(1, 5)
    },
    ("yield_bert", "sm"): (
        "Yield-BERT (ft, tuned)",
        "Suzuki-Miyaura",
        "random 70/30 (random_split_0-9, train 4032/test 1728)",
    ),
    ("dft_rf", "bh_fullcv"): ("DFT descriptors + RF", "Buchwald-Hartwig", "rand 70/30"),
    **{
        ("dft_rf", f"bh_test{i}"): ("DFT descriptors + RF", "Buchwald-Hartwig", f"Test{i}")
        for i in range(1, 5)
    },
    # Chuang & Keiser's one-hot forest (as tabulated by Schwaller et al.); no verified SM row
    ("onehot_rf", "bh_fullcv"): ("one-hot + RF", "Buchwald-Hartwig", "rand 70/30"),
    **{
        ("onehot_rf", f"bh_test{i}"): ("one-hot + RF", "Buchwald-Hartwig", f"Test{i}")
        for i in range(1, 5)
    },
}
# The anchors file's DRFP rows are unverified, and its MPNN, YieldGNN and Mordred rows are
# on the amide-coupling set of Chen et al.: none of them is put beside ours.
PUBLISHED_MODELS = {
    "yield_bert": ("Yield-BERT", "Schwaller2021"),
    "dft_rf": ("DFT random forest", "Ahneman2018"),
    "onehot_rf": ("one-hot random forest", "Chuang2018"),
}


@dataclass(frozen=True)
class Published:
    value: float
    std: float | None
    source: str


def load_published(path: Path) -> pl.DataFrame:
    table = pl.read_csv(path)
    needed = {"model", "dataset", "split", "metric", "value", "std", "verification", "source"}
    if needed - set(table.columns):
        raise DataError(f"{path}: missing columns {sorted(needed - set(table.columns))}")
    return table.filter(pl.col("verification").str.starts_with("verified"))


def published_r2(verified: pl.DataFrame, model: str, protocol: str) -> Published | None:
    """The verified published R2 of `model` on `protocol`, or None if there is none."""
    key = PUBLISHED_R2.get((model, protocol))
    if key is None:
        return None
    name, dataset, split = key
    rows = verified.filter(
        (pl.col("model") == name)
        & (pl.col("dataset") == dataset)
        & (pl.col("split") == split)
        & (pl.col("metric") == "R2")
    )
    if rows.height != 1:
        raise DataError(f"expected one verified R2 row for {key}, found {rows.height}")
    row = rows.row(0, named=True)
    return Published(float(row["value"]), row["std"], row["source"])
