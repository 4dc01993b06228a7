"""Our models against published numbers on the same protocols: the released Yield-BERT
checkpoints split by split (paired tests), and the strongest published results reported
on these protocols (the anchors' additions), beside our multimodal model."""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from reeval.analysis.families import (
    ComparisonSettings,
    difference_text,
    family,
    relation_text,
    tests_table,
)
from reeval.analysis.protocols import (
    BY_KEY,
    END_TO_END,
    MULTIMODAL,
    OUT_OF_SAMPLE,
    REFERENCE,
    test_train_ratio,
    values_by_model,
)
from reeval.data.published import ReportedResult, published_split_r2
from reeval.render.latex import Latex, cell_pm, format_number, join_words, latex_table
from reeval.stats.paired import Comparison, Verdict, split_means
from reeval.stats.robust import trimean

YIELD_BERT = "yield_bert_published"
YIELD_BERT_LABEL = "Yield-BERT (released checkpoints)"
# where a reported result's (data set, split) falls among our protocols
REPORTED_PROTOCOLS = {
    ("Buchwald-Hartwig", "rand 70/30"): "bh_fullcv",
    ("Suzuki-Miyaura", "rand 70/30"): "sm",
    **{("Buchwald-Hartwig", f"Test{i}"): f"bh_test{i}" for i in range(1, 5)},
}


def yield_bert_family(
    runs: pl.DataFrame, published: pl.DataFrame, models: list[str], settings: ComparisonSettings
) -> list[Comparison]:
    """Each of `models` minus the released Yield-BERT checkpoints on the BH FullCV splits
    both have (ours: the mean over seeds of a split; theirs: one run, R2 to 2 decimals),
    corrected resampled t-tests, one Holm family."""
    protocol = BY_KEY["bh_fullcv"]
    values = values_by_model(runs, protocol, "r2")
    theirs = published_split_r2(published)
    values[YIELD_BERT] = {
        (split, 0): value for split, value in theirs.items() if split.startswith(protocol.prefix)
    }
    present = [m for m in models if values.get(m)]
    return family(values, YIELD_BERT, present, "r2", test_train_ratio(runs, protocol), settings)


def yield_bert_table(
    runs: pl.DataFrame,
    published: pl.DataFrame,
    labels: dict[str, str],
    settings: ComparisonSettings,
) -> str:
    """The BH FullCV family against Yield-BERT's checkpoints (tests table), each model's
    differences on Test1-4 beside it (ours over seeds minus the published single run)."""
    tests = yield_bert_family(runs, published, list(labels), settings)
    table = tests_table([("BH FullCV", tests)], labels, what="Model")
    theirs = published_split_r2(published)
    protocols = [p for p in OUT_OF_SAMPLE if p.prefix in theirs]
    rows = []
    for model in labels:
        row = [Latex(labels[model])]
        for protocol in protocols:
            split = protocol.prefix
            seeds = [
                v
                for (s, _), v in values_by_model(runs, protocol, "r2").get(model, {}).items()
                if s == split and math.isfinite(v)
            ]
            row.append(
                f"{difference_text(float(np.mean(seeds)) - theirs[split], 3)} ({len(seeds)})"
                if seeds
                else "--"
            )
        if any(cell != "--" for cell in row[1:]):
            rows.append(row)
    splits = [p.prefix for p in protocols]
    header = ["Model", *(Latex(f"{s} ({format_number(theirs[s], 2)})") for s in splits)]
    return table + "\n\\medskip\n\n" + latex_table(header, rows, align="l" + "r" * len(splits))


def yield_bert_sentences(
    runs: pl.DataFrame,
    published: pl.DataFrame,
    labels: dict[str, str],
    settings: ComparisonSettings,
) -> str:
    """Which models are better than, equivalent to, worse than, or inconclusive against the
    released Yield-BERT checkpoints on the BH FullCV splits, as the tests say."""
    tests = yield_bert_family(runs, published, list(labels), settings)
    if not tests:
        return "No model shares a split with the published Yield-BERT results.\n"
    n = max(t.n_splits for t in tests)
    by: dict[Verdict, list[str]] = {}
    for t in tests:
        by.setdefault(t.verdict, []).append(labels[t.model])
    phrases = [
        (Verdict.BETTER, "better than"),
        (Verdict.EQUIVALENT, f"equivalent within $\\pm${settings.margins['r2']:.3f} to"),
        (Verdict.WORSE, "worse than"),
        (Verdict.INCONCLUSIVE, f"inconclusive (n = {n} splits) against"),
    ]
    parts = [
        f"{join_words(by[verdict])} {'is' if len(by[verdict]) == 1 else 'are'} {phrase} "
        "the released Yield-BERT checkpoints"
        for verdict, phrase in phrases
        if by.get(verdict)
    ]
    reference = next((t for t in tests if t.model == REFERENCE), None)
    tail = ""
    if reference is not None and math.isfinite(reference.mean_difference):
        tail = (
            f" The multimodal model minus Yield-BERT: "
            f"{difference_text(reference.mean_difference, 3)} "
            f"(95\\,\\% CI {difference_text(reference.ci_low, 3)} to "
            f"{difference_text(reference.ci_high, 3)})."
        )
    return (
        f"On the {n} BH FullCV splits, paired split by split with the published $R^2$ of "
        "Yield-BERT's released checkpoints (one run per split, two decimals): "
        + "; ".join(parts)
        + "."
        + tail
        + fine_tuning_sentence(tests)
        + "\n"
    )


# the baseline on the frozen [CLS] vector of the BERT that Yield-BERT fine-tunes
FROZEN_YIELD_BERT = "rxnbert_gbt"


def fine_tuning_sentence(tests: list[Comparison]) -> str:
    """What fine-tuning adds to Yield-BERT: its own pretrained BERT, frozen under boosting,
    against the fine-tuned checkpoints, worded as the test says ("" when it did not run)."""
    frozen = next((t for t in tests if t.model == FROZEN_YIELD_BERT), None)
    if frozen is None or not math.isfinite(frozen.mean_difference):
        return ""
    interval = (
        f"{difference_text(frozen.mean_difference, 3)} (95\\,\\% CI "
        f"{difference_text(frozen.ci_low, 3)} to {difference_text(frozen.ci_high, 3)}; "
        f"$n = {frozen.n_splits}$ splits)"
    )
    start = " The pretrained BERT that Yield-BERT fine-tunes, frozen under gradient boosting,"
    verdict = {
        Verdict.WORSE: "is worse than",
        Verdict.BETTER: "is better than",
        Verdict.EQUIVALENT: "is equivalent to",
    }.get(frozen.verdict, "is inconclusive against")
    sentence = f"{start} {verdict} the fine-tuned checkpoints: it minus them is {interval}."
    if frozen.verdict == Verdict.WORSE:
        sentence += (
            " Yield-BERT's accuracy comes from fine-tuning, not from the pretrained "
            "representation alone."
        )
    return sentence


def _our_value(runs: pl.DataFrame, protocol_key: str, model: str) -> tuple[float, int]:
    """Our trimean over split means (over seeds on one test split) and its n."""
    protocol = BY_KEY[protocol_key]
    by_key = values_by_model(runs, protocol, "r2").get(model, {})
    values = (
        list(split_means(by_key).values())
        if protocol.repeated
        else [v for v in by_key.values() if math.isfinite(v)]
    )
    if not values:
        return float("nan"), 0
    return float(trimean(values)), len(values)


def reported_table(runs: pl.DataFrame, reported: list[ReportedResult]) -> str:
    """Each published result on one of our protocols (mean +- std over its repeats, with
    where it was read), beside our multimodal model there in each encoder regime (frozen;
    graph encoder end to end) and the differences."""
    rows = []
    for r in reported:
        key = REPORTED_PROTOCOLS.get((r.dataset, r.split))
        if key is None:
            continue
        value = format_number(r.value, 3)
        if r.std is not None and math.isfinite(r.std):
            value = cell_pm(r.value, r.std, 3)
        row = [r.model, BY_KEY[key].label, value, str(r.n_repeats) if r.n_repeats else "--"]
        for model in MULTIMODAL:
            ours, n = _our_value(runs, key, model)
            row += [
                f"{format_number(ours, 3)} ({n})" if math.isfinite(ours) else "--",
                difference_text(ours - r.value, 3) if math.isfinite(ours) else "--",
            ]
        rows.append([*row, r.paper])
    header = [
        "Published model",
        "Protocol",
        Latex("$R^2$"),
        "Repeats",
        "Frozen (n)",
        Latex("$-$ published"),
        "End to end (n)",
        Latex("$-$ published"),
        "Where it was read",
    ]
    return latex_table(header, rows, align="p{3.2cm}lrrrrrrp{3.2cm}")


REGIME_WORDS = {REFERENCE: "with frozen encoders", END_TO_END: "with the graph encoder end to end"}


def reproduction_sentences(runs: pl.DataFrame, reported: list[ReportedResult]) -> str:
    """How far our multimodal model, in each encoder regime, is from the published re-runs of
    the same model."""
    parts = []
    for r in reported:
        if not r.model.startswith("UAM (Chen et al. 2024) re-run"):
            continue
        key = REPORTED_PROTOCOLS.get((r.dataset, r.split))
        if key is None:
            continue
        regimes = []
        for model, words in REGIME_WORDS.items():
            ours, n = _our_value(runs, key, model)
            if math.isfinite(ours):
                regimes.append(
                    f"{words} {format_number(ours, 3)} ($n = {n}$ splits) is "
                    f"{relation_text(ours - r.value, 3)} its {format_number(r.value, 3)}"
                )
        if regimes:
            parts.append(f"on {BY_KEY[key].label} our $R^2$ trimean {' and '.join(regimes)}")
    if not parts:
        return "No published re-run of the multimodal model is on our protocols.\n"
    return (
        "Against the published re-run of Chen et al.'s model by Shi et al.\\ (2025), "
        + "; ".join(parts)
        + ".\n"
    )


MODEL_NAMES = {
    REFERENCE: "the multimodal model",
    "dft_rf": "the DFT forest",
    "drfp_gbt": "DRFP",
    "random_rf": "the random-feature forest",
    "yield_bert": "Yield-BERT",
}


# the learning-curve points published for BH random splits (Schwaller et al.'s figure, a
# single split per fraction): our model key -> the anchors file's model name
PUBLISHED_CURVES = {"dft_rf": "DFT descriptors + RF", "yield_bert": "Yield-BERT"}


def published_learning_curves(published: pl.DataFrame) -> pl.DataFrame:
    """model (our key), fraction (of the data set used for training), r2: the verified
    published points of the BH learning curves."""
    rows = published.filter(
        pl.col("model").is_in(list(PUBLISHED_CURVES.values()))
        & (pl.col("dataset") == "Buchwald-Hartwig")
        & (pl.col("metric") == "R2")
        & pl.col("split").str.starts_with("rand ")
        & pl.col("train_fraction").is_not_null()
    )
    key_of = {name: key for key, name in PUBLISHED_CURVES.items()}
    return (
        rows.select(
            pl.col("model").replace_strict(key_of),
            pl.col("train_fraction").cast(pl.Float64).alias("fraction"),
            pl.col("value").cast(pl.Float64).alias("r2"),
        )
        .unique()
        .sort("model", "fraction")
    )


def data_efficiency_sentences(curves: pl.DataFrame, published_curves: pl.DataFrame) -> str:
    """Each learning curve at its smallest and largest training fraction (trimean over
    split means), with the published points at the smallest fraction."""
    if curves.height == 0:
        return "No learning curve was run.\n"
    low, high = curves["fraction"].min(), curves["fraction"].max()
    parts = []
    for model in curves["model"].unique().sort().to_list():
        mine = curves.filter(pl.col("model") == model)
        at = {f: mine.filter(pl.col("fraction") == f)["trimean"] for f in (low, high)}
        if any(v.len() != 1 or not math.isfinite(v.item()) for v in at.values()):
            continue
        parts.append(
            f"{MODEL_NAMES.get(model, model)} {format_number(at[low].item(), 3)} "
            f"(at {format_number(100 * high, 0)}\\,\\%: {format_number(at[high].item(), 3)})"
        )
    published_low = published_curves.filter(pl.col("fraction") == low)
    theirs = [
        f"{MODEL_NAMES.get(r['model'], r['model'])} {format_number(r['r2'], 2)}"
        for r in published_low.iter_rows(named=True)
    ]
    text = (
        f"Trained on {format_number(100 * low, 1)}\\,\\% of the reactions, the learning curves "
        f"reach $R^2$ trimeans of: {'; '.join(parts)}."
    )
    if theirs:
        text += f" The published single-split values at that size: {'; '.join(theirs)}."
    return text + "\n"
