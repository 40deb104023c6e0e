"""One set of real servers for the evidence tests, each behind a wire recorder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.evidence.targets import Target, started_targets
from services.protocols import PROTOCOLS


@pytest.fixture(scope="session")
def targets() -> Iterator[dict[str, Target]]:
    with started_targets(list(PROTOCOLS)) as started:
        yield {t.protocol: t for t in started}
