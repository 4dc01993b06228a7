import math

import pytest
import torch

from reeval.models.contrastive import clip_loss
from reeval.models.losses import LossWeights, heteroscedastic_loss, yield_loss
from reeval.models.moe import MixtureOfExperts, load_balancing_loss


def test_clip_loss_equals_a_hand_computation():
    a = torch.eye(3)
    b = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    # cosine similarities a_i . b_j (rows already unit length) times a scale of 2
    s = 2.0 * torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    rows = [-(s[i, i] - math.log(sum(math.exp(s[i, j]) for j in range(3)))) for i in range(3)]
    cols = [-(s[j, j] - math.log(sum(math.exp(s[i, j]) for i in range(3)))) for j in range(3)]
    expected = float((sum(rows) / 3 + sum(cols) / 3) / 2)
    assert clip_loss(a, b, torch.tensor(2.0)).item() == pytest.approx(expected, rel=1e-6)


def test_clip_loss_is_low_for_aligned_pairs():
    x = torch.randn(8, 4)
    aligned = clip_loss(x, x, torch.tensor(20.0))
    shuffled = clip_loss(x, x[torch.randperm(8)], torch.tensor(20.0))
    assert aligned < shuffled


def test_gates_sum_to_one_with_exactly_k_nonzero():
    torch.manual_seed(0)
    moe = MixtureOfExperts(dim=6, hidden=5, experts=4, top_k=2)
    weights = moe.gates(torch.randn(10, 6))
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(10))
    assert ((weights > 0).sum(dim=1) == 2).all()
    with pytest.raises(ValueError, match="top_k"):
        MixtureOfExperts(dim=6, hidden=5, experts=4, top_k=5)


def test_moe_output_and_gradient_flow():
    torch.manual_seed(0)
    moe = MixtureOfExperts(dim=6, hidden=5, experts=3, top_k=3)
    out, aux = moe(torch.randn(16, 6))
    assert out.shape == (16, 6) and aux.ndim == 0
    (out.sum() + aux).backward()
    assert moe.gate.weight.grad is not None
    assert all(p.grad is not None for e in moe.experts for p in e.parameters())


def test_load_balancing_loss_is_the_squared_cv_of_importance():
    balanced = torch.tensor([[0.5, 0.5, 0.0, 0.0], [0.0, 0.0, 0.5, 0.5]])
    assert load_balancing_loss(balanced).item() == pytest.approx(0.0)
    skewed = torch.tensor([[1.0, 0.0], [1.0, 0.0], [0.5, 0.5]])
    importance = torch.tensor([2.5, 0.5])
    cv2 = (importance.std(unbiased=False) / importance.mean()) ** 2
    assert load_balancing_loss(skewed).item() == pytest.approx(cv2.item())


def test_heteroscedastic_loss_matches_its_formula():
    y, mu, log_var = (
        torch.tensor([1.0, 2.0]),
        torch.tensor([0.5, 2.5]),
        torch.tensor([0.0, math.log(4)]),
    )
    expected = ((0.25 / 1 + 0.0) + (0.25 / 4 + math.log(4))) / 2
    assert heteroscedastic_loss(y, mu, log_var).item() == pytest.approx(expected)


def test_combined_loss():
    y, mu, log_var = torch.tensor([1.0, 2.0]), torch.tensor([0.5, 2.5]), torch.tensor([0.0, 0.0])
    aux = torch.tensor(3.0)
    exact = LossWeights(mse=0.9, heteroscedastic=0.1, aux=0.01, sample_in_mse=False)
    expected = 0.9 * 0.25 + 0.1 * heteroscedastic_loss(y, mu, log_var).item() + 0.01 * 3.0
    assert yield_loss(y, mu, log_var, aux, exact, use_aux=True).item() == pytest.approx(expected)
    assert yield_loss(y, mu, None, aux, exact, use_aux=False).item() == pytest.approx(0.25)
    sampled = LossWeights(0.9, 0.1, 0.01, sample_in_mse=True)
    g1, g2 = torch.Generator().manual_seed(1), torch.Generator().manual_seed(1)
    assert yield_loss(y, mu, log_var, aux, sampled, True, g1) == yield_loss(
        y, mu, log_var, aux, sampled, True, g2
    )
