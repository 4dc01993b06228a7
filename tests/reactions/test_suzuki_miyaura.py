import openpyxl
import polars as pl
import pytest

from reeval.errors import DataError
from reeval.reactions import suzuki_miyaura as sm
from reeval.reactions.smiles import canonical_reaction


def test_sizes_and_splits(sm_tables):
    assert sm_tables.reactions.height == sm.N_EXPECTED == 5760
    assert sm_tables.rejected.height == 0
    counts = sm_tables.splits.group_by("split", "subset").len()
    assert set(counts.filter(pl.col("subset") == "train")["len"]) == {4032}
    assert set(counts.filter(pl.col("subset") == "test")["len"]) == {1728}
    assert sm_tables.splits["split"].n_unique() == 10


def test_splits_differ_and_cover_every_reaction(sm_tables):
    tests = [
        set(
            sm_tables.splits.filter((pl.col("split") == n) & (pl.col("subset") == "test"))[
                "reaction_id"
            ]
        )
        for n in sm.SPLITS
    ]
    assert len({frozenset(t) for t in tests}) == 10
    for name in sm.SPLITS:
        ids = sm_tables.splits.filter(pl.col("split") == name)["reaction_id"]
        assert sorted(ids) == list(range(5760))


def test_yields_and_smiles_match_chen_et_al_copy(sm_tables, mirror, sm_split_files):
    """Chen et al.'s SM.pkl holds split 0's order with yields in % (PROVENANCE.md, section 4)."""
    chen = pl.read_csv(mirror / "reactions/uam_chen2024/SM_from_pkl.csv")
    order = pl.read_csv(sm_split_files[0], separator="\t").rename({"": "reaction_id"})
    ours = order.join(sm_tables.reactions, on="reaction_id", how="left", maintain_order="left")
    assert (ours["yield_pct"] - chen["yld"]).abs().max() < 1e-9
    # Chen et al. write Pd(OAc)2's '~' bonds as '-'; every other molecule must agree
    assert ours.height == chen.height == 5760
    for mine, theirs in zip(ours["rxn_smiles"], chen["rxn"], strict=True):
        pd_free = theirs.replace("CC(=O)O-CC(=O)O-[Pd].", "")
        expected = canonical_reaction(pd_free).smiles
        assert mine.replace("CC(=O)[O][Pd][O]C(C)=O.", "") == expected


def test_components_by_role(sm_tables):
    r = sm_tables.reactions
    assert r["reactant_1"].n_unique() == 7 and r["reactant_2"].n_unique() == 4
    assert r["catalyst"].unique().to_list() == ["Pd(OAc)2"]
    assert "None" in r["ligand"].to_list()


def test_a_split_file_with_other_reactions_is_refused(mirror, sm_split_files, tmp_path):
    frame = pl.read_csv(sm_split_files[1], separator="\t")
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("CC>>CC"))
        .otherwise(pl.col("rxn"))
        .alias("rxn")
    )
    bad = tmp_path / "random_split_1.tsv"
    frame.write_csv(bad, separator="\t")
    files = [sm_split_files[0], bad, *sm_split_files[2:]]
    with pytest.raises(DataError, match="reactions differ"):
        sm.build_tables(
            mirror / "reactions/suzuki_miyaura/rxn_yields/aap9112_Data_File_S1.xlsx", files
        )


def test_bad_reaction_rows_are_excluded_and_reported():
    merged = pl.DataFrame(
        {
            "reaction_id": [0, 1, 2],
            **{role: ["x"] * 3 for role in sm.ROLES.values()},
            "rxn": ["CC.O>>CCO", "C~C.O>>CCO", "CC.O>>CCO"],
            "y": [0.5, 0.5, 1.2],
            "yield_pct": [50.0, 50.0, 120.0],
        }
    )
    reactions, rejected = sm._tidy_reactions(merged)
    assert reactions["reaction_id"].to_list() == [0]
    assert [(r["reaction_id"], r["column"]) for r in rejected] == [(1, "rxn"), (2, sm.YIELD_COLUMN)]


def test_a_yield_cell_that_is_not_a_number_is_excluded_and_reported(tmp_path):
    book = openpyxl.Workbook()
    cells = book.active
    cells.title = sm.SHEET
    cells.append(["Reaction_No", *sm.ROLES, sm.YIELD_COLUMN])
    cells.append([1, *["x"] * len(sm.ROLES), 50.0])
    cells.append([2, *["y"] * len(sm.ROLES), "failed"])  # a text cell in a number column
    xlsx = tmp_path / "si.xlsx"
    book.save(xlsx)
    components = sm.read_components(xlsx)
    merged = components.with_columns(pl.lit("CC.O>>CCO").alias("rxn"))
    reactions, rejected = sm._tidy_reactions(merged)
    assert reactions["reaction_id"].to_list() == [0]
    assert [(r["reaction_id"], r["value"]) for r in rejected] == [(1, "failed")]
    assert "'failed' is not a number" in rejected[0]["reason"]
