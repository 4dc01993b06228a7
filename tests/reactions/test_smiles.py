from reeval.reactions.smiles import canonical_reaction, canonical_smiles


def test_canonical_smiles_is_rdkit_canonical_and_stable():
    a = canonical_smiles("ClC1=CC=C(C(F)(F)F)C=C1")
    assert a.ok and a.smiles == "FC(F)(F)c1ccc(Cl)cc1"
    assert canonical_smiles(a.smiles).smiles == a.smiles


def test_failures_carry_a_reason():
    assert canonical_smiles("C1CC").reason.startswith("RDKit cannot parse")
    assert canonical_smiles("").reason == "empty SMILES"
    assert canonical_smiles(None).reason == "empty SMILES"
    assert "any-bond" in canonical_smiles("C~C").reason


def test_palladium_acetate_is_written_as_a_molecule():
    pd = canonical_smiles("CC(=O)O~CC(=O)O~[Pd]")
    assert pd.ok and pd.smiles == canonical_smiles("CC(=O)O[Pd]OC(C)=O").smiles


def test_reaction_canonicalisation_keeps_molecule_order():
    result = canonical_reaction("OCC.C1=CC=CC=C1>>c1ccccc1O")
    assert result.smiles == "CCO.c1ccccc1>>Oc1ccccc1"
    assert not canonical_reaction("CC>CC").ok
    assert "RDKit cannot parse" in canonical_reaction("CC.C1CC>>CC").reason
