"""The ablation variants of the multimodal model: switches on one code path."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    name: str
    label: str
    uncertainty: bool = True  # (mu, log sigma^2) head and heteroscedastic loss, else plain MSE
    aux_loss: bool = True  # the MoE load-balancing loss L_r
    moe: bool = True  # mixture-of-experts human-feature encoder, else a plain MLP
    smiles: bool = True  # the (frozen) SMILES-encoder embedding
    graph: bool = True  # the (frozen) graph-encoder embedding
    human: bool = True  # the human features
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
    ]
}
ABLATIONS = [name for name in VARIANTS if name != "full"]


def variant(name: str) -> Variant:
    try:
        return VARIANTS[name]
    except KeyError:
        raise ValueError(f"unknown variant {name!r}; choose one of {sorted(VARIANTS)}") from None
