"""The profile sections behind each number are derived from the rules' parameters."""

import json
import re
import subprocess
import sys

import pytest

from reeval.rule_settings import from_profile, sections_of, upstream_rules


def test_a_tagged_parameter_is_the_same_value_to_snakemake_and_the_shell():
    for value in ["a b", 2000, 0.95, -6, {"morgan_radius": 2}]:
        tagged = from_profile(value, "robust")
        assert tagged == value and repr(tagged) == repr(value) and str(tagged) == str(value)
        assert isinstance(tagged, type(value))
        assert tagged.profile_sections == ("robust",)
    assert "{x[morgan_radius]}".format(x=from_profile({"morgan_radius": 2}, "features")) == "2"
    function = from_profile(lambda w: w, "data")
    assert function(3) == 3 and function.profile_sections == ("data",)
    assert sections_of([from_profile("1", "a", "b"), "plain", 7, from_profile(2, "c")]) == {
        "a",
        "b",
        "c",
    }


def test_a_value_that_cannot_carry_sections_is_refused():
    with pytest.raises(TypeError, match="bool"):
        from_profile(True, "materials")
    with pytest.raises(TypeError, match="NoneType"):
        from_profile(None, "materials")
    with pytest.raises(ValueError, match="at least one"):
        from_profile("x")


class FakeRule:
    """A rule with fixed-prefix outputs `{prefix}{wildcard}` and input patterns."""

    def __init__(self, name, outputs, inputs, params=()):
        self.name, self.output, self.input, self.params = name, outputs, inputs, list(params)

    def _match(self, path):
        for pattern in self.output:
            regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern))
            found = re.fullmatch(regex, path)
            if found:
                return found.groupdict()
        return None

    def is_producer(self, path):
        return self._match(path) is not None

    def get_wildcards(self, path):
        return self._match(path)


def fill(pattern, wildcards):
    return pattern.format(**wildcards)


def test_the_upstream_walk_follows_the_jobs_not_every_rule():
    fetch = FakeRule("fetch", ["raw/{name}"], [], [from_profile(lambda w: w, "data")])
    tidy = FakeRule("tidy", ["tidy/{ds}.parquet"], ["raw/{ds}.csv"])
    train = FakeRule(
        "train",
        ["runs/{ds}.json"],
        ["tidy/{ds}.parquet", lambda w: [f"features/{w['ds']}.bin"]],
        [from_profile("{}", "yield_model")],
    )
    featurize = FakeRule("featurize", ["features/{ds}.bin"], [], [from_profile(2, "features")])
    unused = FakeRule("unused", ["other/{x}"], [], [from_profile(1, "materials")])
    summary = FakeRule("summary", ["out/t.tex"], ["runs/bh.json", "src/script.py"])
    rules = [fetch, tidy, train, featurize, unused, summary]
    found = upstream_rules(summary, rules, fill, lambda w: w)
    assert [r.name for r in found] == ["featurize", "fetch", "tidy", "train"]
    assert sections_of(p for r in [summary, *found] for p in r.params) == {
        "data",
        "features",
        "yield_model",
    }


PROBE = """
include: "{snakefile}"

import json as _json
_found = {{r.name: profile_sections(r) for r in workflow.rules if r.name in
          [a.rule for a in article_rules()]}}
print("SECTIONS " + _json.dumps(_found, sort_keys=True))
"""


def test_every_number_of_the_workflow_names_the_sections_it_depends_on(repo_root, tmp_path):
    probe = tmp_path / "probe.smk"
    probe.write_text(PROBE.format(snakefile=repo_root / "Snakefile"))
    listed = subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(probe), "--list"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    (line,) = [x for x in listed.stdout.splitlines() if x.startswith("SECTIONS ")]
    found = json.loads(line.removeprefix("SECTIONS "))
    yield_sections = ["comparison", "data", "features", "training_budget", "yield_model"]
    assert found == {
        "provenance_table": ["data"],
        "skew_normal_illustration": ["skew_normal"],
        "summarise_bh": ["data", "robust"],
        "summarise_sm": ["data", "robust"],
        "summarise_yield_model": yield_sections,
        "summarise_comparison": sorted([*yield_sections, "baselines"]),
        "summarise_materials": ["comparison", "data", "materials"],
        "summarise_authors_split": ["comparison", "data", "materials"],
    }
