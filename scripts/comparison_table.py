"""Regenerate (or ``--check``) the comparison table in README.md from real runs.

Starts the four servers on free loopback ports over a temporary seeded database (and the
gRPC-Web proxy and the web app beside them), runs ``fourcast probe`` and ``fourcast compare``
through the wire recorder, measures what the web app's page can call in headless Chromium,
and writes the block between ``<!-- comparison:start -->`` and ``<!-- comparison:end -->``.
Without Chromium it says so and exits 2: the table's browser row cannot be measured.

    python scripts/comparison_table.py           # rewrite README.md
    python scripts/comparison_table.py --check   # exit 1 when README.md is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from services.evidence.capabilities.browser import browser_problem
from services.evidence.table import main_args, render_table, replace_block
from services.evidence.targets import started_targets
from services.protocols import PROTOCOLS

README = Path(__file__).resolve().parent.parent / "README.md"


def main() -> int:
    args = main_args().parse_args()
    problem = browser_problem()
    if problem:
        print(f"comparison_table: cannot measure the browser row: {problem}", file=sys.stderr)
        return 2
    with started_targets(list(PROTOCOLS), browser=True) as targets:
        block = render_table(targets)
    current = README.read_text(encoding="utf-8")
    fresh = replace_block(current, block)
    if args.check:
        if fresh != current:
            print("README.md's comparison table differs from a fresh run; regenerate it with "
                  "python scripts/comparison_table.py", file=sys.stderr)
            return 1
        return 0
    README.write_text(fresh, encoding="utf-8")
    print(block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
