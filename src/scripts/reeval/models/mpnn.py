"""Graph encoder: NNConv message passing with a GRU update and a Set2Set readout
(Gilmer et al. 2017, as used by Chen et al. 2024 and Kwon et al. 2022)."""

from __future__ import annotations

import torch
from torch import nn
from torch_geometric.data import Batch
from torch_geometric.nn import NNConv, Set2Set


class EdgeCachedNNConv(NNConv):
    """NNConv that accepts its edge weights precomputed.

    The edge network depends on bond features only, so within one forward pass it gives
    the same (hidden x hidden) matrices at every message-passing step: evaluating it once
    and passing the result as `edge_attr` halves the cost of a forward pass. Given raw
    bond features (2-D) it behaves exactly as NNConv.
    """

    def message(self, x_j: torch.Tensor, edge_attr: torch.Tensor) -> torch.Tensor:
        if edge_attr.dim() == 3:
            return torch.bmm(x_j.unsqueeze(1), edge_attr).squeeze(1)
        return super().message(x_j, edge_attr)

    def edge_weights(self, edge_attr: torch.Tensor) -> torch.Tensor:
        return self.nn(edge_attr).view(-1, self.in_channels_l, self.out_channels)


class MPNNEncoder(nn.Module):
    """Molecule -> vector: h0 = ReLU(W x); T steps of NNConv + GRU; Set2Set over [h0 | hT]."""

    def __init__(
        self,
        node_features: int,
        edge_features: int,
        hidden: int,
        steps: int,
        set2set_steps: int,
        output_dim: int,
        cache_edge_weights: bool = True,
    ):
        super().__init__()
        self.steps = steps
        self.cache_edge_weights = cache_edge_weights
        self.embed = nn.Sequential(nn.Linear(node_features, hidden), nn.ReLU())
        self.conv = EdgeCachedNNConv(
            hidden, hidden, nn.Linear(edge_features, hidden * hidden), aggr="add"
        )
        self.gru = nn.GRU(hidden, hidden)
        self.readout = Set2Set(2 * hidden, processing_steps=set2set_steps)
        self.project = nn.Sequential(nn.Linear(4 * hidden, output_dim), nn.PReLU())
        self.output_dim = output_dim

    def forward(self, batch: Batch) -> torch.Tensor:
        h0 = self.embed(batch.x)
        edges = (
            self.conv.edge_weights(batch.edge_attr) if self.cache_edge_weights else batch.edge_attr
        )
        h, state = h0, h0.unsqueeze(0)
        for _ in range(self.steps):
            message = torch.relu(self.conv(h, batch.edge_index, edges))
            out, state = self.gru(message.unsqueeze(0), state)
            h = out.squeeze(0)
        return self.project(self.readout(torch.cat([h0, h], dim=1), batch.batch))


def reaction_embeddings(
    molecule_embeddings: torch.Tensor, reactants: list[list[int]], products: list[list[int]]
) -> torch.Tensor:
    """[sum of reactant embeddings | sum of product embeddings] per reaction.

    `reactants`/`products` index rows of `molecule_embeddings` (with multiplicity), so each
    molecule is encoded once however many reactions hold it.
    """
    return torch.cat(
        [_sum_rows(molecule_embeddings, reactants), _sum_rows(molecule_embeddings, products)], dim=1
    )


def _sum_rows(embeddings: torch.Tensor, groups: list[list[int]]) -> torch.Tensor:
    rows = torch.tensor([i for group in groups for i in group], dtype=torch.long)
    owners = torch.tensor([g for g, group in enumerate(groups) for _ in group], dtype=torch.long)
    out = embeddings.new_zeros((len(groups), embeddings.shape[1]))
    return out.index_add(0, owners.to(embeddings.device), embeddings[rows.to(embeddings.device)])
