"""The yield-model section: main and ablation tables, numbers, sentences and figure data."""

import argparse
import json
from pathlib import Path

import polars as pl

from reeval.analysis.deviations import deviations_table
from reeval.analysis.families import ComparisonSettings
from reeval.analysis.yield_model import (
    ablation_sentences,
    ablation_table,
    ablation_tests_table,
    collect_metrics,
    comparison_sentences,
    main_table,
    own_input_sentences,
    settings_variables,
    target_sentences,
    yield_variables,
)
from reeval.cli import run
from reeval.data.published import load_published
from reeval.io import write_parquet_atomic, write_text_atomic
from reeval.render.latex import write_table
from reeval.render.variables import write_variables
from reeval.settings import YieldModelProfile, from_mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--metrics", required=True, type=Path, nargs="+")
    parser.add_argument(
        "--figure-predictions",
        required=True,
        type=Path,
        nargs="+",
        help="predictions of the full model on BH FullCV, for the figures",
    )
    parser.add_argument("--published", required=True, type=Path)
    parser.add_argument("--profile", required=True)
    parser.add_argument(
        "--settings", required=True, help="JSON: the yield_model settings (with the budget)"
    )
    parser.add_argument("--comparison", required=True, help="JSON: the comparison settings")
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--figure-data", required=True, type=Path)
    args = parser.parse_args()
    metrics = collect_metrics(args.metrics)
    published = load_published(args.published)
    tests = ComparisonSettings.from_config(json.loads(args.comparison))
    out = args.output_dir
    write_table(out / "yield_main_table.tex", main_table(metrics, published))
    write_table(out / "yield_ablation_table.tex", ablation_table(metrics))
    write_table(out / "yield_ablation_tests.tex", ablation_tests_table(metrics, tests))
    write_text_atomic(out / "yield_comparison.tex", comparison_sentences(metrics, published))
    write_text_atomic(out / "yield_targets.tex", target_sentences(metrics, args.profile))
    write_text_atomic(out / "yield_ablations.tex", ablation_sentences(metrics, tests))
    write_text_atomic(out / "yield_own_input.tex", own_input_sentences(metrics, tests))
    settings = from_mapping(YieldModelProfile, json.loads(args.settings))
    write_table(out / "yield_deviations.tex", deviations_table(settings))
    write_variables(out, yield_variables(metrics))
    write_variables(out, settings_variables(args.profile, settings))
    frames = [
        pl.read_parquet(p).with_columns(pl.lit(p.parts[-3]).alias("split"))
        for p in args.figure_predictions
    ]
    write_parquet_atomic(pl.concat(frames), args.figure_data)
    print(metrics.select("dataset", "variant", "split", "seed", "r2", "mae"))


if __name__ == "__main__":
    run(main)
