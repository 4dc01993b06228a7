"""Tests and text of the MatBERT head to head (`authors_split`). The test structure is the
unit: each structure's absolute error is averaged over the MLP's seeds first. Each MAE has
a bootstrap interval over the test structures; MatBERT (both halves) is compared with every
other representation by a paired t-test over the test structures (one independent test
set, so no overlap correction), Wilcoxon as a check, TOST within a margin for equivalence,
Holm within each regressor x target; with the smallest difference each test could detect."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
from scipy import stats

from reeval.materials.authors_split import REGRESSORS, REPRESENTATIONS, TARGETS, TRAINING_MEAN
from reeval.materials.summary import REPRESENTATION_LABELS
from reeval.render.latex import (
    Latex,
    cell_interval,
    difference_text,
    format_number,
    join_words,
    latex_table,
    p_cell,
)
from reeval.stats.paired import (
    Comparison,
    Verdict,
    compare,
    compare_family,
    min_splits_for_wilcoxon,
)

REFERENCE = "matbert"
LABELS = REPRESENTATION_LABELS | {
    "matbert": "MatBERT",
    "matbert_composition": "MatBERT-C",
    "matbert_structure": "MatBERT-S",
    TRAINING_MEAN: "training mean",
}
NON_LANGUAGE = ["mat2vec", "magpie", "crystalnn"]
OFFLINE_LM = "lm"  # [structure text | composition text], the analogue of MatBERT's vector
REGRESSOR_LABELS = {"ridge": "ridge", "mlp": "MLP"}
TARGET_WORDS = {"eform": ("formation energy", "eV/atom"), "egap": ("band gap", "eV")}
TARGET_CELLS = {"eform": Latex(r"$E_\mathrm{form}$"), "egap": Latex(r"$E_\mathrm{gap}$")}
COMPARED = [r for r in [*REPRESENTATIONS, TRAINING_MEAN] if r != REFERENCE]
IN_SENTENCE = LABELS | {TRAINING_MEAN: "the training mean"}


def left_out_text(n: int) -> str:
    """How many of the authors' structures lack a representation and are left out."""
    if n == 0:
        return "none of them lacks any of our representations"
    if n == 1:
        return "1 of them lacks one of our representations and is left out"
    return f"{n} of them lack one of our representations and are left out"


def structure_errors(runs: pl.DataFrame) -> pl.DataFrame:
    """regressor, representation, target, id, abs_error (mean over seeds), n_seeds."""
    return (
        runs.with_columns(abs_error=(pl.col("prediction") - pl.col("y")).abs())
        .group_by("regressor", "representation", "target", "id", maintain_order=True)
        .agg(pl.col("abs_error").mean(), n_seeds=pl.col("seed").n_unique())
        .sort("regressor", "representation", "target", "id")
    )


def mae_intervals(
    runs: pl.DataFrame, resamples: int, seed: int, confidence: float = 0.95
) -> pl.DataFrame:
    """MAE of each regressor x representation x target with its percentile bootstrap
    interval over the test structures (the same resamples for every row)."""
    errors = structure_errors(runs)
    n = errors["id"].n_unique()
    draws = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    tail = (1.0 - confidence) / 2.0
    rows = []
    for key, part in errors.group_by("regressor", "representation", "target", maintain_order=True):
        e = part.sort("id")["abs_error"].to_numpy()
        if len(e) != n:
            raise ValueError(f"{key} has {len(e)} test structures, the others {n}")
        low, high = np.quantile(e[draws].mean(axis=1), [tail, 1.0 - tail])
        rows.append(
            dict(zip(["regressor", "representation", "target"], key, strict=True))
            | {
                "n_test": n,
                "n_seeds": int(part["n_seeds"].min()),
                "mae": float(e.mean()),
                "low": float(low),
                "high": float(high),
            }
        )
    return pl.DataFrame(rows)


def equivalence_margins(intervals: pl.DataFrame, fraction: float) -> dict[str, float]:
    """Per target: `fraction` of the training mean's MAE, the scale of "no information"."""
    reference = intervals.filter(
        (pl.col("representation") == TRAINING_MEAN) & (pl.col("regressor") == "ridge")
    )
    return {row["target"]: fraction * row["mae"] for row in reference.iter_rows(named=True)}


def _values(errors: pl.DataFrame, regressor: str, representation: str, target: str) -> dict:
    part = errors.filter(
        (pl.col("regressor") == regressor)
        & (pl.col("representation") == representation)
        & (pl.col("target") == target)
    )
    # one value per structure (seeds already averaged): the structure is the "split"
    return {(row["id"], 0): row["abs_error"] for row in part.iter_rows(named=True)}


def against_matbert(
    runs: pl.DataFrame, margins: dict[str, float], alpha: float
) -> dict[tuple[str, str], list[Comparison]]:
    """(regressor, target) -> MatBERT minus each other representation in MAE (negative:
    MatBERT's error is lower), one family each; verdicts are MatBERT's."""
    errors = structure_errors(runs)
    min_n = min_splits_for_wilcoxon(alpha)
    families = {}
    for regressor in REGRESSORS:
        for target in TARGETS:
            reference = _values(errors, regressor, REFERENCE, target)
            family = [
                compare(
                    reference,
                    _values(errors, regressor, other, target),
                    model=REFERENCE,
                    other=other,
                    metric=f"mae_{target}",
                    higher_is_better=False,
                    test_train_ratio=0.0,
                    margin=margins[target],
                    alpha=alpha,
                    min_splits=min_n,
                )
                for other in COMPARED
            ]
            families[(regressor, target)] = compare_family(family, alpha, min_n)
    return families


def detectable_difference(differences: np.ndarray, alpha: float, power: float) -> float:
    """The smallest mean difference a two-sided paired t-test at `alpha` detects with
    probability `power`, given the spread of these differences: (t_{1-alpha/2} + t_power)
    x sd / sqrt(n), n - 1 degrees of freedom (NaN with fewer than 2)."""
    d = np.asarray(differences, dtype=float)
    if d.size < 2:
        return math.nan
    df = d.size - 1
    quantiles = stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df)
    return float(quantiles * d.std(ddof=1) / math.sqrt(d.size))


def detectable_differences(runs: pl.DataFrame, alpha: float, power: float) -> pl.DataFrame:
    """regressor, target, representation, detectable: per comparison with MatBERT."""
    errors = structure_errors(runs)
    rows = []
    for regressor in REGRESSORS:
        for target in TARGETS:
            reference = _values(errors, regressor, REFERENCE, target)
            for other in COMPARED:
                values = _values(errors, regressor, other, target)
                d = np.array([reference[k] - values[k] for k in reference if k in values])
                rows.append(
                    {
                        "regressor": regressor,
                        "target": target,
                        "representation": other,
                        "detectable": detectable_difference(d, alpha, power),
                    }
                )
    return pl.DataFrame(rows)


def mae_table(intervals: pl.DataFrame) -> str:
    """Representation x (target, regressor): MAE [95 % bootstrap interval]."""
    columns = [(t, r) for t in TARGETS for r in REGRESSORS]
    header = ["Representation"] + [
        Latex(f"{TARGET_CELLS[t]} {REGRESSOR_LABELS[r]}") for t, r in columns
    ]
    cells = {
        (row["representation"], row["target"], row["regressor"]): (
            f"{format_number(row['mae'], 3)} {cell_interval(row['low'], row['high'], 3)}"
        )
        for row in intervals.iter_rows(named=True)
    }
    rows = [
        [LABELS[rep]] + [cells.get((rep, t, r), "n/a") for t, r in columns]
        for rep in [*REPRESENTATIONS, TRAINING_MEAN]
    ]
    return latex_table(header, rows, midrules_after=[len(REPRESENTATIONS) - 1])


def tests_table(families: dict[tuple[str, str], list[Comparison]]) -> str:
    """Regressor, representation, then per target: MatBERT minus it in MAE [95 % CI],
    Holm p of the paired t-test and MatBERT's verdict."""
    header = ["Regressor", "Other"]
    for target in TARGETS:
        header += [
            Latex(f"$\\Delta$ {TARGET_CELLS[target]} [95\\,\\% CI]"),
            Latex("$p_\\mathrm{Holm}$"),
            "MatBERT is",
        ]
    rows = []
    for regressor in REGRESSORS:
        for i, other in enumerate(COMPARED):
            row = [REGRESSOR_LABELS[regressor], LABELS[other]]
            for target in TARGETS:
                c = families[(regressor, target)][i]
                row += [
                    f"{difference_text(c.mean_difference, 3)} "
                    f"[{difference_text(c.ci_low, 3)}, {difference_text(c.ci_high, 3)}]",
                    p_cell(c.p_t_holm, 3),
                    str(c.verdict),
                ]
            rows.append(row)
    return latex_table(
        header, rows, align="ll" + "rrl" * len(TARGETS), midrules_after=[len(COMPARED) - 1]
    )


def _grouped(family: list[Comparison]) -> str:
    """ "better than A and B, equivalent within ... to C and inconclusive against D"."""
    words = []
    for verdict, phrase in [
        (Verdict.BETTER, "better than"),
        (Verdict.WORSE, "worse than"),
        (Verdict.EQUIVALENT, "equivalent to"),
        (Verdict.INCONCLUSIVE, "inconclusive against"),
        (Verdict.NOT_AVAILABLE, "not comparable with"),
    ]:
        names = [IN_SENTENCE[c.other] for c in family if c.verdict == verdict]
        if names:
            words.append(f"{phrase} {join_words(names)}")
    return join_words(words)


def _detectable_range(detectable: pl.DataFrame, target: str) -> str:
    values = detectable.filter(pl.col("target") == target)["detectable"].drop_nans()
    unit = TARGET_WORDS[target][1]
    if values.len() == 0:
        return f"not available for the {TARGET_WORDS[target][0]}"
    low, high = format_number(values.min(), 3), format_number(values.max(), 3)
    return f"{low} to {high}\\,{unit} in {TARGET_WORDS[target][0]}"


def head_to_head_sentences(
    families: dict[tuple[str, str], list[Comparison]],
    detectable: pl.DataFrame,
    margins: dict[str, float],
    n_test: int,
    n_seeds: int,
    alpha: float,
    power: float,
) -> str:
    """The verdicts of MatBERT against every representation, per target and regressor, and
    what the test could detect (the answer they give is `language_model_answer`)."""
    lines = []
    for target in TARGETS:
        name, unit = TARGET_WORDS[target]
        parts = []
        for regressor in REGRESSORS:
            seeds = 1 if regressor == "ridge" else n_seeds
            parts.append(
                f"with the {REGRESSOR_LABELS[regressor]} ($n = {n_test}$ test structures "
                f"$\\times$ {seeds} seed{'s' if seeds != 1 else ''}) it is "
                f"{_grouped(families[(regressor, target)])}"
            )
        lines.append(
            f"In {name}, equivalence meaning within $\\pm${format_number(margins[target], 3)}"
            f"\\,{unit}, MatBERT is compared with each other input: {'; '.join(parts)}."
        )
    lines.append(
        f"With $n = {n_test}$ test structures, the paired $t$-test at $\\alpha = {alpha}$ "
        f"(before Holm) detects with {round(100 * power)}\\,\\% power a difference in MAE of "
        f"{join_words([_detectable_range(detectable, t) for t in TARGETS])}, depending on "
        "the pair."
    )
    return "\n".join(lines) + "\n"


def language_model_answer(families: dict[tuple[str, str], list[Comparison]]) -> str:
    """ "Do we need a materials language model?" from MatBERT against the non-language
    representations (Mat2Vec, Magpie, CrystalNN) with every regressor and target, and
    against the offline general-domain encoder (LM-SC)."""
    cases = [(r, t) for r in REGRESSORS for t in TARGETS]

    def verdicts(other: str) -> list[Verdict]:
        return [next(c.verdict for c in families[case] if c.other == other) for case in cases]

    against = {other: verdicts(other) for other in NON_LANGUAGE}
    everywhere = all(v == Verdict.BETTER for vs in against.values() for v in vs)
    beaten = sorted(
        {LABELS[o] for o, vs in against.items() if Verdict.WORSE in vs},
        key=list(LABELS.values()).index,
    )
    n_better = sum(v == Verdict.BETTER for vs in against.values() for v in vs)
    n_cases = sum(len(vs) for vs in against.values())
    if everywhere:
        answer = (
            "On the authors' split the materials language model is needed in this sense: "
            "MatBERT's vectors are better than every non-language representation (Mat2Vec, "
            "Magpie, CrystalNN) in both properties with both regressors"
        )
    elif beaten:
        answer = (
            f"On the authors' split a non-language representation ({join_words(beaten)}) is "
            "better than MatBERT's vectors in some property or with some regressor, so this "
            "split does not show that a materials language model is needed"
        )
    else:
        answer = (
            "On the authors' split the need for a materials language model is not shown: "
            f"MatBERT's vectors are better than a non-language representation in {n_better} "
            f"of {n_cases} tests (Mat2Vec, Magpie, CrystalNN $\\times$ two properties "
            "$\\times$ two regressors) and never worse"
        )
    offline = verdicts(OFFLINE_LM)
    counts = {v: offline.count(v) for v in Verdict if offline.count(v)}
    offline_text = join_words([f"{v!s} in {k} of {len(cases)}" for v, k in counts.items()])
    return (
        f"{answer}. Against the offline general-domain encoder (LM-SC, "
        f"the same kind of [structure text $\\mid$ composition text] vector), MatBERT is "
        f"{offline_text} property-regressor pairs.\n"
    )
