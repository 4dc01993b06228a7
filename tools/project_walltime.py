"""Project the wall time of a profile (default: full) on 2 CPU cores from measured costs.

Per-job times of the heavy rules at the profile's sizes are measured here, side by side in
one run (each in its own process, which also gives its peak RSS): a few pretraining steps,
the embedding of a sample of reactions, and a few training epochs, scaled to whole jobs by
the profile's epochs and data sizes (every epoch is counted: early stopping only shortens
it). The light rules (fetch, tidy, featurize, summaries) cost the same in every profile and
are read from the Snakemake benchmark files of a finished build (benchmarks/*.tsv). Job
counts come from the same plan the workflow uses. Needs a finished quick build.

    python tools/project_walltime.py [--profile full] [--cores 2] [--steps 3]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import paths  # the one path registry
from measure import in_child, peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]

# benchmark file stems of the light jobs (each named after its rule and wildcards)
LIGHT_RULES = [
    "tidy_buchwald_hartwig",
    "tidy_suzuki_miyaura",
    "featurize_reactions_bh",
    "featurize_reactions_sm",
]


def _load(dataset: str):
    import polars as pl

    from reeval.featurize.store import load_graph_cache, load_molecules
    from reeval.featurize.tokens import Vocabulary
    from reeval.training.pretrain import ReactionCorpus

    reactions = pl.read_parquet(paths.tidy / f"{dataset}_reactions.parquet")
    features = paths.features / dataset
    vocab = Vocabulary.build(reactions["rxn_smiles"].to_list())
    corpus = ReactionCorpus(
        load_molecules(features),
        load_graph_cache(features),
        [vocab.encode(t) for t in reactions["rxn_smiles"]],
    )
    return reactions, vocab, corpus


def _pretrain_job(settings, dataset: str, steps: int, threads: int, queue) -> None:
    import torch

    from reeval.models.contrastive import ContrastiveModel
    from reeval.training.pretrain import build_encoders, encode_batch
    from reeval.training.runtime import seed_everything, set_threads

    set_threads(threads)
    seed_everything(0)
    _, vocab, corpus = _load(dataset)
    cfg, max_tokens = settings.pretrain, settings.smiles_encoder.max_tokens
    graph, smiles = build_encoders(settings.graph_encoder, settings.smiles_encoder, len(vocab))
    model = ContrastiveModel(
        graph, smiles, cfg.projection_dim, cfg.temperature, cfg.learn_temperature
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr)
    batch = cfg.batch_size
    times = []
    for step in range(steps + 1):  # the first step warms up and is not counted
        rows = list(range(step * batch, (step + 1) * batch))
        start = time.perf_counter()
        loss = model.loss(
            *encode_batch(model, corpus, rows, max_tokens, vocab, torch.device("cpu"))
        )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    per_step = sum(times[1:]) / steps
    fit = 0.9 * len(corpus)  # 10 % is held out for the validation loss (forward only: ~1/3)
    per_epoch = per_step * (fit / batch + (0.1 * len(corpus) / batch) / 3)
    queue.put(
        {
            "seconds": per_epoch * cfg.epochs,
            "seconds_per_step": per_step,
            "peak_rss_mb": peak_rss_mb(),
        }
    )


def _embed_job(settings, dataset: str, sample: int, threads: int, queue) -> None:
    import torch

    from reeval.training.pretrain import ReactionCorpus, build_encoders, embed_reactions
    from reeval.training.runtime import set_threads

    set_threads(threads)
    _, vocab, corpus = _load(dataset)
    graph, smiles = build_encoders(settings.graph_encoder, settings.smiles_encoder, len(vocab))
    part = ReactionCorpus(corpus.molecules, corpus.graphs, corpus.tokens[:sample])
    start = time.perf_counter()
    embed_reactions(
        graph, smiles, part, vocab, settings.smiles_encoder.max_tokens, torch.device("cpu")
    )
    seconds = (time.perf_counter() - start) * len(corpus) / sample
    queue.put({"seconds": seconds, "peak_rss_mb": peak_rss_mb()})


def _train_job(settings, dataset: str, epochs: int, threads: int, queue) -> None:
    import numpy as np
    import torch

    from reeval.models.variants import variant
    from reeval.settings import with_overrides
    from reeval.training.batched import RunSpec, train_group
    from reeval.training.runtime import set_threads
    from reeval.training.supervised import ReactionInputs

    set_threads(threads)
    reactions, _, corpus = _load(dataset)
    from reeval.featurize.store import load_human_features

    _, human = load_human_features(paths.features / dataset, list(settings.human_features))
    n = len(corpus)
    generator = torch.Generator().manual_seed(0)
    inputs = ReactionInputs(
        reactions["reaction_id"].to_numpy(),
        torch.randn((n, 2 * settings.graph_encoder.output_dim), generator=generator),
        torch.randn((n, settings.smiles_encoder.output_dim), generator=generator),
        torch.from_numpy(human),
        torch.tensor(reactions["yield_pct"].to_numpy(), dtype=torch.float32),
    )
    short = with_overrides(
        settings.training_job(), {"train": {"epochs": epochs, "patience": epochs + 1}}
    )
    rows = np.arange(n)
    start = time.perf_counter()
    spec = RunSpec("projection", 0, rows[: int(0.7 * n)], rows[int(0.7 * n) :])
    train_group(inputs, [spec], variant("full"), short, torch.device("cpu"), progress=False)
    seconds = (time.perf_counter() - start) * settings.train.epochs / epochs
    queue.put({"seconds": seconds, "peak_rss_mb": peak_rss_mb()})


def light_rule_seconds(benchmarks: Path) -> dict[str, float]:
    """Mean seconds per job of the light rules, from a finished build's benchmark files."""
    found: dict[str, list[float]] = {}
    for path in benchmarks.glob("*.tsv"):
        name = path.stem
        rule = next((r for r in LIGHT_RULES if name.startswith(r)), None)
        if rule is None:
            continue
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        found.setdefault(rule, []).extend(float(r["s"]) for r in rows)
    return {rule: sum(v) / len(v) for rule, v in found.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3, help="pretraining steps to time")
    parser.add_argument("--train-epochs", type=int, default=5, help="training epochs to time")
    parser.add_argument("--benchmarks", type=Path, default=paths.benchmarks)
    parser.add_argument("--output", type=Path, default=paths.benchmarks / "projection.json")
    args = parser.parse_args()

    from reeval.config import load_config
    from reeval.settings import YieldModelProfile
    from reeval.training.plan import DATASETS, planned_runs

    settings = YieldModelProfile.from_profile(load_config(args.profile))
    runs = planned_runs(settings)
    scopes = 1 if settings.pretrain_on == "all" else None
    rows = []
    peak = 0.0
    for dataset in DATASETS:
        n_scopes = scopes or len(
            set(settings.splits[dataset]) | set(settings.ablation_splits[dataset])
        )
        n_train = sum(r.dataset == dataset for r in runs)
        pretrain = in_child(_pretrain_job, settings, dataset, args.steps, 2)
        embed = in_child(_embed_job, settings, dataset, 128, 1)
        train = in_child(_train_job, settings, dataset, args.train_epochs, 1)
        peak = max(peak, pretrain["peak_rss_mb"], embed["peak_rss_mb"], train["peak_rss_mb"])
        rows += [
            (f"pretrain_encoders {dataset}", n_scopes, pretrain["seconds"], 2),
            (f"embed_reactions {dataset}", n_scopes, embed["seconds"], 1),
            (f"train_yield_model {dataset}", n_train, train["seconds"], 1),
        ]
    light = light_rule_seconds(args.benchmarks)
    rows += [(rule, 1, seconds, 1) for rule, seconds in light.items()]
    core_seconds = sum(jobs * seconds * threads for _, jobs, seconds, threads in rows)
    wall = core_seconds / args.cores
    print(f"{'rule':34s} {'jobs':>5s} {'s/job':>10s} {'threads':>7s}")
    for rule, jobs, seconds, threads in rows:
        print(f"{rule:34s} {jobs:5d} {seconds:10.0f} {threads:7d}")
    print(
        f"projected wall time of the {args.profile} profile on {args.cores} cores: "
        f"{wall / 3600:.1f} h (perfect packing of {core_seconds / 3600:.1f} core-hours); "
        f"peak RSS of any job: {peak:.0f} MB"
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(
        json.dumps(
            {
                "profile": args.profile,
                "cores": args.cores,
                "wall_hours": wall / 3600,
                "peak_rss_mb": peak,
                "rules": rows,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
