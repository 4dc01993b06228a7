"""Published numbers to put beside ours: only rows of the anchors file marked verified."""

from __future__ import annotations

import re
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


# The released Yield-BERT checkpoints, one run per split, as their notebook printed them
# (R2 to 2 decimals): on the same BH splits as ours, so each split pairs with ours.
YIELD_BERT_CHECKPOINTS = "Yield-BERT (released checkpoint)"
_OUR_SPLIT = re.compile(r"^(FullCV_\d\d|Test\d)\b")


def published_split_r2(
    verified: pl.DataFrame,
    model: str = YIELD_BERT_CHECKPOINTS,
    dataset: str = "Buchwald-Hartwig",
) -> dict[str, float]:
    """{our split name: R2} of a model published split by split (verified rows only)."""
    rows = verified.filter(
        (pl.col("model") == model) & (pl.col("dataset") == dataset) & (pl.col("metric") == "R2")
    )
    out: dict[str, float] = {}
    for row in rows.iter_rows(named=True):
        match = _OUR_SPLIT.match(row["split"])
        if match is None:
            continue
        if match.group(1) in out:
            raise DataError(f"two verified R2 rows of {model} on {match.group(1)}")
        out[match.group(1)] = float(row["value"])
    return out


@dataclass(frozen=True)
class ReportedResult:
    """One result of the additions file: a model re-run or reported on our protocols."""

    model: str
    paper: str
    dataset: str
    split: str
    value: float
    std: float | None
    n_repeats: int | None
    verification: str


def load_reported(path: Path) -> list[ReportedResult]:
    """The R2 rows of the published additions (the strongest published numbers on these
    splits, each with where it was read); every row is kept, with its verification note."""
    table = pl.read_csv(path)
    needed = {"model", "paper", "dataset", "split", "metric", "value", "std", "n_repeats"}
    if needed - set(table.columns) or "verification" not in table.columns:
        missing = sorted((needed | {"verification"}) - set(table.columns))
        raise DataError(f"{path}: missing columns {missing}")
    return [
        ReportedResult(
            row["model"],
            row["paper"],
            row["dataset"],
            row["split"],
            float(row["value"]),
            None if row["std"] is None else float(row["std"]),
            None if row["n_repeats"] is None else int(row["n_repeats"]),
            row["verification"],
        )
        for row in table.filter(pl.col("metric") == "R2").iter_rows(named=True)
    ]
