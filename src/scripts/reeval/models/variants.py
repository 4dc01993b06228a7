"""The ablation variants of the multimodal model: switches on one code path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """One configuration of the multimodal yield model: which inputs, encoder, head, loss
    and regime it has (the full model, its ablations and the end-to-end regime)."""

    name: str
    label: str
    uncertainty: bool = True  # (mu, log sigma^2) head and heteroscedastic loss, else plain MSE
    aux_loss: bool = True  # the MoE load-balancing loss L_r
    moe: bool = True  # mixture-of-experts human-feature encoder, else a plain MLP
    smiles: bool = True  # the (frozen) SMILES-encoder embedding
    graph: bool = True  # the (frozen) graph-encoder embedding
    human: bool = True  # the human features
    # the graph encoder trained with the head from random weights (the released code's
    # regime), instead of the frozen, contrastively pretrained one
    graph_end_to_end: bool = False
    mse_on_sample: bool = False  # the MSE of the reparameterised sample mu + eps sigma
    change: str = ""  # what the variant changes, as a sentence says it ("removing the ...")

    @property
    def modalities(self) -> tuple[str, ...]:
        return tuple(m for m in ("graph", "smiles", "human") if getattr(self, m))


VARIANTS = {
    v.name: v
    for v in [
        Variant("full", "Multimodal (ours, full)"),
        Variant("no_uq", "without UQ", uncertainty=False, change="removing the UQ head"),
        Variant("no_aux", "without $L_r$", aux_loss=False, change="removing $L_r$"),
        Variant("no_moe", "without MoE", moe=False, aux_loss=False, change="removing the MoE"),
        Variant(
            "no_smiles",
            "without SMILES encoder",
            smiles=False,
            change="removing the SMILES encoder",
        ),
        Variant(
            "no_graph", "without graph encoder", graph=False, change="removing the graph encoder"
        ),
        Variant(
            "no_human",
            "without human features",
            human=False,
            moe=False,
            aux_loss=False,
            change="removing the human features",
        ),
        # the model's own input alone: what the two frozen encoders add (MoE and UQ head
        # kept), and what encoders, MoE and UQ head add together (a plain MLP, MSE loss)
        Variant(
            "human_only",
            "human features only (no encoders)",
            smiles=False,
            graph=False,
            change="removing both encoders",
        ),
        Variant(
            "human_mlp",
            "MLP on the human features",
            uncertainty=False,
            aux_loss=False,
            moe=False,
            smiles=False,
            graph=False,
            change="replacing the model by an MLP on the human features",
        ),
        # the regime of the authors' released code; the MSE on the reparameterised sample
        # instead of on mu
        Variant(
            "end_to_end",
            "graph encoder trained end to end",
            graph_end_to_end=True,
            change="training the graph encoder end to end",
        ),
        Variant(
            "mse_on_sample",
            "MSE of the sample $\\mu+\\epsilon\\sigma$",
            mse_on_sample=True,
            change="putting the reparameterised sample in the MSE",
        ),
    ]
}
# the multimodal model's two encoder regimes, each run on every split of the main results:
# frozen, pretrained encoders (the paper) and the graph encoder trained end to end (the code)
REGIMES = ["full", "end_to_end"]
ABLATIONS = [name for name in VARIANTS if name not in REGIMES]


def variant(name: str) -> Variant:
    try:
        return VARIANTS[name]
    except KeyError:
        raise ValueError(f"unknown variant {name!r}; choose one of {sorted(VARIANTS)}") from None
