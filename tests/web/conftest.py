"""The web app's stack (all six servers, as ``fourcast serve`` runs them) and a real browser.

The browser is Debian's Chromium driven by Playwright (PyPI); Playwright's own browser download
is never used. Where no Chromium exists, the tests that need one skip and say how to install it.
Chromium is told to resolve no host but loopback, so a page that reached for a CDN would fail
(and the request log shows it).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from services.protocols import SERVERS
from services.supervisor import ServerProcess
from tests.servers import served_stack

CHROMIUM_ENV = "FOURCAST_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # this machine's closed network refuses what it tries
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",  # loopback only
]


def find_chromium() -> str | None:
    """Debian's Chromium (or ``$FOURCAST_CHROMIUM``), or None."""
    chosen = os.environ.get(CHROMIUM_ENV)
    if chosen:
        return chosen if Path(chosen).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def web_stack(served_db: str | Path, server_logs: Path) -> Iterator[dict[str, ServerProcess]]:
    """Every server of ``fourcast serve`` (the four APIs, gRPC-Web, the web app) on free ports."""
    with served_stack(list(SERVERS), served_db, server_logs) as servers:
        yield servers


@pytest.fixture(scope="session")
def web_url(web_stack: dict[str, ServerProcess]) -> str:
    return f"http://{web_stack['web'].address}/"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Playwright), for the session."""
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium: apt-get install chromium (or set FOURCAST_CHROMIUM to a "
                    "Chromium executable)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PageLog:
    """What a page did: console errors, page errors, and every request it made."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, url)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, failure)


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[tuple[Any, PageLog]]:
    """A fresh page (its own context: no cache, no cookies) and the log of what it did."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log = PageLog()
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.console_errors.append(f"page error: {e}"))
    page.on("request", lambda r: log.requests.append((r.method, r.url)))
    page.on("requestfailed", lambda r: log.failed.append((r.url, str(r.failure))))
    try:
        yield page, log
    finally:
        context.close()


def wait_until(condition: Callable[[], bool], what: str, limit: float = 30.0) -> None:
    """Poll a condition outside the page (a server's state) with a generous limit."""
    import time

    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)
