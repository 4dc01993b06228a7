"""`make numbers` names the function that builds each table and paragraph, read from the code."""

import importlib
import re

import paths
from reeval.render.builders import builder_of, builders_in, table_builders

# the two tables whose path the rule passes to its script (--table)
GIVEN_PATHS = {
    "provenance_table.tex": "src/scripts/table_provenance.py",
    "data_bh_table.tex": "src/scripts/summarise_reactions.py",
    "data_sm_table.tex": "src/scripts/summarise_reactions.py",
}


def all_builders():
    files = [*paths.scripts.glob("*.py"), *paths.library.rglob("*.py")]
    return table_builders(files, paths.scripts)


def resolve(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_table_and_paragraph_of_the_article_has_one_builder_that_exists():
    text = (paths.tex / "ms.tex").read_text()
    written = sorted(set(re.findall(r"\\variable\{output/([a-z0-9_]+\.tex)\}", text)))
    assert len(written) > 30
    builders = all_builders()
    for name in written:
        builder = builder_of(name, GIVEN_PATHS.get(name), builders)
        assert builder is not None, f"{name}: no single function builds it"
        assert callable(resolve(builder)), builder
    assert builder_of("comparison_metrics.tex", None, builders) == (
        "reeval.analysis.comparison.metrics_table"
    )
    assert builder_of("data_bh_table.tex", GIVEN_PATHS["data_bh_table.tex"], builders) == (
        "reeval.reactions.summary.summary_table"
    )


def test_builders_are_read_through_imports_aliases_and_formatted_names(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "section.py").write_text(
        "from pathlib import Path\n"
        "import pkg.tables as t\n"
        "from pkg import words\n"
        "from pkg.io import write_table, write_text_atomic\n"
        "def local_table(x):\n"
        "    return x\n"
        "def write(out: Path, dataset, args):\n"
        "    write_table(out / 'a_table.tex', t.first(1))\n"
        "    write_text_atomic(out / f'{dataset}_words.tex', words.sentences(2))\n"
        "    write_table(out / 'b_table.tex', local_table(3))\n"
        "    write_table(args.table, t.given(4))\n"
        "    write_table(out / 'c_table.tex', 'not a call')\n"
        "    write_text_atomic(out / 'counts.json', words.counts(5))\n"
    )
    found = builders_in(package / "section.py", tmp_path)
    assert [(b.name_pattern, b.builder) for b in found] == [
        (r"a_table\.tex", "pkg.tables.first"),
        (r"[^/]+_words\.tex", "pkg.words.sentences"),
        (r"b_table\.tex", "pkg.section.local_table"),
        (None, "pkg.tables.given"),
    ]
    assert builder_of("sm_words.tex", None, found) == "pkg.words.sentences"
    assert builder_of("elsewhere.tex", "scripts/section.py", found) == "pkg.tables.given"
    assert builder_of("elsewhere.tex", None, found) is None
