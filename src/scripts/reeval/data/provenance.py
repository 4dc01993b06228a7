"""The provenance table of the article, generated from the data manifest."""

from __future__ import annotations

from reeval.data.manifest import Manifest
from reeval.render.latex import Latex, latex_table

COMMIT_DIGITS = 7


def provenance_rows(manifest: Manifest) -> list[list[str]]:
    """One row per source: title, repository@commit, licence, files, size, citations."""
    rows = []
    for key, source in manifest.sources.items():
        files = manifest.of_source(key)
        if not files:
            continue
        if source.repository and source.commit:
            where = f"{source.repository}@{source.commit[:COMMIT_DIGITS]}"
        elif all(f.static for f in files):
            where = "this repository (src/static)"
        else:
            where = "project mirror only"
        size_mb = sum(f.size for f in files) / 1e6
        rows.append(
            [
                source.title,
                Latex(r"\texttt{" + _escape_tt(where) + "}"),
                source.licence,
                str(len(files)),
                f"{size_mb:.2f}",
                Latex(r"\citep{" + ",".join(source.citation) + "}"),
            ]
        )
    return rows


def provenance_table(manifest: Manifest) -> str:
    header = ["Data", "Repository@commit", "Licence", "Files", "MB", "Cite"]
    return latex_table(
        header,
        provenance_rows(manifest),
        align="p{0.27\\linewidth}p{0.25\\linewidth}p{0.2\\linewidth}rrp{0.1\\linewidth}",
    )


def _escape_tt(text: str) -> str:
    return text.replace("_", r"\_").replace("-", "-\\allowbreak{}").replace("/", "/\\allowbreak{}")
