"""Fetch one raw file of the data manifest into src/data/raw/, verified.

From its copy in the repository (src/static/), a local mirror, or its URL.

python src/scripts/fetch_data.py --path reactions/.../file.xlsx --output src/data/raw/...
"""

import argparse
from pathlib import Path

from reeval.cli import run
from reeval.config import data_mirror, load_config, resolve_repo_path
from reeval.data.fetch import fetch, origin
from reeval.data.manifest import load_manifest
from reeval.settings import DataSettings, from_mapping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", required=True, help="the file's path in the manifest")
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument(
        "--profile", default=None, help="config profile (default: $REEVAL_PROFILE or quick)"
    )
    args = parser.parse_args()
    data = from_mapping(DataSettings, load_config(args.profile)["data"], "data.")
    manifest = load_manifest(resolve_repo_path(data.manifest))
    entry = manifest.entry(args.path)
    mirror = data_mirror(data)
    fetch(entry, args.output, mirror, timeout_s=data.download_timeout_s)
    where = origin(entry, mirror)
    print(f"fetched {entry.path} ({entry.size} bytes, sha256 verified) from {where}")


if __name__ == "__main__":
    run(main)
