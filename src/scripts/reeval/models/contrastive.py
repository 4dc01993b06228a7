"""Contrastive (CLIP) pretraining of the graph and SMILES encoders on reactions without yields."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from reeval.models.mpnn import MPNNEncoder
from reeval.models.smiles_transformer import SmilesTransformer


def clip_loss(a: torch.Tensor, b: torch.Tensor, logit_scale: torch.Tensor) -> torch.Tensor:
    """Symmetric InfoNCE: row i of `a` should match row i of `b` among all rows, both ways."""
    a = F.normalize(a, dim=1)
    b = F.normalize(b, dim=1)
    logits = logit_scale * a @ b.T
    target = torch.arange(a.shape[0], device=a.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


class ContrastiveModel(nn.Module):
    """Both encoders with projection heads into a shared space and a temperature."""

    def __init__(
        self,
        graph_encoder: MPNNEncoder,
        smiles_encoder: SmilesTransformer,
        projection_dim: int,
        temperature: float,
        learn_temperature: bool,
    ):
        super().__init__()
        self.graph_encoder = graph_encoder
        self.smiles_encoder = smiles_encoder
        self.graph_projection = nn.Linear(2 * graph_encoder.output_dim, projection_dim)
        self.smiles_projection = nn.Linear(smiles_encoder.output_dim, projection_dim)
        scale = torch.tensor(math.log(1.0 / temperature))
        if learn_temperature:
            self.log_scale = nn.Parameter(scale)
        else:
            self.register_buffer("log_scale", scale)

    def loss(
        self, reaction_graph_embeddings: torch.Tensor, smiles_embeddings: torch.Tensor
    ) -> torch.Tensor:
        # the clamp keeps the learned temperature above 0.01 (CLIP's bound)
        scale = self.log_scale.clamp(max=math.log(100.0)).exp()
        return clip_loss(
            self.graph_projection(reaction_graph_embeddings),
            self.smiles_projection(smiles_embeddings),
            scale,
        )
