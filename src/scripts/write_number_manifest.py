"""Write src/tex/output/manifest.json: every generated number and table with its value,
hash, rule, script, the hashes of the rule's inputs and the settings it depends on."""

import argparse
import json
import sys
from pathlib import Path

from reeval.cli import run
from reeval.render.manifest import RuleProvenance, build_manifest, write_manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--provenance", required=True, help="JSON: the rules, from the workflow; - reads stdin"
    )
    parser.add_argument("--config", required=True, help="JSON: the profile")
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args()
    text = sys.stdin.read() if args.provenance == "-" else args.provenance
    rules = [RuleProvenance(**r) for r in json.loads(text)]
    manifest = build_manifest(rules, json.loads(args.config))
    write_manifest(args.out, manifest)
    print(f"{len(manifest['numbers'])} files of {len(rules)} rules in {args.out}")


if __name__ == "__main__":
    run(main)
