"""Chen et al.'s model in the regime of the authors' released code: the graph encoder (and,
where the profile asks, the SMILES encoder) trained together with the human-feature encoder
and the head, from random weights, with no contrastive pretraining loaded.

A data set has a few dozen distinct molecules (51 in Buchwald-Hartwig, 43 in
Suzuki-Miyaura): every step encodes each of them once (`MoleculeGraphs`), and a reaction's
graph embedding is [sum of its reactants | sum of its products], a product of its molecule
counts with the molecule embeddings, as in the frozen regime's cached embeddings.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from reeval.featurize.graphs import MoleculeGraphs
from reeval.models.mpnn import MPNNEncoder
from reeval.models.multimodal import YieldModel
from reeval.models.smiles_transformer import SmilesTransformer
from reeval.models.stacked import StackedDropout, StackedYieldModel
from reeval.models.stacked_graph import StackedMPNN


class EndToEndYieldModel(nn.Module):
    """The multimodal yield model with its graph encoder (and optionally its SMILES encoder)
    trained end to end, as the released code of Chen et al. (2024, AAAI 38:8274) trains it.

    Args:
        graph_encoder: the MPNN (`MPNNEncoder`); its reaction embedding (2 x output_dim)
            takes the place of the cached graph embedding.
        yield_model: the human-feature encoder, fusion and head (`YieldModel`), built with
            graph_dim = 2 x graph_encoder.output_dim.
        smiles_encoder: the SMILES transformer, trained end to end; None to feed the
            cached (frozen) SMILES embedding instead.

    Shapes: `forward(graphs, rows, human, smiles=None, tokens=None)` with rows (B,), human
    (B, human_dim), the cached smiles (B, smiles_dim) or tokens = (ids, padding), each
    (B, L) -> mu (B,), log sigma^2 (B,) or None, auxiliary loss ().
    """

    def __init__(
        self,
        graph_encoder: MPNNEncoder,
        yield_model: YieldModel,
        smiles_encoder: SmilesTransformer | None = None,
    ):
        super().__init__()
        self.graph_encoder = graph_encoder
        self.yield_model = yield_model
        self.smiles_encoder = smiles_encoder
        self.variant = yield_model.variant

    def forward(
        self,
        graphs: MoleculeGraphs,
        rows: torch.Tensor,
        human: torch.Tensor,
        smiles: torch.Tensor | None = None,
        tokens: tuple[torch.Tensor, torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        molecules = self.graph_encoder(graphs.batch)
        graph = torch.cat(
            [graphs.reactants[rows] @ molecules, graphs.products[rows] @ molecules], dim=1
        )
        if self.smiles_encoder is not None:
            if tokens is None:
                raise ValueError("the SMILES encoder is trained end to end: pass the tokens")
            smiles = self.smiles_encoder(*tokens)
        if smiles is None:
            smiles = graph.new_zeros((len(rows), 0))
        return self.yield_model(graph, smiles, human)


class StackedEndToEndYieldModel(nn.Module):
    """M `EndToEndYieldModel`s without a SMILES encoder, trained side by side: a
    `StackedMPNN` under a `StackedYieldModel`.

    Args:
        models: the models to stack (one variant and size; their current weights become the
            stacked ones).
        live_columns: the human-feature columns that are non-zero somewhere (see
            `StackedYieldModel`).

    Shapes: `forward(graphs, index, smiles, human, row_mask, dropout)` with row indices
    index (M, B), the cached smiles (M, B, smiles_dim) or None and human (M, B, ...) ->
    mu (M, B), log sigma^2 (M, B) or None, auxiliary loss (M,).
    """

    def __init__(
        self, models: Sequence[EndToEndYieldModel], live_columns: torch.Tensor | None = None
    ):
        super().__init__()
        if any(m.smiles_encoder is not None for m in models):
            raise ValueError("the stacked engine trains the graph encoder only end to end")
        # the encoder first: its parameters come before the others', as in the one model
        self.graph_encoder = StackedMPNN([m.graph_encoder for m in models])
        self.yield_model = StackedYieldModel([m.yield_model for m in models], live_columns)
        self.variant = self.yield_model.variant
        self.n_models = len(models)
        self.dropout_widths = self.yield_model.dropout_widths

    def decay_frozen(self, factors: torch.Tensor) -> None:
        self.yield_model.decay_frozen(factors)

    def state_dict_of(self, m: int) -> dict[str, torch.Tensor]:
        """Model m's weights in `EndToEndYieldModel.state_dict()` layout."""
        parts = {
            "graph_encoder": self.graph_encoder.state_dict_of(m),
            "yield_model": self.yield_model.state_dict_of(m),
        }
        return {f"{part}.{k}": v for part, state in parts.items() for k, v in state.items()}

    def forward(
        self,
        graphs: MoleculeGraphs,
        index: torch.Tensor,
        smiles: torch.Tensor | None,
        human,
        row_mask: torch.Tensor,
        dropout: StackedDropout | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        molecules = self.graph_encoder(graphs.batch)  # M, molecules, D
        graph = torch.cat(
            [
                torch.bmm(graphs.reactants[index], molecules),
                torch.bmm(graphs.products[index], molecules),
            ],
            dim=2,
        )
        return self.yield_model(graph, smiles, human, row_mask, dropout)
