"""Spyne 2.14 on Python 3.12+: make ``spyne.util.six.moves`` importable again.

Spyne 2.14 (its last release) vendors an old ``six`` whose ``moves`` importer implements only
``find_module``/``load_module``, which Python 3.12 no longer calls; so ``import spyne`` fails
with ``No module named 'spyne.util.six.moves'`` (arskom/spyne#700, #708, #711). The real
``six`` (>= 1.16) implements ``find_spec``: we alias the vendored ``moves`` modules Spyne
imports onto the real ones in ``sys.modules``, before Spyne is first imported. Spyne's own
vendored ``six`` (with its Spyne-specific helpers) is left in place. On 3.13, Spyne also needs
the ``cgi`` module, which the ``legacy-cgi`` distribution provides (a declared dependency).

Import this module before anything imports ``spyne`` (the package ``__init__`` does).
"""

from __future__ import annotations

import importlib
import sys

_VENDORED = "spyne.util.six.moves"
# Every ``spyne.util.six.moves`` module Spyne 2.14 imports (checked with grep on its source).
_MOVED = ("", ".collections_abc", ".urllib", ".urllib.parse", ".urllib.request",
          ".urllib.error", ".http_cookies")


def install() -> None:
    """Alias the vendored ``six.moves`` modules (idempotent; a no-op before Python 3.12)."""
    if sys.version_info < (3, 12) or _VENDORED in sys.modules:
        return
    for suffix in _MOVED:
        sys.modules[_VENDORED + suffix] = importlib.import_module("six.moves" + suffix)


install()
