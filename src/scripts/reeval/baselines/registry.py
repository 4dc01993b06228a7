"""Every baseline of the comparison, with what it runs on and whom to cite."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Baseline:
    """A baseline model of the comparison: its name and label, data sets, kind, input
    features, whether it predicts an uncertainty, and the paper it comes from."""

    name: str
    label: str
    datasets: tuple[str, ...]
    kind: str  # "forest", "boosting", "graph" or "bert" (Yield-BERT, fine-tuned end to end)
    features: str | None  # feature block of the feature store (tabular models)
    predicts_sigma: bool
    citation: str


BASELINES = {
    b.name: b
    for b in [
        Baseline("dft_rf", "DFT descriptors + RF", ("bh",), "forest", "dft", False, "Ahneman2018"),
        Baseline(
            "onehot_rf", "One-hot + RF", ("bh", "sm"), "forest", "onehot", False, "Chuang2018"
        ),
        Baseline(
            "random_rf",
            "Random features + RF (control)",
            ("bh",),
            "forest",
            "random",
            False,
            "Chuang2018",
        ),
        Baseline(
            "mordred_rf", "Mordred + RF", ("bh", "sm"), "forest", "mordred", False, "Chen2024"
        ),
        # the multimodal model's own human features (the summed Morgan fingerprint of the
        # profile's features section) without any of its machinery
        Baseline(
            "morgan_rf",
            "Summed Morgan FP + RF",
            ("bh", "sm"),
            "forest",
            "morgan",
            False,
            "Chen2024",
        ),
        Baseline(
            "morgan_gbt",
            "Summed Morgan FP + gradient boosting",
            ("bh", "sm"),
            "boosting",
            "morgan",
            False,
            "Chen2024",
        ),
        Baseline(
            "drfp_gbt",
            "DRFP + gradient boosting",
            ("bh", "sm"),
            "boosting",
            "drfp",
            False,
            "Probst2022",
        ),
        # the frozen rxnfp BERTs of Schwaller et al.: the [CLS] vector of the class-fine-tuned
        # model (the rxnfp fingerprint) and of the pretrained model that Yield-BERT fine-tunes,
        # under the head of the other dense fingerprint, DRFP (a forest on these 256 dense
        # columns cost 3x the boosting for a lower R^2 in a measured build)
        Baseline(
            "rxnfp_gbt",
            "rxnfp + gradient boosting",
            ("bh", "sm"),
            "boosting",
            "rxnfp",
            False,
            "Schwaller2021rxnfp",
        ),
        Baseline(
            "rxnbert_gbt",
            "pretrained rxn-BERT [CLS] + gradient boosting",
            ("bh", "sm"),
            "boosting",
            "rxnfp_pretrained",
            False,
            "Schwaller2021",
        ),
        # Yield-BERT itself: the pretrained rxnfp BERT fine-tuned on each split with Schwaller
        # et al.'s settings (baselines.yield_bert; hours per split on a CPU: full profile)
        Baseline(
            "yield_bert",
            "Yield-BERT (fine-tuned here)",
            ("bh", "sm"),
            "bert",
            None,
            False,
            "Schwaller2021",
        ),
        Baseline("mpnn", "MPNN", ("bh", "sm"), "graph", None, False, "Gilmer2017"),
        Baseline(
            "mpnn_mcdropout", "MPNN + MC dropout", ("bh", "sm"), "graph", None, True, "Kwon2022"
        ),
    ]
}


def baseline(name: str) -> Baseline:
    try:
        return BASELINES[name]
    except KeyError:
        raise ValueError(f"unknown baseline {name!r}; choose one of {sorted(BASELINES)}") from None
