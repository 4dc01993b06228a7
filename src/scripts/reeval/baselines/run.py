"""One run of a baseline: a data set, split, model, seed (and training fraction)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import torch

from reeval.baselines import neural
from reeval.baselines.registry import Baseline
from reeval.baselines.tabular import fit_predict_trees
from reeval.featurize.graphs import N_ATOM_FEATURES, N_BOND_FEATURES
from reeval.featurize.store import load_graph_cache, load_human_features, load_molecules
from reeval.featurize.tokens import Vocabulary
from reeval.models.mpnn import MPNNEncoder
from reeval.models.smiles_transformer import SmilesTransformer
from reeval.stats.metrics import regression_metrics
from reeval.training.pretrain import ReactionCorpus
from reeval.training.runtime import seed_everything


def run_baseline(
    spec: Baseline,
    reactions: pl.DataFrame,
    feature_dir: Path,
    train_rows: np.ndarray,
    test_rows: np.ndarray,
    cfg: dict,
    seed: int,
    threads: int,
    progress: bool = True,
) -> tuple[pl.DataFrame, dict]:
    """(predictions: reaction_id, y, mu, sigma[, sigma parts]; metrics)."""
    generator = seed_everything(seed)
    yields = reactions["yield_pct"].to_numpy().astype(np.float64)
    extra: dict = {}
    if spec.kind in {"forest", "boosting"}:
        _, features = load_human_features(feature_dir, [spec.features])
        settings = cfg["random_forest"] if spec.kind == "forest" else cfg["boosting"]
        if spec.features == "mordred":
            settings = {**settings, "max_features": cfg["mordred_max_features"]}
        out = {
            "mu": fit_predict_trees(
                spec.kind, features, yields, train_rows, test_rows, settings, seed, threads
            )
        }
    else:
        out, extra = _run_neural(
            spec, reactions, feature_dir, yields, train_rows, test_rows, cfg, generator, progress
        )
    sigma = out.get("sigma")
    predictions = pl.DataFrame(
        {
            "reaction_id": reactions["reaction_id"].to_numpy()[test_rows],
            "y": yields[test_rows],
            "mu": out["mu"].astype(np.float64),
            "sigma": (sigma if sigma is not None else np.full(len(test_rows), np.nan)).astype(
                np.float64
            ),
            **{k: v.astype(np.float64) for k, v in out.items() if k.startswith("sigma_")},
        }
    )
    metrics = regression_metrics(yields[test_rows], out["mu"], sigma) | {
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        **extra,
    }
    return predictions, metrics


def _run_neural(
    spec, reactions, feature_dir, yields, train_rows, test_rows, cfg, generator, progress
):
    texts = reactions["rxn_smiles"].to_list()
    # the vocabulary comes from the training reactions; others' unseen tokens become [UNK]
    vocab = Vocabulary.build([texts[i] for i in train_rows])
    corpus = ReactionCorpus(
        load_molecules(feature_dir), load_graph_cache(feature_dir), [vocab.encode(t) for t in texts]
    )
    if spec.kind == "sequence":
        c = cfg["smiles_transformer"]
        encoder = SmilesTransformer(
            len(vocab),
            c["embed_dim"],
            c["heads"],
            c["layers"],
            c["output_dim"],
            c["max_tokens"],
            c["dropout"],
        )
        model = neural.SmilesRegressor(encoder, c["head_hidden"], c["dropout"])
        max_tokens, mc = c["max_tokens"], 0
    else:
        c = cfg["mpnn"]
        encoder = MPNNEncoder(
            N_ATOM_FEATURES,
            N_BOND_FEATURES,
            c["hidden"],
            c["steps"],
            c["set2set_steps"],
            c["output_dim"],
        )
        model = neural.GraphRegressor(encoder, c["head_hidden"], c["dropout"], spec.predicts_sigma)
        max_tokens, mc = None, (c["mc_samples"] if spec.predicts_sigma else 0)
    y = torch.tensor(yields, dtype=torch.float32)
    history, best_epoch, scale = neural.fit_end_to_end(
        model, corpus, vocab, max_tokens, y, train_rows, c, generator, progress
    )
    out = neural.predict_end_to_end(
        model, corpus, vocab, max_tokens, test_rows, scale, mc, generator
    )
    return out, {"best_epoch": best_epoch, "epochs_run": len(history)}
