"""Reviewer aid (`make numbers`): every generated file of src/tex/output with its value, the
Snakemake rule and script that made it, for a table or paragraph the library function that
builds it (read from the code: reeval/render/builders.py), the sha256 of that rule's
inputs, and the profile settings it depends on, from the number manifest the build writes
(src/tex/output/manifest.json, rule number_manifest in rules/article.smk). A file whose
hash no longer matches the manifest is flagged.

    python tools/list_numbers.py [--manifest src/tex/output/manifest.json] [--all-inputs]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import paths  # the one path registry
from reeval.errors import ReevalError
from reeval.io import sha256_file
from reeval.render.builders import TableBuilder, builder_of, table_builders
from reeval.render.manifest import MANIFEST_NAME, read_manifest

ROOT = Path(__file__).resolve().parents[1]

INPUTS_SHOWN = 6


def code_builders() -> list[TableBuilder]:
    """Every call writing a table or paragraph, in the entry scripts and the library."""
    files = [*paths.scripts.glob("*.py"), *paths.library.rglob("*.py")]
    return table_builders(files, paths.scripts)


def describe(
    name: str, entry: dict, rule: dict, all_inputs: bool, builders: list[TableBuilder] = ()
) -> list[str]:
    path = ROOT / entry["file"]
    value = entry["value"] if entry["kind"] == "number" else "table"
    if not path.is_file():
        state = "  (MISSING: rebuild)"
    elif sha256_file(path) != entry["sha256"]:
        state = "  (CHANGED since the build: rebuild or `make verify`)"
    else:
        state = ""
    lines = [f"{name}: {value}{state}", f"    rule {entry['rule']}, script {rule['script']}"]
    if entry["kind"] != "number":
        builder = builder_of(Path(entry["file"]).name, rule["script"], list(builders))
        lines.append(f"    built by {builder or 'no single function (see the script)'}")
    inputs = sorted(rule["inputs"].items())
    shown = inputs if all_inputs else inputs[:INPUTS_SHOWN]
    lines += [f"    input {digest[:16]}  {p}" for p, digest in shown]
    if len(shown) < len(inputs):
        lines.append(f"    ... and {len(inputs) - len(shown)} more inputs (--all-inputs)")
    settings = ", ".join(f"{k}={v}" for k, v in sorted(rule["config"].items()))
    lines.append(f"    settings: {settings or '-'}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=paths.output / MANIFEST_NAME)
    parser.add_argument("--all-inputs", action="store_true", help="list every input file")
    args = parser.parse_args()
    try:
        manifest = read_manifest(args.manifest)
    except ReevalError as error:
        print(f"numbers: {error}", file=sys.stderr)
        return 1
    print(f"profile {manifest['profile']}, commit {manifest['commit']}")
    builders = code_builders()
    for name, entry in sorted(manifest["numbers"].items()):
        rule = manifest["rules"][entry["rule"]]
        print("\n".join(describe(name, entry, rule, args.all_inputs, builders)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
