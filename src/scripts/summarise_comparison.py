"""The comparison section: tables, tests, sentences, numbers and the data of its figures."""

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl

from reeval.analysis import comparison, conclusions, data_effects, published_reference
from reeval.analysis.families import ComparisonSettings
from reeval.analysis.protocols import (
    OUT_OF_SAMPLE,
    REFERENCE,
    REGIME_MODELS,
    REPEATED,
    collect_runs,
    comparison_model,
)
from reeval.cli import run
from reeval.data.published import load_published, load_reported
from reeval.errors import DataError
from reeval.io import write_parquet_atomic, write_text_atomic
from reeval.render.latex import write_table
from reeval.render.variables import write_variables
from reeval.settings import Baselines, YieldModelProfile


def out_of_sample_predictions(metrics_paths: list[Path]) -> comparison.Predictions:
    """(model, split) -> (y, mu of each seed) on the out-of-sample splits, from the
    predictions.parquet beside each whole-training-set run's metrics.json (the multimodal
    model in each encoder regime, not its ablations)."""
    splits = {p.prefix for p in OUT_OF_SAMPLE}
    found: dict[tuple[str, str], list[pl.DataFrame]] = {}
    for path in metrics_paths:
        record = json.loads(Path(path).read_text())
        variant = record.get("variant")
        if (
            record.get("split") not in splits
            or record.get("train_fraction", 1.0) != 1.0
            or (variant is not None and variant not in REGIME_MODELS)
        ):
            continue
        frame = pl.read_parquet(Path(path).with_name("predictions.parquet")).sort("reaction_id")
        model = comparison_model(record.get("model", REFERENCE), variant)
        found.setdefault((model, record["split"]), []).append(frame)
    out = {}
    for key, frames in found.items():
        ids = frames[0]["reaction_id"]
        if any(not f["reaction_id"].equals(ids) for f in frames):
            raise DataError(f"the seeds of {key} were tested on other reactions")
        out[key] = comparison.TestPredictions(
            reaction_ids=ids.to_numpy(),
            y=frames[0]["y"].to_numpy().astype(np.float64),
            mu=np.stack([f["mu"].to_numpy() for f in frames]),
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--yield-metrics", required=True, type=Path, nargs="+")
    parser.add_argument("--baseline-metrics", required=True, type=Path, nargs="+")
    parser.add_argument("--learning-curve-metrics", required=True, type=Path, nargs="+")
    parser.add_argument("--calibration-multimodal", required=True, type=Path, nargs="+")
    parser.add_argument("--calibration-mcdropout", required=True, type=Path, nargs="+")
    parser.add_argument("--learning-curve-splits", required=True, nargs="+")
    parser.add_argument("--learning-curve-seeds", required=True, type=int, nargs="+")
    parser.add_argument(
        "--settings",
        required=True,
        help="JSON: the profile's baselines, yield_model, training_budget and comparison",
    )
    parser.add_argument("--published", required=True, type=Path)
    parser.add_argument("--published-additions", required=True, type=Path)
    parser.add_argument(
        "--bh-reactions", required=True, type=Path, help="the tidy BH table (additives)"
    )
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--figure-dir", required=True, type=Path)
    args = parser.parse_args()
    runs = collect_runs([*args.yield_metrics, *args.baseline_metrics, *args.learning_curve_metrics])
    published = load_published(args.published)
    settings = json.loads(args.settings)
    tests = ComparisonSettings.from_config(settings["comparison"])
    predictions = out_of_sample_predictions([*args.yield_metrics, *args.baseline_metrics])
    out = args.output_dir
    write_table(out / "comparison_table.tex", comparison.comparison_table(runs, published, tests))
    write_table(out / "comparison_metrics.tex", comparison.metrics_table(runs, tests))
    write_table(out / "comparison_uncertainty.tex", comparison.uncertainty_table(runs))
    write_table(out / "comparison_tests.tex", comparison.comparisons_table(runs, tests))
    write_table(out / "comparison_oos.tex", comparison.oos_table(predictions, tests))
    write_text_atomic(
        out / "comparison_published.tex", comparison.published_sentences(runs, published)
    )
    write_text_atomic(
        out / "comparison_verdicts.tex", comparison.verdict_sentences(runs, predictions, tests)
    )
    write_text_atomic(
        out / "comparison_control.tex", comparison.control_sentences(runs, predictions, tests)
    )
    write_text_atomic(
        out / "comparison_regimes.tex", comparison.regime_sentences(runs, predictions, tests)
    )
    labels = comparison.MODEL_LABELS
    write_table(
        out / "comparison_yield_bert.tex",
        published_reference.yield_bert_table(runs, published, labels, tests),
    )
    write_text_atomic(
        out / "comparison_yield_bert_verdicts.tex",
        published_reference.yield_bert_sentences(runs, published, labels, tests),
    )
    reported = load_reported(args.published_additions)
    write_table(out / "comparison_reported.tex", published_reference.reported_table(runs, reported))
    write_text_atomic(
        out / "comparison_reproduction.tex",
        published_reference.reproduction_sentences(runs, reported),
    )
    write_text_atomic(
        out / "comparison_variance.tex", data_effects.variance_sentences(runs, REPEATED)
    )
    errors = data_effects.per_additive_errors(
        predictions, pl.read_parquet(args.bh_reactions, columns=["reaction_id", "additive"])
    )
    write_table(
        out / "comparison_additives.tex",
        data_effects.per_additive_table(
            errors, list(comparison.ADDITIVE_MODELS), comparison.ADDITIVE_MODELS
        ),
    )
    write_text_atomic(
        out / "comparison_hardest_additives.tex",
        data_effects.hardest_additive_sentences(errors, list(comparison.MODELS)),
    )
    write_text_atomic(
        out / "conclusions_machinery.tex",
        conclusions.machinery_sentences(runs, predictions, tests),
    )
    write_variables(out, comparison.discussion_variables(runs, tests))
    write_variables(
        out,
        comparison.settings_variables(
            Baselines.from_profile(settings), YieldModelProfile.from_profile(settings)
        ),
    )
    curves = comparison.learning_curve_frame(
        runs, args.learning_curve_splits, args.learning_curve_seeds
    )
    published_curves = published_reference.published_learning_curves(published)
    write_text_atomic(
        out / "comparison_data_efficiency.tex",
        published_reference.data_efficiency_sentences(curves, published_curves),
    )
    write_parquet_atomic(curves, args.figure_dir / "learning_curves.parquet")
    write_parquet_atomic(published_curves, args.figure_dir / "learning_curves_published.parquet")
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
    print(runs.select("model", "variant", "dataset", "split", "seed", "train_fraction", "r2"))


if __name__ == "__main__":
    run(main)
