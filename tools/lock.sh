#!/usr/bin/env bash
# Re-resolve requirements.in into the fully pinned requirements.txt and environment.yml with
# pip's normal resolver (every package with its declared dependencies), in a fresh Python 3.11
# environment. Nothing is installed: pip's dry run reports what it would install.
# Extra arguments go to pip, e.g. `bash tools/lock.sh -c old-requirements.txt` to keep
# earlier pins wherever they still fit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3.11 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --dry-run --ignore-installed --quiet \
  --report "$tmp/report.json" -r "$root/requirements.in" "$@"
"$tmp/venv/bin/python" "$root/tools/pins.py" "$tmp/report.json" > "$tmp/requirements.txt"
mv "$tmp/requirements.txt" "$root/requirements.txt"
"$tmp/venv/bin/python" "$root/tools/write_environment_yml.py"
