"""Neural baselines trained end to end on molecular graphs: the graph encoder with a
regression head (an MPNN, Gilmer et al. 2017), and the same with MC dropout and a variance
head (Kwon et al. 2022).

A data set has a few dozen distinct molecules (51 in Buchwald-Hartwig, 43 in
Suzuki-Miyaura), so every step encodes each of them once, from one graph batch collated
before training, and a reaction's embedding is a sum of its molecules' rows (a product with
the reaction's molecule counts)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import torch
from torch import nn
from torch_geometric.data import Batch, Data

from reeval.baselines.registry import Baseline
from reeval.featurize.graphs import N_ATOM_FEATURES, N_BOND_FEATURES
from reeval.featurize.molecules import ReactionMolecules
from reeval.featurize.store import load_graph_cache, load_molecules
from reeval.models.losses import heteroscedastic_loss
from reeval.models.mpnn import MPNNEncoder
from reeval.training.loop import train_with_early_stopping
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


class MoleculeGraphs:
    """Every molecule of a data set as one collated graph batch, with each reaction's
    reactant and product counts per molecule (reactions x molecules)."""

    def __init__(self, molecules: ReactionMolecules, graphs: list[Data], device: torch.device):
        self.batch = Batch.from_data_list(graphs).to(device)
        n_reactions, n_molecules = len(molecules.reaction_ids), len(molecules.smiles)
        reactants = np.zeros((n_reactions, n_molecules), dtype=np.float32)
        products = np.zeros((n_reactions, n_molecules), dtype=np.float32)
        for row, (left, right) in enumerate(
            zip(molecules.reactants, molecules.products, strict=True)
        ):
            np.add.at(reactants[row], left, 1.0)
            np.add.at(products[row], right, 1.0)
        self.reactants = torch.from_numpy(reactants).to(device)
        self.products = torch.from_numpy(products).to(device)


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
        self.head = regression_head(2 * encoder.output_dim, hidden, dropout, 2 if variance else 1)

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
    cfg: dict,
    generator: torch.Generator,
    progress: bool = True,
) -> tuple[list[dict], int, Standardiser]:
    """Standardise yields on the fit rows, train with early stopping; returns (history,
    best epoch, yield standardiser)."""
    fit_rows, val_rows = split_validation(train_rows, cfg["validation_fraction"], generator)
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
    """Train the graph baseline end to end: (mu, sigma[, parts]; run facts)."""
    set_threads(threads)
    generator = seed_everything(seed)
    molecules = load_molecules(feature_dir)
    if molecules.reaction_ids != reactions["reaction_id"].to_list():
        from reeval.errors import DataError

        raise DataError(f"{feature_dir}: molecules not aligned with the reactions; rerun featurize")
    graphs = MoleculeGraphs(molecules, load_graph_cache(feature_dir), torch.device(device))
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
    model.to(device)
    y = torch.tensor(yields, dtype=torch.float32, device=device)
    history, best_epoch, scale = fit_end_to_end(
        model, graphs, y, train_rows, c, generator, progress
    )
    mc = c["mc_samples"] if spec.predicts_sigma else 0
    out = predict_end_to_end(model, graphs, test_rows, scale, mc, generator)
    return out, {"best_epoch": best_epoch, "epochs_run": len(history), "device": str(device)}
