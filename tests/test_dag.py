"""The memoised upstream walk returns what showyourwork's own walk returns."""

import random

from showyourwork.config import get_upstream_dependencies

from reeval.dag import upstream_dependencies


def random_dag(seed: int, nodes: int = 60) -> dict[str, list[str]]:
    rng = random.Random(seed)
    names = [f"f{i}" for i in range(nodes)]
    # an edge only from a later file to an earlier one: acyclic by construction
    return {
        name: rng.sample(names[:i], k=min(i, rng.randint(0, 4)))
        for i, name in enumerate(names)
        if i and rng.random() < 0.8
    }


def test_same_sets_as_showyourwork_on_random_graphs():
    for seed in range(20):
        dependencies = random_dag(seed)
        for output in dependencies:
            ours = upstream_dependencies(output, dependencies)
            theirs = get_upstream_dependencies(output, dependencies)
            assert isinstance(ours, list)
            assert sorted(ours) == sorted(theirs)
        assert upstream_dependencies("not-a-file", dependencies) == []


def test_a_new_table_is_not_answered_from_the_old_one():
    assert upstream_dependencies("b", {"b": ["a"]}) == ["a"]
    assert sorted(upstream_dependencies("b", {"b": ["c"], "c": ["d"]})) == ["c", "d"]


def test_a_long_chain_needs_no_deep_recursion():
    chain = {f"f{i}": [f"f{i - 1}"] for i in range(1, 5000)}
    assert len(upstream_dependencies("f4999", chain)) == 4999


def showyourwork_function(name: str):
    """A function of showyourwork's rules/dag.smk (a Snakemake file, not a module), compiled
    alone in a namespace with the modules it uses."""
    import os
    import re
    from pathlib import Path

    import showyourwork
    import snakemake

    source = (Path(showyourwork.__file__).parent / "workflow/rules/dag.smk").read_text()
    start = source.index(f"def {name}(")
    end = source.index("\ndef ", start + 1)
    namespace = {"os": os, "re": re, "Path": Path, "snakemake": snakemake}
    exec(compile(source[start:end], "dag.smk", "exec"), namespace)
    return namespace[name], namespace


def test_variable_provenance_as_showyourwork_finds_it(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from reeval.dag import variable_provenance

    snakefile = tmp_path / "rules" / "a.smk"
    snakefile.parent.mkdir()
    snakefile.write_text("x = 1\n\nrule make_tables:\n    output: 'a'\n")
    tex = tmp_path / "src" / "tex"

    def job(rule, outputs):
        return SimpleNamespace(
            rule=SimpleNamespace(name=rule, snakefile=str(snakefile)),
            output=[str(tex / "output" / o) for o in outputs],
        )

    dag = SimpleNamespace(
        jobs=[job("make_tables", ["t.tex", "n.txt"]), job("other", ["m.txt", "x.txt"])]
    )
    files = [str(tex / "output" / n) for n in ("t.tex", "m.txt", "missing.txt")]
    theirs, namespace = showyourwork_function("infer_variable_provenance")
    user = SimpleNamespace(repo=tmp_path, tex=tex)
    namespace["paths"] = SimpleNamespace(user=lambda: user)
    config_theirs = {"tree": {"files": files}}
    monkeypatch.setattr(namespace["snakemake"].workflow, "config", config_theirs, raising=False)
    theirs(dag)
    config_ours = {"tree": {"files": files}}
    variable_provenance(dag, config_ours, tmp_path, tex)
    assert config_ours["variables"] == config_theirs["variables"]
    assert config_ours["variables"] == {
        "output/t.tex_rule": "rules/a.smk\\#L3",
        "output/m.txt_rule": "rules/a.smk",
    }
