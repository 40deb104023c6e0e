"""Vendor the files Strawberry's GraphiQL page loads from unpkg.com, so it works offline.

    python scripts/vendor_graphiql.py           # fetch them again from the npm registry
    python scripts/vendor_graphiql.py --check   # exit 1 if one is missing or not the page's

Strawberry's page names seven files on unpkg.com (``https://unpkg.com/<package>@<version>/
<path>``), each with a Subresource Integrity hash. unpkg serves the files of npm packages, so
this script downloads each package's tarball from the npm registry (checked against the
registry's sha512), takes out the named files, its ``package.json`` and its licence file when it
has one, checks each named file against the page's hash, and writes them all under
``services/graphql_api/static/graphiql/<package>@<version>/``, where the GraphQL server serves
them (:mod:`services.graphql_api.graphiql`). Run it after upgrading Strawberry; ``--check``
needs no network. The tests do not run it. The repository's ``.gitignore`` ignores ``dist/``
folders, so new files there are committed with ``git add -f``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import shutil
import sys
import tarfile
import tempfile
from collections import defaultdict
from pathlib import Path

import httpx

from services.graphql_api.graphiql import STATIC_DIR, Asset, page_assets, strawberry_page

REGISTRY = "https://registry.npmjs.org"
KEPT_FILES = ("package.json", "LICENSE", "LICENSE.md", "LICENSE.txt", "license")


def integrity(data: bytes, algorithm: str) -> str:
    """The Subresource Integrity value of ``data`` (``sha384-...``)."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def split_package(vendored_path: str) -> tuple[str, str, str]:
    """``@scope/name@1.0.2/dist/x.js`` → (``@scope/name``, ``1.0.2``, ``dist/x.js``)."""
    parts = vendored_path.split("/")
    head = 2 if parts[0].startswith("@") else 1
    name, _, version = "/".join(parts[:head]).rpartition("@")
    return name, version, "/".join(parts[head:])


def mismatches(assets: list[Asset], directory: Path = STATIC_DIR) -> list[str]:
    """What is wrong with the vendored copies of ``assets`` (one line each), or nothing."""
    problems = []
    for asset in assets:
        path = directory / asset.vendored_path
        if not path.is_file():
            problems.append(f"missing: {path}")
        elif asset.integrity:
            algorithm = asset.integrity.split("-", 1)[0]
            if integrity(path.read_bytes(), algorithm) != asset.integrity:
                problems.append(f"not the page's file (integrity differs): {path}")
    return problems


def tarball(client: httpx.Client, name: str, version: str) -> tarfile.TarFile:
    """The package's tarball from the registry, checked against the registry's own hash."""
    dist = client.get(f"{REGISTRY}/{name}/{version}").raise_for_status().json()["dist"]
    data = client.get(dist["tarball"]).raise_for_status().content
    if integrity(data, "sha512") != dist["integrity"]:
        raise SystemExit(f"{name}@{version}: the tarball does not match the registry's sha512")
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def vendor(assets: list[Asset], target: Path) -> None:
    """Write every asset, and its package's package.json and licence, under ``target``."""
    wanted: dict[tuple[str, str], list[str]] = defaultdict(list)
    for asset in assets:
        name, version, path = split_package(asset.vendored_path)
        wanted[name, version].append(path)
    with httpx.Client(timeout=60, follow_redirects=True) as client:
        for (name, version), paths in wanted.items():
            folder = target / f"{name}@{version}"
            with tarball(client, name, version) as archive:
                present = set(archive.getnames())
                for path in [*paths, *(k for k in KEPT_FILES if f"package/{k}" in present)]:
                    member = archive.extractfile(f"package/{path}")
                    if member is None:
                        raise SystemExit(f"{name}@{version}: {path} is not a file")
                    (folder / path).parent.mkdir(parents=True, exist_ok=True)
                    (folder / path).write_bytes(member.read())
            print(f"{name}@{version}: {', '.join(paths)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only check the vendored files against the page (no network)")
    args = parser.parse_args(argv)
    assets = [a for a in page_assets(strawberry_page()) if a.on_cdn]
    if not args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / "graphiql"
            vendor(assets, fresh)
            problems = mismatches(assets, fresh)
            if problems:
                print("\n".join(problems), file=sys.stderr)
                return 1
            shutil.rmtree(STATIC_DIR, ignore_errors=True)
            shutil.copytree(fresh, STATIC_DIR)
    problems = mismatches(assets)
    print("\n".join(problems) or f"{len(assets)} files of Strawberry's GraphiQL page vendored "
          f"in {STATIC_DIR}", file=sys.stderr if problems else sys.stdout)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
