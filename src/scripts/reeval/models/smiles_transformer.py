"""SMILES encoder: token + learned positional embedding, a transformer encoder, layer norm,
and first-token pooling through a linear layer.

Dropout acts on the residual and feed-forward paths, not on the attention weights: on CPU
attention-weight dropout forces the unfused attention kernel, 4-5x slower per layer
(measured with torch 2.13 at batch 128, 256 tokens)."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.checkpoint import checkpoint


class SmilesTransformer(nn.Module):
    """The SMILES encoder of Chen et al. (2024): a transformer encoder over atom-level
    tokens, pooled at the first ([CLS]) token.

    Args:
        vocab_size: tokens of the vocabulary (`reeval.featurize.tokens.Vocabulary`).
        embed_dim, heads, layers: the transformer's width, attention heads and depth (the
            feed-forward width is 4 x embed_dim).
        output_dim: width of the pooled output.
        max_tokens: longest input (learned positions).
        dropout: on the residual and feed-forward paths (see the module docstring).
        checkpoint_layers: recompute activations in the backward pass (memory for time).

    Shapes: ids (B, L) and padding (B, L), True on padding -> (B, output_dim).
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        heads: int,
        layers: int,
        output_dim: int,
        max_tokens: int,
        dropout: float = 0.1,
        checkpoint_layers: bool = False,
    ):
        super().__init__()
        self.tokens = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.positions = nn.Parameter(torch.zeros(max_tokens, embed_dim))
        self.layers = nn.ModuleList(
            nn.TransformerEncoderLayer(
                embed_dim,
                heads,
                dim_feedforward=4 * embed_dim,
                dropout=dropout,
                activation="gelu",
                batch_first=True,
            )
            for _ in range(layers)
        )
        for layer in self.layers:
            layer.self_attn.dropout = 0.0  # see the module docstring
        self.norm = nn.LayerNorm(embed_dim)
        self.pool = nn.Linear(embed_dim, output_dim)
        self.output_dim = output_dim
        # recompute each layer's activations in the backward pass instead of storing them:
        # about a third more compute, a fraction of the memory (the paper-size profile)
        self.checkpoint_layers = checkpoint_layers
        nn.init.normal_(self.tokens.weight, std=0.02)
        nn.init.normal_(self.positions, std=0.01)

    def forward(self, ids: torch.Tensor, padding: torch.Tensor) -> torch.Tensor:
        """ids (batch, length) starting with the [CLS] token; padding is True on pad tokens."""
        x = self.tokens(ids) + self.positions[: ids.shape[1]]
        for layer in self.layers:
            if self.checkpoint_layers and self.training and torch.is_grad_enabled():
                x = checkpoint(layer, x, None, padding, use_reentrant=False)
            else:
                x = layer(x, src_key_padding_mask=padding)
        return self.pool(self.norm(x)[:, 0])
