"""One set of real servers for the evidence tests, each behind a wire recorder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.evidence.capabilities.browser import browser_problem
from services.evidence.targets import Target, started_targets
from services.protocols import PROTOCOLS


@pytest.fixture(scope="session")
def targets() -> Iterator[dict[str, Target]]:
    # the web app and the gRPC-Web proxy too where a browser can measure the table's browser row
    with started_targets(list(PROTOCOLS), browser=browser_problem() is None) as started:
        yield {t.protocol: t for t in started}
