"""The web app's stack (all six servers, as ``fourcast serve`` runs them) and a real browser.

The browser is Debian's Chromium driven by Playwright (PyPI); Playwright's own browser download
is never used. Where no Chromium exists, the tests that need one skip and say how to install it.
Chromium is told to resolve no host but loopback, so a page that reached for a CDN would fail
(and the request log shows it).

The stack runs over a seeded database of its own: the page tests write observations (through
the live form) to seeded stations, which the rest of the suite must not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from services.evidence.capabilities.browser import (
    CHROMIUM_ARGS,
    CHROMIUM_ENV,
    browser_problem,
    find_chromium,
    headless_chromium,
)
from services.protocols import SERVERS
from services.store import open_store
from services.supervisor import ServerProcess
from tests.servers import served_stack

__all__ = ["CHROMIUM_ARGS", "CHROMIUM_ENV", "LOOPBACK_HOSTS", "PHONE", "PageLog",
           "find_chromium", "wait_until"]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost")
LOCAL_SCHEMES = ("data", "blob", "about")  # no request leaves the page for these
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-db") / "fourcast.sqlite3"
    open_store(path).close()
    return path


@pytest.fixture(scope="session")
def web_stack(web_db: Path, server_logs: Path) -> Iterator[dict[str, ServerProcess]]:
    """Every server of ``fourcast serve`` (the four APIs, gRPC-Web, the web app) on free ports."""
    with served_stack(list(SERVERS), web_db, server_logs) as servers:
        yield servers


@pytest.fixture(scope="session")
def web_url(web_stack: dict[str, ServerProcess]) -> str:
    return f"http://{web_stack['web'].address}/"


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Playwright), for the session."""
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    with headless_chromium() as browser:
        yield browser


@dataclass
class PageLog:
    """What a page did: console errors, page errors, and every request it made."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, url)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, failure)
    responses: list[tuple[int, str, str]] = field(default_factory=list)  # (status, method, url)
    websockets: list[str] = field(default_factory=list)  # urls

    def watch(self, page: Any) -> None:
        page.on("console", lambda m: self.console_errors.append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))
        page.on("request", lambda r: self.requests.append((r.method, r.url)))
        page.on("requestfailed", lambda r: self.failed.append((r.url, str(r.failure))))
        page.on("response", lambda r: self.responses.append((r.status, r.request.method, r.url)))
        page.on("websocket", lambda w: self.websockets.append(w.url))

    def off_loopback(self) -> list[str]:
        """Every URL the page reached for that is not on loopback."""
        urls = [url for _, url in self.requests] + self.websockets
        return [url for url in urls if urlsplit(url).scheme not in LOCAL_SCHEMES
                and urlsplit(url).hostname not in LOOPBACK_HOSTS]

    def problems(self, expected_console: Callable[[str], bool] = lambda text: False
                 ) -> list[str]:
        """Requests off loopback and console errors (but those ``expected_console`` expects)."""
        return ([f"request off loopback: {url}" for url in self.off_loopback()]
                + [f"console error: {text}" for text in self.console_errors
                   if not expected_console(text)])


def open_page(chromium: Any, viewport: dict[str, int] = DESKTOP,
              **options: Any) -> tuple[Any, Any, PageLog]:
    """A fresh context (no cache, no cookies), a page in it, and the log of what it did."""
    context = chromium.new_context(viewport=viewport, **options)
    page = context.new_page()
    log = PageLog()
    log.watch(page)
    return context, page, log


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[tuple[Any, PageLog]]:
    """A fresh page (its own context: no cache, no cookies) and the log of what it did."""
    context, page, log = open_page(chromium)
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
