"""Third-party conformance tools from the npm registry (graphql-http's audits, Redocly,
Spectral), installed by ``npm ci --prefix tests/node`` (``.ci/run`` does it where npm exists).

Tests that run them skip, with the command to install them, only where they are absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).parent / "node"
INSTALL = "npm ci --prefix tests/node"


def node_binary() -> str:
    """The ``node`` executable, or skip the calling test."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed (Debian: apt-get install nodejs npm)")
    return node


def node_module(name: str) -> Path:
    """The folder of an installed package in tests/node, or skip the calling test."""
    node_binary()
    folder = NODE_DIR / "node_modules" / name
    if not folder.is_dir():
        pytest.skip(f"the npm package {name} is not installed (run: {INSTALL})")
    return folder


def node_bin(name: str) -> Path:
    """An installed package's command (tests/node/node_modules/.bin/NAME), or skip."""
    node_binary()
    command = NODE_DIR / "node_modules" / ".bin" / name
    if not command.exists():
        pytest.skip(f"{name} is not installed (run: {INSTALL})")
    return command
