"""Shared plumbing of the entry scripts: one clear message on a known error."""

from __future__ import annotations

import sys
from collections.abc import Callable

from reeval.errors import ReevalError


def run(main: Callable[[], None]) -> None:
    """Call `main`; a ReevalError prints `error: <message>` and exits with status 1."""
    try:
        main()
    except ReevalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)
