"""CI check of the built article: ms.pdf exists and its text holds every generated number.

Each src/tex/output/*.txt holds one value that ms.tex shows through \\variable{}; the value
must appear verbatim in `pdftotext ms.pdf` (whitespace ignored, since TeX breaks lines). A
generated sentence may run across a page break, where the page's footer and the next page's
floats come between its two parts: a value of six or more words also counts as shown when
it splits at a word into a part on one page and the rest on the next, or on the page after
a page of floats (LaTeX may put up to MAX_FLOAT_PAGES float pages between the two). Where
nothing but the page's number comes between the parts, the value is whole once the page
numbers are left out (the text is also searched with each page's closing number line
dropped). ms.tex keeps the
values of two to five words on one line (`\\mbox{}`), so no float can come between their
words.

    python tools/check_pdf.py ms.pdf [--output-dir src/tex/output]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext ends each page with a form feed)."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout.split("\f")


def squash(text: str) -> str:
    """Drop whitespace and the hyphenation TeX adds at line ends."""
    return re.sub(r"\s+", "", text.replace("\u00ad", ""))


# Only a value of this many words may split over a page break, keeping at least
# MIN_WORDS_PER_PART on each side: a short value (a number, a pair of numbers) appears whole.
MIN_WORDS_TO_SPLIT = 6
MIN_WORDS_PER_PART = 2
MAX_FLOAT_PAGES = 2


def shown_across_a_page_break(value: str, pages: list[str]) -> bool:
    words = value.split()
    if len(words) < MIN_WORDS_TO_SPLIT:
        return False
    for cut in range(MIN_WORDS_PER_PART, len(words) - MIN_WORDS_PER_PART + 1):
        head, tail = squash(" ".join(words[:cut])), squash(" ".join(words[cut:]))
        for i, page in enumerate(pages):
            later = pages[i + 1 : i + 2 + MAX_FLOAT_PAGES]
            if head in page and any(tail in after for after in later):
                return True
    return False


def without_page_number(page: str) -> str:
    """The page's text without its last line when that line is only a number (the footer)."""
    return re.sub(r"\n\s*\d+\s*$", "\n", page.rstrip())


def is_shown(value: str, texts: tuple[str, str], pages: list[str]) -> bool:
    return any(squash(value) in text for text in texts) or shown_across_a_page_break(value, pages)


def missing_numbers(pdf: Path, output_dir: Path) -> dict[str, str]:
    """{file name: value} of every number file whose value is not in the PDF's text."""
    raw = pdf_pages(pdf)
    pages = [squash(page) for page in raw]
    texts = ("".join(pages), "".join(squash(without_page_number(page)) for page in raw))
    values = {
        p.name: p.read_text(encoding="utf-8").strip() for p in sorted(output_dir.glob("*.txt"))
    }
    return {name: value for name, value in values.items() if not is_shown(value, texts, pages)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--output-dir", type=Path, default=ROOT / "src/tex/output")
    args = parser.parse_args()
    if not args.pdf.is_file():
        print(f"check-pdf: {args.pdf} is missing: the article did not build", file=sys.stderr)
        return 1
    numbers = sorted(args.output_dir.glob("*.txt"))
    if not numbers:
        print(
            f"check-pdf: no numbers in {args.output_dir}: the workflow made none", file=sys.stderr
        )
        return 1
    missing = missing_numbers(args.pdf, args.output_dir)
    for name, value in missing.items():
        print(f"check-pdf: {name} = {value!r} does not appear in {args.pdf}", file=sys.stderr)
    if missing:
        return 1
    print(f"check-pdf: all {len(numbers)} numbers of {args.output_dir} appear in {args.pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
