"""Neural baselines trained end to end on molecular graphs: the graph encoder with a
regression head (an MPNN, Gilmer et al. 2017), and the same with MC dropout and a variance
head (Kwon et al. 2022).

A data set has a few dozen distinct molecules (51 in Buchwald-Hartwig, 43 in
Suzuki-Miyaura), so every step encodes each of them once, from one graph batch collated
before training, and a reaction's embedding is a sum of its molecules' rows (a product with
the reaction's molecule counts)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import torch
from torch import nn

from reeval.baselines.registry import Baseline
from reeval.featurize.graphs import MoleculeGraphs
from reeval.models.losses import heteroscedastic_loss
from reeval.models.mlp import mlp
from reeval.models.mpnn import MPNNEncoder, build_graph_encoder
from reeval.settings import GraphBaseline, Optimisation
from reeval.training.batched import RunSpec
from reeval.training.inputs import load_graphs
from reeval.training.loop import train_with_early_stopping
from reeval.training.supervised import Standardiser, split_validation


class GraphRegressor(nn.Module):
    """MPNN reaction embedding [sum of reactants | sum of products] -> MLP -> mu (and
    log sigma^2 with a variance head).

    Args:
        encoder: the molecule encoder (`MPNNEncoder`).
        hidden: width of the regression head's two hidden layers.
        dropout: dropout of the head (kept on at prediction for MC dropout).
        variance: predict log sigma^2 beside mu (Kwon et al. 2022).

    Shapes: `forward(graphs, rows)` gives mu (len(rows),) and log sigma^2 or None.
    """

    def __init__(self, encoder: MPNNEncoder, hidden: int, dropout: float, variance: bool):
        super().__init__()
        self.encoder = encoder
        self.variance = variance
        self.head = mlp(
            [2 * encoder.output_dim, hidden, hidden], dropout, outputs=2 if variance else 1
        )

    def forward(
        self, graphs: MoleculeGraphs, rows: np.ndarray
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        molecules = self.encoder(graphs.batch)
        index = torch.as_tensor(rows, device=molecules.device)
        embedding = torch.cat(
            [graphs.reactants[index] @ molecules, graphs.products[index] @ molecules], dim=1
        )
        out = self.head(embedding)
        return out[:, 0], (out[:, 1] if self.variance else None)


def fit_end_to_end(
    model: GraphRegressor,
    graphs: MoleculeGraphs,
    yields: torch.Tensor,
    train_rows: np.ndarray,
    cfg: Optimisation,
    generator: torch.Generator,
    progress: bool = True,
) -> tuple[list[dict], int, Standardiser]:
    """Standardise yields on the fit rows, train with early stopping; returns (history,
    best epoch, yield standardiser)."""
    fit_rows, val_rows = split_validation(train_rows, cfg.validation_fraction, generator)
    scale = Standardiser.fit(yields[fit_rows].unsqueeze(1))
    y = scale(yields.unsqueeze(1)).squeeze(1)

    def batch_loss(rows: np.ndarray) -> torch.Tensor:
        mu, log_var = model(graphs, rows)
        if log_var is None:
            return ((mu - y[rows]) ** 2).mean()
        return heteroscedastic_loss(y[rows], mu, log_var)

    def validation_mse() -> float:
        if len(val_rows) == 0:
            return float("nan")
        mu, _ = model(graphs, val_rows)
        return float(((mu - y[val_rows]) ** 2).mean())

    history, best_epoch = train_with_early_stopping(
        model, batch_loss, validation_mse, fit_rows, cfg, generator, progress
    )
    return history, best_epoch, scale


@torch.no_grad()
def predict_end_to_end(
    model: GraphRegressor,
    graphs: MoleculeGraphs,
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
    mus, variances = [], []
    for _ in range(max(1, mc_samples)):
        mu, log_var = model(graphs, rows)
        mus.append(mu)
        if log_var is not None:
            variances.append(torch.exp(log_var))
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


@dataclass(frozen=True)
class GraphRun:
    """What one run of a group of graph baselines produced (in %)."""

    spec: RunSpec
    out: dict[str, np.ndarray]  # mu[, sigma, sigma_aleatoric, sigma_epistemic]
    facts: dict  # best_epoch, epochs_run, device


def build_graph_regressor(spec: Baseline, settings: GraphBaseline) -> GraphRegressor:
    """The MPNN regressor of a graph baseline, sized by its settings."""
    return GraphRegressor(
        build_graph_encoder(settings), settings.head_hidden, settings.dropout, spec.predicts_sigma
    )


def run_graph_group(
    spec: Baseline,
    reactions: pl.DataFrame,
    feature_dir: Path,
    specs: list[RunSpec],
    settings: GraphBaseline,
    device: torch.device | str = "cpu",
    progress: bool = True,
) -> list[GraphRun]:
    """Train the graph baseline end to end once per spec, side by side (each as it would
    be alone: reeval.training.batched); MC dropout predictions with each run's own draws."""
    from reeval.models.stacked_graph import StackedGraphRegressor
    from reeval.training.batched import fit_stacked, prepare_runs

    device = torch.device(device)
    graphs = load_graphs(reactions, feature_dir, device)
    yields = torch.tensor(reactions["yield_pct"].to_numpy(), dtype=torch.float32, device=device)
    models, runs = prepare_runs(
        specs, settings.validation_fraction, lambda: build_graph_regressor(spec, settings)
    )
    model = StackedGraphRegressor(models).to(device)
    scales = [Standardiser.fit(yields[rows].unsqueeze(1)) for rows in runs.fit_rows]
    y_mean = torch.stack([s.mean[0] for s in scales]).to(device)
    y_std = torch.stack([s.std[0] for s in scales]).to(device)

    def standardised(padded) -> torch.Tensor:
        mean, std = padded.of(y_mean), padded.of(y_std)
        return (yields[padded.index] - mean.unsqueeze(1)) / std.unsqueeze(1)

    def masked_mean(values, padded) -> torch.Tensor:
        return (values * padded.mask).sum(dim=1) / padded.mask.sum(dim=1).clamp(min=1)

    def step_loss(padded, dropout) -> torch.Tensor:
        mu, log_var = model(graphs, padded.index, dropout)
        y = standardised(padded)
        if log_var is None:
            return masked_mean((mu - y) ** 2, padded)
        return masked_mean(torch.exp(-log_var) * (y - mu) ** 2 + log_var, padded)

    def validation_mse(padded) -> np.ndarray:
        mu, _ = model(graphs, padded.index)
        return masked_mean((mu - standardised(padded)) ** 2, padded).cpu().numpy()

    histories, best_epoch = fit_stacked(
        model,
        runs,
        step_loss,
        validation_mse,
        settings.optimisation,
        device,
        desc=f"train {spec.name}",
        progress=progress,
    )
    mc = settings.mc_samples if spec.predicts_sigma else 0
    outs = _predict_stacked(model, graphs, specs, runs.generators, y_mean, y_std, mc, device)
    return [
        GraphRun(
            run_spec,
            out,
            {
                "best_epoch": int(best_epoch[m]),
                "epochs_run": len(histories[m]),
                "device": str(device),
            },
        )
        for m, (run_spec, out) in enumerate(zip(specs, outs, strict=True))
    ]


@torch.no_grad()
def _predict_stacked(model, graphs, specs, generators, y_mean, y_std, mc_samples, device):
    """Each run's test predictions in %; with mc_samples > 0, dropout stays on (masks from
    each run's generator) and sigma combines the aleatoric variance (mean of the predicted
    variances) and the epistemic one (variance of mu over the samples)."""
    from reeval.models.stacked import StackedDropout
    from reeval.training.batched import _Padded

    model.eval()
    padded = _Padded([s.test_rows for s in specs], device)
    mus, variances = [], []
    for _ in range(max(1, mc_samples)):
        dropout = (
            StackedDropout(generators, padded.counts, model.dropout_widths) if mc_samples else None
        )
        mu, log_var = model(graphs, padded.index, dropout)
        mus.append(mu)
        if log_var is not None:
            variances.append(torch.exp(log_var))
    std, mean = y_std.unsqueeze(1).cpu(), y_mean.unsqueeze(1).cpu()
    mu_stack = torch.stack(mus).cpu()  # samples, M, B
    mu_pct = (mu_stack.mean(0) * std + mean).numpy()
    if variances:
        aleatoric = torch.stack(variances).cpu().mean(0) * std**2
        epistemic = mu_stack.var(0, unbiased=False) * std**2
    outs = []
    for m, spec in enumerate(specs):
        k = len(spec.test_rows)
        out = {"mu": mu_pct[m, :k]}
        if variances:
            out |= {
                "sigma": torch.sqrt(aleatoric[m, :k] + epistemic[m, :k]).numpy(),
                "sigma_aleatoric": torch.sqrt(aleatoric[m, :k]).numpy(),
                "sigma_epistemic": torch.sqrt(epistemic[m, :k]).numpy(),
            }
        outs.append(out)
    return outs
