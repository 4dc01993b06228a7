"""Per-dataset summaries for the Data section: sizes, components per role, yield statistics."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from reeval.render.latex import Latex, cell_interval, format_number, latex_table
from reeval.stats.robust import RobustSummary, summarise

# Role columns of each tidy table and how the article names them
ROLE_LABELS = {
    "bh": {
        "aryl_halide": "Aryl halides",
        "ligand": "Ligands",
        "base": "Bases",
        "additive": "Additives",
    },
    "sm": {
        "reactant_1": "Quinoline partners (reactant 1)",
        "reactant_2": "Indazole partners (reactant 2)",
        "catalyst": "Catalysts",
        "ligand": "Ligands",
        "base": "Bases",
        "solvent": "Solvent entries",
    },
}
NONE_LABEL = "None"  # the Suzuki-Miyaura file writes "None" for "no ligand" / "no base"
YIELD_DIGITS = 1


@dataclass(frozen=True)
class DatasetSummary:
    n_reactions: int
    n_rejected: int
    n_molecules: int  # distinct molecules over all reaction SMILES
    role_counts: dict[str, tuple[int, bool]]  # role -> (distinct components, has "None")
    yields: RobustSummary


def summarise_dataset(
    dataset: str,
    reactions: pl.DataFrame,
    rejected: pl.DataFrame,
    n_resamples: int,
    confidence: float,
    seed: int,
) -> DatasetSummary:
    roles = {}
    for role in ROLE_LABELS[dataset]:
        values = set(reactions[role].to_list())
        roles[role] = (len(values - {NONE_LABEL}), NONE_LABEL in values)
    molecules = (
        reactions.select(pl.col("rxn_smiles").str.replace_all(">", ".").str.split("."))
        .explode("rxn_smiles")
        .filter(pl.col("rxn_smiles") != "")["rxn_smiles"]
        .n_unique()
    )
    return DatasetSummary(
        n_reactions=reactions.height,
        n_rejected=rejected["reaction_id"].n_unique(),
        n_molecules=molecules,
        role_counts=roles,
        yields=summarise(reactions["yield_pct"].to_numpy(), confidence, n_resamples, seed),
    )


def summary_variables(dataset: str, summary: DatasetSummary) -> dict[str, int | float]:
    """The numbers the text quotes, keyed by variable name."""
    y = summary.yields
    return {
        f"{dataset}_n_reactions": summary.n_reactions,
        f"{dataset}_n_rejected": summary.n_rejected,
        f"{dataset}_n_molecules": summary.n_molecules,
        f"{dataset}_yield_mean": round(y.mean, YIELD_DIGITS),
        f"{dataset}_yield_median": round(y.median, YIELD_DIGITS),
        f"{dataset}_yield_trimean": round(y.trimean, YIELD_DIGITS),
        f"{dataset}_yield_iqr": round(y.iqr, YIELD_DIGITS),
    }


def split_variables(dataset: str, reactions: pl.DataFrame, splits: pl.DataFrame) -> dict[str, str]:
    """Split counts and sizes; for Buchwald-Hartwig also the additives each Test split holds out.

    Sizes that differ between splits are written as a comma-separated list in split order.
    """
    sizes = splits.group_by("split", "subset", maintain_order=True).len()
    names = splits["split"].unique(maintain_order=True).to_list()
    random = [n for n in names if not n.startswith("Test")]
    out_of_sample = [n for n in names if n.startswith("Test")]

    def size_text(group: list[str], subset: str) -> str:
        values = [
            sizes.filter((pl.col("split") == n) & (pl.col("subset") == subset))["len"].item()
            for n in group
        ]
        return str(values[0]) if len(set(values)) == 1 else ", ".join(map(str, values))

    values = {
        f"{dataset}_n_random_splits": str(len(random)),
        f"{dataset}_random_train_size": size_text(random, "train"),
        f"{dataset}_random_test_size": size_text(random, "test"),
    }
    if dataset == "bh":
        held_out = [str(len(_held_out_additives(reactions, splits, n))) for n in out_of_sample]
        values |= {
            "bh_n_oos_splits": str(len(out_of_sample)),
            "bh_oos_test_sizes": size_text(out_of_sample, "test"),
            "bh_oos_held_out_additives": held_out[0]
            if len(set(held_out)) == 1
            else ", ".join(held_out),
        }
    return values


def _held_out_additives(reactions: pl.DataFrame, splits: pl.DataFrame, split: str) -> set[str]:
    """Additives of the test set that never occur in the training set."""
    rows = splits.filter(pl.col("split") == split).join(reactions, on="reaction_id")
    train = set(rows.filter(pl.col("subset") == "train")["additive"].to_list())
    return set(rows.filter(pl.col("subset") == "test")["additive"].to_list()) - train


SUMMARY_SUFFIXES = (
    "n_reactions",
    "n_rejected",
    "n_molecules",
    "yield_mean",
    "yield_median",
    "yield_trimean",
    "yield_iqr",
)
SPLIT_SUFFIXES = ("n_random_splits", "random_train_size", "random_test_size")
BH_SPLIT_VARIABLES = ("bh_n_oos_splits", "bh_oos_test_sizes", "bh_oos_held_out_additives")


def variable_names(dataset: str) -> list[str]:
    """Every variable the summary of `dataset` writes, for the Snakefile's declared outputs."""
    names = [f"{dataset}_{s}" for s in (*SUMMARY_SUFFIXES, *SPLIT_SUFFIXES)]
    return names + (list(BH_SPLIT_VARIABLES) if dataset == "bh" else [])


def summary_table(dataset: str, summary: DatasetSummary) -> str:
    """Two-column booktabs table: quantity, value."""
    d = YIELD_DIGITS
    y = summary.yields
    rows = [
        ["Reactions used", format_number(summary.n_reactions)],
        ["Rows excluded (bad SMILES or yield)", format_number(summary.n_rejected)],
        ["Distinct molecules in reaction SMILES", format_number(summary.n_molecules)],
    ]
    for role, label in ROLE_LABELS[dataset].items():
        count, has_none = summary.role_counts[role]
        rows.append([label, f"{count} + none" if has_none else str(count)])
    rows += [
        [Latex(r"Yield mean (\%)"), format_number(y.mean, d)],
        [Latex(r"Yield standard deviation (\%)"), format_number(y.sd, d)],
        [Latex(r"Yield median (\%)"), format_number(y.median, d)],
        [
            Latex(r"Yield IQR (\%)"),
            f"{format_number(y.iqr, d)} ({format_number(y.q1, d)} to {format_number(y.q3, d)})",
        ],
        [Latex(r"Yield trimean (\%)"), format_number(y.trimean, d)],
        [
            Latex(f"Trimean {round(100 * y.trimean_ci.confidence)}\\,\\% bootstrap CI"),
            cell_interval(y.trimean_ci.low, y.trimean_ci.high, d),
        ],
    ]
    n_role_rows = len(ROLE_LABELS[dataset])
    return latex_table(["Quantity", "Value"], rows, align="lr", midrules_after=[2, 2 + n_role_rows])
