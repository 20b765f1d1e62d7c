"""``python -m stressfem.viz CASE``: the figures of a finished run (used at the end of ``stressfem run``,
in a separate process so that a rendering failure can never fail or hang the run)."""

from __future__ import annotations

import logging
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        print("usage: python -m stressfem.viz CASE [STEPS]", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from . import make_all

    make_all(argv[0], steps=argv[1] if len(argv) > 1 else "all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
