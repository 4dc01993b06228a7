"""Multi-gate mixture of experts (Ma et al. 2018), as Qu et al. (2024) use it: shared expert
MLPs, one softmax gate and one tower per task; and the single-task MLP it is compared with."""

from __future__ import annotations

import torch
from torch import nn

from reeval.models.mlp import mlp


class MMoE(nn.Module):
    """Multi-gate mixture of experts (Ma et al. 2018, KDD), the ranking model of Qu et al.
    (2024, npj Comput. Mater.): shared expert MLPs, one softmax gate over the experts and one
    tower per task.

    Args:
        dim_in: input width (a material representation, with temperature as context).
        n_tasks: number of properties predicted.
        n_experts: shared experts.
        expert: hidden widths of each expert MLP.
        tower: hidden widths of each task's tower (a linear output follows).
        dropout: after every hidden layer.

    Shapes: x (B, dim_in) -> (B, n_tasks).
    """

    def __init__(
        self,
        dim_in: int,
        n_tasks: int,
        n_experts: int,
        expert: list[int],
        tower: list[int],
        dropout: float = 0.0,
    ):
        super().__init__()
        self.experts = nn.ModuleList(mlp([dim_in, *expert], dropout) for _ in range(n_experts))
        self.gates = nn.ModuleList(nn.Linear(dim_in, n_experts) for _ in range(n_tasks))
        self.towers = nn.ModuleList(
            nn.Sequential(mlp([expert[-1], *tower], dropout), nn.Linear(tower[-1], 1))
            for _ in range(n_tasks)
        )

    def gate_weights(self, x: torch.Tensor) -> torch.Tensor:
        """(n_tasks, batch, n_experts); each row sums to 1."""
        return torch.stack([torch.softmax(g(x), dim=-1) for g in self.gates])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, n_tasks) predictions."""
        experts = torch.stack([e(x) for e in self.experts], dim=1)  # (batch, E, d)
        gates = self.gate_weights(x)
        mixed = torch.einsum("tbe,bed->tbd", gates, experts)
        return torch.cat([tower(m) for tower, m in zip(self.towers, mixed, strict=False)], dim=1)


class SingleTaskMLP(nn.Module):
    """The same expert and tower sizes, one network per task (no sharing)."""

    def __init__(self, dim_in: int, expert: list[int], tower: list[int], dropout: float = 0.0):
        super().__init__()
        self.net = nn.Sequential(
            mlp([dim_in, *expert], dropout),
            mlp([expert[-1], *tower], dropout),
            nn.Linear(tower[-1], 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
