"""Print the distributions installed in this interpreter's environment that a pinned
requirements file does not list (pip and the project's own library aside), separated by
spaces, for tools/setup.sh to remove: the project venv then holds exactly the resolution of
requirements.txt and the library.

    .venv/bin/python tools/venv_extras.py requirements.txt
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path

from pins import normalize, parse_pins

KEEP = {"pip", "reeval"}  # reeval: this project (pyproject.toml), installed editable


def extras(installed: list[str], pinned: set[str]) -> list[str]:
    """The installed names (as installed) whose normalized name is neither pinned nor kept."""
    return sorted(
        {name for name in installed if normalize(name) not in pinned | KEEP}, key=str.lower
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    pinned = set(parse_pins(Path(argv[0]).read_text().splitlines()))
    installed = [d.metadata["Name"] for d in metadata.distributions() if d.metadata["Name"]]
    print(" ".join(extras(installed, pinned)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
