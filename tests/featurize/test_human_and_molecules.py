import numpy as np
import polars as pl

from reeval.featurize import human
from reeval.featurize.molecules import ReactionMolecules


def small_set():
    return ReactionMolecules.from_reactions([10, 11], ["CCO.CC>>CCOCC", "CCO.CCO>>O"])


def test_unique_molecules_with_multiplicity():
    m = small_set()
    assert m.smiles == ["CCO", "CC", "CCOCC", "O"]
    assert m.reactants == [[0, 1], [0, 0]] and m.products == [[2], [3]]
    again = ReactionMolecules.from_frames(*m.to_frames())
    assert again == m
    assert m.subset([11]).reactants == [[0, 0]]


def test_agents_count_as_reactants():
    m = ReactionMolecules.from_reactions([0], ["CC>O>CCO"])
    assert m.reactants == [[0, 1]] and m.products == [[2]]


def test_summed_fingerprint():
    m = small_set()
    per_molecule = human.morgan_fingerprints(m.smiles, 2, 256)
    summed = human.sum_over_reaction(per_molecule, m)
    np.testing.assert_array_equal(summed[1], 2 * per_molecule[0] + per_molecule[3])
    assert set(np.unique(per_molecule)) <= {0.0, 1.0}


def test_mordred_drops_failed_and_constant_descriptors():
    values, names, dropped = human.mordred_descriptors(["CCO", "c1ccccc1", "[Na+]"])
    assert values.shape == (3, len(names)) and np.isfinite(values).all()
    assert dropped > 0
    assert (values.std(axis=0) > 0).all()


def test_dft_descriptors_of_every_bh_reaction(mirror, bh_tables):
    root = mirror / "reactions/buchwald_hartwig/rxnpredict"
    features, columns = human.dft_descriptors(
        bh_tables.reactions, root / "data_table.csv", root / "R"
    )
    assert features.shape == (3955, 120) and len(columns) == 120
    assert np.isfinite(features).all()
    # the same additive gives the same additive block
    additive = [i for i, c in enumerate(columns) if c.startswith("additive_")]
    frame = pl.DataFrame({"a": bh_tables.reactions["additive"], "v": features[:, additive[0]]})
    assert frame.group_by("a").agg(pl.col("v").n_unique())["v"].max() == 1


def test_drfp_per_molecule_equals_drfp_encode(bh_tables, sm_tables):
    from drfp import DrfpEncoder

    from reeval.featurize.components import drfp_fingerprints

    reactions = [
        *bh_tables.reactions["rxn_smiles"].to_list()[::200],
        *sm_tables.reactions["rxn_smiles"].to_list()[::300],
        "CC(=O)O.OCC>[H+]>CC(=O)OCC",  # with an agent
        "not_a_smiles.CCO>>CC=O",  # a molecule drfp cannot parse is skipped
    ]
    for bits, radius in [(2048, 3), (512, 2)]:
        expected = np.asarray(
            DrfpEncoder.encode(reactions, n_folded_length=bits, radius=radius), dtype=np.float32
        )
        np.testing.assert_array_equal(drfp_fingerprints(reactions, bits, radius), expected)
