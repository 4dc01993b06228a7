import polars as pl
import pytest

from reeval.reactions.summary import (
    split_variables,
    summarise_dataset,
    summary_table,
    summary_variables,
    variable_names,
)
from reeval.reactions.validation import rejected_frame


def test_bh_summary_numbers(bh_tables):
    summary = summarise_dataset("bh", bh_tables.reactions, bh_tables.rejected, 300, 0.95, 0)
    assert summary.n_reactions == 3955 and summary.n_rejected == 0
    # 44 components + 4-methylaniline + the Pd precatalyst + 5 distinct products
    assert summary.n_molecules == 51
    assert summary.role_counts == {
        "aryl_halide": (15, False),
        "ligand": (4, False),
        "base": (3, False),
        "additive": (22, False),
    }
    y = bh_tables.reactions["yield_pct"]
    assert summary.yields.mean == pytest.approx(y.mean())
    assert summary.yields.median == pytest.approx(y.median())
    values = summary_variables("bh", summary) | split_variables(
        "bh", bh_tables.reactions, bh_tables.splits
    )
    assert set(values) == set(variable_names("bh"))
    assert values["bh_oos_test_sizes"] == "898, 900, 897, 900"
    assert values["bh_oos_held_out_additives"] == "5"
    assert values["bh_random_train_size"] == "2767"


def test_sm_summary_marks_missing_components(sm_tables):
    summary = summarise_dataset("sm", sm_tables.reactions, sm_tables.rejected, 300, 0.95, 0)
    assert summary.role_counts["ligand"] == (11, True)
    assert summary.role_counts["base"] == (7, True)
    table = summary_table("sm", summary)
    assert "11 + none" in table and r"\toprule" in table
    values = summary_variables("sm", summary) | split_variables(
        "sm", sm_tables.reactions, sm_tables.splits
    )
    assert set(values) == set(variable_names("sm"))


def test_rejected_rows_are_counted_once_per_reaction():
    reactions = pl.DataFrame(
        {
            "reaction_id": [0, 1, 2, 3],
            "aryl_halide": ["a"] * 4,
            "ligand": ["l"] * 4,
            "base": ["b"] * 4,
            "additive": ["x", "y", "x", "y"],
            "rxn_smiles": ["C.N>>CN"] * 4,
            "yield_pct": [0.0, 10.0, 20.0, 90.0],
        }
    )
    rejected = rejected_frame(
        [
            dict(reaction_id=7, column="Ligand", value="?", reason="r"),
            dict(reaction_id=7, column="Output", value="200", reason="r"),
        ]
    )
    summary = summarise_dataset("bh", reactions, rejected, 200, 0.9, 1)
    assert summary.n_rejected == 1
    assert summary.n_molecules == 3
