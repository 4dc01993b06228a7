"""The evaluation protocols of the yield models, and the run records they are read from.

One list of protocols serves every table and test: BH FullCV (10 overlapping random 70/30
splits), each additive out-of-sample split Test1-4 (one independent test set each), and SM
(10 random 70/30 splits)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

REFERENCE = "multimodal"  # the model every comparison is made against (frozen encoders)
END_TO_END = "multimodal_end_to_end"  # the same model, its graph encoder trained end to end
# the multimodal model's variants that the comparison sets beside the baselines as models of
# their own: its two encoder regimes (its ablations are compared in their own family)
REGIME_MODELS = {"full": REFERENCE, "end_to_end": END_TO_END}
MULTIMODAL = list(REGIME_MODELS.values())


@dataclass(frozen=True)
class Protocol:
    """A set of splits evaluated together: `repeated` for overlapping random resplits of
    one data set (tested with the corrected resampled t-test over splits), otherwise one
    independent test set (tested by resampling its test reactions)."""

    key: str
    label: str
    long_label: str
    dataset: str
    prefix: str  # the names of its splits start with this
    repeated: bool


PROTOCOLS = [
    Protocol("bh_fullcv", "BH FullCV", "BH FullCV (random 70/30)", "bh", "FullCV_", True),
    *[
        Protocol(
            f"bh_test{i}", f"BH Test{i}", f"BH Test{i} (additive OOS)", "bh", f"Test{i}", False
        )
        for i in range(1, 5)
    ],
    Protocol("sm", "SM", "SM (random 70/30)", "sm", "random_split_", True),
]
REPEATED = [p for p in PROTOCOLS if p.repeated]
OUT_OF_SAMPLE = [p for p in PROTOCOLS if not p.repeated]
BY_KEY = {p.key: p for p in PROTOCOLS}


def collect_runs(paths: list[Path]) -> pl.DataFrame:
    """Metrics of every run (metrics.json files): model, variant, dataset, split, seed,
    train_fraction and the metrics; a yield-model record without a model is "multimodal",
    one of the end-to-end regime is the model `END_TO_END`."""
    records = []
    for path in paths:
        record = json.loads(Path(path).read_text())
        record.setdefault("train_fraction", 1.0)
        record.setdefault("model", REFERENCE)
        record["model"] = comparison_model(record["model"], record.get("variant"))
        records.append(record)
    frame = pl.DataFrame(records, infer_schema_length=None)
    if "variant" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("variant"))
    return frame


def comparison_model(model: str, variant: str | None) -> str:
    """The name under which the comparison shows a run: a regime of the multimodal model as
    a model of its own (`REGIME_MODELS`), any other run under its model."""
    if model == REFERENCE and variant in REGIME_MODELS:
        return REGIME_MODELS[variant]
    return model


def compared(runs: pl.DataFrame) -> pl.DataFrame:
    """The runs the comparison sets side by side: the baselines and the multimodal model in
    each encoder regime (not its ablations)."""
    return runs.filter(pl.col("variant").is_null() | pl.col("variant").is_in(list(REGIME_MODELS)))


def runs_of(runs: pl.DataFrame, protocol: Protocol, fraction: float = 1.0) -> pl.DataFrame:
    """The runs of one protocol at one training fraction (1: the whole training split)."""
    return runs.filter(
        (pl.col("dataset") == protocol.dataset)
        & (pl.col("train_fraction") == fraction)
        & pl.col("split").str.starts_with(protocol.prefix)
    )


def values_by_model(
    runs: pl.DataFrame, protocol: Protocol, metric: str
) -> dict[str, dict[tuple[str, int], float]]:
    """model -> {(split, seed): metric} of the whole-training-set runs of one protocol, the
    multimodal model's regimes as models of their own (`compared`)."""
    chosen = compared(runs_of(runs, protocol))
    out: dict[str, dict[tuple[str, int], float]] = {}
    for row in chosen.iter_rows(named=True):
        if row.get(metric) is not None:
            out.setdefault(row["model"], {})[(row["split"], int(row["seed"]))] = float(row[metric])
    return out


def test_train_ratio(runs: pl.DataFrame, protocol: Protocol) -> float:
    """n_test / n_train of the protocol's splits (their mean; the FullCV splits all share
    one), the factor of the corrected resampled t-test."""
    chosen = runs_of(runs, protocol).filter(pl.col("n_train") > 0)
    if chosen.is_empty():
        return float("nan")
    return float((chosen["n_test"] / chosen["n_train"]).mean())
