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
