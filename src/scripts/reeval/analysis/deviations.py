"""Where this article departs from Chen et al. (2024): the paper's text, the authors'
released code, and this build's profile, one row per choice that can move a number.

The paper and code columns are facts read once (the code at
The-Real-JerryChen/reaction_yield_prediction, commit 5f98156: `train.py`, `pretrain.py`,
`config.yaml`, `utils.py`, `dataset/rxndataset.py`, `model/mmmodel.py`); the last column is
written from the profile the article was built with, so it cannot drift from the build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reeval.render.latex import Latex, latex_table
from reeval.settings import YieldModelProfile

RELEASED_CODE = "The-Real-JerryChen/reaction_yield_prediction@5f98156"


@dataclass(frozen=True)
class Deviation:
    """One design choice: what the paper says, what the released code does, what we do."""

    aspect: str
    paper: str
    code: str
    ours: Callable[[YieldModelProfile], str]


def _encoders(s: YieldModelProfile) -> str:
    on = "all reactions" if s.pretrain_on == "all" else "each split's training reactions"
    smiles = (
        "the SMILES encoder too"
        if s.end_to_end.smiles
        else "the SMILES embedding stays the frozen, pretrained one"
    )
    return (
        f"both regimes on every split: CLIP-pretrained {s.pretrain.epochs} epochs on "
        f"{on}, then frozen; and the graph encoder trained end to end from random weights "
        f"({smiles})"
    )


def _mse(s: YieldModelProfile) -> str:
    target = "the sample $\\mu + \\epsilon\\sigma$" if s.loss.sample_in_mse else "$\\mu$"
    other = "$\\mu$" if s.loss.sample_in_mse else "the sample $\\mu + \\epsilon\\sigma$"
    return (
        f"{s.loss.mse_weight:g} MSE on {target} + {s.loss.heteroscedastic_weight:g} "
        f"heteroscedastic + {s.loss.aux_weight:g} MoE auxiliary; the MSE on {other} as "
        "an ablation"
    )


def _budget(s: YieldModelProfile) -> str:
    return (
        f"at most {s.train.epochs} epochs, early stopping after "
        f"{s.train.patience} epochs; the epoch of lowest validation MSE"
    )


DEVIATIONS = [
    Deviation(
        "Encoders",
        "pretrained with a CLIP loss, then frozen",
        "built without loading pretrained weights (config: pretrained false); every encoder "
        "trained end to end with the head",
        _encoders,
    ),
    Deviation(
        "Loss",
        "an MSE term, the heteroscedastic loss and the MoE load-balancing loss",
        "0.9 MSE on $\\mu$ + 0.1 heteroscedastic + 0.01 MoE auxiliary",
        _mse,
    ),
    Deviation(
        "SMILES tokens",
        "reaction SMILES",
        "the MolT5-base subword tokenizer",
        lambda s: "the atom-level regex of Schwaller et al.",
    ),
    Deviation(
        "After the MoE",
        "not stated",
        "dense layers with BatchNorm after the sparse (MoE) layers",
        lambda s: (
            f"{s.human_encoder.layers} residual MoE block(s) with LayerNorm, "
            f"{s.human_encoder.experts} experts, top-{s.human_encoder.top_k}"
        ),
    ),
    Deviation(
        "CLIP batch",
        "not stated",
        "512 reactions, 50 epochs, learning rate $10^{-4}$",
        lambda s: (
            f"{s.pretrain.batch_size} reactions, {s.pretrain.epochs} epochs, "
            f"learning rate {s.pretrain.lr:g}"
        ),
    ),
    Deviation(
        "Training",
        "not stated in full",
        "300 epochs, cosine schedule; the epoch of highest validation $R^2$",
        _budget,
    ),
    Deviation(
        "Splits",
        "random re-splits of each data set",
        "one unseeded random 70/10/20 split per run",
        lambda s: (
            "the published splits: 10 BH FullCV 70/30, Test1-4, 10 SM 70/30, "
            f"{s.train.validation_fraction * 100:g}\\,\\% of each training split "
            "for validation"
        ),
    ),
]


def deviations_table(settings: YieldModelProfile) -> str:
    """The deviations as a LaTeX table, the last column from the profile's yield-model
    settings."""
    rows = [[d.aspect, Latex(d.paper), Latex(d.code), Latex(d.ours(settings))] for d in DEVIATIONS]
    header = ["", "Paper (Chen et al. 2024)", "Released code", "This article"]
    return latex_table(header, rows, align="lp{3.2cm}p{4.4cm}p{4.4cm}")
