"""Profiles (config/<profile>.yaml), validated against config/schema.yaml before any job runs."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from reeval.errors import ConfigError
from reeval.settings import DataSettings

REPO_ROOT = Path(__file__).resolve().parents[3]
CONFIG_DIR = REPO_ROOT / "config"
SCHEMA_PATH = CONFIG_DIR / "schema.yaml"
PROFILE_ENV = "REEVAL_PROFILE"
MIRROR_ENV = "REEVAL_DATA_MIRROR"
DEFAULT_PROFILE = "quick"
NON_PROFILE_FILES = {"schema", "data_manifest"}


def available_profiles(config_dir: Path = CONFIG_DIR) -> list[str]:
    """Names of the profiles in `config_dir` (every YAML file but the schema and manifest)."""
    return sorted(p.stem for p in config_dir.glob("*.yaml") if p.stem not in NON_PROFILE_FILES)


def load_yaml(path: Path) -> Any:
    """Parse a YAML file, naming the file in any error."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from exc


def load_config(profile: str | None = None, config_dir: Path = CONFIG_DIR) -> dict[str, Any]:
    """Load and validate a profile; `profile` defaults to $REEVAL_PROFILE, then 'quick'."""
    profile = profile or os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE
    path = config_dir / f"{profile}.yaml"
    if profile in NON_PROFILE_FILES or not path.is_file():
        raise ConfigError(
            f"unknown profile {profile!r}: allowed profiles are {available_profiles(config_dir)} "
            f"(set {PROFILE_ENV} to one of them, or add config/{profile}.yaml)"
        )
    config = load_yaml(path)
    validate_config(config, source=path)
    if config["profile"] != profile:
        raise ConfigError(f"{path}: 'profile' is {config['profile']!r}, expected {profile!r}")
    return config


def validate_config(config: Any, source: Path | str = "config") -> None:
    """Raise ConfigError naming the first offending key and what it allows."""
    schema = load_yaml(SCHEMA_PATH)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        raise ConfigError(f"{source}: {describe_error(errors[0])}")


def describe_error(error: jsonschema.ValidationError) -> str:
    """One line: the dotted key, what is wrong, and the allowed keys or values."""
    where = ".".join(str(p) for p in error.absolute_path) or "<top level>"
    schema = error.schema
    if error.validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        keys = ", ".join(repr(".".join([*map(str, error.absolute_path), k])) for k in unknown)
        return f"unknown key {keys}; allowed keys under {where!r}: {allowed}"
    if error.validator == "required":
        return f"{where!r} is missing a key: {error.message}"
    if error.validator == "type":
        return f"{where!r} must be of type {schema['type']} (got {error.instance!r})"
    if error.validator == "enum":
        return f"{where!r} must be one of {schema['enum']} (got {error.instance!r})"
    return f"{where!r}: {error.message}"


def resolve_repo_path(value: str | os.PathLike) -> Path:
    """An absolute path, or one relative to the repository root."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path


def data_mirror(data: DataSettings) -> Path | None:
    """The local data mirror: $REEVAL_DATA_MIRROR, else `data.mirror`, else None."""
    value = os.environ.get(MIRROR_ENV) or data.mirror
    return resolve_repo_path(value) if value else None


def per_attempt(first: int) -> Callable[..., int]:
    """A Snakemake resource that grows with each attempt (first, 2 x first, ...): a cluster
    job killed for memory or time is retried (`restart-times` in profiles/slurm) with more,
    not with what it already ran out of."""
    return lambda wildcards, attempt: first * attempt
