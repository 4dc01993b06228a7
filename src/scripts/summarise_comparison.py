"""The comparison section: tables, tests, sentences, numbers and the data of its figures."""

import argparse
import json
from pathlib import Path

import polars as pl

from reeval.analysis import comparison
from reeval.analysis.yield_model import collect_metrics as collect_yield_metrics
from reeval.cli import run
from reeval.data.published import load_published
from reeval.io import write_parquet_atomic, write_text_atomic
from reeval.render.latex import write_table
from reeval.render.variables import write_variables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--yield-metrics", required=True, type=Path, nargs="+")
    parser.add_argument("--baseline-metrics", required=True, type=Path, nargs="+")
    parser.add_argument("--learning-curve-metrics", required=True, type=Path, nargs="+")
    parser.add_argument("--calibration-multimodal", required=True, type=Path, nargs="+")
    parser.add_argument("--calibration-mcdropout", required=True, type=Path, nargs="+")
    parser.add_argument("--learning-curve-splits", required=True, nargs="+")
    parser.add_argument("--learning-curve-seeds", required=True, type=int, nargs="+")
    parser.add_argument("--profile", required=True, help="the profile's name (quick, full)")
    parser.add_argument("--settings", required=True, help="JSON: the baselines settings")
    parser.add_argument("--published", required=True, type=Path)
    parser.add_argument("--alpha", required=True, type=float)
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--figure-dir", required=True, type=Path)
    args = parser.parse_args()
    runs = comparison.collect_runs(
        [*args.yield_metrics, *args.baseline_metrics, *args.learning_curve_metrics]
    )
    published = load_published(args.published)
    settings = json.loads(args.settings)
    out = args.output_dir
    write_table(
        out / "comparison_table.tex", comparison.comparison_table(runs, published, args.alpha)
    )
    write_table(out / "comparison_metrics.tex", comparison.metrics_table(runs, args.alpha))
    write_table(out / "comparison_uncertainty.tex", comparison.uncertainty_table(runs))
    write_table(out / "comparison_tests.tex", comparison.tests_table(runs, args.alpha))
    write_text_atomic(
        out / "comparison_published.tex", comparison.published_sentences(runs, published)
    )
    ablations = collect_yield_metrics(args.yield_metrics)
    write_variables(out, comparison.discussion_variables(runs, ablations, args.alpha))
    write_variables(out, comparison.settings_variables(settings))
    write_parquet_atomic(
        comparison.learning_curve_frame(
            runs, args.learning_curve_splits, args.learning_curve_seeds
        ),
        args.figure_dir / "learning_curves.parquet",
    )
    calibration = {
        "multimodal": pl.concat([pl.read_parquet(p) for p in args.calibration_multimodal]),
        "mpnn_mcdropout": pl.concat(
            [pl.read_parquet(p) for p in args.calibration_mcdropout], how="diagonal"
        ),
    }
    write_parquet_atomic(
        comparison.calibration_frame(calibration), args.figure_dir / "calibration.parquet"
    )
    write_parquet_atomic(comparison.oos_frame(runs), args.figure_dir / "oos_r2.parquet")
    print(runs.select("model", "dataset", "split", "seed", "train_fraction", "r2"))


if __name__ == "__main__":
    run(main)
