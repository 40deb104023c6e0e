"""Spyne 2.14 on current Pythons: make ``spyne.util.six.moves`` importable the modern way.

Spyne 2.14 (its last release) vendors an old ``six`` whose ``moves`` importer implements only
``find_module``/``load_module``. Python 3.12 no longer calls those, so ``import spyne`` fails
with ``No module named 'spyne.util.six.moves'`` (arskom/spyne#700, #708, #711); 3.11 still
calls them but warns (``ImportWarning: _SixMetaPathImporter.find_spec() not found``), which a
test run with warnings as errors turns into a failure.

The fix: before Spyne is imported, alias every ``spyne.util.six.moves`` module Spyne imports onto
the real ``six.moves`` (``six`` >= 1.16 implements ``find_spec``); then import Spyne's vendored
``six`` (its Spyne-specific helpers stay), with that warning silenced for the import only,
and take its legacy importer off ``sys.meta_path``, where it is no longer needed. Spyne also
imports ``cgi``: deprecated on 3.11/3.12 (imported once here, its warning silenced) and gone
on 3.13, where the ``legacy-cgi`` distribution provides it (a dependency for that version).

The package ``__init__`` imports this module before anything imports ``spyne``.
"""

from __future__ import annotations

import importlib
import sys
import warnings

_VENDORED = "spyne.util.six.moves"
# Every ``spyne.util.six.moves`` module Spyne 2.14 imports (checked with grep on its source).
_MOVED = ("", ".collections_abc", ".urllib", ".urllib.parse", ".urllib.request",
          ".urllib.error", ".http_cookies")


def install() -> None:
    """Alias the vendored ``six.moves`` modules and retire the legacy importer (idempotent)."""
    if _VENDORED not in sys.modules:
        for suffix in _MOVED:
            sys.modules[_VENDORED + suffix] = importlib.import_module("six.moves" + suffix)
    with warnings.catch_warnings():
        # While Spyne imports, its legacy importer is consulted for the Python 2 modules it
        # probes (``import thread``...) and 3.11 warns that it lacks find_spec: expected here.
        warnings.simplefilter("ignore", ImportWarning)
        # Spyne's SOAP protocol imports ``cgi`` (deprecated since 3.11, gone in 3.13 where
        # legacy-cgi stands in): import it once here, where that warning is expected.
        warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
        importlib.import_module("cgi")
        vendored = importlib.import_module("spyne.util.six")
    legacy = getattr(vendored, "_importer", None)
    if legacy in sys.meta_path:
        sys.meta_path.remove(legacy)


install()
