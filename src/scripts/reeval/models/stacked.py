"""Many yield models of one variant evaluated at once: their weights stacked along a leading
model axis and applied with batched matrix products.

`StackedYieldModel` holds M independent `YieldModel`s (the same variant and sizes, each with
its own initial weights) as stacked tensors. Its forward pass takes inputs of shape
(M, batch, features), one batch per model, and computes exactly what each `YieldModel` would
compute on its own batch; `state_dict_of(m)` gives model m back in `YieldModel`'s layout, so a
checkpoint written from a stacked run loads into a plain `YieldModel`. Dropout draws its masks
from one generator per model, so what a model sees does not depend on the others trained
beside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from reeval.models.multimodal import YieldModel
from reeval.models.variants import Variant


class StackedDropout:
    """Inverted dropout with masks drawn from one generator per model.

    `rows[m]` is how many leading rows of model m's batch are real (the rest is padding).
    At its first use in a step, each model draws the uniforms of all its dropout sites for its
    real rows in one call (`widths`: the features of each site with p > 0, in the order the
    forward pass reaches them); each site then takes its slice. So a model's random stream
    depends on nothing but its own batch, whatever is trained beside it. p = 0 draws nothing.
    """

    def __init__(
        self, generators: Sequence[torch.Generator], rows: Sequence[int], widths: Sequence[int]
    ):
        self.generators = generators
        self.rows = rows
        self.widths = list(widths)
        self.uniforms: torch.Tensor | None = None
        self.site = 0
        self.offset = 0

    def _draw(self, like: torch.Tensor) -> torch.Tensor:
        uniforms = torch.ones((len(self.rows), like.shape[1], sum(self.widths)), dtype=like.dtype)
        for m, (generator, n) in enumerate(zip(self.generators, self.rows, strict=True)):
            if n:
                uniforms[m, :n] = torch.rand(
                    (n, sum(self.widths)), generator=generator, dtype=like.dtype
                )
        return uniforms.to(like.device)

    def __call__(self, x: torch.Tensor, p: float) -> torch.Tensor:
        if p == 0:
            return x
        if self.uniforms is None:
            self.uniforms = self._draw(x)
        width = self.widths[self.site]
        if x.shape[2] != width:
            raise ValueError(f"dropout site {self.site} has {x.shape[2]} features, not {width}")
        keep = self.uniforms[:, : x.shape[1], self.offset : self.offset + width] >= p
        self.site += 1
        self.offset += width
        return x * keep / (1 - p)


class ModelStack(nn.Module):
    """A module that holds the weights of M models stacked along a leading model axis.

    Its forward pass reads every weight through `stacked(weight)`, which, inside
    `selecting(module, models)`, keeps only the selected models: the pass then takes
    inputs of (len(models), ...) and costs what those models cost. The others' weights get
    zero gradients, as they would if their rows were all padding.
    """

    def __init__(self) -> None:
        super().__init__()
        self.selection: torch.Tensor | None = None

    def stacked(self, weight: torch.Tensor) -> torch.Tensor:
        """`weight` (M, ...) restricted to the selected models (all when none is selected)."""
        return weight if self.selection is None else weight.index_select(0, self.selection)


@contextmanager
def selecting(module: nn.Module, models: torch.Tensor | None) -> Iterator[None]:
    """Within the block, every `ModelStack` in `module` computes only `models` (ascending
    indices along the model axis; None: all of them). A training step of the runs that
    have rows in it is then the step of those runs alone, in the same numbers."""
    stacks = [m for m in module.modules() if isinstance(m, ModelStack)]
    for stack in stacks:
        stack.selection = models
    try:
        yield
    finally:
        for stack in stacks:
            stack.selection = None


def _linear(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """x (M, B, in), weight (M, out, in), bias (M, out) -> (M, B, out)."""
    return torch.baddbmm(bias.unsqueeze(1), x, weight.transpose(1, 2))


@dataclass(frozen=True)
class FactorisedFeatures:
    """Standardised human features of a batch, (counts @ per_molecule - mean) / std, kept as
    factors: counts (M, B, molecules), per_molecule (molecules, D), mean and std (M, D)."""

    counts: torch.Tensor
    per_molecule: torch.Tensor
    mean: torch.Tensor
    std: torch.Tensor

    def linear(self, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        """The same as `_linear` of the standardised dense features: the standardisation
        folds into the weights, and the layer acts on each molecule once."""
        scaled = weight / self.std.unsqueeze(1)  # M, out, D
        shift = bias - (scaled * self.mean.unsqueeze(1)).sum(dim=2)  # M, out
        molecules = torch.matmul(self.per_molecule, scaled.transpose(1, 2))  # M, molecules, out
        return torch.baddbmm(shift.unsqueeze(1), self.counts, molecules)


def _layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    return F.layer_norm(x, x.shape[-1:]) * weight.unsqueeze(1) + bias.unsqueeze(1)


def prelu(x: torch.Tensor, slope: torch.Tensor) -> torch.Tensor:
    """nn.PReLU with one slope per model: slope (M, 1). relu(x) + slope min(x, 0) is
    torch.where(x >= 0, x, slope x) to the bit, values and gradients, at a third of the
    time on the CPU."""
    return torch.relu(x) + slope.unsqueeze(-1) * x.clamp(max=0)


class StackedYieldModel(ModelStack):
    """M `YieldModel`s of one variant, trained side by side.

    Args:
        models: the models to stack, all of one variant and one size; their current weights
            become the stacked weights (build each after seeding, as a single run would).
        live_columns: the human-feature columns that are non-zero somewhere in the data set
            (default: all). The first layer's weights of the other columns never see an input,
            so they get no gradient and only shrink by AdamW's weight decay: they are kept
            aside (`frozen_weight`) and shrunk by `decay_frozen`, and `state_dict_of` puts
            them back in place.

    Shapes: inputs (M, B, dim) per modality; `row_mask` (M, B) marks real rows (1) against
    padding (0); outputs mu and log sigma^2 (M, B) and the auxiliary loss (M,).
    """

    def __init__(self, models: Sequence[YieldModel], live_columns: torch.Tensor | None = None):
        super().__init__()
        first = models[0]
        self.variant: Variant = first.variant
        self.n_models = len(models)
        self._template = {k: v.shape for k, v in first.state_dict().items()}
        states = [m.state_dict() for m in models]
        for state in states[1:]:
            if {k: v.shape for k, v in state.items()} != self._template:
                raise ValueError("every stacked model must have the same variant and sizes")
        self.use_moe = first.human_encoder is not None and first.human_encoder.use_moe
        self.n_blocks = len(first.human_encoder.blocks) if first.human_encoder is not None else 0
        self.n_experts = (
            len(first.human_encoder.blocks[0].experts) if self.use_moe and self.n_blocks else 0
        )
        self.top_k = first.human_encoder.blocks[0].top_k if self.use_moe and self.n_blocks else 0
        self.human_dropout = (
            first.human_encoder.dropout.p if first.human_encoder is not None else 0.0
        )
        self.head_dropout = first.head[2].p
        hidden = first.head[0].out_features
        human_hidden = first.human_encoder.output.in_features if self.variant.human else 0
        # the features of each dropout site with p > 0, in the order forward reaches them
        self.dropout_widths = [
            *([human_hidden] * (1 + self.n_blocks) if self.human_dropout > 0 else []),
            *([hidden] * 2 if self.head_dropout > 0 else []),
        ]
        stacked = self._stacked(states)
        first = "human_encoder.input.0.weight"
        width = stacked[first].shape[2] if first in stacked else 0
        live = torch.arange(width) if live_columns is None else torch.as_tensor(live_columns)
        dead = torch.tensor(sorted(set(range(width)) - set(live.tolist())), dtype=torch.long)
        self.register_buffer("live_columns", live, persistent=False)
        self.register_buffer("dead_columns", dead, persistent=False)
        if first in stacked:
            self.register_buffer(
                "frozen_weight", stacked[first][:, :, dead].clone(), persistent=False
            )
            stacked[first] = stacked[first][:, :, live].clone()
        self.weights = nn.ParameterDict(
            {name.replace(".", "__"): nn.Parameter(tensor) for name, tensor in stacked.items()}
        )

    # -- stacking and unstacking ------------------------------------------------------------

    def _stacked(self, states: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
        """Stack every tensor along a new model axis; MoE experts also along an expert axis
        (name `human_encoder.blocks.{i}.experts.{layer}.{weight|bias}`)."""
        out: dict[str, torch.Tensor] = {}
        for name in self._template:
            if ".experts." in name:
                continue
            out[name] = torch.stack([s[name].detach().clone() for s in states])
        for i in range(self.n_blocks if self.use_moe else 0):
            for layer in (0, 2):
                for kind in ("weight", "bias"):
                    key = f"human_encoder.blocks.{i}.experts.{{e}}.{layer}.{kind}"
                    out[f"human_encoder.blocks.{i}.experts.{layer}.{kind}"] = torch.stack(
                        [
                            torch.stack([s[key.format(e=e)] for e in range(self.n_experts)])
                            for s in states
                        ]
                    ).clone()
        return out

    @torch.no_grad()
    def decay_frozen(self, factors: torch.Tensor) -> None:
        """Shrink the first layer's weights of the all-zero columns by each model's weight
        decay factor of this step (1 for a model that does not step)."""
        if hasattr(self, "frozen_weight") and self.frozen_weight.numel():
            self.frozen_weight.mul_(factors.view(-1, 1, 1).to(self.frozen_weight))

    def state_dict_of(self, m: int) -> dict[str, torch.Tensor]:
        """Model m's weights in `YieldModel.state_dict()` layout."""
        stacked = {name.replace("__", "."): p.detach() for name, p in self.weights.items()}
        out = {}
        for name in self._template:
            if name == "human_encoder.input.0.weight":
                full = torch.empty(self._template[name])
                full[:, self.live_columns] = stacked[name][m]
                full[:, self.dead_columns] = self.frozen_weight[m]
                out[name] = full
            elif ".experts." in name:
                block, rest = name.split(".experts.")
                expert, layer, kind = rest.split(".")
                out[name] = stacked[f"{block}.experts.{layer}.{kind}"][m, int(expert)].clone()
            else:
                out[name] = stacked[name][m].clone()
        return out

    def p(self, name: str) -> torch.Tensor:
        return self.stacked(self.weights[name.replace(".", "__")])

    # -- forward ----------------------------------------------------------------------------

    def forward(
        self,
        graph: torch.Tensor | None,
        smiles: torch.Tensor | None,
        human: torch.Tensor | FactorisedFeatures | None,
        row_mask: torch.Tensor,
        dropout: StackedDropout | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
        """(mu, log sigma^2 or None, auxiliary loss per model); dropout only when given."""
        drop = dropout if dropout is not None else (lambda x, p: x)
        parts = []
        aux = row_mask.new_zeros(row_mask.shape[0])
        if self.variant.graph:
            parts.append(graph)
        if self.variant.smiles:
            parts.append(smiles)
        if self.variant.human:
            encoded, aux = self._human(human, row_mask, drop)
            parts.append(encoded)
        h = torch.cat(parts, dim=2)
        h = drop(
            prelu(
                _linear(h, self.p("head.0.weight"), self.p("head.0.bias")), self.p("head.1.weight")
            ),
            self.head_dropout,
        )
        h = drop(
            prelu(
                _linear(h, self.p("head.3.weight"), self.p("head.3.bias")), self.p("head.4.weight")
            ),
            self.head_dropout,
        )
        out = _linear(h, self.p("head.6.weight"), self.p("head.6.bias"))
        log_var = out[..., 1] if self.variant.uncertainty else None
        return out[..., 0], log_var, aux

    def _human(self, x, row_mask, drop) -> tuple[torch.Tensor, torch.Tensor]:
        name = "human_encoder"
        weight, bias = self.p(f"{name}.input.0.weight"), self.p(f"{name}.input.0.bias")
        if isinstance(x, FactorisedFeatures):
            h = x.linear(weight, bias)
        else:
            h = _linear(x, weight, bias)
        h = _layer_norm(h, self.p(f"{name}.input.1.weight"), self.p(f"{name}.input.1.bias"))
        h = drop(torch.relu(h), self.human_dropout)
        aux = row_mask.new_zeros(row_mask.shape[0])
        for i in range(self.n_blocks):
            block = f"{name}.blocks.{i}"
            if self.use_moe:
                update, block_aux = self._moe(h, block, row_mask)
                aux = aux + block_aux
            else:
                inner = torch.relu(
                    _linear(h, self.p(f"{block}.0.weight"), self.p(f"{block}.0.bias"))
                )
                update = _linear(inner, self.p(f"{block}.2.weight"), self.p(f"{block}.2.bias"))
            norm = f"{name}.norms.{i}"
            h = drop(
                torch.relu(
                    _layer_norm(h + update, self.p(f"{norm}.weight"), self.p(f"{norm}.bias"))
                ),
                self.human_dropout,
            )
        return _linear(h, self.p(f"{name}.output.weight"), self.p(f"{name}.output.bias")), aux

    def _moe(self, x, block: str, row_mask) -> tuple[torch.Tensor, torch.Tensor]:
        """Top-k softmax gate over all experts (computed densely) and the load-balancing loss
        of each model over its real rows.

        sum_e g_e (W2_e h_e + b2_e) = [g_1 h_1 | ... | g_E h_E] [W2_1 ... W2_E]^T + g B2: the
        experts' second layers are one matrix product over all experts' hidden units (as
        their first layers are), not E small ones."""
        logits = torch.bmm(x, self.p(f"{block}.gate.weight").transpose(1, 2))  # M, B, E
        top = logits.topk(self.top_k, dim=2)
        masked = torch.full_like(logits, float("-inf")).scatter(2, top.indices, top.values)
        gates = torch.softmax(masked, dim=2)
        w1, b1 = self.p(f"{block}.experts.0.weight"), self.p(f"{block}.experts.0.bias")
        w2, b2 = self.p(f"{block}.experts.2.weight"), self.p(f"{block}.experts.2.bias")
        m, e, inner, width = w1.shape  # M, E, expert hidden, input
        hidden = torch.relu(
            torch.baddbmm(b1.reshape(m, 1, e * inner), x, w1.reshape(m, e * inner, width).mT)
        )  # M, B, E * inner
        weighted = (hidden.view(*hidden.shape[:2], e, inner) * gates.unsqueeze(-1)).flatten(2)
        second = w2.permute(0, 2, 1, 3).reshape(m, w2.shape[2], e * inner)  # M, out, E * inner
        mixed = torch.baddbmm(torch.bmm(gates, b2), weighted, second.mT)
        importance = (gates * row_mask.unsqueeze(-1)).sum(dim=1)  # M, E
        if importance.shape[1] < 2:
            return mixed, importance.new_zeros(importance.shape[0])
        balance = importance.var(dim=1, unbiased=False) / (importance.mean(dim=1) ** 2 + 1e-10)
        return mixed, balance
