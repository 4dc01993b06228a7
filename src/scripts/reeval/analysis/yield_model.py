"""Tables, numbers and sentences of the yield-model section, from the runs' metrics files.

Summaries are taken over the unit of replication: split means (seeds averaged within a
split) on the repeated random splits, the seeds' values on one out-of-sample split. The
ablations are tested against the full model in one family per data set
(`reeval.analysis.families`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from reeval.analysis.families import (
    ComparisonSettings,
    comparison_sentence,
    difference_text,
    family,
    relation_text,
    tests_table,
)
from reeval.analysis.protocols import PROTOCOLS, REPEATED, Protocol, test_train_ratio
from reeval.data.published import PUBLISHED_MODELS, published_r2
from reeval.models.variants import ABLATIONS, VARIANTS
from reeval.render.latex import Latex, cell_iqr, cell_pm, format_number, join_words, latex_table
from reeval.settings import YieldModelProfile, seeds_of_split
from reeval.stats.paired import Comparison, Verdict, split_means
from reeval.stats.robust import iqr, trimean

ABLATION_PROTOCOLS = REPEATED
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
    """The whole-training-set runs of one variant on one protocol."""
    chosen = metrics.filter(
        (pl.col("dataset") == protocol.dataset)
        & (pl.col("variant") == variant)
        & pl.col("split").str.starts_with(protocol.prefix)
    )
    if "train_fraction" in chosen.columns:
        chosen = chosen.filter(pl.col("train_fraction") == 1.0)
    return chosen


def by_run(metrics: pl.DataFrame, protocol: Protocol, variant: str, metric: str) -> dict:
    """{(split, seed): metric} of one variant on one protocol."""
    return {
        (row["split"], int(row["seed"])): float(row[metric])
        for row in runs_of(metrics, protocol, variant).iter_rows(named=True)
        if row.get(metric) is not None
    }


@dataclass(frozen=True)
class Summary:
    """Trimean and IQR over the unit of replication, with n = splits x seeds per split."""

    trimean: float
    iqr: float
    n_splits: int
    n_seeds: int

    @property
    def n(self) -> int:
        return self.n_splits * self.n_seeds

    def cell(self, digits: int) -> str:
        """`trimean [IQR]`; a single value has no spread, so it shows alone."""
        values = self.n_splits if self.n_splits > 1 else self.n_seeds
        if self.n == 0:
            return "--"
        if values == 1:
            return format_number(self.trimean, digits)
        return cell_iqr(self.trimean, self.iqr, digits)


def summarise(metrics: pl.DataFrame, protocol: Protocol, variant: str, metric: str) -> Summary:
    """Trimean and IQR of `metric`: over split means on repeated splits, over seeds on one
    out-of-sample split."""
    values = by_run(metrics, protocol, variant, metric) if metrics.height else {}
    if not values:
        return Summary(float("nan"), float("nan"), 0, 0)
    splits = sorted({split for split, _ in values})
    seeds = min(sum(s == split for s, _ in values) for split in splits)
    units = list(split_means(values).values()) if protocol.repeated else list(values.values())
    if not units:
        return Summary(float("nan"), float("nan"), 0, 0)
    return Summary(float(trimean(units)), float(iqr(units)), len(splits), seeds)


def n_text(summary: Summary) -> str:
    return f"{summary.n_splits} x {summary.n_seeds}" if summary.n else "0"


def main_table(metrics: pl.DataFrame, published: pl.DataFrame) -> str:
    header = [
        "Protocol",
        "n",
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
            protocol.long_label,
            n_text(summarise(metrics, protocol, "full", "r2")),
            summarise(metrics, protocol, "full", "mae").cell(2),
            summarise(metrics, protocol, "full", "rmse").cell(2),
            summarise(metrics, protocol, "full", "r2").cell(3),
        ]
        for model in MAIN_TABLE_PUBLISHED:
            value = published_r2(published, model, protocol.key)
            row.append(_published_cell(value))
        rows.append(row)
    return latex_table(header, rows, align="lrrrrrr", midrules_after=[0, 4])


def _published_cell(value) -> str:
    if value is None:
        return "--"
    if value.std is None or np.isnan(value.std):
        return format_number(value.value, 3)
    return cell_pm(value.value, value.std, 3)


def ablation_table(metrics: pl.DataFrame) -> str:
    """Every variant on the repeated protocols: R2 and MAE trimean [IQR] over split means,
    with n = splits x seeds."""
    header = ["Variant"] + [
        Latex(f"{p.label} {m}") for p in ABLATION_PROTOCOLS for m in ("n", "$R^2$", "MAE (\\%)")
    ]
    rows = []
    for name in ["full", *ABLATIONS]:
        row = [Latex(VARIANTS[name].label)]
        for protocol in ABLATION_PROTOCOLS:
            r2 = summarise(metrics, protocol, name, "r2")
            row += [n_text(r2), r2.cell(3), summarise(metrics, protocol, name, "mae").cell(2)]
        rows.append(row)
    return latex_table(
        header, rows, align="l" + "rrr" * len(ABLATION_PROTOCOLS), midrules_after=[0]
    )


ABLATION_LABELS = {name: v.label for name, v in VARIANTS.items()}


def ablation_families(
    metrics: pl.DataFrame, settings: ComparisonSettings
) -> list[tuple[Protocol, list[Comparison]]]:
    """Per repeated protocol: every ablation minus the full model in R2, one family."""
    out = []
    for protocol in ABLATION_PROTOCOLS:
        values = {name: by_run(metrics, protocol, name, "r2") for name in VARIANTS}
        if not values["full"]:
            continue
        present = [a for a in ABLATIONS if values[a]]
        out.append(
            (
                protocol,
                family(
                    values, "full", present, "r2", test_train_ratio(metrics, protocol), settings
                ),
            )
        )
    return out


def ablation_tests_table(metrics: pl.DataFrame, settings: ComparisonSettings) -> str:
    return tests_table(
        [(p.label, tests) for p, tests in ablation_families(metrics, settings)],
        ABLATION_LABELS,
        what="Variant",
    )


def comparison_sentences(metrics: pl.DataFrame, published: pl.DataFrame) -> str:
    """For each protocol with a published Yield-BERT R2: ours, theirs, and the difference."""
    sentences = []
    for protocol in PROTOCOLS:
        ours = summarise(metrics, protocol, "full", "r2")
        theirs = published_r2(published, "yield_bert", protocol.key)
        if theirs is None or ours.n == 0:
            continue
        gap = ours.trimean - theirs.value
        within = " (within our IQR)" if abs(gap) <= ours.iqr else ""
        sentences.append(
            f"On {protocol.long_label}, our $R^2$ trimean of {format_number(ours.trimean, 3)} "
            f"is {relation_text(gap, 3)} the published Yield-BERT "
            f"value of {format_number(theirs.value, 3)}{within}."
        )
    return " ".join(sentences) + "\n"


def ablation_sentences(metrics: pl.DataFrame, settings: ComparisonSettings) -> str:
    """Per data set: what removing each part does to R2, as the tests say (worse, better,
    equivalent within the margin, inconclusive), the largest effect with its interval."""
    parts = []
    for protocol, tests in ablation_families(metrics, settings):
        by: dict[Verdict, list[str]] = {}
        for t in tests:
            by.setdefault(t.verdict, []).append(VARIANTS[t.model].change)
        words = []
        phrases = [
            (Verdict.WORSE, "lowers $R^2$"),
            (Verdict.BETTER, "raises $R^2$"),
            (
                Verdict.EQUIVALENT,
                f"leaves it within $\\pm${format_number(settings.margins['r2'], 3)}",
            ),
            (
                Verdict.INCONCLUSIVE,
                f"is inconclusive (n = {max((t.n_splits for t in tests), default=0)} splits)",
            ),
        ]
        for verdict, phrase in phrases:
            if by.get(verdict):
                words.append(f"{join_words(by[verdict], 'or')} {phrase}")
        finite = [t for t in tests if math.isfinite(t.mean_difference)]
        if not words or not finite:
            continue
        largest = min(finite, key=lambda t: t.mean_difference)
        parts.append(
            f"On {protocol.label}, {'; '.join(words)}. The largest change: "
            + comparison_sentence(largest, ABLATION_LABELS | {"full": "the full model"})
        )
    return (" ".join(parts) or "No ablation was run.") + "\n"


OWN_INPUT = ["human_only", "human_mlp"]  # the model's own input, without its machinery


def own_input_sentences(metrics: pl.DataFrame, settings: ComparisonSettings) -> str:
    """What the encoders (and the MoE and UQ head) add over the human features alone, per
    repeated protocol, from the ablation family's tests."""
    parts = []
    for protocol, tests in ablation_families(metrics, settings):
        for test in (t for t in tests if t.model in OWN_INPUT):
            if not math.isfinite(test.mean_difference):
                continue
            effect = {
                Verdict.WORSE: "lowers $R^2$",
                Verdict.BETTER: "raises $R^2$",
                Verdict.EQUIVALENT: "leaves $R^2$ within "
                f"$\\pm${format_number(settings.margins['r2'], 3)}",
                Verdict.INCONCLUSIVE: "has an inconclusive effect on $R^2$",
            }[test.verdict]
            parts.append(
                f"On {protocol.label}, {VARIANTS[test.model].change} {effect} (variant minus "
                f"full {difference_text(test.mean_difference, 3)}, 95\\,\\% CI "
                f"{difference_text(test.ci_low, 3)} to {difference_text(test.ci_high, 3)}; "
                f"$n = {test.n_splits}$ splits)."
            )
    return (" ".join(parts) or "The own-input variants were not run.") + "\n"


QUALITY_TARGETS = {"quick": {"bh_fullcv": 0.90}, "full": {"bh_fullcv": 0.95, "sm": 0.80}}
SPEARMAN_TARGET = 0.2


def target_sentences(metrics: pl.DataFrame, profile: str) -> str:
    """Whether the issue's quality targets are met in this profile, with the numbers."""
    protocols = {p.key: p for p in PROTOCOLS}
    parts = []
    for key, target in QUALITY_TARGETS.get(profile, {}).items():
        ours = summarise(metrics, protocols[key], "full", "r2")
        if not math.isfinite(ours.trimean):
            parts.append(
                f"On {protocols[key].long_label} the {profile} profile has no finite $R^2$ "
                f"to set against its target of {target:.2f}."
            )
            continue
        verdict = "meets" if ours.trimean >= target else "misses"
        parts.append(
            f"On {protocols[key].long_label} the {profile} profile {verdict} its target "
            f"$R^2 \\geq {target:.2f}$ (trimean {format_number(ours.trimean, 3)}"
            + (
                ""
                if verdict == "meets"
                else f", short by {format_number(target - ours.trimean, 3)}"
            )
            + ")."
        )
    rho = summarise(metrics, protocols["bh_fullcv"], "full", "spearman_error_sigma")
    if not math.isfinite(rho.trimean):
        parts.append("No finite correlation of the predicted $\\sigma$ with the error exists.")
        return " ".join(parts) + "\n"
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
    # min / max over the finite values only (with a NaN, Python's min depends on the order)
    finite = [v for v in oos if math.isfinite(v)] or [float("nan")]
    out["ym_bh_oos_r2_min"] = format_number(min(finite), 3)
    out["ym_bh_oos_r2_max"] = format_number(max(finite), 3)
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


def seeds_text(settings: YieldModelProfile) -> int | str:
    """How many seeds each split has: "1", or "1 (3 on Test1-4)" with more on Test1-4."""
    n, n_test = len(settings.seeds), len(seeds_of_split(settings, "Test1"))
    return n if n == n_test else f"{n} ({n_test} on Test1-4)"


def settings_variables(profile: str, settings: YieldModelProfile) -> dict[str, int | str]:
    """The profile and the sizes it sets, so the text can state them."""
    graph, smiles = settings.graph_encoder, settings.smiles_encoder
    return {
        "ym_profile": profile,
        "ym_pretrain_on": (
            "all reactions of the data set (transductive; no yields)"
            if settings.pretrain_on == "all"
            else "the training reactions of each split only"
        ),
        "ym_graph_hidden": graph.hidden,
        "ym_graph_steps": graph.steps,
        "ym_graph_output": graph.output_dim,
        "ym_smiles_layers": smiles.layers,
        "ym_smiles_dim": smiles.embed_dim,
        "ym_pretrain_epochs": settings.pretrain.epochs,
        "ym_train_epochs": settings.train.epochs,
        "ym_patience": settings.train.patience,
        "ym_validation_share": f"{100 * settings.train.validation_fraction:g}",
        "ym_mse_target": (
            "a sample of the predicted distribution (reparameterised)"
            if settings.loss.sample_in_mse
            else "the predicted mean"
        ),
        "ym_experts": settings.human_encoder.experts,
        "ym_top_k": settings.human_encoder.top_k,
        "ym_n_seeds": seeds_text(settings),
        "ym_n_bh_fullcv": sum(s.startswith("FullCV") for s in settings.splits["bh"]),
        "ym_n_sm_splits": len(settings.splits["sm"]),
        "ym_human_features": ", ".join(settings.human_features),
        "ym_end_to_end_smiles": (
            "the SMILES encoder is trained end to end too"
            if settings.end_to_end.smiles
            else "the SMILES embedding stays the frozen, pretrained one"
        ),
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
    "ym_validation_share",
    "ym_mse_target",
    "ym_experts",
    "ym_top_k",
    "ym_n_seeds",
    "ym_n_bh_fullcv",
    "ym_n_sm_splits",
    "ym_human_features",
    "ym_end_to_end_smiles",
]
