"""SMILES encoder: token + learned positional embedding, a transformer encoder, layer norm,
and first-token pooling through a linear layer."""

from __future__ import annotations

import torch
from torch import nn


class SmilesTransformer(nn.Module):
    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        heads: int,
        layers: int,
        output_dim: int,
        max_tokens: int,
        dropout: float = 0.1,
    ):
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.positions = nn.Parameter(torch.zeros(max_tokens, embed_dim))
        layer = nn.TransformerEncoderLayer(
            embed_dim,
            heads,
            dim_feedforward=4 * embed_dim,
            dropout=dropout,
            activation="gelu",
            batch_first=True,
        )
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(embed_dim)
        self.pool = nn.Linear(embed_dim, output_dim)
        self.output_dim = output_dim
        nn.init.normal_(self.tokens.weight, std=0.02)
        nn.init.normal_(self.positions, std=0.01)

    def forward(self, ids: torch.Tensor, padding: torch.Tensor) -> torch.Tensor:
        """ids (batch, length) starting with the [CLS] token; padding is True on pad tokens."""
        x = self.tokens(ids) + self.positions[: ids.shape[1]]
        x = self.norm(self.encoder(x, src_key_padding_mask=padding))
        return self.pool(x[:, 0])
