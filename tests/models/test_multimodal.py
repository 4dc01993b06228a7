import pytest
import torch

from reeval.models.multimodal import YieldModel
from reeval.models.variants import ABLATIONS, VARIANTS, Variant, variant
from reeval.settings import Head, HumanEncoder

HUMAN = HumanEncoder(hidden=16, output_dim=8, layers=2, experts=4, top_k=2, dropout=0.0)
HEAD = Head(hidden=16, dropout=0.0)


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_variant_runs_and_reaches_all_its_weights(name):
    torch.manual_seed(0)
    model = YieldModel(
        variant(name), graph_dim=6, smiles_dim=5, human_dim=9, human_encoder=HUMAN, head=HEAD
    )
    mu, log_var, aux = model(torch.randn(7, 6), torch.randn(7, 5), torch.randn(7, 9))
    assert mu.shape == (7,)
    assert (log_var is None) == (not VARIANTS[name].uncertainty)
    loss = mu.sum() + (log_var.sum() if log_var is not None else 0) + aux
    loss.backward()
    assert all(p.grad is not None for p in model.parameters() if p.requires_grad)


@pytest.mark.parametrize("name", ["full", "human_mlp"])
def test_a_variant_learns_a_target_its_inputs_hold(name):
    """A few hundred Adam steps on y = the first human feature: the loss must fall by an
    order of magnitude (a variant whose inputs do not reach its output cannot)."""
    torch.manual_seed(0)
    model = YieldModel(
        variant(name), graph_dim=6, smiles_dim=5, human_dim=9, human_encoder=HUMAN, head=HEAD
    )
    graph, smiles, human = torch.randn(64, 6), torch.randn(64, 5), torch.randn(64, 9)
    target = human[:, 0]
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)

    def loss() -> torch.Tensor:
        return ((model(graph, smiles, human)[0] - target) ** 2).mean()

    before = float(loss())
    for _ in range(300):
        optimiser.zero_grad()
        value = loss()
        value.backward()
        optimiser.step()
    assert float(loss()) < 0.1 * before


def test_ablations_switch_what_they_name():
    full = VARIANTS["full"]
    assert len(ABLATIONS) == 9
    assert variant("human_only").modalities == ("human",) and variant("human_only").moe
    mlp = variant("human_mlp")
    assert mlp.modalities == ("human",) and not (mlp.moe or mlp.uncertainty or mlp.aux_loss)
    assert all(VARIANTS[name].change for name in ABLATIONS)
    assert not variant("no_graph").graph and variant("no_graph").smiles
    assert variant("no_moe").human and not variant("no_moe").moe
    assert full.modalities == ("graph", "smiles", "human")
    with pytest.raises(ValueError, match="unknown variant"):
        variant("no_everything")


def test_a_variant_without_inputs_is_refused():
    empty = Variant("empty", "nothing", graph=False, smiles=False, human=False)
    with pytest.raises(ValueError, match="no modality"):
        YieldModel(empty, 6, 5, 9, HUMAN, HEAD)
