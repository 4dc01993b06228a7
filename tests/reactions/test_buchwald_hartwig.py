"""Buchwald-Hartwig tables against the hand-made references in the mirror's derived/ folder."""

import polars as pl
import pytest

from reeval.errors import DataError
from reeval.reactions import buchwald_hartwig as bh
from reeval.reactions.smiles import canonical_reaction, canonical_smiles

DERIVED = "reactions/buchwald_hartwig/derived"


@pytest.fixture(scope="module")
def reference(mirror):
    return pl.read_csv(mirror / DERIVED / "bh_reactions.csv")


@pytest.fixture(scope="module")
def reference_splits(mirror):
    return pl.read_csv(mirror / DERIVED / "bh_splits_rxn_yields_convention.csv")


def test_sizes_and_roles(bh_tables):
    r = bh_tables.reactions
    assert r.height == bh.N_EXPECTED == 3955
    assert bh_tables.rejected.height == 0
    assert [r[c].n_unique() for c in bh.ROLES.values()] == [15, 4, 3, 22]
    assert r["yield_pct"].min() >= 0 and r["yield_pct"].max() <= 100


def test_components_and_yields_match_the_reference(bh_tables, reference):
    joined = bh_tables.reactions.join(reference, left_on="reaction_id", right_on="id")
    assert joined.height == 3955
    for role in bh.ROLES.values():
        expected = [canonical_smiles(s).smiles for s in joined[f"{role}_smiles"]]
        assert joined[role].to_list() == expected, role
    assert (joined["yield_pct"] - joined["yield_pct_right"]).abs().max() < 1e-9


def test_reaction_smiles_match_chen_et_al(bh_tables, reference):
    """Our reaction SMILES equal those of Chen et al. / Kwon et al., molecule by molecule."""
    joined = bh_tables.reactions.join(reference, left_on="reaction_id", right_on="id")
    for ours, theirs in zip(joined["rxn_smiles"], joined["rxn_smiles_uam"], strict=True):
        assert ours == canonical_reaction(theirs).smiles


def test_splits_match_the_reference(bh_tables, reference_splits):
    splits = bh_tables.splits
    assert sorted(splits["split"].unique()) == sorted(bh.SPLITS)
    for name in bh.SPLITS:
        ours = splits.filter(pl.col("split") == name).sort("reaction_id")
        theirs = reference_splits.select("id", name, f"{name}_pos").sort("id")
        assert ours["reaction_id"].to_list() == theirs["id"].to_list()
        assert ours["subset"].to_list() == theirs[name].to_list(), name
        assert ours["position"].to_list() == theirs[f"{name}_pos"].to_list(), name


def test_split_sizes(bh_tables):
    sizes = dict(
        bh_tables.splits.filter(pl.col("subset") == "test").group_by("split").len().iter_rows()
    )
    assert all(sizes[n] == 1188 for n in bh.FULLCV_SPLITS)
    assert [sizes[n] for n in bh.TEST_SPLITS] == [898, 900, 897, 900]


def test_test_splits_hold_out_additives(bh_tables):
    rows = bh_tables.splits.join(bh_tables.reactions, on="reaction_id")
    for name in bh.TEST_SPLITS:
        split = rows.filter(pl.col("split") == name)
        train = set(split.filter(pl.col("subset") == "train")["additive"])
        test = set(split.filter(pl.col("subset") == "test")["additive"])
        assert len(test) == 5 and not train & test, name


def test_the_fullcv_splits_are_not_out_of_sample(bh_tables):
    rows = bh_tables.splits.join(bh_tables.reactions, on="reaction_id")
    split = rows.filter(pl.col("split") == "FullCV_01")
    train = set(split.filter(pl.col("subset") == "train")["additive"])
    assert set(split.filter(pl.col("subset") == "test")["additive"]) <= train


def reference_frame(**overrides):
    row = {
        "reaction_id": 0,
        "Aryl halide": "ClC1=CC=C(C(F)(F)F)C=C1",
        "Ligand": "CC(C)C1=CC(C(C)C)=CC(C(C)C)=C1C2=C(P(C3CCCCC3)C4CCCCC4)C=CC=C2",
        "Base": "CN1CCCN2CCCN=C12",
        "Additive": "CC1=CC(C)=NO1",
        "Output": 12.5,
    }
    rows = [row, {**row, "reaction_id": 1, **overrides}]
    return pl.DataFrame(rows).with_columns(pl.col("reaction_id").cast(pl.Int64))


@pytest.mark.parametrize(
    ("overrides", "column", "reason"),
    [
        ({"Ligand": "C1CC(P"}, "Ligand", "RDKit cannot parse"),
        ({"Output": 104.0}, "Output", "outside 0-100"),
        ({"Output": None}, "Output", "missing yield"),
        ({"Aryl halide": "CCCl"}, "Aryl halide", "no unique C-N coupling product"),
    ],
)
def test_bad_rows_are_excluded_and_reported(overrides, column, reason):
    reactions, rejected = bh._tidy_reactions(reference_frame(**overrides))
    assert reactions["reaction_id"].to_list() == [0]
    assert len(rejected) == 1
    assert rejected[0]["reaction_id"] == 1 and rejected[0]["column"] == column
    assert reason in rejected[0]["reason"]


def test_a_yield_that_is_not_a_number_is_excluded_and_reported():
    frame = reference_frame().with_columns(pl.Series("Output", ["12.5", "n.d."]))
    reactions, rejected = bh._tidy_reactions(frame)
    assert reactions["reaction_id"].to_list() == [0] and reactions["yield_pct"][0] == 12.5
    assert [(r["reaction_id"], r["value"]) for r in rejected] == [(1, "n.d.")]
    assert "'n.d.' is not a number" in rejected[0]["reason"]


def test_corrupt_excel_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bh.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    with pytest.raises(DataError, match="cannot read the Excel file"):
        bh.build_tables(bad)
