"""Benchmark: Yield-BERT fine-tuning and rxnfp inference on this machine, projected to the
design.

Times a few optimiser steps of Yield-BERT at the profile's settings (batch, tokens, dropout)
on real training reactions of the first split, and the [CLS] inference of the rxnfp vectors,
then projects: hours per split (training rows x epochs) and for every split and seed of the
profile's design, and the seconds of the default build's rxnfp jobs. Needs the tidy tables
of a build (`make paper`, or the rules tidy_*) and the rxnfp files (fetched by the build).

    python tools/bench_yield_bert.py [--dataset bh] [--steps 6] [--threads 2] [--profile full]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import paths  # the one path registry

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="bh", choices=["bh", "sm"])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--profile", default="full")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    import numpy as np
    import polars as pl
    import torch

    from reeval.baselines.plan import baseline_runs
    from reeval.config import load_config
    from reeval.featurize.rxnfp import RxnTokenizer, cls_vectors
    from reeval.models.yield_bert import YieldBert
    from reeval.reactions.splits import split_rows
    from reeval.settings import Baselines, with_overrides
    from reeval.training.runtime import set_threads
    from reeval.training.yield_bert import _padded

    set_threads(args.threads)
    device = torch.device(args.device)
    config = load_config(args.profile)
    baselines = Baselines.from_profile(config)
    settings = getattr(baselines.yield_bert, args.dataset)
    reactions = pl.read_parquet(paths.tidy / f"{args.dataset}_reactions.parquet")
    splits = pl.read_parquet(paths.tidy / f"{args.dataset}_splits.parquet")
    first_split = config["yield_model"]["splits"][args.dataset][0]
    train_rows, _ = split_rows(splits, first_split, reactions["reaction_id"].to_numpy())
    rxnfp = paths.raw / "reactions/rxnfp"
    model_dir = rxnfp / settings.model
    tokenizer = RxnTokenizer.from_folder(model_dir, settings.max_tokens)
    smiles = reactions["rxn_smiles"].to_list()
    model = YieldBert(model_dir, settings.dropout).to(device).train()
    optimiser = torch.optim.AdamW(model.parameters(), lr=settings.lr, eps=1e-8, weight_decay=0)
    rng = np.random.default_rng(0)
    batches = [
        rng.choice(train_rows, settings.batch_size, replace=False) for _ in range(args.steps + 1)
    ]
    target = torch.zeros(settings.batch_size, device=device)

    def step(rows) -> None:
        ids, mask = _padded([tokenizer.encode(smiles[r])[0] for r in rows], tokenizer.pad_id)
        loss = torch.nn.functional.mse_loss(model(ids.to(device), mask.to(device)), target)
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
        optimiser.step()

    step(batches[0])  # warm-up, not timed
    start = time.perf_counter()
    for rows in batches[1:]:
        step(rows)
    if device.type == "cuda":
        torch.cuda.synchronize()
    train_rate = args.steps * settings.batch_size / (time.perf_counter() - start)

    sample = smiles[:256]
    bert = model.bert.eval()
    start = time.perf_counter()
    cls_vectors(bert, RxnTokenizer.from_folder(model_dir, 512), sample)
    infer_rate = len(sample) / (time.perf_counter() - start)

    per_split_h = len(train_rows) * settings.epochs / train_rate / 3600
    runs = [
        r
        for r in baseline_runs(
            with_overrides(baselines, {"yield_bert": {"enabled": True}}),
            config["yield_model"]["splits"],
        )
        if r.model == "yield_bert"
    ]
    tables = {
        d: (
            pl.read_parquet(paths.tidy / f"{d}_splits.parquet"),
            pl.read_parquet(paths.tidy / f"{d}_reactions.parquet")["reaction_id"].to_numpy(),
        )
        for d in ("bh", "sm")
    }
    design_h = (
        sum(
            len(split_rows(tables[r.dataset][0], r.split, tables[r.dataset][1])[0])
            * getattr(baselines.yield_bert, r.dataset).epochs
            for r in runs
        )
        / train_rate
        / 3600
    )
    n_all = sum(len(ids) for _, ids in tables.values())
    print(
        f"{args.dataset} {settings.model}, batch {settings.batch_size}, {args.threads} "
        f"thread(s), {device}: fine-tuning {train_rate:.1f} reactions/s, [CLS] inference "
        f"{infer_rate:.1f} reactions/s"
    )
    print(
        f"one {first_split} run ({len(train_rows)} reactions x {settings.epochs} epochs): "
        f"{per_split_h:.2f} h; the profile's {len(runs)} Yield-BERT runs: {design_h:.1f} h "
        f"(at this data set's rate)"
    )
    print(
        f"the rxnfp vectors of all {n_all} BH and SM reactions, two models: "
        f"{2 * n_all / infer_rate:.0f} s at this rate"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
