"""Request bodies on the wire: read within the size limit, and never left half-read.

Two things the stack does not do by itself:

- Werkzeug refuses a declared ``Content-Length`` above ``MAX_CONTENT_LENGTH`` (413), but a
  chunked body read through its limited stream stops at the limit without saying so, and the
  truncated JSON would fail to parse: a misleading 400. :func:`read_body` reads such a body
  from the server's terminated stream itself, up to one byte past the limit.
- An answer given before the body was read (401, 404, 405, 415, a bad path segment) leaves
  the body on the wire. granian then closes the connection after the response, without a
  ``Connection: close`` to say so, and a client that reuses the connection meanwhile sees it
  reset. :func:`settle_body` reads what is left before the response goes out, so the
  connection stays usable; a body over the limit is not read, and its answer says
  ``Connection: close`` instead.
"""

from __future__ import annotations

from typing import IO

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

CHUNK = 64 * 1024


def _read_raw(stream: IO[bytes], most: int) -> tuple[list[bytes], bool]:
    """Up to ``most`` bytes of ``stream`` and whether there was more."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(min(CHUNK, most + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > most:
            return chunks, True
    return chunks, False


def read_body() -> bytes:
    """The request body; 413 above the application's ``MAX_CONTENT_LENGTH``."""
    limit = request.max_content_length
    if limit is None:
        return request.get_data(cache=False)
    too_large = RequestEntityTooLarge(f"the body is larger than the limit of {limit} bytes")
    declared = request.content_length
    if declared is not None and declared > limit:
        raise too_large
    if declared is not None or "wsgi.input_terminated" not in request.environ:
        return request.get_data(cache=False)
    chunks, more = _read_raw(request.environ["wsgi.input"], limit)
    if more:
        raise too_large
    return b"".join(chunks)


def settle_body(response: Response) -> Response:
    """Read (and drop) what the view left of the request body, or close the connection."""
    environ = request.environ
    if not environ.get("CONTENT_LENGTH") and "HTTP_TRANSFER_ENCODING" not in environ:
        return response  # no body (every GET): nothing to read, no header parsing
    declared = request.content_length
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if not declared and not chunked:
        return response
    limit = request.max_content_length
    most = declared if limit is None else limit
    if (response.status_code == 413 or most is None or (declared or 0) > most
            or (declared is None and "wsgi.input_terminated" not in request.environ)):
        response.headers["Connection"] = "close"
        return response
    try:
        _, more = _read_raw(request.environ["wsgi.input"], most)
    except Exception:  # the client went away: nothing left to keep alive
        more = True
    if more:
        response.headers["Connection"] = "close"
    return response
