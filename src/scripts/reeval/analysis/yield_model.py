"""Tables, numbers and sentences of the yield-model section, from the runs' metrics files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from reeval.data.published import PUBLISHED_MODELS, published_r2
from reeval.models.variants import VARIANTS
from reeval.render.latex import Latex, cell_iqr, format_number, latex_table
from reeval.stats.robust import iqr, trimean


@dataclass(frozen=True)
class Protocol:
    key: str
    label: str
    dataset: str
    split_prefix: str


PROTOCOLS = [
    Protocol("bh_fullcv", "BH FullCV (random 70/30)", "bh", "FullCV_"),
    *[Protocol(f"bh_test{i}", f"BH Test{i} (additive OOS)", "bh", f"Test{i}") for i in range(1, 5)],
    Protocol("sm", "SM (random 70/30)", "sm", "random_split_"),
]
ABLATION_PROTOCOLS = [PROTOCOLS[0], PROTOCOLS[-1]]
# published models beside the multimodal model in its main table (the comparison section
# shows every published baseline)
MAIN_TABLE_PUBLISHED = ("yield_bert", "dft_rf")


def collect_metrics(paths: list[Path]) -> pl.DataFrame:
    """One row per run (dataset, split, variant, seed, metrics), from metrics.json files."""
    records = []
    for path in paths:
        record = json.loads(Path(path).read_text())
        record.setdefault("dataset", Path(path).parts[-5])
        records.append(record)
    return pl.DataFrame(records, infer_schema_length=None)  # keys of every record


def runs_of(metrics: pl.DataFrame, protocol: Protocol, variant: str) -> pl.DataFrame:
    return metrics.filter(
        (pl.col("dataset") == protocol.dataset)
        & (pl.col("variant") == variant)
        & pl.col("split").str.starts_with(protocol.split_prefix)
    )


@dataclass(frozen=True)
class Summary:
    trimean: float
    iqr: float
    n: int

    def cell(self, digits: int) -> str:
        """`trimean [IQR]`; a single run has no spread, so it shows its value alone."""
        if self.n == 0:
            return "--"
        if self.n == 1:
            return format_number(self.trimean, digits)
        return cell_iqr(self.trimean, self.iqr, digits)


def summarise(metrics: pl.DataFrame, protocol: Protocol, variant: str, metric: str) -> Summary:
    """Trimean and IQR of `metric` over the protocol's splits and seeds."""
    values = (
        runs_of(metrics, protocol, variant)[metric].to_numpy() if metrics.height else np.array([])
    )
    if values.size == 0:
        return Summary(float("nan"), float("nan"), 0)
    return Summary(float(trimean(values)), float(iqr(values)), int(values.size))


def main_table(metrics: pl.DataFrame, published: pl.DataFrame) -> str:
    header = [
        "Protocol",
        "MAE (%)",
        "RMSE (%)",
        Latex("$R^2$"),
        *(
            Latex(f"$R^2$ {PUBLISHED_MODELS[m][0]} \\citep{{{PUBLISHED_MODELS[m][1]}}}")
            for m in MAIN_TABLE_PUBLISHED
        ),
    ]
    rows = []
    for protocol in PROTOCOLS:
        row = [
            protocol.label,
            summarise(metrics, protocol, "full", "mae").cell(2),
            summarise(metrics, protocol, "full", "rmse").cell(2),
            summarise(metrics, protocol, "full", "r2").cell(3),
        ]
        for model in MAIN_TABLE_PUBLISHED:
            value = published_r2(published, model, protocol.key)
            row.append(_published_cell(value))
        rows.append(row)
    return latex_table(header, rows, align="lrrrrr", midrules_after=[0, 4])


def _published_cell(value) -> str:
    if value is None:
        return "--"
    if value.std is None or np.isnan(value.std):
        return format_number(value.value, 3)
    return Latex(f"{format_number(value.value, 3)} $\\pm$ {format_number(value.std, 3)}")


def ablation_table(metrics: pl.DataFrame) -> str:
    header = ["Variant"] + [
        Latex(f"{p.label.split(' (')[0]} {m}")
        for p in ABLATION_PROTOCOLS
        for m in ("$R^2$", "MAE (\\%)")
    ]
    rows = []
    for name, variant in VARIANTS.items():
        row = [Latex(variant.label)]
        for protocol in ABLATION_PROTOCOLS:
            row += [
                summarise(metrics, protocol, name, "r2").cell(3),
                summarise(metrics, protocol, name, "mae").cell(2),
            ]
        rows.append(row)
    return latex_table(header, rows, align="lrrrr", midrules_after=[0])


def comparison_sentences(metrics: pl.DataFrame, published: pl.DataFrame) -> str:
    """For each protocol with a published Yield-BERT R2: ours, theirs, and the difference."""
    sentences = []
    for protocol in PROTOCOLS:
        ours = summarise(metrics, protocol, "full", "r2")
        theirs = published_r2(published, "yield_bert", protocol.key)
        if theirs is None or ours.n == 0:
            continue
        gap = ours.trimean - theirs.value
        relation = "above" if gap > 0 else "below"
        within = " (within our IQR)" if abs(gap) <= ours.iqr else ""
        sentences.append(
            f"On {protocol.label}, our $R^2$ trimean of {format_number(ours.trimean, 3)} "
            f"is {format_number(abs(gap), 3)} {relation} the published Yield-BERT "
            f"value of {format_number(theirs.value, 3)}{within}."
        )
    return " ".join(sentences) + "\n"


def ablation_sentences(metrics: pl.DataFrame) -> str:
    """Per data set: the ablation that costs most R2, and the largest change among the rest."""
    parts = []
    for protocol in ABLATION_PROTOCOLS:
        full = summarise(metrics, protocol, "full", "r2")
        changes = {
            name: summarise(metrics, protocol, name, "r2").trimean - full.trimean
            for name in VARIANTS
            if name != "full"
        }
        changes = {k: v for k, v in changes.items() if not np.isnan(v)}
        if not changes or np.isnan(full.trimean):
            continue
        worst = min(changes, key=changes.get)
        rest = max(abs(v) for k, v in changes.items() if k != worst) if len(changes) > 1 else 0.0
        parts.append(
            f"On {protocol.label}, removing the {VARIANTS[worst].label.removeprefix('without ')} "
            f"changes the $R^2$ trimean by {format_number(changes[worst], 3)} "
            f"(from {format_number(full.trimean, 3)}); every other ablation changes it by at "
            f"most {format_number(rest, 3)}."
        )
    return " ".join(parts) + "\n"


QUALITY_TARGETS = {"quick": {"bh_fullcv": 0.90}, "full": {"bh_fullcv": 0.95, "sm": 0.80}}
SPEARMAN_TARGET = 0.2


def target_sentences(metrics: pl.DataFrame, profile: str) -> str:
    """Whether the issue's quality targets are met in this profile, with the numbers."""
    protocols = {p.key: p for p in PROTOCOLS}
    parts = []
    for key, target in QUALITY_TARGETS.get(profile, {}).items():
        ours = summarise(metrics, protocols[key], "full", "r2")
        verdict = "meets" if ours.trimean >= target else "misses"
        parts.append(
            f"On {protocols[key].label} the {profile} profile {verdict} its target "
            f"$R^2 \\geq {target:.2f}$ (trimean {format_number(ours.trimean, 3)}"
            + (
                ""
                if verdict == "meets"
                else f", short by {format_number(target - ours.trimean, 3)}"
            )
            + ")."
        )
    rho = summarise(metrics, protocols["bh_fullcv"], "full", "spearman_error_sigma")
    verdict = "carries" if rho.trimean > SPEARMAN_TARGET else "does not carry"
    parts.append(
        f"The predicted $\\sigma$ {verdict} information about the error: the Spearman "
        f"correlation of $|y - \\mu|$ with $\\sigma$ on BH FullCV has a trimean of "
        f"{format_number(rho.trimean, 2)} (target above {SPEARMAN_TARGET})."
    )
    return " ".join(parts) + "\n"


def yield_variables(metrics: pl.DataFrame) -> dict[str, float | int | str]:
    protocols = {p.key: p for p in PROTOCOLS}
    out: dict[str, float | int | str] = {"ym_n_runs": metrics.height}
    for key in ("bh_fullcv", "sm"):
        for metric, digits in (
            ("r2", 3),
            ("mae", 2),
            ("spearman_error_sigma", 2),
            ("coverage_95", 2),
            ("coverage_68", 2),
        ):
            s = summarise(metrics, protocols[key], "full", metric)
            out[f"ym_{key}_{metric}"] = format_number(s.trimean, digits)
    oos = [summarise(metrics, protocols[f"bh_test{i}"], "full", "r2").trimean for i in range(1, 5)]
    out["ym_bh_oos_r2_min"] = format_number(min(oos), 3)
    out["ym_bh_oos_r2_max"] = format_number(max(oos), 3)
    return out


YIELD_VARIABLES = (
    ["ym_n_runs"]
    + [
        f"ym_{key}_{metric}"
        for key in ("bh_fullcv", "sm")
        for metric in ("r2", "mae", "spearman_error_sigma", "coverage_95", "coverage_68")
    ]
    + ["ym_bh_oos_r2_min", "ym_bh_oos_r2_max"]
)


def seeds_text(settings: dict) -> int | str:
    """How many seeds each split has: "1", or "1 (3 on Test1-4)" with more on Test1-4."""
    n, n_test = len(settings["seeds"]), len(settings.get("test_seeds", settings["seeds"]))
    return n if n == n_test else f"{n} ({n_test} on Test1-4)"


def settings_variables(profile: str, settings: dict) -> dict[str, int | str]:
    """The profile and the sizes it sets, so the text can state them."""
    graph, smiles = settings["graph_encoder"], settings["smiles_encoder"]
    return {
        "ym_profile": profile,
        "ym_pretrain_on": (
            "all reactions of the data set (transductive; no yields)"
            if settings["pretrain_on"] == "all"
            else "the training reactions of each split only"
        ),
        "ym_graph_hidden": graph["hidden"],
        "ym_graph_steps": graph["steps"],
        "ym_graph_output": graph["output_dim"],
        "ym_smiles_layers": smiles["layers"],
        "ym_smiles_dim": smiles["embed_dim"],
        "ym_pretrain_epochs": settings["pretrain"]["epochs"],
        "ym_train_epochs": settings["train"]["epochs"],
        "ym_patience": settings["train"]["patience"],
        "ym_experts": settings["human_encoder"]["experts"],
        "ym_top_k": settings["human_encoder"]["top_k"],
        "ym_n_seeds": seeds_text(settings),
        "ym_n_bh_fullcv": sum(s.startswith("FullCV") for s in settings["splits"]["bh"]),
        "ym_n_sm_splits": len(settings["splits"]["sm"]),
        "ym_human_features": ", ".join(settings["human_features"]),
    }


SETTINGS_VARIABLES = [
    "ym_profile",
    "ym_pretrain_on",
    "ym_graph_hidden",
    "ym_graph_steps",
    "ym_graph_output",
    "ym_smiles_layers",
    "ym_smiles_dim",
    "ym_pretrain_epochs",
    "ym_train_epochs",
    "ym_patience",
    "ym_experts",
    "ym_top_k",
    "ym_n_seeds",
    "ym_n_bh_fullcv",
    "ym_n_sm_splits",
    "ym_human_features",
]
