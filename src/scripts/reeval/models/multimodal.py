"""The supervised yield model on cached encoder embeddings: a human-feature encoder (MoE or
MLP), concatenation fusion, and a head that predicts (mu, log sigma^2) or mu alone."""

from __future__ import annotations

import torch
from torch import nn

from reeval.models.mlp import mlp
from reeval.models.moe import MixtureOfExperts
from reeval.models.variants import Variant
from reeval.settings import Head, HumanEncoder


class HumanFeatureEncoder(nn.Module):
    """Linear -> [MoE block (residual) or MLP block] x layers -> linear output."""

    def __init__(
        self,
        dim_in: int,
        hidden: int,
        output_dim: int,
        layers: int,
        use_moe: bool,
        experts: int,
        top_k: int,
        dropout: float,
    ):
        super().__init__()
        self.input = nn.Sequential(
            nn.Linear(dim_in, hidden), nn.LayerNorm(hidden), nn.ReLU(), nn.Dropout(dropout)
        )
        if use_moe:
            self.blocks = nn.ModuleList(
                MixtureOfExperts(hidden, hidden, experts, top_k) for _ in range(layers)
            )
        else:
            self.blocks = nn.ModuleList(
                nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, hidden))
                for _ in range(layers)
            )
        self.norms = nn.ModuleList(nn.LayerNorm(hidden) for _ in range(layers))
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden, output_dim)
        self.use_moe = use_moe

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.input(x)
        aux = h.new_zeros(())
        for block, norm in zip(self.blocks, self.norms, strict=True):
            if self.use_moe:
                update, block_aux = block(h)
                aux = aux + block_aux
            else:
                update = block(h)
            h = self.dropout(torch.relu(norm(h + update)))
        return self.output(h), aux


class YieldModel(nn.Module):
    """The multimodal, uncertainty-aware yield model of Chen et al. (2024, AAAI 38:8274) on
    cached encoder embeddings: concatenation fusion of the frozen graph and SMILES
    embeddings with the encoded human features, and a head that predicts the mean and the log
    variance of the (standardised) yield, trained with the heteroscedastic loss.

    Args:
        variant: which modalities, which human-feature encoder (MoE or MLP) and which head
            (mu and log sigma^2, or mu alone) the model has (`reeval.models.variants`).
        graph_dim, smiles_dim, human_dim: widths of the three inputs.
        human_encoder: the human-feature encoder's sizes (yield_model.human_encoder).
        head: the head's width and dropout (yield_model.head).

    Shapes: graph (B, graph_dim), smiles (B, smiles_dim), human (B, human_dim) ->
    mu (B,), log sigma^2 (B,) or None, auxiliary loss ().
    """

    def __init__(
        self,
        variant: Variant,
        graph_dim: int,
        smiles_dim: int,
        human_dim: int,
        human_encoder: HumanEncoder,
        head: Head,
    ):
        super().__init__()
        self.variant = variant
        self.human_encoder = (
            HumanFeatureEncoder(
                human_dim,
                human_encoder.hidden,
                human_encoder.output_dim,
                human_encoder.layers,
                variant.moe,
                human_encoder.experts,
                human_encoder.top_k,
                human_encoder.dropout,
            )
            if variant.human
            else None
        )
        fused = (
            (graph_dim if variant.graph else 0)
            + (smiles_dim if variant.smiles else 0)
            + (human_encoder.output_dim if variant.human else 0)
        )
        if fused == 0:
            raise ValueError(f"variant {variant.name!r} uses no modality")
        hidden, dropout = head.hidden, head.dropout
        self.head = mlp(
            [fused, hidden, hidden], dropout, nn.PReLU, outputs=2 if variant.uncertainty else 1
        )

    def forward(
        self, graph: torch.Tensor, smiles: torch.Tensor, human: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """(mu, log sigma^2 or None, auxiliary loss), all in standardised yield units."""
        parts, aux = [], graph.new_zeros(())
        if self.variant.graph:
            parts.append(graph)
        if self.variant.smiles:
            parts.append(smiles)
        if self.human_encoder is not None:
            encoded, aux = self.human_encoder(human)
            parts.append(encoded)
        out = self.head(torch.cat(parts, dim=1))
        log_var = out[:, 1] if self.variant.uncertainty else None
        return out[:, 0], log_var, aux
