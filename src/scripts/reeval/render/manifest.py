"""The number manifest (src/tex/output/manifest.json): every generated number and table of
the article with its value, its hash, the rule and script that made it, the hashes of that
rule's inputs, and the profile settings it depends on. Two builds can be diffed with it,
and `make numbers` / `make verify` read it."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reeval.errors import DataError
from reeval.io import sha256_file, write_text_atomic

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class RuleProvenance:
    """What the workflow says of a rule that writes into src/tex/output."""

    rule: str
    script: str | None
    inputs: list[str]
    outputs: list[str]
    config_sections: list[str]


def flatten(settings: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"a.b.c": leaf value} of nested dicts (lists stay values)."""
    flat = {}
    for key, value in settings.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat |= flatten(value, f"{name}.")
        else:
            flat[name] = value
    return flat


def number_entry(path: Path, rule: str) -> dict[str, Any]:
    kind = "table" if path.suffix == ".tex" else "number"
    text = path.read_text(encoding="utf-8")
    return {
        "file": str(path),
        "kind": kind,
        "value": text.strip() if kind == "number" else None,
        "sha256": sha256_file(path),
        "rule": rule,
    }


def build_manifest(
    rules: list[RuleProvenance], config: dict[str, Any], root: Path = Path(".")
) -> dict[str, Any]:
    """The manifest of these rules' outputs, paths relative to `root` (the repository)."""
    flat = flatten(config)
    manifest: dict[str, Any] = {
        "profile": config.get("profile"),
        "commit": git_commit(root),
        "rules": {},
        "numbers": {},
    }
    for r in sorted(rules, key=lambda r: r.rule):
        manifest["rules"][r.rule] = {
            "script": r.script,
            "inputs": {p: _hash_or_missing(root / p) for p in sorted(set(r.inputs))},
            "config": {
                k: v
                for k, v in flat.items()
                if any(k == s or k.startswith(f"{s}.") for s in r.config_sections)
            },
        }
        for output in sorted(r.outputs):
            entry = number_entry(root / output, r.rule)
            manifest["numbers"][Path(output).stem] = entry | {"file": output}
    return manifest


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    write_text_atomic(path, json.dumps(manifest, indent=1, sort_keys=True, default=str) + "\n")


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"{path}: not found; build the article first (make paper)") from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON ({exc}); rebuild it (make paper)") from exc


def git_commit(root: Path) -> str | None:
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else None


def _hash_or_missing(path: Path) -> str:
    return sha256_file(path) if path.is_file() else "missing"
