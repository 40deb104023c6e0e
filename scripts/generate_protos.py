"""Regenerate the Python code of every ``.proto`` under ``protos/``: the one command.

    python scripts/generate_protos.py           # rewrite the generated files
    python scripts/generate_protos.py --check   # exit 1 if regenerating would change them

``protoc`` runs with ``-Iprotos``, so ``protos/fourcast/weather/v1/weather.proto`` generates
``weather_pb2.py``, ``weather_pb2_grpc.py`` and ``weather_pb2.pyi`` beside it, and the gRPC
module imports ``from fourcast.weather.v1 import weather_pb2``. ``pyproject.toml`` maps the import
package ``fourcast`` to ``protos/fourcast`` (editable and regular installs alike), so the
services and the clients import the generated code by that name with no ``sys.path`` tricks.

The generator is grpcio-tools, pinned exactly in ``pyproject.toml``: the generated files name the
protoc version and check the protobuf runtime against it.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
SUFFIXES = ("_pb2.py", "_pb2_grpc.py", "_pb2.pyi")


def generate(out_dir: Path, source: Path = PROTOS) -> None:
    """Run protoc over every .proto of ``source`` into ``out_dir`` (same package folders)."""
    well_known = str(resources.files("grpc_tools") / "_proto")
    for proto in sorted(source.rglob("*.proto")):
        args = ["grpc_tools.protoc", f"-I{source}", f"-I{well_known}",
                f"--python_out={out_dir}", f"--pyi_out={out_dir}",
                f"--grpc_python_out={out_dir}", str(proto.relative_to(source))]
        if protoc.main(args) != 0:
            raise SystemExit(f"protoc failed on {proto}")


def generated_files(base: Path) -> list[Path]:
    return sorted(p.relative_to(base) for suffix in SUFFIXES for p in base.rglob(f"*{suffix}"))


def differences(source: Path = PROTOS) -> list[str]:
    """Generated files under ``source`` that regenerating would add, remove or change."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh, source)
        expected, committed = generated_files(fresh), generated_files(source)
        changed = [str(p) for p in sorted(set(expected) | set(committed))
                   if p not in expected or p not in committed
                   or not filecmp.cmp(fresh / p, source / p, shallow=False)]
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether the committed files are up to date")
    args = parser.parse_args(argv)
    if args.check:
        changed = differences()
        for name in changed:
            print(f"out of date: protos/{name}", file=sys.stderr)
        return 1 if changed else 0
    generate(PROTOS)
    for path in generated_files(PROTOS):
        print(f"generated protos/{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
