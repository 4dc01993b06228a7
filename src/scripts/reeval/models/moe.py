"""Mixture-of-experts MLP (Shazeer et al. 2017): a softmax gate over the top-k experts and
the load-balancing loss on the coefficient of variation of expert importance."""

from __future__ import annotations

import torch
from torch import nn


class MixtureOfExperts(nn.Module):
    """Sparsely gated mixture of experts (Shazeer et al. 2017, ICLR): each row is routed to
    its top-k experts, each expert a two-layer MLP, their outputs mixed by the softmax of
    the k largest gate logits; the auxiliary loss is the squared coefficient of variation
    of the experts' importance over the batch.

    Args:
        dim: input and output width.
        hidden: each expert's hidden width.
        experts: number of experts.
        top_k: experts per row (1 <= top_k <= experts).

    Shapes: x (B, dim) -> output (B, dim), load-balancing loss ().
    """

    def __init__(self, dim: int, hidden: int, experts: int, top_k: int):
        super().__init__()
        if not 1 <= top_k <= experts:
            raise ValueError(f"top_k must be in 1..{experts}, got {top_k}")
        self.top_k = top_k
        self.gate = nn.Linear(dim, experts, bias=False)  # logits x . W_g
        self.experts = nn.ModuleList(
            nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, dim))
            for _ in range(experts)
        )

    def gates(self, x: torch.Tensor) -> torch.Tensor:
        """Softmax over the k largest gate logits; exactly k non-zero weights per row, sum 1."""
        logits = self.gate(x)
        top = logits.topk(self.top_k, dim=1)
        masked = torch.full_like(logits, float("-inf")).scatter(1, top.indices, top.values)
        return torch.softmax(masked, dim=1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(output, load-balancing loss CV(importance)^2 over the batch)."""
        weights = self.gates(x)
        outputs = torch.stack([expert(x) for expert in self.experts], dim=1)  # batch, experts, dim
        mixed = (weights.unsqueeze(-1) * outputs).sum(dim=1)
        return mixed, load_balancing_loss(weights)


def load_balancing_loss(weights: torch.Tensor) -> torch.Tensor:
    """Squared coefficient of variation of the experts' summed gate weights (importance)."""
    importance = weights.sum(dim=0)
    if importance.numel() < 2:
        return importance.new_zeros(())
    return importance.var(unbiased=False) / (importance.mean() ** 2 + 1e-10)
