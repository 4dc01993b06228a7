"""The Buchwald-Hartwig HTE set (Ahneman et al. 2018) as tidy tables, with its 14 splits.

Source: the Excel file of rxn_yields (16 sheets, each a permutation of the same 3955
reactions). A reaction's id is its 0-based row in sheet `Plates1-3`. Split convention of
the rxn_yields notebooks (also Kwon et al. 2022): in each split sheet the first
`TRAIN_SIZE[name]` rows are train and the rest test. FullCV_01..10 are random 70/30
splits; Test1..4 hold out five additives each (additive out-of-sample).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from rdkit import Chem
from rdkit.Chem import rdChemReactions

from reeval.errors import DataError
from reeval.reactions.smiles import canonical_smiles
from reeval.reactions.tables import ReactionTables, reactions_frame
from reeval.reactions.validation import rejected_frame, yield_problem

REFERENCE_SHEET = "Plates1-3"
FULLCV_SPLITS = [f"FullCV_{i:02d}" for i in range(1, 11)]
TEST_SPLITS = ["Test1", "Test2", "Test3", "Test4"]
SPLITS = FULLCV_SPLITS + TEST_SPLITS
# Training rows per split sheet, from the rxn_yields notebooks (split index N, first N-1 rows).
TRAIN_SIZE = {
    **dict.fromkeys(FULLCV_SPLITS, 2767),
    "Test1": 3057,
    "Test2": 3055,
    "Test3": 3058,
    "Test4": 3055,
}
# Excel column -> tidy column, in the order the reactants are written in reaction SMILES
ROLES = {"Aryl halide": "aryl_halide", "Ligand": "ligand", "Base": "base", "Additive": "additive"}
YIELD_COLUMN = "Output"
N_EXPECTED = 3955

# Fixed reagents of every well, written as in the reaction SMILES of Chen et al. / Kwon et al.
METHYLANILINE = "Cc1ccc(N)cc1"
PD_PRECATALYST = "O=S(=O)(O[Pd]1c2ccccc2-c2ccccc2N-1)C(F)(F)F"
# C-N coupling of the aryl halide with 4-methylaniline (the product of every well)
COUPLING = rdChemReactions.ReactionFromSmarts("[c:1][Cl,Br,I].[NH2:2][c:3]>>[c:1][NH:2][c:3]")


def read_sheets(xlsx: Path) -> dict[str, pl.DataFrame]:
    """All sheets of the Dreher & Doyle Excel file, checked for the expected columns."""
    try:
        sheets = pl.read_excel(xlsx, sheet_id=0)
    except Exception as exc:  # fastexcel raises its own types for corrupt files
        raise DataError(f"{xlsx}: cannot read the Excel file ({exc}); fetch it again") from exc
    needed = [REFERENCE_SHEET, *SPLITS]
    missing = [s for s in needed if s not in sheets]
    if missing:
        raise DataError(f"{xlsx}: sheets {missing} are missing (found {sorted(sheets)})")
    for name in needed:
        absent = {*ROLES, YIELD_COLUMN} - set(sheets[name].columns)
        if absent:
            raise DataError(f"{xlsx}: sheet {name!r} lacks columns {sorted(absent)}")
    return sheets


def coupling_product(aryl_halide: str) -> str | None:
    """Canonical SMILES of the C-N coupling product, or None if the template does not apply."""
    halide = Chem.MolFromSmiles(aryl_halide)
    if halide is None:
        return None
    products = set()
    for (product,) in COUPLING.RunReactants((halide, Chem.MolFromSmiles(METHYLANILINE))):
        Chem.SanitizeMol(product)
        products.add(canonical_smiles(Chem.MolToSmiles(product)).smiles)
    return products.pop() if len(products) == 1 else None


def build_tables(xlsx: Path) -> ReactionTables:
    """Tidy reactions, splits and the list of excluded rows from the Excel file."""
    sheets = read_sheets(xlsx)
    reference = (
        sheets[REFERENCE_SHEET]
        .with_row_index("reaction_id")
        .with_columns(pl.col("reaction_id").cast(pl.Int64))
    )
    if reference.select(list(ROLES)).is_duplicated().any():
        raise DataError(
            f"sheet {REFERENCE_SHEET!r}: the four components do not identify a reaction"
        )
    reactions, rejected = _tidy_reactions(reference)
    keep = set(reactions["reaction_id"].to_list())
    splits = pl.concat([_split_rows(name, sheets[name], reference, keep) for name in SPLITS])
    return ReactionTables(reactions, splits, rejected_frame(rejected))


def _tidy_reactions(reference: pl.DataFrame) -> tuple[pl.DataFrame, list[dict]]:
    rows, rejected = [], []
    fixed = [canonical_smiles(METHYLANILINE).smiles, canonical_smiles(PD_PRECATALYST).smiles]
    for record in reference.iter_rows(named=True):
        rid = record["reaction_id"]
        problems = []
        canonical = {}
        for column, role in ROLES.items():
            result = canonical_smiles(record[column])
            if result.ok:
                canonical[role] = result.smiles
            else:
                problems.append((column, record[column], result.reason))
        reason = yield_problem(record[YIELD_COLUMN])
        if reason:
            problems.append((YIELD_COLUMN, record[YIELD_COLUMN], reason))
        product = coupling_product(canonical["aryl_halide"]) if "aryl_halide" in canonical else None
        if "aryl_halide" in canonical and product is None:
            problems.append(
                ("Aryl halide", record["Aryl halide"], "no unique C-N coupling product")
            )
        if problems:
            rejected += [
                dict(reaction_id=rid, column=c, value=str(v), reason=r) for c, v, r in problems
            ]
            continue
        reactants = [
            canonical["aryl_halide"],
            *fixed,
            canonical["ligand"],
            canonical["base"],
            canonical["additive"],
        ]
        rows.append(
            {
                "reaction_id": rid,
                **canonical,
                "rxn_smiles": ".".join(reactants) + ">>" + product,
                "yield_pct": float(record[YIELD_COLUMN]),
            }
        )
    return reactions_frame(rows, list(ROLES.values())), rejected


def _split_rows(name: str, sheet: pl.DataFrame, reference: pl.DataFrame, keep: set) -> pl.DataFrame:
    """Map a split sheet's rows onto reaction ids through the four component SMILES."""
    keys = list(ROLES)
    mapped = sheet.with_row_index("position").join(
        reference.select([*keys, "reaction_id", pl.col(YIELD_COLUMN).alias("reference_yield")]),
        on=keys,
        how="left",
    )
    if mapped["reaction_id"].null_count() or mapped["reaction_id"].n_unique() != reference.height:
        raise DataError(f"sheet {name!r} is not a permutation of sheet {REFERENCE_SHEET!r}")
    # a yield cell that is not a number is reported with its row by _tidy_reactions
    as_number = [
        pl.col(c).cast(pl.Float64, strict=False) for c in (YIELD_COLUMN, "reference_yield")
    ]
    differs = mapped.filter((as_number[0] - as_number[1]).abs() > 1e-9)
    if differs.height:
        raise DataError(f"sheet {name!r}: {differs.height} yields differ from {REFERENCE_SHEET!r}")
    subset = (
        pl.when(pl.col("position") < TRAIN_SIZE[name])
        .then(pl.lit("train"))
        .otherwise(pl.lit("test"))
    )
    return mapped.select(
        pl.lit(name).alias("split"),
        "reaction_id",
        subset.alias("subset"),
        pl.col("position").cast(pl.Int64),
    ).filter(pl.col("reaction_id").is_in(list(keep)))
