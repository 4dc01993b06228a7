"""The Suzuki-Miyaura HTE set (Perera et al. 2018) as tidy tables, with its 10 random splits.

Sources: the Science SI Excel file (components by name, yields in %) and the 10 random
split files of rxn_yields (reaction SMILES, yield as a fraction). A reaction's id is its
0-based row in the Excel `Sheet1` (`Reaction_No - 1`), which is also the unnamed index
column of the split files. Convention: the first 4032 rows of each split are train.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from reeval.errors import DataError
from reeval.reactions.smiles import canonical_reaction
from reeval.reactions.tables import ReactionTables, reactions_frame
from reeval.reactions.validation import rejected_frame, yield_problem

SHEET = "Sheet1"
N_SPLITS = 10
SPLITS = [f"random_split_{i}" for i in range(N_SPLITS)]
TRAIN_SIZE = 4032
N_EXPECTED = 5760
# Excel column -> tidy column (component names; the Excel file has no SMILES)
ROLES = {
    "Reactant_1_Short_Hand": "reactant_1",
    "Reactant_2_Name": "reactant_2",
    "Catalyst_1_Short_Hand": "catalyst",
    "Ligand_Short_Hand": "ligand",
    "Reagent_1_Short_Hand": "base",
    "Solvent_1_Short_Hand": "solvent",
}
YIELD_COLUMN = "Product_Yield_PCT_Area_UV"
NONE_LABEL = "None"


def read_components(xlsx: Path) -> pl.DataFrame:
    """Sheet1 of the SI file, with reaction_id and trimmed component names."""
    try:
        sheet = pl.read_excel(xlsx, sheet_name=SHEET)
    except Exception as exc:
        raise DataError(f"{xlsx}: cannot read sheet {SHEET!r} ({exc}); fetch it again") from exc
    absent = {"Reaction_No", *ROLES, YIELD_COLUMN} - set(sheet.columns)
    if absent:
        raise DataError(f"{xlsx}: sheet {SHEET!r} lacks columns {sorted(absent)}")
    return sheet.select(
        (pl.col("Reaction_No") - 1).cast(pl.Int64).alias("reaction_id"),
        *[pl.col(c).cast(pl.String).str.strip_chars().alias(r) for c, r in ROLES.items()],
        # a cell that is not a number becomes null here and is reported, with its text, by
        # _tidy_reactions
        pl.col(YIELD_COLUMN).cast(pl.Float64, strict=False).alias("yield_pct"),
        pl.col(YIELD_COLUMN).cast(pl.String).alias("yield_cell"),
    )


def read_split(path: Path) -> pl.DataFrame:
    """One split file: position, reaction_id, rxn, y (fraction)."""
    try:
        frame = pl.read_csv(path, separator="\t")
    except Exception as exc:
        raise DataError(f"{path}: cannot read the split file ({exc}); fetch it again") from exc
    columns = frame.columns
    if len(columns) != 3 or columns[1:] != ["rxn", "y"]:
        raise DataError(f"{path}: expected columns '', 'rxn', 'y', found {columns}")
    return (
        frame.rename({columns[0]: "reaction_id"})
        .with_row_index("position")
        .with_columns(pl.col("reaction_id").cast(pl.Int64), pl.col("position").cast(pl.Int64))
    )


def build_tables(xlsx: Path, split_files: list[Path]) -> ReactionTables:
    """Tidy reactions, splits and excluded rows from the SI file and the split files."""
    if len(split_files) != N_SPLITS:
        raise DataError(f"expected {N_SPLITS} split files, got {len(split_files)}")
    components = read_components(xlsx)
    splits = [read_split(p) for p in split_files]
    first = splits[0].sort("reaction_id")
    if first["reaction_id"].to_list() != components["reaction_id"].to_list():
        raise DataError(f"{split_files[0]}: its ids are not the rows of {xlsx.name} {SHEET!r}")
    for path, split in zip(split_files[1:], splits[1:], strict=True):
        joined = split.join(
            first.select("reaction_id", pl.col("rxn").alias("rxn0")), on="reaction_id"
        )
        if joined.height != first.height or (joined["rxn"] != joined["rxn0"]).any():
            raise DataError(f"{path}: reactions differ from those of {split_files[0].name}")
    merged = components.join(first.select("reaction_id", "rxn", "y"), on="reaction_id")
    mismatch = merged.filter((pl.col("y") * 100 - pl.col("yield_pct")).abs() > 1e-6)
    if mismatch.height:
        raise DataError(f"{mismatch.height} split-file yields differ from {xlsx.name} (y x 100)")
    reactions, rejected = _tidy_reactions(merged)
    keep = reactions["reaction_id"]
    split_rows = pl.concat(
        [
            split.select(
                pl.lit(name).alias("split"),
                "reaction_id",
                pl.when(pl.col("position") < TRAIN_SIZE)
                .then(pl.lit("train"))
                .otherwise(pl.lit("test"))
                .alias("subset"),
                "position",
            ).filter(pl.col("reaction_id").is_in(keep.implode()))
            for name, split in zip(SPLITS, splits, strict=True)
        ]
    )
    return ReactionTables(reactions, split_rows, rejected_frame(rejected))


def _tidy_reactions(merged: pl.DataFrame) -> tuple[pl.DataFrame, list[dict]]:
    rows, rejected = [], []
    for record in merged.iter_rows(named=True):
        problems = []
        canonical = canonical_reaction(record["rxn"])
        if not canonical.ok:
            problems.append(("rxn", record["rxn"], canonical.reason))
        cell = record.get("yield_cell", record["yield_pct"])
        reason = yield_problem(cell)
        if reason:
            problems.append((YIELD_COLUMN, cell, reason))
        if problems:
            rejected += [
                dict(reaction_id=record["reaction_id"], column=c, value=str(v), reason=r)
                for c, v, r in problems
            ]
            continue
        rows.append(
            {
                "reaction_id": record["reaction_id"],
                **{role: record[role] for role in ROLES.values()},
                "rxn_smiles": canonical.smiles,
                "yield_pct": record["yield_pct"],
            }
        )
    return reactions_frame(rows, list(ROLES.values())), rejected
