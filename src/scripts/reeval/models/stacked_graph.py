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

import torch
from torch import nn
from torch_geometric.utils import softmax as segment_softmax

from reeval.models.stacked import StackedDropout, prelu


def _linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None):
    """x (M, rows, in) with weight (M, out, in) [and bias (M, out)] -> (M, rows, out)."""
    if bias is None:
        return torch.bmm(x, weight.transpose(1, 2))
    return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))


class StackedGraphRegressor(nn.Module):
    """M `GraphRegressor`s (reeval.baselines.neural) of one size, trained side by side.

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
        self._template = {k: v.shape for k, v in first.state_dict().items()}
        states = [m.state_dict() for m in models]
        for state in states[1:]:
            if {k: v.shape for k, v in state.items()} != self._template:
                raise ValueError("every stacked model must have the same sizes")
        encoder = first.encoder
        self.steps = encoder.steps
        self.hidden = encoder.conv.out_channels
        self.set2set_steps = encoder.readout.processing_steps
        self.variance = first.variance
        self.dropout = first.head[2].p
        self.dropout_widths = [first.head[0].out_features] * 2 if self.dropout > 0 else []
        self.weights = nn.ParameterDict(
            {
                name.replace(".", "__"): nn.Parameter(
                    torch.stack([s[name].detach().clone() for s in states])
                )
                for name in self._template
            }
        )

    def p(self, name: str) -> torch.Tensor:
        return self.weights[name.replace(".", "__")]

    def state_dict_of(self, m: int) -> dict[str, torch.Tensor]:
        """Model m's weights in `GraphRegressor.state_dict()` layout."""
        return {name: self.p(name)[m].detach().clone() for name in self._template}

    # -- the encoder ------------------------------------------------------------------------

    def encode(self, batch) -> torch.Tensor:
        """(M, molecules, output_dim): every molecule of `batch` under every model."""
        m, hidden = self.n_models, self.hidden
        x = batch.x.unsqueeze(0).expand(m, -1, -1)
        h0 = torch.relu(
            _linear(x, self.p("encoder.embed.0.weight"), self.p("encoder.embed.0.bias"))
        )
        operator, k = self._operator(batch)
        matrices = torch.cat(
            [
                self.p("encoder.conv.nn.weight").transpose(1, 2).reshape(m, k - 1, hidden, hidden),
                self.p("encoder.conv.nn.bias").reshape(m, 1, hidden, hidden),
            ],
            dim=1,
        ).reshape(m, k * hidden, hidden)
        h = h0
        for _ in range(self.steps):
            n_nodes = h.shape[1]
            # sum over the edges s -> t of e_f(s, t) h_s, for every feature f and model
            gathered = torch.sparse.mm(operator, h.permute(1, 0, 2).reshape(n_nodes, m * hidden))
            gathered = gathered.view(n_nodes, k, m, hidden).permute(2, 0, 1, 3)
            convolved = (
                torch.bmm(gathered.reshape(m, n_nodes, k * hidden), matrices)
                + _linear(h, self.p("encoder.conv.lin.weight"))
                + self.p("encoder.conv.bias").unsqueeze(1)
            )
            h = self._gru(torch.relu(convolved), h)
        readout = self._set2set(torch.cat([h0, h], dim=2), batch.batch)
        projected = _linear(
            readout, self.p("encoder.project.0.weight"), self.p("encoder.project.0.bias")
        )
        return prelu(projected, self.p("encoder.project.1.weight"))

    @staticmethod
    def _operator(batch) -> tuple[torch.Tensor, int]:
        """The sparse (nodes * K, nodes) operator of the factorised NNConv (K = bond features
        + 1), as in `reeval.models.mpnn.FactorisedNNConv.factorised`."""
        edge_attr = batch.edge_attr
        mixing = torch.cat([edge_attr, edge_attr.new_ones((edge_attr.shape[0], 1))], dim=1)
        k = mixing.shape[1]
        edge, feature = mixing.nonzero(as_tuple=True)
        source, target = batch.edge_index
        n_nodes = batch.x.shape[0]
        operator = torch.sparse_coo_tensor(
            torch.stack([target[edge] * k + feature, source[edge]]),
            mixing[edge, feature],
            (n_nodes * k, n_nodes),
            check_invariants=False,
        )
        return operator, k

    def _gru(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """One step of nn.GRU (gates r, z, n) per model."""
        gi = _linear(x, self.p("encoder.gru.weight_ih_l0"), self.p("encoder.gru.bias_ih_l0"))
        gh = _linear(h, self.p("encoder.gru.weight_hh_l0"), self.p("encoder.gru.bias_hh_l0"))
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
        name = "encoder.readout.lstm"
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

    # -- the regressor --------------------------------------------------------------------

    def forward(
        self, graphs, index: torch.Tensor, dropout: StackedDropout | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(mu, log sigma^2 or None), each (M, B), in standardised yield units."""
        drop = dropout if dropout is not None else (lambda x, p: x)
        molecules = self.encode(graphs.batch)  # M, U, D
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
