"""Training many yield models at once: every split x seed of one variant in one process.

Each run keeps what a run trained alone would have: its own initial weights (the model is
built right after seeding with the run's seed), its own validation part and data order (drawn
from its own generator), its own dropout masks, its own AdamW state and step count, its own
gradient-norm clipping and its own early stopping with the best weights restored. The models
are stacked (`reeval.models.stacked`) so that one batched matrix product serves all of them;
a run whose epoch has fewer batches than another's, or that has stopped, is left out of the
step (`reeval.models.stacked.selecting`): it costs nothing, and its weights and optimiser
state do not move. A test checks that a run trained among others equals the same run
trained alone.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from tqdm import tqdm

from reeval.featurize.graphs import MoleculeGraphs
from reeval.models.losses import LossWeights
from reeval.models.multimodal import YieldModel
from reeval.models.stacked import (
    FactorisedFeatures,
    StackedDropout,
    StackedYieldModel,
    selecting,
)
from reeval.models.variants import Variant
from reeval.settings import Loss, Optimisation, YieldTraining
from reeval.stats.metrics import regression_metrics
from reeval.training.runtime import TrainingError, seed_everything
from reeval.training.supervised import ReactionInputs, Standardiser, split_validation

if TYPE_CHECKING:
    from reeval.models.end_to_end import EndToEndYieldModel

MODALITIES = ("graph", "smiles", "human")


@dataclass(frozen=True)
class RunSpec:
    """One run of a group: its name (for messages), seed, training and test rows."""

    name: str
    seed: int
    train_rows: np.ndarray
    test_rows: np.ndarray


@dataclass(frozen=True)
class TrainedRun:
    """What one run of a group produced (mu, sigma in %; sigma is None without a head)."""

    spec: RunSpec
    mu: np.ndarray
    sigma: np.ndarray | None
    metrics: dict
    history: list[dict]
    best_epoch: int
    state_dict: dict[str, torch.Tensor]


def build_yield_model(
    variant: Variant, inputs: ReactionInputs, settings: YieldTraining
) -> YieldModel:
    """A `YieldModel` sized for these inputs from a training job's settings."""
    return YieldModel(
        variant,
        inputs.graph.shape[1],
        inputs.smiles.shape[1],
        inputs.human.shape[1],
        settings.human_encoder,
        settings.head,
    )


def loss_weights(loss: Loss, variant: Variant | None = None) -> LossWeights:
    """The weights of the loss settings; a variant with `mse_on_sample` puts the
    reparameterised sample in the MSE whatever the settings say."""
    return LossWeights(
        loss.mse_weight,
        loss.heteroscedastic_weight,
        loss.aux_weight,
        loss.sample_in_mse or (variant is not None and variant.mse_on_sample),
    )


class _Padded:
    """Row indices of one step, one row of the (M, B) grid per model, padded with row 0.

    `models`: which models of the stack the rows belong to (ascending; None: all of them,
    in order); `of(tensor)` picks their entries of a per-model tensor."""

    def __init__(
        self, rows: list[np.ndarray], device: torch.device, models: torch.Tensor | None = None
    ):
        width = max(1, max(len(r) for r in rows))
        index = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.float32)
        for m, r in enumerate(rows):
            index[m, : len(r)] = r
            mask[m, : len(r)] = 1.0
        self.index = torch.as_tensor(index, device=device)
        self.mask = torch.as_tensor(mask, device=device)
        self.counts = [len(r) for r in rows]
        self.models = models

    def of(self, per_model):
        """The entries of `per_model` (a tensor (M, ...) or a list of M) that belong to this
        grid's models."""
        if self.models is None:
            return per_model
        if isinstance(per_model, torch.Tensor):
            return per_model.index_select(0, self.models.to(per_model.device))
        return [per_model[m] for m in self.models.tolist()]

    def select(self, models: torch.Tensor) -> _Padded:
        """The same grid restricted to `models` (ascending indices among all M)."""
        chosen = copy.copy(self)
        chosen.index = self.index[models.to(self.index.device)]
        chosen.mask = self.mask[models.to(self.mask.device)]
        chosen.counts = [self.counts[m] for m in models.tolist()]
        chosen.models = models
        return chosen


class _Inputs:
    """The data set's inputs standardised per run (each run on its own fit rows). Human
    feature columns that are zero in every reaction are left out (`live`): they never reach
    the model (see `StackedYieldModel`)."""

    def __init__(self, inputs: ReactionInputs, fit_rows: list[np.ndarray], device):
        self.device = device
        self.live = torch.nonzero((inputs.human != 0).any(dim=0)).squeeze(1)
        raw = {
            "graph": inputs.graph,
            "smiles": inputs.smiles,
            "human": inputs.human[:, self.live],
        }
        self.raw = {name: tensor.to(device) for name, tensor in raw.items()}
        scales = {
            name: [Standardiser.fit(raw[name][rows]) for rows in fit_rows] for name in MODALITIES
        }
        self.mean = {n: torch.stack([s.mean for s in scales[n]]).to(device) for n in MODALITIES}
        self.std = {n: torch.stack([s.std for s in scales[n]]).to(device) for n in MODALITIES}
        y_scale = [Standardiser.fit(inputs.yields[rows].unsqueeze(1)) for rows in fit_rows]
        self.y_mean = torch.stack([s.mean[0] for s in y_scale]).to(device)
        self.y_std = torch.stack([s.std[0] for s in y_scale]).to(device)
        self.yields = inputs.yields.to(device)
        self.factors = (
            (inputs.counts.to(device), inputs.human_per_molecule[:, self.live].to(device))
            if inputs.counts is not None
            else None
        )

    def batch(self, padded: _Padded, variant: Variant):
        """(graph, smiles, human, y), each (M, B, ...) and standardised with each run's scale
        (the human features as factors when the data set has them)."""
        out = []
        for name in MODALITIES:
            if not getattr(variant, name) or (name == "graph" and variant.graph_end_to_end):
                out.append(None)  # not used, or computed by the model from the graphs
            elif name == "human" and self.factors is not None:
                counts, per_molecule = self.factors
                out.append(
                    FactorisedFeatures(
                        counts[padded.index],
                        per_molecule,
                        padded.of(self.mean[name]),
                        padded.of(self.std[name]),
                    )
                )
            else:
                x = self.raw[name][padded.index]
                mean, std = padded.of(self.mean[name]), padded.of(self.std[name])
                out.append((x - mean.unsqueeze(1)) / std.unsqueeze(1))
        y_mean, y_std = padded.of(self.y_mean), padded.of(self.y_std)
        y = (self.yields[padded.index] - y_mean.unsqueeze(1)) / y_std.unsqueeze(1)
        return (*out, y)


class _BatchedAdamW:
    """torch.optim.AdamW (default betas and eps) over stacked weights, stepping only the runs
    marked in `stepping`; each run counts its own steps for the bias corrections. Updates
    are in place, with per-run factors that leave a run that does not step unchanged."""

    def __init__(self, params: list[torch.nn.Parameter], n_models: int, lr: float, wd: float):
        self.params = params
        self.lr, self.wd = lr, wd
        self.betas, self.eps = (0.9, 0.999), 1e-8
        self.steps = torch.zeros(n_models, dtype=torch.float64)
        self.exp_avg = [torch.zeros_like(p) for p in params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self, stepping: torch.Tensor) -> torch.Tensor:
        """One step of the stepping runs; returns each run's weight-decay factor."""
        beta1, beta2 = self.betas
        on = stepping.to(torch.float64)
        self.steps += on
        steps = self.steps.clamp(min=1)
        decay = 1 - self.lr * self.wd * on
        factors = {
            "decay": decay,
            "first_keep": torch.where(stepping, beta1, 1.0),
            "first_new": (1 - beta1) * on,
            "second_keep": torch.where(stepping, beta2, 1.0),
            "second_new": (1 - beta2) * on,
            "bias2": (1 - beta2**steps) ** 0.5,
            "step": -(self.lr / (1 - beta1**steps)) * on,
        }
        device = self.params[0].device
        factors = {k: v.to(torch.float32).to(device) for k, v in factors.items()}
        for p, m1, m2 in zip(self.params, self.exp_avg, self.exp_avg_sq, strict=True):
            view = (-1,) + (1,) * (p.dim() - 1)
            f = {k: v.view(view) for k, v in factors.items()}
            g = p.grad
            # one rounding per operation (no fused multiply-add, whose use depends on where
            # an element falls in a vectorised loop): a run's numbers do not depend on how
            # many runs share the tensors
            p.mul_(f["decay"])
            m1.mul_(f["first_keep"]).add_(g * f["first_new"])
            m2.mul_(f["second_keep"]).add_(g.square().mul_(f["second_new"]))
            denom = m2.sqrt().div_(f["bias2"]).add_(self.eps)
            p.add_((m1 * f["step"]).div_(denom))
        return factors["decay"]


def _clip_per_model(params: list[torch.nn.Parameter], max_norm: float) -> None:
    """torch.nn.utils.clip_grad_norm_ applied to each model's own gradients."""
    norms = torch.stack([p.grad.flatten(1).norm(dim=1) for p in params], dim=1).norm(dim=1)
    coef = (max_norm / (norms + 1e-6)).clamp(max=1.0)
    for p in params:
        p.grad.mul_(coef.view((-1,) + (1,) * (p.grad.dim() - 1)))


def cosine_lr(epoch: int, base: float, minimum: float, epochs: int) -> float:
    """The learning rate of (1-based) `epoch` under CosineAnnealingLR(T_max=epochs)."""
    return minimum + (base - minimum) * (1 + math.cos(math.pi * (epoch - 1) / epochs)) / 2


def _per_model_loss(y, mu, log_var, aux, mask, weights: LossWeights, variant, eps) -> torch.Tensor:
    """The yield loss of `reeval.models.losses.yield_loss` for each model over its real rows."""
    count = mask.sum(dim=1).clamp(min=1)

    def mean(values: torch.Tensor) -> torch.Tensor:
        return (values * mask).sum(dim=1) / count

    if log_var is None:
        loss = mean((y - mu) ** 2)
    else:
        prediction = mu + eps * torch.exp(0.5 * log_var) if weights.sample_in_mse else mu
        loss = weights.mse * mean((y - prediction) ** 2) + weights.heteroscedastic * mean(
            torch.exp(-log_var) * (y - mu) ** 2 + log_var
        )
    if variant.aux_loss:
        loss = loss + weights.aux * aux
    return loss


def _draw_eps(generators, counts, width, device) -> torch.Tensor:
    eps = torch.zeros((len(counts), width))
    for m, (generator, n) in enumerate(zip(generators, counts, strict=True)):
        if n:
            eps[m, :n] = torch.randn((n,), generator=generator)
    return eps.to(device)


@dataclass
class StackedRuns:
    """The per-run state a stacked fit needs: each run's generator (seeded with its seed,
    after its model was built), fit rows and validation rows."""

    names: list[str]
    generators: list[torch.Generator]
    fit_rows: list[np.ndarray]
    val_rows: list[np.ndarray]


def prepare_runs(
    specs: list[RunSpec], validation_fraction: float, build
) -> tuple[list, StackedRuns]:
    """(models, runs): for each spec, seed, build its model with `build()` (its initial
    weights from its seed), then draw its validation part with its own generator."""
    models, generators, fit_rows, val_rows = [], [], [], []
    for spec in specs:
        generator = seed_everything(spec.seed)
        models.append(build())
        fit, val = split_validation(spec.train_rows, validation_fraction, generator)
        generators.append(generator)
        fit_rows.append(fit)
        val_rows.append(val)
    return models, StackedRuns([s.name for s in specs], generators, fit_rows, val_rows)


def fit_stacked(
    model: torch.nn.Module,
    runs: StackedRuns,
    step_loss: Callable[[_Padded, StackedDropout], torch.Tensor],
    validation_mse: Callable[[_Padded], np.ndarray],
    cfg: Optimisation,
    device: torch.device,
    desc: str = "train",
    progress: bool = True,
) -> tuple[list[list[dict]], np.ndarray]:
    """The training loop of stacked models (the one loop of `reeval.training.loop`, per run):
    AdamW, a cosine schedule stepped per epoch, per-run gradient clipping, a NaN guard, and
    early stopping on each run's validation MSE with its best weights restored. Returns
    (each run's history, each run's best epoch).

    `step_loss(padded, dropout)` gives the loss of each run of the grid on its rows of the
    step, (len(padded.counts),); `validation_mse(padded)` each run's MSE on its validation
    rows. Both are called inside `selecting(model, padded.models)`: only the runs with rows
    in the step (or, for validation, the runs still training) are computed, and per-run
    tensors are picked with `padded.of`. `model.dropout_widths` lists its dropout sites;
    `model.decay_frozen(factors)`, if present, gets each run's weight-decay factor after
    every step.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    n = len(runs.names)
    optimiser = _BatchedAdamW(params, n, cfg.lr, cfg.weight_decay)
    active = np.ones(n, dtype=bool)
    best_mse = np.full(n, np.inf)
    best_epoch = np.zeros(n, dtype=int)
    best = [p.detach().clone() for p in params]
    histories: list[list[dict]] = [[] for _ in range(n)]
    validation = _Padded(runs.val_rows, device)
    has_validation = np.array([len(v) > 0 for v in runs.val_rows])
    decay_frozen = getattr(model, "decay_frozen", None)
    bar = tqdm(range(1, cfg.epochs + 1), desc=f"{desc} x{n}", mininterval=10, disable=not progress)
    for epoch in bar:
        optimiser.lr = cosine_lr(epoch, cfg.lr, cfg.min_lr, cfg.epochs)
        orders = [
            rows[torch.randperm(len(rows), generator=generator).numpy()] if on else rows[:0]
            for rows, generator, on in zip(runs.fit_rows, runs.generators, active, strict=True)
        ]
        steps = [math.ceil(len(o) / cfg.batch_size) for o in orders]
        losses: list[list[float]] = [[] for _ in range(n)]
        model.train()
        for step in range(max(steps)):
            batch = [o[step * cfg.batch_size : (step + 1) * cfg.batch_size] for o in orders]
            stepping = torch.tensor([len(b) > 0 for b in batch])
            # only the runs with rows in this step are computed: the others (stopped, or
            # past the end of a shorter epoch) would get zero gradients anyway
            chosen = np.flatnonzero(stepping.numpy())
            models = None if len(chosen) == n else torch.as_tensor(chosen)
            padded = _Padded([batch[m] for m in chosen], device, models)
            dropout = StackedDropout(
                padded.of(runs.generators), padded.counts, model.dropout_widths
            )
            with selecting(model, models):
                per_model = step_loss(padded, dropout)
            values = per_model.detach().cpu().numpy()
            for k, m in enumerate(chosen):
                if not np.isfinite(values[k]):
                    raise TrainingError(
                        f"non-finite loss ({values[k]}) in run {runs.names[m]}, epoch {epoch}; "
                        "lower the learning rate or check the features for NaN/inf"
                    )
                losses[m].append(float(values[k]))
            for p in params:
                p.grad = None
            per_model.sum().backward()
            _clip_per_model(params, cfg.grad_clip)
            factors = optimiser.step(stepping)
            if decay_frozen is not None:
                decay_frozen(factors)
        model.eval()
        live = None if active.all() else torch.as_tensor(np.flatnonzero(active))
        val_mse = np.full(n, np.nan)
        with torch.no_grad(), selecting(model, live):
            val_mse[active] = validation_mse(
                validation if live is None else validation.select(live)
            )
        for m in np.flatnonzero(active):
            histories[m].append(
                {
                    "epoch": epoch,
                    "train_loss": float(np.mean(losses[m])),
                    "validation_mse": float(val_mse[m]) if has_validation[m] else float("nan"),
                }
            )
            if not has_validation[m]:  # nothing to validate on: keep the last weights
                best_epoch[m] = epoch
                _keep(best, params, m)
            elif val_mse[m] < best_mse[m]:
                best_mse[m], best_epoch[m] = val_mse[m], epoch
                _keep(best, params, m)
            elif epoch - best_epoch[m] >= cfg.patience:
                active[m] = False
        if not active.any():
            break
    with torch.no_grad():
        for p, b in zip(params, best, strict=True):
            p.copy_(b)
    return histories, best_epoch


def build_end_to_end_model(
    variant: Variant, inputs: ReactionInputs, settings: YieldTraining
) -> EndToEndYieldModel:
    """An `EndToEndYieldModel` (graph encoder from random weights, then the yield model)
    from the yield_model settings; the SMILES encoder stays the cached, frozen one."""
    # the graph models (and PyG) are imported only by the jobs that train them
    from reeval.models.end_to_end import EndToEndYieldModel
    from reeval.models.mpnn import build_graph_encoder

    if settings.graph_encoder is None:
        raise ValueError("the end-to-end regime needs the graph encoder's settings")
    graph_encoder = build_graph_encoder(settings.graph_encoder)
    yield_model = YieldModel(
        variant,
        2 * graph_encoder.output_dim,
        inputs.smiles.shape[1],
        inputs.human.shape[1],
        settings.human_encoder,
        settings.head,
    )
    return EndToEndYieldModel(graph_encoder, yield_model)


def train_group(
    inputs: ReactionInputs,
    specs: list[RunSpec],
    variant: Variant,
    settings: YieldTraining,
    device: torch.device,
    progress: bool = True,
    graphs: MoleculeGraphs | None = None,
) -> list[TrainedRun]:
    """Train one model per spec (all of `variant`) side by side; see the module docstring.
    A variant that trains its graph encoder end to end needs the data set's `graphs`."""
    cfg = settings.train
    weights = loss_weights(settings.loss, variant)
    end_to_end = variant.graph_end_to_end
    if end_to_end and graphs is None:
        raise ValueError(f"variant {variant.name!r} trains the graph encoder: pass the graphs")
    models, runs = prepare_runs(
        specs,
        cfg.validation_fraction,
        lambda: (build_end_to_end_model if end_to_end else build_yield_model)(
            variant, inputs, settings
        ),
    )
    data = _Inputs(inputs, runs.fit_rows, device)
    if end_to_end:
        from reeval.models.end_to_end import StackedEndToEndYieldModel as stack
    else:
        stack = StackedYieldModel
    model = stack(models, data.live).to(device)

    def forward(padded: _Padded, dropout: StackedDropout | None = None):
        """(mu, log sigma^2 or None, auxiliary loss, standardised y) of each run's rows."""
        graph, smiles, human, y = data.batch(padded, variant)
        if end_to_end:
            return (*model(graphs, padded.index, smiles, human, padded.mask, dropout), y)
        return (*model(graph, smiles, human, padded.mask, dropout), y)

    def step_loss(padded: _Padded, dropout: StackedDropout) -> torch.Tensor:
        mu, log_var, aux, y = forward(padded, dropout)
        eps = (
            _draw_eps(padded.of(runs.generators), padded.counts, padded.index.shape[1], device)
            if log_var is not None and weights.sample_in_mse
            else None
        )
        return _per_model_loss(y, mu, log_var, aux, padded.mask, weights, variant, eps)

    histories, best_epoch = fit_stacked(
        model,
        runs,
        step_loss,
        lambda padded: _validation_mse(model, forward, padded),
        cfg,
        device,
        desc=f"train {variant.name}",
        progress=progress,
    )
    return _results(model, forward, data, specs, histories, best_epoch, inputs)


def _keep(best: list[torch.Tensor], params: list[torch.nn.Parameter], m: int) -> None:
    with torch.no_grad():
        for b, p in zip(best, params, strict=True):
            b[m].copy_(p[m])


@torch.no_grad()
def _validation_mse(model, forward, padded: _Padded) -> np.ndarray:
    model.eval()
    mu, _, _, y = forward(padded)
    count = padded.mask.sum(dim=1).clamp(min=1)
    return (((mu - y) ** 2 * padded.mask).sum(dim=1) / count).cpu().numpy()


@torch.no_grad()
def _results(model, forward, data, specs, histories, best_epoch, inputs) -> list[TrainedRun]:
    model.eval()
    padded = _Padded([s.test_rows for s in specs], data.device)
    mu, log_var, _, _ = forward(padded)
    mu_pct = (mu * data.y_std.unsqueeze(1) + data.y_mean.unsqueeze(1)).cpu().numpy()
    sigma_pct = (
        (torch.exp(0.5 * log_var) * data.y_std.unsqueeze(1)).cpu().numpy()
        if log_var is not None
        else None
    )
    out = []
    for m, spec in enumerate(specs):
        k = len(spec.test_rows)
        mu_m = mu_pct[m, :k]
        sigma_m = sigma_pct[m, :k] if sigma_pct is not None else None
        y = inputs.yields[spec.test_rows].numpy()
        metrics = regression_metrics(y, mu_m, sigma_m) | {
            "n_train": len(spec.train_rows),
            "n_test": k,
            "best_epoch": int(best_epoch[m]),
            "epochs_run": len(histories[m]),
        }
        out.append(
            TrainedRun(
                spec,
                mu_m,
                sigma_m,
                metrics,
                histories[m],
                int(best_epoch[m]),
                model.state_dict_of(m),
            )
        )
    return out
