"""Shapes and gradient flow of the encoders, and the edge-weight cache of the MPNN."""

import torch
from torch_geometric.data import Batch

from reeval.featurize import graphs
from reeval.featurize.tokens import Vocabulary
from reeval.models.mpnn import MPNNEncoder, reaction_embeddings
from reeval.models.smiles_transformer import SmilesTransformer

SMILES = ["CCO", "c1ccccc1Br", "[K+]", "CC(=O)N"]


def encoder(cache: bool) -> MPNNEncoder:
    torch.manual_seed(0)
    return MPNNEncoder(
        graphs.N_ATOM_FEATURES,
        graphs.N_BOND_FEATURES,
        hidden=8,
        steps=3,
        set2set_steps=2,
        output_dim=5,
        cache_edge_weights=cache,
    )


def molecule_batch() -> Batch:
    return Batch.from_data_list([graphs.mol_to_graph(s) for s in SMILES])


def test_mpnn_shapes_and_gradients():
    model = encoder(cache=True)
    out = model(molecule_batch())
    assert out.shape == (4, 5)
    out.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


def test_cached_edge_weights_equal_plain_nnconv():
    cached, plain = encoder(cache=True), encoder(cache=False)
    plain.load_state_dict(cached.state_dict())
    batch = molecule_batch()
    torch.testing.assert_close(cached(batch), plain(batch))


def test_reaction_embedding_sums_with_multiplicity():
    molecules = torch.tensor([[1.0, 0.0], [0.0, 2.0], [5.0, 5.0]])
    out = reaction_embeddings(molecules, reactants=[[0, 1], [0, 0]], products=[[2], [1]])
    assert out.tolist() == [[1.0, 2.0, 5.0, 5.0], [2.0, 0.0, 0.0, 2.0]]


def test_transformer_shapes_padding_and_gradients():
    vocab = Vocabulary.build(SMILES)
    torch.manual_seed(0)
    model = SmilesTransformer(
        len(vocab), embed_dim=16, heads=2, layers=2, output_dim=7, max_tokens=32, dropout=0.0
    ).eval()
    ids, padding = vocab.encode_batch(SMILES, max_tokens=32)
    out = model(ids, padding)
    assert out.shape == (4, 7)
    # more padding does not change a sequence's embedding
    longer_ids = torch.cat([ids, torch.zeros((4, 3), dtype=torch.long)], dim=1)
    longer_pad = torch.cat([padding, torch.ones((4, 3), dtype=torch.bool)], dim=1)
    torch.testing.assert_close(model(longer_ids, longer_pad), out, atol=1e-5, rtol=1e-5)
    model.train()
    model(ids, padding).pow(2).sum().backward()
    grads = [p.grad for n, p in model.named_parameters() if n != "tokens.weight"]
    assert all(g is not None for g in grads)
