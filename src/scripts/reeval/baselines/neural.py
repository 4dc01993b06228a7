"""Neural baselines trained end to end: a SMILES transformer regressor (Yield-BERT-like,
from scratch: no pretrained weights can be had offline), the graph encoder with a
regression head, and the latter with MC dropout and a variance head (Kwon et al. 2022)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import torch
from torch import nn

from reeval.baselines.registry import Baseline
from reeval.featurize.graphs import N_ATOM_FEATURES, N_BOND_FEATURES
from reeval.featurize.store import load_graph_cache, load_molecules
from reeval.featurize.tokens import Vocabulary
from reeval.models.losses import heteroscedastic_loss
from reeval.models.mpnn import MPNNEncoder, reaction_embeddings
from reeval.models.smiles_transformer import SmilesTransformer
from reeval.training.loop import train_with_early_stopping
from reeval.training.pretrain import ReactionCorpus
from reeval.training.runtime import seed_everything, set_threads
from reeval.training.supervised import Standardiser, split_validation


def regression_head(dim_in: int, hidden: int, dropout: float, outputs: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(dim_in, hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, outputs),
    )


class SmilesRegressor(nn.Module):
    def __init__(self, encoder: SmilesTransformer, hidden: int, dropout: float):
        super().__init__()
        self.encoder = encoder
        self.head = regression_head(encoder.output_dim, hidden, dropout, 1)

    def forward(self, corpus: ReactionCorpus, rows, vocab: Vocabulary, max_tokens: int):
        device = self.head[0].weight.device
        ids, padding = vocab.pad([corpus.tokens[r] for r in rows], max_tokens)
        return self.head(self.encoder(ids.to(device), padding.to(device))).squeeze(1), None


class GraphRegressor(nn.Module):
    """MPNN reaction embedding -> MLP -> mu (and log sigma^2 with a variance head)."""

    def __init__(self, encoder: MPNNEncoder, hidden: int, dropout: float, variance: bool):
        super().__init__()
        self.encoder = encoder
        self.variance = variance
        self.head = regression_head(2 * encoder.output_dim, hidden, dropout, 2 if variance else 1)

    def forward(self, corpus: ReactionCorpus, rows, vocab=None, max_tokens=None):
        batch, reactants, products = corpus.graph_batch(list(rows), self.head[0].weight.device)
        out = self.head(reaction_embeddings(self.encoder(batch), reactants, products))
        return out[:, 0], (out[:, 1] if self.variance else None)


def fit_end_to_end(
    model: nn.Module,
    corpus: ReactionCorpus,
    vocab: Vocabulary | None,
    max_tokens: int | None,
    yields: torch.Tensor,
    train_rows: np.ndarray,
    cfg: dict,
    generator: torch.Generator,
    progress: bool = True,
):
    """Standardise yields on the fit rows, train with early stopping; returns (history,
    best epoch, yield standardiser)."""
    fit_rows, val_rows = split_validation(train_rows, cfg["validation_fraction"], generator)
    scale = Standardiser.fit(yields[fit_rows].unsqueeze(1))
    y = scale(yields.unsqueeze(1)).squeeze(1)

    def batch_loss(rows: np.ndarray) -> torch.Tensor:
        mu, log_var = model(corpus, rows, vocab, max_tokens)
        if log_var is None:
            return ((mu - y[rows]) ** 2).mean()
        return heteroscedastic_loss(y[rows], mu, log_var)

    def validation_mse() -> float:
        if len(val_rows) == 0:
            return float("nan")
        mus = [
            model(corpus, val_rows[s : s + 256], vocab, max_tokens)[0]
            for s in range(0, len(val_rows), 256)
        ]
        return float(((torch.cat(mus) - y[val_rows]) ** 2).mean())

    history, best_epoch = train_with_early_stopping(
        model, batch_loss, validation_mse, fit_rows, cfg, generator, progress
    )
    return history, best_epoch, scale


@torch.no_grad()
def predict_end_to_end(
    model: nn.Module,
    corpus: ReactionCorpus,
    vocab,
    max_tokens,
    rows: np.ndarray,
    scale: Standardiser,
    mc_samples: int = 0,
    generator: torch.Generator | None = None,
) -> dict[str, np.ndarray]:
    """mu in %; with mc_samples > 0, dropout stays on and sigma combines the aleatoric
    variance (mean of the predicted variances) and the epistemic one (variance of mu)."""
    model.eval()
    if mc_samples:
        for module in model.modules():
            if isinstance(module, nn.Dropout):
                module.train()
        if generator is not None:
            torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
    passes = max(1, mc_samples)
    mus, variances = [], []
    for _ in range(passes):
        mu_parts, var_parts = [], []
        for s in range(0, len(rows), 256):
            mu, log_var = model(corpus, rows[s : s + 256], vocab, max_tokens)
            mu_parts.append(mu)
            if log_var is not None:
                var_parts.append(torch.exp(log_var))
        mus.append(torch.cat(mu_parts))
        if var_parts:
            variances.append(torch.cat(var_parts))
    std, shift = scale.std.item(), scale.mean.item()
    mu_stack = torch.stack(mus).cpu()
    out = {"mu": (mu_stack.mean(0) * std + shift).numpy()}
    if variances:
        aleatoric = torch.stack(variances).cpu().mean(0) * std**2
        epistemic = mu_stack.var(0, unbiased=False) * std**2
        out |= {
            "sigma": torch.sqrt(aleatoric + epistemic).numpy(),
            "sigma_aleatoric": torch.sqrt(aleatoric).numpy(),
            "sigma_epistemic": torch.sqrt(epistemic).numpy(),
        }
    model.eval()
    return out


def run_neural(
    spec: Baseline,
    reactions: pl.DataFrame,
    feature_dir: Path,
    yields: np.ndarray,
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    cfg: dict,
    seed: int,
    threads: int,
    progress: bool = True,
    device: torch.device | str = "cpu",
) -> tuple[dict[str, np.ndarray], dict]:
    """Train the sequence or graph baseline end to end: (mu, sigma[, parts]; run facts)."""
    set_threads(threads)
    generator = seed_everything(seed)
    texts = reactions["rxn_smiles"].to_list()
    # the vocabulary comes from the training reactions; others' unseen tokens become [UNK]
    vocab = Vocabulary.build([texts[i] for i in train_rows])
    corpus = ReactionCorpus(
        load_molecules(feature_dir), load_graph_cache(feature_dir), [vocab.encode(t) for t in texts]
    )
    if spec.kind == "sequence":
        c = cfg["smiles_transformer"]
        encoder = SmilesTransformer(
            len(vocab),
            c["embed_dim"],
            c["heads"],
            c["layers"],
            c["output_dim"],
            c["max_tokens"],
            c["dropout"],
        )
        model = SmilesRegressor(encoder, c["head_hidden"], c["dropout"])
        max_tokens, mc = c["max_tokens"], 0
    else:
        c = cfg["mpnn"]
        encoder = MPNNEncoder(
            N_ATOM_FEATURES,
            N_BOND_FEATURES,
            c["hidden"],
            c["steps"],
            c["set2set_steps"],
            c["output_dim"],
        )
        model = GraphRegressor(encoder, c["head_hidden"], c["dropout"], spec.predicts_sigma)
        max_tokens, mc = None, (c["mc_samples"] if spec.predicts_sigma else 0)
    model.to(device)
    y = torch.tensor(yields, dtype=torch.float32, device=device)
    history, best_epoch, scale = fit_end_to_end(
        model, corpus, vocab, max_tokens, y, train_rows, c, generator, progress
    )
    out = predict_end_to_end(model, corpus, vocab, max_tokens, test_rows, scale, mc, generator)
    return out, {"best_epoch": best_epoch, "epochs_run": len(history), "device": str(device)}
