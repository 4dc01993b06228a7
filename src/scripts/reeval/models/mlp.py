"""The one builder of plain multilayer perceptrons: the regression heads of the yield model
and the graph baselines, and the expert, tower and single-task networks of the materials
study."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from torch import nn


def mlp(
    sizes: Sequence[int],
    dropout: float = 0.0,
    activation: type[nn.Module] = nn.ReLU,
    outputs: int | None = None,
) -> nn.Sequential:
    """Linear -> activation -> Dropout for each consecutive pair of `sizes`, then, given
    `outputs`, a last Linear to that many outputs, all in one flat `nn.Sequential` (so layer
    i of a head with two hidden layers is at index 3 i).

    Shapes: (..., sizes[0]) -> (..., outputs or sizes[-1])."""
    layers: list[nn.Module] = []
    for a, b in itertools.pairwise(sizes):
        layers += [nn.Linear(a, b), activation(), nn.Dropout(dropout)]
    if outputs is not None:
        layers.append(nn.Linear(sizes[-1], outputs))
    return nn.Sequential(*layers)
