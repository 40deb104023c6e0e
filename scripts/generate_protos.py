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

It also writes the web app's ``services/web/static/proto/fourcast.binpb``: a FileDescriptorSet
of ``weather.proto`` with everything it imports, and of ``google/rpc/status.proto`` and
``error_details.proto`` (from googleapis-common-protos, which grpcio-status brings), so that the
page builds its gRPC-Web messages from descriptors at run time and decodes an error's
``grpc-status-details-bin``. protoc writes it without source info, the files in import order:
the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from importlib import resources
from pathlib import Path

import google.rpc
from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
SUFFIXES = ("_pb2.py", "_pb2_grpc.py", "_pb2.pyi")
DESCRIPTOR_SET = ROOT / "services" / "web" / "static" / "proto" / "fourcast.binpb"
BROWSER_PROTOS = ("fourcast/weather/v1/weather.proto", "google/rpc/status.proto",
                  "google/rpc/error_details.proto")
RPC_PROTOS = ("status.proto", "error_details.proto")


def generate(out_dir: Path, source: Path = PROTOS) -> None:
    """Run protoc over every .proto of ``source`` into ``out_dir`` (same package folders)."""
    well_known = str(resources.files("grpc_tools") / "_proto")
    for proto in sorted(source.rglob("*.proto")):
        args = ["grpc_tools.protoc", f"-I{source}", f"-I{well_known}",
                f"--python_out={out_dir}", f"--pyi_out={out_dir}",
                f"--grpc_python_out={out_dir}", str(proto.relative_to(source))]
        if protoc.main(args) != 0:
            raise SystemExit(f"protoc failed on {proto}")


def generate_descriptor_set(out: Path, source: Path = PROTOS) -> None:
    """Write the browser's FileDescriptorSet of :data:`BROWSER_PROTOS`, imports included."""
    well_known = str(resources.files("grpc_tools") / "_proto")
    with tempfile.TemporaryDirectory() as tmp:
        # only google/rpc's two files on the include path, not the rest of site-packages
        rpc = Path(tmp) / "google" / "rpc"
        rpc.mkdir(parents=True)
        installed = Path(next(iter(google.rpc.__path__)))
        for name in RPC_PROTOS:
            (rpc / name).write_bytes((installed / name).read_bytes())
        out.parent.mkdir(parents=True, exist_ok=True)
        args = ["grpc_tools.protoc", f"-I{source}", f"-I{well_known}", f"-I{tmp}",
                "--include_imports", f"--descriptor_set_out={out}", *BROWSER_PROTOS]
        if protoc.main(args) != 0:
            raise SystemExit("protoc failed to write the descriptor set")


def generated_files(base: Path) -> list[Path]:
    return sorted(p.relative_to(base) for suffix in SUFFIXES for p in base.rglob(f"*{suffix}"))


def differences(source: Path = PROTOS, descriptor_set: Path = DESCRIPTOR_SET) -> list[str]:
    """Generated files under ``source`` that regenerating would add, remove or change, then
    ``descriptor_set`` if it would change (its path as given)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        generate(fresh, source)
        expected, committed = generated_files(fresh), generated_files(source)
        changed = [str(p) for p in sorted(set(expected) | set(committed))
                   if p not in expected or p not in committed
                   or not filecmp.cmp(fresh / p, source / p, shallow=False)]
        generate_descriptor_set(fresh / "descriptors.binpb", source)
        if not (descriptor_set.exists() and filecmp.cmp(fresh / "descriptors.binpb",
                                                         descriptor_set, shallow=False)):
            changed.append(str(descriptor_set))
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether the committed files are up to date")
    args = parser.parse_args(argv)
    if args.check:
        changed = differences()
        for name in changed:
            shown = _shown(DESCRIPTOR_SET) if name == str(DESCRIPTOR_SET) else f"protos/{name}"
            print(f"out of date: {shown}", file=sys.stderr)
        return 1 if changed else 0
    generate(PROTOS)
    for path in generated_files(PROTOS):
        print(f"generated protos/{path}")
    generate_descriptor_set(DESCRIPTOR_SET)
    print(f"generated {_shown(DESCRIPTOR_SET)}")
    return 0


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT))


if __name__ == "__main__":
    sys.exit(main())
