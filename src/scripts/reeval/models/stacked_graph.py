"""Many graph regressors (MPNN encoder + head) evaluated at once, their weights stacked
along a leading model axis (as `reeval.models.stacked` does for the yield model).

A data set has a few dozen molecules, encoded in one collated graph batch at every step: the
node states of M models are (M, nodes, hidden), the bond-weighted neighbour sums of the
factorised NNConv are one sparse product for all models at once, and the GRU update, the
Set2Set readout (an LSTM with attention over each molecule's atoms) and the head run on
stacked weights with batched matrix products. `state_dict_of(m)` gives model m back in
`GraphRegressor`'s layout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch_geometric.utils import softmax as segment_softmax

from reeval.models.stacked import ModelStack, StackedDropout, prelu


def _linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None):
    """x (M, rows, in) with weight (M, out, in) [and bias (M, out)] -> (M, rows, out)."""
    if bias is None:
        return torch.bmm(x, weight.transpose(1, 2))
    return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))


def _stacked_parameters(states: list[dict[str, torch.Tensor]]) -> nn.ParameterDict:
    """The tensors of several state dicts of one layout, stacked along a new model axis."""
    template = {k: v.shape for k, v in states[0].items()}
    for state in states[1:]:
        if {k: v.shape for k, v in state.items()} != template:
            raise ValueError("every stacked model must have the same sizes")
    return nn.ParameterDict(
        {
            name.replace(".", "__"): nn.Parameter(
                torch.stack([s[name].detach().clone() for s in states])
            )
            for name in template
        }
    )


@dataclass(frozen=True)
class _EdgesByType:
    """A graph batch's edges sorted by their distinct bond-feature vector (`types`, U x F:
    8 in Buchwald-Hartwig): edges with the same bond features share NNConv's message
    matrix, so each type's messages are one matrix product, over its edges only (not one
    product per edge, nor one per bond feature over every node as
    `reeval.models.mpnn.FactorisedNNConv` computes the same messages)."""

    types: torch.Tensor  # U x F
    source: torch.Tensor  # edges, sorted by type
    target: torch.Tensor
    bounds: list[tuple[int, int]]  # each type's [start, stop) among the sorted edges

    @classmethod
    def of(cls, edge_index: torch.Tensor, edge_attr: torch.Tensor) -> _EdgesByType:
        types, kind = torch.unique(edge_attr, dim=0, return_inverse=True)
        order = torch.argsort(kind, stable=True)
        counts = torch.bincount(kind, minlength=types.shape[0]).tolist()
        stops = np.cumsum(counts).tolist()
        bounds = [(stop - count, stop) for stop, count in zip(stops, counts, strict=True)]
        return cls(types, edge_index[0][order], edge_index[1][order], bounds)


class StackedMPNN(ModelStack):
    """M `MPNNEncoder`s (reeval.models.mpnn) of one size, evaluated side by side.

    Args:
        encoders: the encoders to stack; their current weights become the stacked ones.

    Shapes: `forward(batch)` takes a collated graph batch of U molecules and gives
    (M, U, output_dim), every molecule under every encoder.
    """

    def __init__(self, encoders: Sequence[nn.Module]):
        super().__init__()
        first = encoders[0]
        self.n_models = len(encoders)
        self.steps = first.steps
        self.hidden = first.conv.out_channels
        self.set2set_steps = first.readout.processing_steps
        self.output_dim = first.output_dim
        self._names = list(first.state_dict())
        self.weights = _stacked_parameters([e.state_dict() for e in encoders])
        self._edges: tuple | None = None  # (the batch's key, its _EdgesByType)

    def p(self, name: str) -> torch.Tensor:
        return self.stacked(self.weights[name.replace(".", "__")])

    def state_dict_of(self, m: int) -> dict[str, torch.Tensor]:
        """Encoder m's weights in `MPNNEncoder.state_dict()` layout."""
        return {
            name: self.weights[name.replace(".", "__")][m].detach().clone() for name in self._names
        }

    def forward(self, batch) -> torch.Tensor:
        """(M, molecules, output_dim): every molecule of `batch` under every encoder."""
        m = self.n_models if self.selection is None else self.selection.numel()
        hidden = self.hidden
        x = batch.x.unsqueeze(0).expand(m, -1, -1)
        h0 = torch.relu(_linear(x, self.p("embed.0.weight"), self.p("embed.0.bias")))
        edges = self._edges_by_type(batch)
        # NNConv's message matrix W(e) = reshape(A e + b) of each distinct bond-feature
        # vector, for every model: (M, U, hidden_in, hidden_out)
        matrices = torch.baddbmm(
            self.p("conv.nn.bias").unsqueeze(1),
            edges.types.unsqueeze(0).expand(m, -1, -1),
            self.p("conv.nn.weight").transpose(1, 2),
        ).view(m, -1, hidden, hidden)
        h = h0
        for _ in range(self.steps):
            # each edge's message h_s W(e), one matrix product per bond type, summed at t
            sources = h[:, edges.source]  # M, edges, hidden
            messages = torch.cat(
                [
                    torch.bmm(sources[:, start:stop], matrices[:, u])
                    for u, (start, stop) in enumerate(edges.bounds)
                ],
                dim=1,
            )
            convolved = (
                h.new_zeros(h.shape).index_add_(1, edges.target, messages)
                + _linear(h, self.p("conv.lin.weight"))
                + self.p("conv.bias").unsqueeze(1)
            )
            h = self._gru(torch.relu(convolved), h)
        readout = self._set2set(torch.cat([h0, h], dim=2), batch.batch)
        projected = _linear(readout, self.p("project.0.weight"), self.p("project.0.bias"))
        return prelu(projected, self.p("project.1.weight"))

    def _edges_by_type(self, batch) -> _EdgesByType:
        """The batch's edges grouped by bond type (computed once per graph batch)."""
        key = (batch.edge_index.data_ptr(), batch.edge_attr.data_ptr(), batch.edge_attr.shape)
        if self._edges is None or self._edges[0] != key:
            self._edges = (key, _EdgesByType.of(batch.edge_index, batch.edge_attr))
        return self._edges[1]

    def _gru(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """One step of nn.GRU (gates r, z, n) per model."""
        gi = _linear(x, self.p("gru.weight_ih_l0"), self.p("gru.bias_ih_l0"))
        gh = _linear(h, self.p("gru.weight_hh_l0"), self.p("gru.bias_hh_l0"))
        i_r, i_z, i_n = gi.chunk(3, dim=2)
        h_r, h_z, h_n = gh.chunk(3, dim=2)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
        return (1 - z) * n + z * h

    def _set2set(self, x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        """torch_geometric's Set2Set per model: x (M, nodes, C), index (nodes,) -> (M, G, 2C)."""
        m, _, channels = x.shape
        graphs = int(index.max()) + 1
        h = x.new_zeros((m, graphs, channels))
        c = x.new_zeros((m, graphs, channels))
        q_star = x.new_zeros((m, graphs, 2 * channels))
        name = "readout.lstm"
        for _ in range(self.set2set_steps):
            gates = _linear(q_star, self.p(f"{name}.weight_ih_l0"), self.p(f"{name}.bias_ih_l0"))
            gates = gates + _linear(h, self.p(f"{name}.weight_hh_l0"), self.p(f"{name}.bias_hh_l0"))
            i, f, g, o = gates.chunk(4, dim=2)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            e = (x * h[:, index]).sum(dim=2)  # M, nodes
            a = segment_softmax(e.transpose(0, 1), index, num_nodes=graphs).transpose(0, 1)
            r = x.new_zeros((m, graphs, channels)).index_add_(1, index, a.unsqueeze(-1) * x)
            q_star = torch.cat([h, r], dim=2)
        return q_star


class StackedGraphRegressor(ModelStack):
    """M `GraphRegressor`s (reeval.baselines.neural) of one size, trained side by side: a
    `StackedMPNN` and the regression heads on stacked weights.

    Args:
        models: the regressors to stack; their current weights become the stacked ones.

    Shapes: `forward(graphs, index, dropout)` takes the molecule graphs of the data set
    (`MoleculeGraphs`) and row indices (M, B), one batch of reactions per model; it gives
    mu (M, B) and log sigma^2 (M, B) or None.
    """

    def __init__(self, models: Sequence[nn.Module]):
        super().__init__()
        first = models[0]
        self.n_models = len(models)
        # the encoder first: its parameters come before the head's, as in GraphRegressor
        self.encoder = StackedMPNN([m.encoder for m in models])
        self.variance = first.variance
        self.dropout = first.head[2].p
        self.dropout_widths = [first.head[0].out_features] * 2 if self.dropout > 0 else []
        self._head_names = list(first.head.state_dict())
        self.head = _stacked_parameters([m.head.state_dict() for m in models])

    def p(self, name: str) -> torch.Tensor:
        return self.stacked(self.head[name.removeprefix("head.").replace(".", "__")])

    def state_dict_of(self, m: int) -> dict[str, torch.Tensor]:
        """Model m's weights in `GraphRegressor.state_dict()` layout."""
        encoder = {f"encoder.{k}": v for k, v in self.encoder.state_dict_of(m).items()}
        return encoder | {
            f"head.{name}": self.head[name.replace(".", "__")][m].detach().clone()
            for name in self._head_names
        }

    def forward(
        self, graphs, index: torch.Tensor, dropout: StackedDropout | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(mu, log sigma^2 or None), each (M, B), in standardised yield units."""
        drop = dropout if dropout is not None else (lambda x, p: x)
        molecules = self.encoder(graphs.batch)  # M, U, D
        embedding = torch.cat(
            [
                torch.bmm(graphs.reactants[index], molecules),
                torch.bmm(graphs.products[index], molecules),
            ],
            dim=2,
        )
        h = drop(
            torch.relu(_linear(embedding, self.p("head.0.weight"), self.p("head.0.bias"))),
            self.dropout,
        )
        h = drop(
            torch.relu(_linear(h, self.p("head.3.weight"), self.p("head.3.bias"))), self.dropout
        )
        out = _linear(h, self.p("head.6.weight"), self.p("head.6.bias"))
        return out[..., 0], (out[..., 1] if self.variance else None)
