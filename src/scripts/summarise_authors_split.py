"""MatBERT head to head: the MAE table, the tests against MatBERT, their sentences and
numbers (reeval.materials.authors_split_report)."""

import argparse
import json
from pathlib import Path

import polars as pl

from reeval.analysis.families import ComparisonSettings
from reeval.cli import run
from reeval.io import write_text_atomic
from reeval.materials import authors_split_report as report
from reeval.materials.names import AUTHORS_SPLIT_NUMBERS
from reeval.render.latex import write_table
from reeval.render.variables import write_variables
from reeval.settings import Materials, from_mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", required=True, type=Path)
    parser.add_argument("--counts", required=True, type=Path, help="JSON: the split's sizes")
    parser.add_argument("--settings", required=True, help="JSON: the materials config")
    parser.add_argument("--comparison", required=True, help="JSON: the comparison settings")
    parser.add_argument("--output-dir", required=True, type=Path)
    args = parser.parse_args()
    cfg = from_mapping(Materials, json.loads(args.settings), "materials.").authors_split
    tests = ComparisonSettings.from_config(json.loads(args.comparison))
    alpha = tests.alpha
    runs = pl.read_parquet(args.runs)
    intervals = report.mae_intervals(runs, tests.resamples, tests.seed)
    margins = report.equivalence_margins(intervals, cfg.equivalence_fraction)
    families = report.against_matbert(runs, margins, alpha)
    detectable = report.detectable_differences(runs, alpha, cfg.power)
    out = args.output_dir
    write_table(out / "materials_authors_split_mae.tex", report.mae_table(intervals))
    write_table(out / "materials_authors_split_tests.tex", report.tests_table(families))
    n_test = int(intervals["n_test"][0])
    n_seeds = len(cfg.seeds)
    write_text_atomic(
        out / "materials_authors_split_sentences.tex",
        report.head_to_head_sentences(
            families, detectable, margins, n_test, n_seeds, alpha, cfg.power
        ),
    )
    write_text_atomic(
        out / "materials_authors_split_answer.tex", report.language_model_answer(families)
    )
    counts = json.loads(args.counts.read_text())
    values = {
        "mat_split_n_train": counts["n_train"],
        "mat_split_n_test": counts["n_test"],
        "mat_split_left_out": report.left_out_text(len(counts["left_out"])),
        "mat_split_n_seeds": n_seeds,
        "mat_split_margin_percent": round(100 * cfg.equivalence_fraction),
        "mat_split_resamples": tests.resamples,
    }
    assert set(values) == set(AUTHORS_SPLIT_NUMBERS), set(values) ^ set(AUTHORS_SPLIT_NUMBERS)
    write_variables(out, values)


if __name__ == "__main__":
    run(main)
