"""Which profile sections each rule reads, derived from its parameters.

A rule gets its settings through its `params:`. Each parameter made from the profile is
wrapped by `from_profile(value, *sections)`: the value stays what Snakemake puts in the
shell command (the same text, the same rerun trigger), and it carries the names of the
sections it came from. The number manifest lists, for every number, the sections of the
rule that wrote it and of every rule upstream of that rule's jobs (`upstream_rules`).
Nothing is listed by hand, so a new setting in a parameter reaches the manifest by itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

SECTIONS_ATTRIBUTE = "profile_sections"
_TAGGED_TYPES: dict[tuple[type, tuple[str, ...]], type] = {}


def from_profile(value: Any, *sections: str) -> Any:
    """`value` (a str, int, float, dict or a parameter function) marked as made from the
    profile `sections`. The result equals `value`, formats and prints the same, and is of a
    subclass of its type that names the sections (a function gets the attribute itself)."""
    if not sections:
        raise ValueError("from_profile needs the name of at least one profile section")
    if callable(value):
        setattr(value, SECTIONS_ATTRIBUTE, tuple(sections))
        return value
    kind = type(value)
    if kind not in (str, int, float, dict):
        raise TypeError(f"from_profile: a {kind.__name__} parameter cannot carry its sections")
    key = (kind, tuple(sections))
    if key not in _TAGGED_TYPES:
        name = f"Profile{kind.__name__.capitalize()}"
        _TAGGED_TYPES[key] = type(name, (kind,), {SECTIONS_ATTRIBUTE: tuple(sections)})
    return _TAGGED_TYPES[key](value)


def sections_of(params: Iterable[Any]) -> set[str]:
    """The profile sections the parameter values came from."""
    return {s for value in params for s in getattr(value, SECTIONS_ATTRIBUTE, ())}


class RuleLike(Protocol):
    """What `upstream_rules` needs of a Snakemake rule."""

    name: str
    input: Any
    output: Any
    params: Any

    def is_producer(self, path: str) -> bool: ...

    def get_wildcards(self, path: str) -> Mapping[str, str]: ...


def concrete_inputs(
    rule: RuleLike,
    wildcards: Mapping[str, str],
    apply: Callable[[str, Mapping[str, str]], str],
    as_wildcards: Callable[[Mapping[str, str]], Any],
) -> list[str]:
    """The input files of the job of `rule` with these `wildcards`: patterns filled in,
    input functions called."""
    files: list[str] = []
    for item in rule.input:
        found = item(as_wildcards(wildcards)) if callable(item) else item
        if isinstance(found, Mapping):
            found = list(found.values())
        for path in found if isinstance(found, list | tuple) else [found]:
            files.append(apply(str(path), wildcards))
    return files


def upstream_rules(
    rule: RuleLike,
    rules: Iterable[RuleLike],
    apply: Callable[[str, Mapping[str, str]], str],
    as_wildcards: Callable[[Mapping[str, str]], Any],
) -> list[RuleLike]:
    """Every rule with a job upstream of the jobs of `rule` (whose own wildcards are none),
    found through the concrete files: each producer job is expanded once."""
    # the fixed start of each output pattern: a cheap filter before Snakemake's regex match
    prefixes = [(r, tuple(str(o).split("{", 1)[0] for o in r.output)) for r in rules]
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    found: dict[str, RuleLike] = {}
    stack: list[tuple[RuleLike, Mapping[str, str]]] = [(rule, {})]
    while stack:
        current, wildcards = stack.pop()
        for path in concrete_inputs(current, wildcards, apply, as_wildcards):
            producer = next(
                (r for r, fixed in prefixes if path.startswith(fixed) and r.is_producer(path)),
                None,
            )
            if producer is None:
                continue  # a source file: a script, the library, the manifest
            job_wildcards = dict(producer.get_wildcards(path))
            key = (producer.name, tuple(sorted(job_wildcards.items())))
            if key in seen:
                continue
            seen.add(key)
            found[producer.name] = producer
            stack.append((producer, job_wildcards))
    return [found[name] for name in sorted(found)]
