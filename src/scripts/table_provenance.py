"""Render the provenance table (source, commit, licence, files, citations) from the manifest."""

import argparse
from pathlib import Path

from reeval.cli import run
from reeval.data.manifest import load_manifest
from reeval.data.provenance import provenance_table
from reeval.render.latex import write_table
from reeval.render.variables import write_variables


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--manifest", required=True, type=Path)
    parser.add_argument("--table", required=True, type=Path)
    parser.add_argument("--output-dir", required=True, type=Path)
    args = parser.parse_args()
    manifest = load_manifest(args.manifest)
    write_table(args.table, provenance_table(manifest))
    write_variables(
        args.output_dir,
        {
            "data_n_files": len(manifest.files),
            "data_n_sources": len(manifest.sources),
            "data_total_mb": round(sum(f.size for f in manifest.files.values()) / 1e6, 1),
        },
        digits=1,
    )


if __name__ == "__main__":
    run(main)
