"""The released code's regime, one model at a time: the graph encoder (and, where the
profile asks, the SMILES encoder) trained with the rest of the yield model.

This is the reference the stacked engine (`reeval.training.batched.train_group` with an
end-to-end variant) is tested against, and the path that trains the SMILES encoder end to
end (a transformer pass per reaction and step: a GPU job at the paper's sizes), which the
stacked engine does not stack.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from reeval.featurize.graphs import MoleculeGraphs
from reeval.featurize.tokens import Vocabulary
from reeval.models.end_to_end import EndToEndYieldModel
from reeval.models.losses import LossWeights, yield_loss
from reeval.models.mpnn import build_graph_encoder
from reeval.models.multimodal import YieldModel
from reeval.models.variants import Variant
from reeval.settings import Optimisation, YieldTraining
from reeval.stats.metrics import regression_metrics
from reeval.training.loop import train_with_early_stopping
from reeval.training.runtime import seed_everything
from reeval.training.supervised import (
    ReactionInputs,
    Standardiser,
    in_percent,
    split_validation,
)


@dataclass(frozen=True)
class ReactionTokens:
    """The reactions' SMILES as token ids (row-aligned with the inputs), for a SMILES encoder
    trained end to end; `of(rows)` pads a batch of them."""

    vocabulary: Vocabulary
    encoded: list[list[int]]
    max_tokens: int

    @classmethod
    def from_smiles(cls, rxn_smiles: list[str], max_tokens: int) -> ReactionTokens:
        """The vocabulary of these reactions (as contrastive pretraining on all reactions
        builds it: SMILES only, no yields) and each reaction's ids."""
        vocabulary = Vocabulary.build(rxn_smiles)
        return cls(vocabulary, [vocabulary.encode(s) for s in rxn_smiles], max_tokens)

    def of(self, rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """(ids, padding) of the reactions `rows`, each (len(rows), longest)."""
        return self.vocabulary.pad([self.encoded[r] for r in rows], self.max_tokens)


@dataclass(frozen=True)
class EndToEndFit:
    """A trained model with what its predictions need: the standardisers of the yields and
    of the cached inputs, fitted on the run's fit rows."""

    model: EndToEndYieldModel
    history: list[dict]
    best_epoch: int
    y_scale: Standardiser
    smiles_scale: Standardiser
    human_scale: Standardiser


def build_one_model(
    variant: Variant,
    inputs: ReactionInputs,
    settings: YieldTraining,
    tokens: ReactionTokens | None = None,
) -> EndToEndYieldModel:
    """Graph encoder, then (given `tokens`) the SMILES encoder, then the yield model, each
    from random weights: without tokens the same weights, for one seed, as
    `reeval.training.batched.build_end_to_end_model`."""
    from reeval.training.pretrain import build_encoders

    if settings.graph_encoder is None:
        raise ValueError("the end-to-end regime needs the graph encoder's settings")
    if tokens is not None:
        if settings.smiles_encoder is None:
            raise ValueError("training the SMILES encoder needs its settings")
        graph_encoder, smiles_encoder = build_encoders(
            settings.graph_encoder, settings.smiles_encoder, len(tokens.vocabulary)
        )
        smiles_dim = smiles_encoder.output_dim
    else:
        graph_encoder, smiles_encoder = build_graph_encoder(settings.graph_encoder), None
        smiles_dim = inputs.smiles.shape[1]
    yield_model = YieldModel(
        variant,
        2 * graph_encoder.output_dim,
        smiles_dim,
        inputs.human.shape[1],
        settings.human_encoder,
        settings.head,
    )
    return EndToEndYieldModel(graph_encoder, yield_model, smiles_encoder)


def fit_one_model(
    model: EndToEndYieldModel,
    graphs: MoleculeGraphs,
    inputs: ReactionInputs,
    train_rows: np.ndarray,
    cfg: Optimisation,
    weights: LossWeights,
    generator: torch.Generator,
    device: torch.device,
    tokens: ReactionTokens | None = None,
    progress: bool = True,
) -> EndToEndFit:
    """The one training loop (`reeval.training.loop`) on a validation split drawn from
    `generator`; the cached inputs and yields standardised on the fit rows."""
    fit_rows, val_rows = split_validation(train_rows, cfg.validation_fraction, generator)
    smiles_scale = Standardiser.fit(inputs.smiles[fit_rows])
    human_scale = Standardiser.fit(inputs.human[fit_rows])
    y_scale = Standardiser.fit(inputs.yields[fit_rows].unsqueeze(1))
    smiles = smiles_scale(inputs.smiles).to(device)
    human = human_scale(inputs.human).to(device)
    y = y_scale(inputs.yields.unsqueeze(1)).squeeze(1).to(device)
    model.to(device)

    def outputs(rows: np.ndarray):
        index = torch.as_tensor(rows, device=device)
        return model(
            graphs, index, human[index], smiles[index], _batch(model, tokens, rows, device)
        ), y[index]

    def batch_loss(rows: np.ndarray) -> torch.Tensor:
        (mu, log_var, aux), target = outputs(rows)
        return yield_loss(target, mu, log_var, aux, weights, model.variant.aux_loss, generator)

    def validation_mse() -> float:
        if len(val_rows) == 0:
            return float("nan")
        (mu, _, _), target = outputs(val_rows)
        return float(((mu - target) ** 2).mean())

    history, best_epoch = train_with_early_stopping(
        model, batch_loss, validation_mse, fit_rows, cfg, generator, progress
    )
    return EndToEndFit(model, history, best_epoch, y_scale, smiles_scale, human_scale)


@torch.no_grad()
def predict_one_model(
    fit: EndToEndFit,
    graphs: MoleculeGraphs,
    inputs: ReactionInputs,
    rows: np.ndarray,
    device: torch.device,
    tokens: ReactionTokens | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(mu, sigma) in % for the reactions `rows`; sigma is None without a variance head."""
    model = fit.model.eval()
    mu, log_var, _ = model(
        graphs,
        torch.as_tensor(rows, device=device),
        fit.human_scale(inputs.human[rows]).to(device),
        fit.smiles_scale(inputs.smiles[rows]).to(device),
        _batch(model, tokens, rows, device),
    )
    return in_percent(mu, log_var, fit.y_scale)


def train_one_by_one(
    inputs: ReactionInputs,
    graphs: MoleculeGraphs,
    specs: list,
    variant: Variant,
    settings: YieldTraining,
    device: torch.device,
    weights: LossWeights,
    tokens: ReactionTokens | None = None,
    progress: bool = True,
) -> list:
    """Each spec (`reeval.training.batched.RunSpec`) trained alone, one after another,
    with the SMILES encoder trained too when `tokens` are given; one
    `reeval.training.batched.TrainedRun` per spec."""
    from reeval.training.batched import TrainedRun

    out = []
    for spec in specs:
        generator = seed_everything(spec.seed)
        model = build_one_model(variant, inputs, settings, tokens)
        fit = fit_one_model(
            model,
            graphs,
            inputs,
            spec.train_rows,
            settings.train,
            weights,
            generator,
            device,
            tokens,
            progress,
        )
        mu, sigma = predict_one_model(fit, graphs, inputs, spec.test_rows, device, tokens)
        metrics = regression_metrics(inputs.yields[spec.test_rows].numpy(), mu, sigma) | {
            "n_train": len(spec.train_rows),
            "n_test": len(spec.test_rows),
            "best_epoch": fit.best_epoch,
            "epochs_run": len(fit.history),
        }
        state = {k: v.detach().cpu().clone() for k, v in fit.model.state_dict().items()}
        out.append(TrainedRun(spec, mu, sigma, metrics, fit.history, fit.best_epoch, state))
    return out


def _batch(model: EndToEndYieldModel, tokens: ReactionTokens | None, rows, device):
    """The padded tokens of `rows` when the model trains its SMILES encoder, else None."""
    if model.smiles_encoder is None:
        return None
    if tokens is None:
        raise ValueError("the SMILES encoder is trained end to end: pass the tokens")
    return tuple(t.to(device) for t in tokens.of(rows))
