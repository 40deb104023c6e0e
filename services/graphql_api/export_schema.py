"""Write (or check) the committed SDL: ``python -m services.graphql_api.export_schema [--check]``.

``schema.graphql`` is the contract file: a test fails when it differs from the served schema,
so a schema change is always a reviewed change of this file too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.graphql_api.schema import build_schema

SCHEMA_FILE = Path(__file__).with_name("schema.graphql")


def sdl() -> str:
    return build_schema().as_str() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the committed file differs instead of writing it")
    args = parser.parse_args(argv)
    text = sdl()
    if args.check:
        if SCHEMA_FILE.read_text() != text:
            print(f"{SCHEMA_FILE} is out of date: run python -m "
                  "services.graphql_api.export_schema", file=sys.stderr)
            return 1
        return 0
    SCHEMA_FILE.write_text(text)
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
