"""The probe measures: change what the server does on the wire, and the cell flips.

A small reverse proxy in front of the real REST server drops the validators (``ETag``,
``Last-Modified``) from every answer and the conditions from every request — the REST app as it
would be with ETags switched off. Probed through it, the conditional-request row fails; probed
directly, it holds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from services.evidence.probe import probe_one
from services.evidence.targets import Target

VALIDATORS = {"etag", "last-modified"}
CONDITIONS = {"if-none-match", "if-modified-since", "if-match", "if-unmodified-since"}
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


def _stripping_proxy(upstream: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = [(k, v) for k, v in self.headers.items()
                       if k.lower() not in CONDITIONS | HOP]
            with httpx.Client(timeout=10) as client:
                answer = client.request(self.command, upstream + self.path, headers=headers,
                                        content=body)
            self.send_response(answer.status_code)
            for key, value in answer.headers.multi_items():
                if key.lower() not in VALIDATORS | HOP:
                    self.send_header(key, value)
            self.send_header("content-length", str(len(answer.content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer.content)

        do_GET = do_HEAD = do_PUT = do_DELETE = do_POST = do_OPTIONS = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


@pytest.fixture
def without_validators(targets: dict[str, Target]) -> Iterator[Target]:
    rest = targets["rest"]
    proxy = _stripping_proxy(f"http://{rest.host}:{rest.port}")
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield Target("rest", "127.0.0.1", proxy.server_address[1], api_key=rest.api_key)
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_the_conditional_request_row_flips_when_the_server_stops_sending_validators(
        targets: dict[str, Target], without_validators: Target) -> None:
    direct = probe_one(targets["rest"])
    stripped = probe_one(without_validators)
    without_validators.close()
    assert direct.cell("conditional request → 304").passed is True
    assert stripped.cell("conditional request → 304").passed is False
    assert "no validator" in stripped.cell("conditional request → 304").summary
    assert direct.rest and not stripped.rest
