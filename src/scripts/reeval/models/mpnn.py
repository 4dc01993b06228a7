"""Graph encoder: NNConv message passing with a GRU update and a Set2Set readout
(Gilmer et al. 2017, as used by Chen et al. 2024 and Kwon et al. 2022)."""

from __future__ import annotations

from typing import Protocol

import torch
from torch import nn
from torch_geometric.data import Batch
from torch_geometric.nn import NNConv, Set2Set

from reeval.featurize.graphs import N_ATOM_FEATURES, N_BOND_FEATURES


class FactorisedNNConv(NNConv):
    """NNConv with a linear edge network, computed without one matrix per edge.

    NNConv turns each edge's bond features e into a (hidden x hidden) matrix W(e) =
    reshape(A e + b) and sends the message x_j W(e). With a linear edge network that message
    equals sum_f e_f (x_j A_f) + x_j B, and their sum at node t is sum_f (sum_j e_f x_j) A_f
    + ...: `factorised` forms the bond-weighted sums of neighbour states per feature with one
    sparse product, then multiplies them once by the stacked A_f, B. The same result,
    without materialising an (edges x hidden x hidden) tensor and the many tiny matrix
    products it needs. The stacked encoder (`reeval.models.stacked_graph.StackedMPNN`) goes
    further: edges with the same bond features share W(e), so it multiplies once per bond
    type. Called as a module it is plain NNConv.
    """

    def factorised(
        self, x: torch.Tensor, edge_index: torch.Tensor, edge_attr: torch.Tensor
    ) -> torch.Tensor:
        """NNConv's forward (sum aggregation, root weight and bias) for a linear edge net."""
        n_nodes, h_in, h_out = x.shape[0], self.in_channels_l, self.out_channels
        mixing = torch.cat([edge_attr, edge_attr.new_ones((edge_attr.shape[0], 1))], dim=1)
        k = mixing.shape[1]  # F + 1
        edge, feature = mixing.nonzero(as_tuple=True)
        source, target = edge_index
        # gathered[t, f, :] = sum over the edges s -> t of e_f(s, t) x_s, as one sparse product
        operator = torch.sparse_coo_tensor(
            torch.stack([target[edge] * k + feature, source[edge]]),
            mixing[edge, feature],
            (n_nodes * k, n_nodes),
            check_invariants=False,
        )
        gathered = torch.sparse.mm(operator, x).view(n_nodes, k * h_in)
        matrices = torch.cat(
            [
                self.nn.weight.t().reshape(k - 1, h_in, h_out),
                self.nn.bias.reshape(1, h_in, h_out),
            ]
        ).reshape(k * h_in, h_out)
        return gathered @ matrices + self.lin(x) + self.bias


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
        factorised: bool = True,
    ):
        super().__init__()
        self.steps = steps
        self.factorised = factorised
        self.embed = nn.Sequential(nn.Linear(node_features, hidden), nn.ReLU())
        self.conv = FactorisedNNConv(
            hidden, hidden, nn.Linear(edge_features, hidden * hidden), aggr="add"
        )
        self.gru = nn.GRU(hidden, hidden)
        self.readout = Set2Set(2 * hidden, processing_steps=set2set_steps)
        self.project = nn.Sequential(nn.Linear(4 * hidden, output_dim), nn.PReLU())
        self.output_dim = output_dim

    def forward(self, batch: Batch) -> torch.Tensor:
        h0 = self.embed(batch.x)
        h, state = h0, h0.unsqueeze(0)
        for _ in range(self.steps):
            if self.factorised:
                convolved = self.conv.factorised(h, batch.edge_index, batch.edge_attr)
            else:  # plain NNConv, the reference the factorised form is tested against
                convolved = self.conv(h, batch.edge_index, batch.edge_attr)
            message = torch.relu(convolved)
            out, state = self.gru(message.unsqueeze(0), state)
            h = out.squeeze(0)
        return self.project(self.readout(torch.cat([h0, h], dim=1), batch.batch))


def build_graph_encoder(settings: GraphSizes, factorised: bool = True) -> MPNNEncoder:
    """The MPNN for this project's molecule graphs from settings with `hidden`, `steps`,
    `set2set_steps` and `output_dim` (`reeval.settings.GraphEncoder`, `GraphBaseline`)."""
    return MPNNEncoder(
        N_ATOM_FEATURES,
        N_BOND_FEATURES,
        settings.hidden,
        settings.steps,
        settings.set2set_steps,
        settings.output_dim,
        factorised,
    )


class GraphSizes(Protocol):
    """What an MPNN's size is read from."""

    hidden: int
    steps: int
    set2set_steps: int
    output_dim: int


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
