"""Benchmark: training the multimodal model's runs one at a time against all at once.

The same grid of runs (splits x seeds of one variant on one data set, on the cached
embeddings of the build) is trained twice in one process, one thread each:

(a) one model at a time: `YieldModel` and the one-model loop of
    `reeval.training.supervised.fit_yield_model`, then `predict`, run after run (for the
    end-to-end regime, `--variant end_to_end`: `reeval.training.end_to_end`'s one-model
    path, its graph encoder trained with the head);
(b) the batched engine, `reeval.training.batched.train_group`, every run at once.

Prints wall seconds and models per second of each path and their ratio, with the R^2
trimean of each path as a check that both trained the same models (their dropout draws
differ, so their values differ a little). Also prints the time a fresh Python process
takes to import what a training job imports, the cost each job of the one-run-per-job
workflow paid on top of (a). Needs the build's features and embeddings
(`make paper`, or the rules featurize_reactions and embed_reactions).

    python tools/bench_batched_training.py [--dataset bh] [--variant full]
        [--splits FullCV_01 FullCV_02 ...] [--seeds 0 1 2] [--profile quick]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import paths  # the one path registry

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_SPLITS = {
    "bh": ["FullCV_01", "FullCV_02", "FullCV_03", "FullCV_04", "Test1", "Test2"],
    "sm": [f"random_split_{i}" for i in range(6)],
}


def import_seconds() -> float:
    """Wall time of a fresh interpreter importing a training job's modules."""
    code = "import reeval.training.batched, reeval.training.inputs, polars"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        env={"PYTHONPATH": str(ROOT / "src/scripts"), "OMP_NUM_THREADS": "1"},
    )
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="bh", choices=["bh", "sm"])
    parser.add_argument("--variant", default="full")
    parser.add_argument("--splits", nargs="+")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--features", type=Path, help="default: src/data/features/<dataset>")
    args = parser.parse_args()

    import numpy as np
    import polars as pl
    import torch

    from reeval.config import load_config
    from reeval.models.variants import variant
    from reeval.settings import YieldModelProfile
    from reeval.stats.metrics import r2
    from reeval.stats.robust import trimean
    from reeval.training.batched import build_yield_model, loss_weights, train_group
    from reeval.training.end_to_end import build_one_model, fit_one_model, predict_one_model
    from reeval.training.inputs import load_graphs, load_inputs
    from reeval.training.run_yield import PlannedRun, run_specs
    from reeval.training.runtime import seed_everything, set_threads
    from reeval.training.supervised import fit_yield_model, predict

    set_threads(1)
    config = load_config(args.profile)
    chosen = variant(args.variant)
    settings = YieldModelProfile.from_profile(config).training_job(chosen.graph_end_to_end)
    reactions = pl.read_parquet(paths.tidy / f"{args.dataset}_reactions.parquet")
    splits = pl.read_parquet(paths.tidy / f"{args.dataset}_splits.parquet")
    inputs = load_inputs(
        reactions,
        args.features or paths.features / args.dataset,
        paths.models / args.dataset / "all/embeddings.safetensors",
        list(settings.human_features),
    )
    planned = [
        PlannedRun(split, seed)
        for split in args.splits or DEFAULT_SPLITS[args.dataset]
        for seed in args.seeds
    ]
    specs = run_specs(inputs, splits, planned)
    cpu = torch.device("cpu")

    graphs = None
    if chosen.graph_end_to_end:
        graphs = load_graphs(reactions, args.features or paths.features / args.dataset, cpu)

    start = time.perf_counter()
    one_by_one = []
    for spec in specs:
        generator = seed_everything(spec.seed)
        weights = loss_weights(settings.loss, chosen)
        if chosen.graph_end_to_end:
            model = build_one_model(chosen, inputs, settings)
            fit = fit_one_model(
                model,
                graphs,
                inputs,
                spec.train_rows,
                settings.train,
                weights,
                generator,
                cpu,
                progress=False,
            )
            mu, _ = predict_one_model(fit, graphs, inputs, spec.test_rows, cpu)
        else:
            model = build_yield_model(chosen, inputs, settings)
            fit = fit_yield_model(
                model,
                inputs,
                spec.train_rows,
                settings.train,
                weights,
                generator,
                cpu,
                progress=False,
            )
            mu, _ = predict(fit, inputs, spec.test_rows, cpu)
        one_by_one.append(r2(inputs.yields[spec.test_rows].numpy(), mu))
    seconds_a = time.perf_counter() - start

    start = time.perf_counter()
    together = train_group(inputs, specs, chosen, settings, cpu, progress=False, graphs=graphs)
    seconds_b = time.perf_counter() - start
    batched = [r2(inputs.yields[r.spec.test_rows].numpy(), r.mu) for r in together]
    startup = import_seconds()

    n = len(specs)
    print(
        f"{args.dataset} {args.variant}: {n} runs ({len(set(p.split for p in planned))} "
        f"splits x {len(args.seeds)} seeds), profile {args.profile}, 1 thread"
    )
    print(
        f"(a) one model at a time: {seconds_a:8.1f} s  {n / seconds_a:6.3f} models/s  "
        f"R^2 trimean {trimean(np.array(one_by_one)):.3f}"
    )
    print(
        f"(b) batched engine:      {seconds_b:8.1f} s  {n / seconds_b:6.3f} models/s  "
        f"R^2 trimean {trimean(np.array(batched)):.3f}"
    )
    print(f"speed-up (b)/(a) in models per second: {seconds_a / seconds_b:.1f}x")
    print(
        f"a fresh process importing a training job's modules: {startup:.1f} s; with one "
        f"process per run, (a) costs {(seconds_a + n * startup) / n:.1f} s per model, "
        f"{(seconds_a + n * startup) / seconds_b:.1f}x (b)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
