"""The three tidy tables every reaction data set is turned into, and writing them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from reeval.io import write_parquet_atomic


def reactions_frame(rows: list[dict], roles: list[str]) -> pl.DataFrame:
    """The reactions table: reaction_id, the role columns, rxn_smiles, yield_pct."""
    schema = {
        "reaction_id": pl.Int64,
        **dict.fromkeys(roles, pl.String),
        "rxn_smiles": pl.String,
        "yield_pct": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema)


@dataclass(frozen=True)
class ReactionTables:
    reactions: pl.DataFrame  # reaction_id, <role columns>, rxn_smiles, yield_pct
    splits: pl.DataFrame  # split, reaction_id, subset (train/test), position (row in the source)
    rejected: pl.DataFrame  # reaction_id, column, value, reason

    def write(self, reactions: Path, splits: Path, rejected: Path) -> None:
        """Write the three tables as Parquet, each atomically."""
        for frame, target in [
            (self.reactions, reactions),
            (self.splits, splits),
            (self.rejected, rejected),
        ]:
            write_parquet_atomic(frame, target)

    def report(self) -> str:
        """What a log should say: sizes, and every excluded row with its reason."""
        lines = [
            f"{self.reactions.height} reactions, {self.rejected['reaction_id'].n_unique()} "
            f"excluded, {self.splits['split'].n_unique()} splits"
        ]
        lines += [
            f"excluded reaction {r['reaction_id']}: {r['column']}: {r['reason']}"
            for r in self.rejected.iter_rows(named=True)
        ]
        return "\n".join(lines)
