"""CI check of the built article: ms.pdf exists and its text holds every generated number.

Each src/tex/output/*.txt holds one value that ms.tex shows through \\variable{}; the value
must appear verbatim in `pdftotext ms.pdf` (whitespace ignored, since TeX breaks lines).

    python tools/check_pdf.py ms.pdf [--output-dir src/tex/output]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pdf_text(pdf: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def squash(text: str) -> str:
    """Drop whitespace and the hyphenation TeX adds at line ends."""
    return re.sub(r"\s+", "", text.replace("\u00ad", ""))


def missing_numbers(pdf: Path, output_dir: Path) -> dict[str, str]:
    """{file name: value} of every number file whose value is not in the PDF's text."""
    text = squash(pdf_text(pdf))
    values = {
        p.name: p.read_text(encoding="utf-8").strip() for p in sorted(output_dir.glob("*.txt"))
    }
    return {name: value for name, value in values.items() if squash(value) not in text}


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
