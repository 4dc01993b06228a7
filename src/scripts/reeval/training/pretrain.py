"""Contrastive pretraining of both encoders on reaction SMILES (no yields), then the
embeddings of every reaction, computed once with the frozen encoders."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch_geometric.data import Batch, Data
from tqdm import tqdm

from reeval.featurize.molecules import ReactionMolecules
from reeval.featurize.tokens import Vocabulary
from reeval.models.contrastive import ContrastiveModel
from reeval.models.mpnn import MPNNEncoder, build_graph_encoder, reaction_embeddings
from reeval.models.smiles_transformer import SmilesTransformer
from reeval.settings import GraphEncoder, Pretraining, SmilesEncoder
from reeval.training.runtime import adamw, optimisation_step


@dataclass(frozen=True)
class ReactionCorpus:
    """Reactions as molecule graphs (indexed by `molecules`) and as token ids."""

    molecules: ReactionMolecules
    graphs: list[Data]
    tokens: list[list[int]]

    def __len__(self) -> int:
        return len(self.tokens)

    def graph_batch(self, rows: list[int], device: torch.device) -> tuple[Batch, list, list]:
        """The unique molecules of these reactions as one batch, and their local indices."""
        reactants = [self.molecules.reactants[r] for r in rows]
        products = [self.molecules.products[r] for r in rows]
        unique = sorted({m for group in reactants + products for m in group})
        local = {m: i for i, m in enumerate(unique)}
        batch = Batch.from_data_list([self.graphs[m] for m in unique]).to(device)
        return batch, _remap(reactants, local), _remap(products, local)


def _remap(groups: list[list[int]], local: dict[int, int]) -> list[list[int]]:
    return [[local[m] for m in group] for group in groups]


def build_encoders(
    graph: GraphEncoder, smiles: SmilesEncoder, vocab_size: int, factorised: bool = True
) -> tuple[MPNNEncoder, SmilesTransformer]:
    """Both encoders from their settings, the graph encoder first (one seeded stream)."""
    graph_encoder = build_graph_encoder(graph, factorised)
    smiles_encoder = SmilesTransformer(
        vocab_size,
        smiles.embed_dim,
        smiles.heads,
        smiles.layers,
        smiles.output_dim,
        smiles.max_tokens,
        smiles.dropout,
        smiles.checkpoint_layers,
    )
    return graph_encoder, smiles_encoder


def encode_batch(
    model: ContrastiveModel,
    corpus: ReactionCorpus,
    rows: list[int],
    max_tokens: int,
    vocab: Vocabulary,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(reaction graph embeddings, SMILES embeddings) of the reactions `rows`."""
    batch, reactants, products = corpus.graph_batch(rows, device)
    graph = reaction_embeddings(model.graph_encoder(batch), reactants, products)
    ids, padding = vocab.pad([corpus.tokens[r] for r in rows], max_tokens)
    smiles = model.smiles_encoder(ids.to(device), padding.to(device))
    return graph, smiles


def pretrain(
    model: ContrastiveModel,
    corpus: ReactionCorpus,
    vocab: Vocabulary,
    cfg: Pretraining,
    max_tokens: int,
    generator: torch.Generator,
    device: torch.device,
    validation_fraction: float = 0.1,
) -> list[dict]:
    """CLIP training for `cfg.epochs` epochs; returns the per-epoch history."""
    model.to(device)
    order = torch.randperm(len(corpus), generator=generator).tolist()
    n_val = max(1, round(validation_fraction * len(corpus)))
    val_rows, fit_rows = order[:n_val], order[n_val:]
    optimizer = adamw(model, cfg.lr, cfg.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=cfg.epochs)
    history = []
    for epoch in tqdm(range(cfg.epochs), desc="pretrain", mininterval=10):
        model.train()
        shuffled = [fit_rows[i] for i in torch.randperm(len(fit_rows), generator=generator)]
        losses = []
        for start in range(0, len(shuffled), cfg.batch_size):
            rows = shuffled[start : start + cfg.batch_size]
            if len(rows) < 2:
                continue  # a contrastive loss needs negatives
            loss = model.loss(*encode_batch(model, corpus, rows, max_tokens, vocab, device))
            losses.append(
                optimisation_step(optimizer, loss, cfg.grad_clip, f"pretraining epoch {epoch + 1}")
            )
        schedule.step()
        history.append(
            {
                "epoch": epoch + 1,
                "train_loss": float(np.mean(losses)),
                "validation_loss": validation_loss(
                    model, corpus, vocab, val_rows, cfg.batch_size, max_tokens, device
                ),
            }
        )
    return history


@torch.no_grad()
def validation_loss(model, corpus, vocab, rows, batch_size, max_tokens, device) -> float:
    model.eval()
    losses = [
        model.loss(
            *encode_batch(model, corpus, rows[s : s + batch_size], max_tokens, vocab, device)
        ).item()
        for s in range(0, len(rows), batch_size)
        if len(rows[s : s + batch_size]) > 1
    ]
    return float(np.mean(losses)) if losses else float("nan")


@torch.no_grad()
def embed_reactions(
    graph_encoder: MPNNEncoder,
    smiles_encoder: SmilesTransformer,
    corpus: ReactionCorpus,
    vocab: Vocabulary,
    max_tokens: int,
    device: torch.device,
    batch_size: int = 64,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Frozen-encoder embeddings of every reaction: each molecule is encoded exactly once."""
    graph_encoder.eval().to(device)
    smiles_encoder.eval().to(device)
    everything = Batch.from_data_list(corpus.graphs).to(device)
    molecules = graph_encoder(everything)
    graph = reaction_embeddings(molecules, corpus.molecules.reactants, corpus.molecules.products)
    smiles = [
        smiles_encoder(
            *(t.to(device) for t in vocab.pad(corpus.tokens[s : s + batch_size], max_tokens))
        )
        for s in range(0, len(corpus), batch_size)
    ]
    return graph.cpu(), torch.cat(smiles).cpu()
