"""What ``fourcast bench`` measures for each protocol with h2load, and the rows it reports.

Per protocol: the ceiling (its framework's hello-world, the same request bytes as ``latest``),
then ``latest``, ``page`` and ``write`` as its real client sends them. REST has two more rows
for ``latest`` and ``page``: ``rest`` itself is sent with ``Cache-Control: no-cache`` (the
application renders every answer, as the other three always do); ``rest+origin-cache`` is the
same request without it (the origin's representation cache answers), and ``rest+http-cache``
goes through nginx ``proxy_cache`` in front of the REST server. Every request is checked once
with a real call before it is measured; one that fails is that row's ``error``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from services.bench.http_cache import CacheUnavailable, http_cache
from services.bench.measure import Subject
from services.bench.requests import BenchRequest, RequestRefused, capture, ceiling_of, check
from services.bench.results import failed, result, skipped
from services.evidence.targets import Target
from services.progress import Step

OPERATIONS = ("latest", "page", "year", "write", "push")
H2LOAD_OPERATIONS = ("latest", "page", "write")
NO_KEY = ("no write key: pass --api-key, set FOURCAST_API_KEYS, or use --start-servers "
          "(writes need a key)")
ORIGIN_CACHE, HTTP_CACHE = "rest+origin-cache", "rest+http-cache"


def rows_of(protocol: str, operation: str) -> tuple[str, ...]:
    if protocol == "rest" and operation in ("latest", "page"):
        return ("rest", ORIGIN_CACHE, HTTP_CACHE)
    return (protocol,)


class ProtocolPlan:
    """One protocol's subjects (in the order a round measures them) and what kept a row out."""

    def __init__(self, target: Target, operations: list[str]) -> None:
        self.target = target
        self.operations = [op for op in operations if op in H2LOAD_OPERATIONS]
        self.subjects: dict[tuple[str, str], Subject] = {}
        self.ceiling: Subject | None = None
        self.left_out: dict[tuple[str, str], dict[str, Any]] = {}
        self._nginx_port: int | None = None  # REST's http-cache rows share one nginx

    def _subject(self, row: str, request: BenchRequest, host: str, port: int) -> Subject:
        target = self.target
        return Subject(row, request, host, port, (target.protocol, target.host, target.port))

    def _add(self, row: str, request: BenchRequest, host: str | None = None,
             port: int | None = None) -> Subject | None:
        host, port = host or self.target.host, port or self.target.port
        try:
            check(request, host, port)
        except RequestRefused as error:
            self.left_out[(row, request.operation)] = failed(row, request.operation, str(error))
            return None
        subject = self._subject(row, request, host, port)
        self.subjects[(row, request.operation)] = subject
        return subject

    def prepare(self, stack: ExitStack, step: Step) -> None:
        protocol = self.target.protocol
        for operation in self.operations:
            if operation == "write" and not self.target.api_key:
                self.left_out[(protocol, operation)] = skipped(protocol, operation, NO_KEY)
                continue
            step(f"taking the {protocol} {operation} request from its real client")
            try:
                request = capture(self.target, operation, self.target.api_key)
            except RequestRefused as error:
                for row in rows_of(protocol, operation):
                    self.left_out[(row, operation)] = failed(row, operation, str(error))
                continue
            if operation == "latest":
                step(f"checking the {protocol} ceiling")
                ceiling = ceiling_of(request)
                if protocol == "rest":  # the very bytes of the `rest` row, rendered every time
                    ceiling = ceiling.with_header("Cache-Control", "no-cache")
                self.ceiling = self._add(protocol, ceiling)
            if protocol != "rest" or operation == "write":
                self._add(protocol, request)
                continue
            self._add("rest", request.with_header("Cache-Control", "no-cache"))
            self._add(ORIGIN_CACHE, request)
            self._add_http_cache(stack, request, step)

    def _add_http_cache(self, stack: ExitStack, request: BenchRequest, step: Step) -> None:
        port = self._nginx_port
        if port is None:
            step("starting nginx (proxy_cache) in front of REST")
            try:
                port = stack.enter_context(http_cache(self.target.host, self.target.port))
            except CacheUnavailable as error:
                self.left_out[(HTTP_CACHE, request.operation)] = skipped(
                    HTTP_CACHE, request.operation, str(error))
                return
            self._nginx_port = port
        self._add(HTTP_CACHE, request, "127.0.0.1", port)

    def ordered(self) -> list[Subject]:
        """The ceiling right before the real ``latest``, then the rest in operation order."""
        head = [self.ceiling] if self.ceiling is not None else []
        return head + [s for op in self.operations
                       for row in rows_of(self.target.protocol, op)
                       if (s := self.subjects.get((row, op))) is not None]

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for operation in self.operations:
            for row in rows_of(self.target.protocol, operation):
                subject = self.subjects.get((row, operation))
                if subject is None:
                    out.append(self.left_out.get((row, operation))
                               or failed(row, operation, "not measured"))
                else:
                    out.append(result(subject, self.ceiling if operation == "latest" else None))
        return out


@contextmanager
def build_subjects(plans: list[ProtocolPlan], step: Step) -> Iterator[list[Subject]]:
    """Every plan's subjects, requests taken and checked; nginx runs until the block ends."""
    with ExitStack() as stack:
        for plan in plans:
            plan.prepare(stack, step)
        yield [subject for plan in plans for subject in plan.ordered()]
