"""The lock's tools: pins from pip's report, the comparison with a resolution, the
packages tools/setup.sh removes from an older venv."""

import pytest

import pins
import venv_extras


def report(*packages):
    return {"install": [{"metadata": {"name": n, "version": v}} for n, v in packages]}


def test_pins_from_report_strip_the_local_label_and_sort_as_sort_f():
    resolved = report(
        ("torch", "2.13.0+cpu"),
        ("PyYAML", "6.0.4"),
        ("polars", "2.1.0"),
        ("polars-runtime-32", "2.1.0"),
        ("typing_extensions", "4.16.0"),
    )
    assert pins.pins_from_report(resolved) == [
        "polars-runtime-32==2.1.0",
        "polars==2.1.0",
        "PyYAML==6.0.4",
        "torch==2.13.0",
        "typing_extensions==4.16.0",
    ]


def test_differences_name_every_departure_from_the_pins():
    resolved = report(("torch", "2.13.0+cpu"), ("pandas", "2.3.3"), ("xgboost", "3.2.0"))
    assert pins.differences(resolved, ["torch==2.13.0", "pandas==2.3.3", "xgboost==3.2.0"]) == []
    problems = pins.differences(resolved, ["torch==2.13.0", "pandas==3.1.1", "ruff==0.17.6"])
    assert problems == [
        "pandas: pinned 3.1.1, resolved 2.3.3",
        "ruff==0.17.6 is pinned but not in the resolution",
        "xgboost==3.2.0 is resolved but not pinned",
    ]


def test_names_compare_as_pip_compares_them():
    resolved = report(("typing_extensions", "4.16.0"), ("ruamel.yaml", "0.19.1"))
    assert pins.differences(resolved, ["typing-extensions==4.16.0", "ruamel-yaml==0.19.1"]) == []


def test_a_requirement_that_is_not_an_exact_pin_is_refused():
    with pytest.raises(ValueError, match="not an exact pin"):
        pins.parse_pins(["pandas<3"])


def test_setup_removes_only_what_the_pins_lack():
    pinned = set(pins.parse_pins(["# header", "pandas==2.3.3", "typing_extensions==4.16.0"]))
    installed = ["pandas", "typing-extensions", "pip", "future", "Ipython"]
    assert venv_extras.extras(installed, pinned) == ["future", "Ipython"]
