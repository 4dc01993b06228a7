"""The materials section: tables, numbers and the data of its figures
(reeval.materials.section)."""

import argparse
import json
from pathlib import Path

from reeval.analysis.families import ComparisonSettings
from reeval.cli import run
from reeval.materials.section import RESULT_FILES, write_section
from reeval.settings import Materials, from_mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in RESULT_FILES:
        parser.add_argument(f"--{name.replace('_', '-')}", required=True, type=Path)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--comparison", required=True, help="JSON: the comparison settings")
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--figure-dir", required=True, type=Path)
    args = parser.parse_args()
    paths = {name: getattr(args, name) for name in RESULT_FILES}
    write_section(
        paths,
        from_mapping(Materials, json.loads(args.settings), "materials."),
        ComparisonSettings.from_config(json.loads(args.comparison)),
        args.output_dir,
        args.figure_dir,
    )


if __name__ == "__main__":
    run(main)
