import pytest
import torch

from reeval.errors import DataError
from reeval.featurize import graphs


def test_ethanol_graph():
    g = graphs.mol_to_graph("CCO")
    assert g.num_nodes == 3 and g.edge_index.shape == (2, 4)
    assert g.x.shape == (3, graphs.N_ATOM_FEATURES)
    assert g.edge_attr.shape == (4, graphs.N_BOND_FEATURES)
    # eight categorical atom groups and four bond groups, each one-hot
    assert torch.all(g.x.sum(dim=1) == 8) and torch.all(g.edge_attr.sum(dim=1) == 4)
    # every bond appears in both directions with the same features
    pairs = set(map(tuple, g.edge_index.T.tolist()))
    assert all((j, i) in pairs for i, j in pairs)


def test_unexpected_values_fall_into_other():
    assert graphs.one_hot("Xe", graphs.ELEMENTS)[-1] == 1.0
    g = graphs.mol_to_graph("[Xe]")
    assert g.x[0, len(graphs.ELEMENTS)] == 1.0


def test_ion_without_bonds():
    g = graphs.mol_to_graph("[K+]")
    assert g.num_nodes == 1 and g.edge_index.shape == (2, 0)
    assert g.edge_attr.shape == (0, graphs.N_BOND_FEATURES)


def test_bad_smiles_is_a_clear_error():
    with pytest.raises(DataError, match="cannot parse"):
        graphs.mol_to_graph("C1CC")


def test_cache_round_trip_and_corruption(tmp_path):
    original = [graphs.mol_to_graph(s) for s in ["CCO", "[Na+]", "c1ccccc1Br"]]
    path = tmp_path / "graphs.safetensors"
    graphs.save_graphs(original, path)
    loaded = graphs.load_graphs(path)
    for a, b in zip(original, loaded, strict=True):
        assert torch.equal(a.x, b.x) and torch.equal(a.edge_index, b.edge_index)
        assert torch.equal(a.edge_attr, b.edge_attr)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(DataError, match="corrupt"):
        graphs.load_graphs(path)
