"""Run one protocol server in this process: ``python -m services.runner PROTOCOL``.

The supervisor (``fourcast serve``) and the test fixtures start each server this way, passing
the settings through the environment (see :mod:`services.config`).
"""

from __future__ import annotations

import sys

from services.config import Settings
from services.protocols import PROTOCOLS


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in PROTOCOLS:
        print(f"usage: python -m services.runner {{{','.join(PROTOCOLS)}}}", file=sys.stderr)
        return 2
    PROTOCOLS[args[0]].load().serve(Settings.from_env())
    return 0


if __name__ == "__main__":
    sys.exit(main())
