"""Called from a browser page: what a page can do directly at each protocol's own server.

Measured in headless Chromium (Debian's, driven by Playwright) from the web app's page, whose
origin is the one the servers allow. In that page, at each protocol's own address:

- REST: a ``fetch`` GET of a station;
- GraphQL: a ``fetch`` POST of a query, and a ``WebSocket`` opened with the
  ``graphql-transport-ws`` subprotocol up to the server's ``connection_ack``;
- SOAP: a ``fetch`` POST of a ``GetStation`` envelope;
- gRPC: a ``fetch`` POST of a gRPC request (``application/grpc``, one 5-byte-prefixed message)
  to the gRPC port, which a page cannot make work (no HTTP/2 without TLS, no trailers); then the
  same call as gRPC-Web through the proxy (``application/grpc-web+proto``).

The page's own Content-Security-Policy is set aside for the measurement (it is the web app's
choice of what it calls, not a limit of the protocol); CORS, which the servers decide, is not.
A cell holds only what is the same on every run; the evidence keeps what the browser said.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from services.evidence.capabilities.common import GRPC_SERVICE, STATION, Capability
from services.evidence.targets import PageServers, Target

BROWSER = "called from a browser page"
CHROMIUM_ENV = "FOURCAST_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",  # a closed network refuses what it tries
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",  # loopback
]
CALL_LIMIT_MS = 15_000  # bounds a hang; a call takes milliseconds
SOAP_ENVELOPE = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
                 'xmlns:f="urn:fourcast:weather:v1"><soap:Body><f:GetStation>'
                 f'<f:stationId>{STATION}</f:stationId></f:GetStation></soap:Body>'
                 '</soap:Envelope>')
GRAPHQL_QUERY = f'{{ station(id: "{STATION}") {{ id name }} }}'
GRPC_PATH = f"/{GRPC_SERVICE}/GetStation"

_FETCH = """async ([url, init, body, limit]) => {
  const options = {...init, signal: AbortSignal.timeout(limit)};
  if (body !== null) options.body = new Uint8Array(body);
  try {
    const response = await fetch(url, options);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return {ok: true, status: response.status, headers: [...response.headers.entries()],
            body: Array.from(bytes)};
  } catch (error) {
    return {ok: false, error: `${error.name}: ${error.message}`};
  }
}"""
_WEBSOCKET_HANDSHAKE = """([url, limit]) => new Promise((resolve) => {
  let settled = false;
  const ws = new WebSocket(url, "graphql-transport-ws");
  const settle = (outcome) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (ws.readyState <= WebSocket.OPEN) ws.close(1000);
    resolve(outcome);
  };
  const timer = setTimeout(() => settle({ok: false, error: `no answer in ${limit} ms`}), limit);
  ws.onopen = () => ws.send(JSON.stringify({type: "connection_init"}));
  ws.onmessage = (event) => {
    const type = JSON.parse(event.data).type;
    settle({ok: type === "connection_ack", protocol: ws.protocol, message: type});
  };
  ws.onclose = (event) => settle({ok: false, error: `closed: ${event.code} ${event.reason}`});
})"""


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


def browser_problem() -> str | None:
    """Why no browser can be driven here (one line), or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: pip install -e '.[test]'"
    if find_chromium() is None:
        return (f"no Chromium: apt-get install chromium (or set {CHROMIUM_ENV} to a Chromium "
                "executable)")
    return None


@contextmanager
def headless_chromium(executable: str | None = None) -> Iterator[Any]:
    """A headless Chromium (Playwright's ``Browser``) that resolves no host but loopback."""
    from playwright.sync_api import sync_playwright

    executable = executable or find_chromium()
    if executable is None:
        raise RuntimeError(browser_problem() or "no Chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _Page:
    """The web app's page, with what the browser said about each failed request."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.said: list[tuple[str, str]] = []  # (url or "", what the browser said)
        page.on("requestfailed", lambda r: self.said.append((r.url, str(r.failure))))
        page.on("console", lambda m: self.said.append(("", m.text)) if m.type == "error"
                else None)

    def fetch(self, url: str, init: dict[str, Any], body: bytes | None = None
              ) -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(
            _FETCH, [url, init, list(body) if body is not None else None, CALL_LIMIT_MS])
        result["call"] = f"fetch {init.get('method', 'GET')} {url}"
        if not result["ok"]:
            notes = [text for where, text in self.said if where == url or url in text]
            result["error"] += "".join(f"; {note}" for note in dict.fromkeys(notes))
        return result

    def websocket(self, url: str) -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(_WEBSOCKET_HANDSHAKE, [url, CALL_LIMIT_MS])
        result["call"] = f"WebSocket {url} (graphql-transport-ws)"
        return result


def _shown(result: dict[str, Any]) -> str:
    if not result["ok"]:
        return f"{result['call']} → {result.get('error') or result.get('message')}"
    if "status" in result:
        return f"{result['call']} → {result['status']}, {len(result['body'])} B"
    return f"{result['call']} → {result['message']} (subprotocol {result['protocol']!r})"


def _refused(what: str, result: dict[str, Any]) -> str:
    """A failed cell's summary: the browser's CORS refusal named as such."""
    blocked = not result["ok"] and "blocked by CORS policy" in result.get("error", "")
    return f"no: {what} blocked by CORS" if blocked else f"no: {what} failed"


def _json(result: dict[str, Any]) -> Any:
    try:
        return json.loads(bytes(result["body"]))
    except ValueError:
        return None


def _rest(page: _Page, base: str) -> Capability:
    got = page.fetch(f"{base}/stations/{STATION}", {"method": "GET"})
    body = _json(got) if got["ok"] else None
    if got["ok"] and got["status"] == 200 and isinstance(body, dict) and body.get("id") == STATION:
        return Capability(BROWSER, True, "yes: fetch (CORS)", [_shown(got)])
    return Capability(BROWSER, False, _refused("fetch of a station", got), [_shown(got)])


def _graphql(page: _Page, base: str) -> Capability:
    got = page.fetch(f"{base}/graphql", {
        "method": "POST", "headers": {"Content-Type": "application/json"}},
        json.dumps({"query": GRAPHQL_QUERY}).encode())
    body = _json(got) if got["ok"] else None
    fetched = (got["ok"] and got["status"] == 200 and isinstance(body, dict)
               and ((body.get("data") or {}).get("station") or {}).get("id") == STATION)
    ws = page.websocket(f"{base.replace('http', 'ws', 1)}/graphql")
    evidence = [_shown(got), _shown(ws)]
    if fetched and ws["ok"]:
        return Capability(BROWSER, True, "yes: fetch + WebSocket", evidence)
    if fetched:
        return Capability(BROWSER, False, "partly: fetch, but its WebSocket was refused",
                          evidence)
    return Capability(BROWSER, False, _refused("fetch of a query", got), evidence)


def _soap(page: _Page, base: str) -> Capability:
    got = page.fetch(f"{base}/soap", {"method": "POST", "headers": {
        "Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"GetStation"'}},
        SOAP_ENVELOPE.encode())
    text = bytes(got["body"]).decode("utf-8", "replace") if got["ok"] else ""
    if got["ok"] and got["status"] == 200 and "GetStationResponse" in text and STATION in text:
        return Capability(BROWSER, True, "yes: fetch POST of the envelope", [_shown(got)])
    return Capability(BROWSER, False, _refused("fetch POST of the envelope", got),
                      [_shown(got)])


def _grpc_frames(body: bytes) -> list[tuple[int, bytes]]:
    """gRPC-Web's framing: (flags, payload) for each 5-byte-prefixed frame (0x80: trailers)."""
    frames, at = [], 0
    while at + 5 <= len(body):
        flags, length = struct.unpack(">BI", body[at:at + 5])
        frames.append((flags, body[at + 5:at + 5 + length]))
        at += 5 + length
    return frames


def _grpc_web_station(got: dict[str, Any]) -> str | None:
    """The station name a gRPC-Web answer carried with ``grpc-status: 0``, or None."""
    from fourcast.weather.v1 import weather_pb2

    if not got["ok"] or got["status"] != 200:
        return None
    frames = _grpc_frames(bytes(got["body"]))
    trailers = b"".join(p for flags, p in frames if flags & 0x80).decode("latin-1").lower()
    status = dict(got["headers"]).get("grpc-status")
    if status != "0" and "grpc-status:0" not in trailers.replace(" ", ""):
        return None
    messages = [p for flags, p in frames if not flags & 0x80]
    return weather_pb2.Station.FromString(messages[0]).name if messages else None


def _grpc(page: _Page, base: str, proxy: str) -> Capability:
    from fourcast.weather.v1 import weather_pb2

    message = weather_pb2.GetStationRequest(name=f"stations/{STATION}").SerializeToString()
    frame = struct.pack(">BI", 0, len(message)) + message
    direct = page.fetch(f"{base}{GRPC_PATH}", {
        "method": "POST", "headers": {"Content-Type": "application/grpc"}}, frame)
    web = page.fetch(f"{proxy}{GRPC_PATH}", {"method": "POST", "headers": {
        "Content-Type": "application/grpc-web+proto", "X-Grpc-Web": "1",
        "X-User-Agent": "fourcast-evidence"}}, frame)
    through_proxy = _grpc_web_station(web) == f"stations/{STATION}"
    evidence = [_shown(direct), _shown(web)]
    if direct["ok"] and direct["status"] == 200:
        return Capability(BROWSER, True, "yes: fetch", evidence)
    if through_proxy:
        return Capability(BROWSER, False, "no: only via gRPC-Web (Envoy)", evidence)
    return Capability(BROWSER, False, "no: neither directly nor via gRPC-Web", evidence)


def _guarded(measure: Callable[[], Capability]) -> Capability:
    try:
        return measure()
    except Exception as error:  # a page or server that breaks is a result to show
        return Capability(BROWSER, None, f"not measured: {type(error).__name__}",
                          [f"{type(error).__name__}: {error}"])


def measure_from_page(targets: Sequence[Target], servers: PageServers,
                      browser: Any | None = None) -> dict[str, Capability]:
    """Each target's cell of the row, measured from the web app's page in ``browser`` (a
    Playwright ``Browser``; one is launched when None)."""
    if browser is None:
        with headless_chromium() as launched:
            return measure_from_page(targets, servers, launched)
    context = browser.new_context(bypass_csp=True)
    try:
        page = _Page(context.new_page())
        page.page.goto(servers.web, wait_until="load")
        bases = {t.protocol: f"http://{t.host}:{t.port}" for t in targets}
        measures: dict[str, Callable[[], Capability]] = {
            "rest": lambda: _rest(page, bases["rest"]),
            "graphql": lambda: _graphql(page, bases["graphql"]),
            "grpc": lambda: _grpc(page, bases["grpc"], servers.grpc_web.rstrip("/")),
            "soap": lambda: _soap(page, bases["soap"])}
        return {t.protocol: _guarded(measures[t.protocol]) for t in targets}
    finally:
        context.close()
