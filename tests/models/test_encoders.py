"""Shapes and gradient flow of the encoders, and the factorised messages of the MPNN."""

import torch
from torch_geometric.data import Batch

from reeval.featurize import graphs
from reeval.featurize.tokens import Vocabulary
from reeval.models.mpnn import MPNNEncoder, reaction_embeddings
from reeval.models.smiles_transformer import SmilesTransformer

SMILES = ["CCO", "c1ccccc1Br", "[K+]", "CC(=O)N"]


def encoder(factorised: bool) -> MPNNEncoder:
    torch.manual_seed(0)
    return MPNNEncoder(
        graphs.N_ATOM_FEATURES,
        graphs.N_BOND_FEATURES,
        hidden=8,
        steps=3,
        set2set_steps=2,
        output_dim=5,
        factorised=factorised,
    )


def molecule_batch() -> Batch:
    return Batch.from_data_list([graphs.mol_to_graph(s) for s in SMILES])


def test_mpnn_shapes_and_gradients():
    model = encoder(factorised=True)
    out = model(molecule_batch())
    assert out.shape == (4, 5)
    out.sum().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


def test_factorised_messages_equal_plain_nnconv_with_gradients():
    fast, plain = encoder(factorised=True), encoder(factorised=False)
    plain.load_state_dict(fast.state_dict())
    batch = molecule_batch()
    # random bond features, not only one-hot rows: the identity holds for any features
    batch.edge_attr = torch.rand(batch.edge_attr.shape, generator=torch.Generator().manual_seed(1))
    out_fast, out_plain = fast(batch), plain(batch)
    torch.testing.assert_close(out_fast, out_plain)
    weights = torch.randn(out_fast.shape, generator=torch.Generator().manual_seed(2))
    (out_fast * weights).sum().backward()
    (out_plain * weights).sum().backward()
    for (name, a), (_, b) in zip(fast.named_parameters(), plain.named_parameters(), strict=True):
        torch.testing.assert_close(a.grad, b.grad, msg=name)


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
