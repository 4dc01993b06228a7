"""Mend snakemake's dependency `ratelimiter` for Python 3.11 (idempotent).

ratelimiter 1.2.0 defines `__aexit__ = asyncio.coroutine(__exit__)`; asyncio.coroutine
was removed in Python 3.11, so `import snakemake` fails. Replace it by a native coroutine.
"""

import importlib.util
import sys
from pathlib import Path

BROKEN = "        __aexit__ = asyncio.coroutine(__exit__)\n"
MENDED = "        async def __aexit__(self, *args):\n            return self.__exit__(*args)\n"


def main() -> int:
    spec = importlib.util.find_spec("ratelimiter")
    if spec is None or spec.origin is None:
        print("[setup] ratelimiter is not installed; nothing to mend", file=sys.stderr)
        return 0
    path = Path(spec.origin)
    source = path.read_text()
    if BROKEN in source:
        path.write_text(source.replace(BROKEN, MENDED))
        print(f"[setup] mended {path} for Python 3.11")
    return 0


if __name__ == "__main__":
    sys.exit(main())
