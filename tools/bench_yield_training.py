"""Benchmark: one training epoch of the full-size multimodal model on Buchwald-Hartwig,
(a) the straightforward way and (b) the project's way, measured side by side in one run.

(a) every molecule of every reaction is encoded (no sharing within a batch), NNConv's edge
    network is rerun at every message-passing step, and both encoders run in every step;
(b) the encoders ran once (each unique molecule and each reaction SMILES embedded a single
    time, timed here as "embed once") and training reads the cached embeddings.

Each path runs in its own process, so its peak RSS is its own. Prints reactions per second,
peak RSS and the speed ratio. Needs src/data/features/bh (run the build, or
`snakemake src/data/features/bh/graphs.safetensors`).

    python tools/bench_yield_training.py [--profile full] [--threads 2] [--batches N]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import paths  # the one path registry
from measure import in_child, peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]


def _setup(profile: str, threads: int):
    import polars as pl
    import torch

    from reeval.config import load_config
    from reeval.featurize.store import load_graph_cache, load_human_features, load_molecules
    from reeval.featurize.tokens import Vocabulary
    from reeval.training.runtime import seed_everything, set_threads

    set_threads(threads)
    seed_everything(0)
    from reeval.settings import YieldModelProfile

    settings = YieldModelProfile.from_profile(load_config(profile))
    reactions = pl.read_parquet(paths.tidy / "bh_reactions.parquet")
    splits = pl.read_parquet(paths.tidy / "bh_splits.parquet")
    train_ids = set(
        splits.filter((pl.col("split") == "FullCV_01") & (pl.col("subset") == "train"))[
            "reaction_id"
        ].to_list()
    )
    rows = [i for i, r in enumerate(reactions["reaction_id"]) if r in train_ids]
    features = paths.features / "bh"
    vocab = Vocabulary.build(reactions["rxn_smiles"].to_list())
    _, fingerprints = load_human_features(features, list(settings.human_features))
    return dict(
        torch=torch,
        settings=settings,
        reactions=reactions,
        rows=rows,
        vocab=vocab,
        molecules=load_molecules(features),
        graphs=load_graph_cache(features),
        human=torch.from_numpy(fingerprints),
        yields=torch.tensor(reactions["yield_pct"].to_numpy(), dtype=torch.float32),
    )


def _straightforward(profile: str, threads: int, batches: int | None, queue) -> None:
    from torch_geometric.data import Batch

    from reeval.models.mpnn import reaction_embeddings
    from reeval.models.variants import variant
    from reeval.training.batched import build_yield_model as build_model
    from reeval.training.pretrain import build_encoders
    from reeval.training.supervised import ReactionInputs

    s = _setup(profile, threads)
    torch, settings = s["torch"], s["settings"]
    # and no layer checkpointing: the plain path at its fastest
    plain_smiles = dataclasses.replace(settings.smiles_encoder, checkpoint_layers=False)
    graph_encoder, smiles_encoder = build_encoders(
        settings.graph_encoder,
        plain_smiles,
        len(s["vocab"]),
        factorised=False,
    )
    g_dim, s_dim = 2 * graph_encoder.output_dim, smiles_encoder.output_dim
    shapes = ReactionInputs(
        None, torch.zeros(1, g_dim), torch.zeros(1, s_dim), s["human"][:1], None
    )
    head = build_model(variant("full"), shapes, settings.training_job())
    parameters = [*graph_encoder.parameters(), *smiles_encoder.parameters(), *head.parameters()]
    optimizer = torch.optim.AdamW(parameters, lr=1e-3)
    texts = s["reactions"]["rxn_smiles"].to_list()
    done, start = 0, time.perf_counter()
    for b, first in enumerate(range(0, len(s["rows"]), settings.train.batch_size)):
        if batches is not None and b >= batches:
            break
        rows = s["rows"][first : first + settings.train.batch_size]
        graph_rows = []
        for r in rows:  # every molecule of every reaction, one reaction at a time
            members = s["molecules"].reactants[r] + s["molecules"].products[r]
            encoded = graph_encoder(Batch.from_data_list([s["graphs"][m] for m in members]))
            n_r = len(s["molecules"].reactants[r])
            graph_rows.append(
                reaction_embeddings(encoded, [list(range(n_r))], [list(range(n_r, len(members)))])
            )
        ids, padding = s["vocab"].encode_batch(
            [texts[r] for r in rows], settings.smiles_encoder.max_tokens
        )
        mu, log_var, aux = head(
            torch.cat(graph_rows), smiles_encoder(ids, padding), s["human"][rows]
        )
        loss = ((mu - s["yields"][rows] / 100) ** 2).mean() + log_var.mean() * 0 + aux
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        done += len(rows)
    queue.put(_result("straightforward", done, time.perf_counter() - start))


def _project(profile: str, threads: int, batches: int | None, queue) -> None:
    from reeval.models.losses import yield_loss
    from reeval.models.variants import variant
    from reeval.training.batched import build_yield_model as build_model
    from reeval.training.batched import loss_weights
    from reeval.training.pretrain import ReactionCorpus, build_encoders, embed_reactions
    from reeval.training.supervised import ReactionInputs

    s = _setup(profile, threads)
    torch, settings = s["torch"], s["settings"]
    graph_encoder, smiles_encoder = build_encoders(
        settings.graph_encoder, settings.smiles_encoder, len(s["vocab"])
    )
    corpus = ReactionCorpus(
        s["molecules"], s["graphs"], [s["vocab"].encode(t) for t in s["reactions"]["rxn_smiles"]]
    )
    embed_start = time.perf_counter()
    graph, smiles = embed_reactions(
        graph_encoder,
        smiles_encoder,
        corpus,
        s["vocab"],
        settings.smiles_encoder.max_tokens,
        torch.device("cpu"),
    )
    embed_seconds = time.perf_counter() - embed_start
    inputs = ReactionInputs(None, graph, smiles, s["human"], s["yields"])
    model = build_model(variant("full"), inputs, settings.training_job())
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    weights = loss_weights(settings.loss)
    done, start = 0, time.perf_counter()
    for b, first in enumerate(range(0, len(s["rows"]), settings.train.batch_size)):
        if batches is not None and b >= batches:
            break
        rows = torch.tensor(s["rows"][first : first + settings.train.batch_size])
        mu, log_var, aux = model(graph[rows], smiles[rows], s["human"][rows])
        loss = yield_loss(s["yields"][rows] / 100, mu, log_var, aux, weights, True)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        done += len(rows)
    queue.put(
        _result(
            "project",
            done,
            time.perf_counter() - start,
            train_reactions=len(s["rows"]),
            embed_once_s=embed_seconds,
            reactions_embedded=len(corpus),
        )
    )


def _result(name: str, reactions: int, seconds: float, **extra) -> dict:
    peak_mb = peak_rss_mb()
    return {
        "path": name,
        "reactions": reactions,
        "seconds": seconds,
        "reactions_per_s": reactions / seconds,
        "peak_rss_mb": peak_mb,
        **extra,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--batches",
        type=int,
        default=None,
        help="time only the first N batches of the epoch (both paths alike)",
    )
    args = parser.parse_args()
    a = in_child(_straightforward, args.profile, args.threads, args.batches)
    b = in_child(_project, args.profile, args.threads, args.batches)
    for r in (a, b):
        print(json.dumps(r))
    ratio = b["reactions_per_s"] / a["reactions_per_s"]
    for label, r in (("(a) straightforward", a), ("(b) project", b)):
        print(
            f"{label}: {r['reactions_per_s']:.1f} reactions/s, peak RSS {r['peak_rss_mb']:.0f} MB"
        )
    print(
        f"(b) also embedded all {b['reactions_embedded']} reactions once: {b['embed_once_s']:.0f} s"
    )
    print(f"speed-up per epoch: {ratio:.0f}x")
    # a whole training run of the profile's epochs, the one-time embedding included in (b)
    from reeval.config import load_config

    epochs = load_config(args.profile)["training_budget"]["epochs"]
    n_train = b["train_reactions"]
    run_a = epochs * n_train / a["reactions_per_s"]
    run_b = b["embed_once_s"] + epochs * n_train / b["reactions_per_s"]
    print(
        f"a {epochs}-epoch run on {n_train} reactions: (a) {run_a / 3600:.1f} h, "
        f"(b) {run_b / 60:.1f} min including the embedding: {run_a / run_b:.0f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
