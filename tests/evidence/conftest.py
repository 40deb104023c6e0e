"""One set of real servers for the evidence tests, each behind a wire recorder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.evidence.targets import Target, started_targets, usable


@pytest.fixture(scope="session")
def targets() -> Iterator[dict[str, Target]]:
    protocols, _ = usable()
    with started_targets(protocols) as started:
        yield {t.protocol: t for t in started}
