"""Where the evidence is gathered: running servers, or servers started for the occasion.

A :class:`Target` is one protocol's server and the wire recorder in front of it. For servers
started here, the recorder is put in front *before* the first request, and the readiness poll
goes through it: a server that advertises its own address from the first request it saw (the
SOAP WSDL's ``soap:address`` does) then advertises the recorder, so its clients stay on the wire
we measure.

Asked to (``browser=True``), :func:`started_targets` also starts the two servers a browser page
needs beside the four (the gRPC-Web proxy and the web app, :class:`PageServers`), every server
told every other's port as ``fourcast serve`` tells them, so the page's origin is the one the
servers allow. ``compare``, ``probe`` and ``bench`` never ask.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from services.config import DEFAULT_PORTS, Settings
from services.core.auth import generate_key
from services.evidence.wire import WireRecorder
from services.progress import Step, quiet
from services.protocols import PROTOCOLS, SERVERS
from services.supervisor import ServerFailed, ServerProcess

PAGE_SERVERS = ("grpc-web", "web")


@dataclass(frozen=True)
class PageServers:
    """The servers a browser page needs beside the four APIs, by URL."""

    web: str  # the web app's page, ``http://HOST:PORT/``
    grpc_web: str  # the gRPC-Web proxy in front of the gRPC server, ``http://HOST:PORT``


@dataclass
class Target:
    protocol: str
    host: str
    port: int
    recorder: WireRecorder | None = None
    api_key: str | None = None
    owned: list[WireRecorder] = field(default_factory=list)
    page: PageServers | None = None  # started beside it when asked (the same for every target)

    @property
    def title(self) -> str:
        return PROTOCOLS[self.protocol].title

    def wire(self) -> WireRecorder:
        """The recorder in front of this server (one is opened on first use)."""
        if self.recorder is None:
            self.recorder = WireRecorder(self.host, self.port)
            self.owned.append(self.recorder)
        return self.recorder

    def close(self) -> None:
        for recorder in self.owned:
            recorder.close()


def running_targets(settings: Settings, protocols: Sequence[str],
                    api_key: str | None) -> list[Target]:
    return [Target(p, settings.host, settings.port(p), api_key=api_key) for p in protocols]


def _free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports: every socket stays bound until all are chosen
    (asked one at a time, the kernel may hand the same port out twice)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _wait_ready_through(server: ServerProcess, recorder: WireRecorder,
                        timeout: float = 60.0) -> None:
    ready = server.protocol.load().ready
    deadline = time.monotonic() + timeout
    delay = 0.02
    while not ready(recorder.host, recorder.port):
        if server.process is not None and server.process.poll() is not None:
            raise ServerFailed(f"the {server.protocol.title} server exited with status "
                               f"{server.process.returncode}")
        if time.monotonic() > deadline:
            raise ServerFailed(f"the {server.protocol.title} server did not answer in time")
        time.sleep(delay)  # polling a child process that is starting: nothing to wait on
        delay = min(delay * 1.5, 0.25)


@contextmanager
def started_targets(protocols: Sequence[str], db_path: Path | None = None,
                    extra_env: dict[str, str] | None = None,
                    step: Step = quiet, browser: bool = False) -> Iterator[list[Target]]:
    """Start each protocol's server on a free loopback port over a seeded temporary database
    (or ``db_path``), with a recorder in front; stop them all afterwards.

    With ``browser``, the gRPC-Web proxy and the web app start too (every protocol must be
    among ``protocols``: the page calls all four), and each target's :attr:`Target.page` says
    where they are.
    """
    from services.store import open_store

    if browser and not set(PROTOCOLS) <= set(protocols):
        raise ValueError("a browser page needs all four servers")

    key = generate_key()
    with ExitStack() as stack:
        if db_path is None:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fourcast-")))
            db_path = tmp / "fourcast.sqlite3"
        step(f"seeding the database {db_path}")
        open_store(db_path).close()
        ports = dict(DEFAULT_PORTS)
        extra = list(PAGE_SERVERS) if browser else []
        ports.update(zip([*protocols, *extra], _free_ports(len(protocols) + len(extra)),
                         strict=True))
        settings = Settings("127.0.0.1", ports, db_path)
        env = {"FOURCAST_API_KEYS": key, "FOURCAST_READ_ONLY_KEYS": ""}
        env.update(extra_env or {})
        log = stack.enter_context(open(os.devnull, "wb"))
        started: list[tuple[ServerProcess, Target]] = []
        for protocol in protocols:
            server = ServerProcess(PROTOCOLS[protocol], settings, env=env)
            server.start(stdout=log.fileno())
            stack.callback(server.stop)
            recorder = stack.enter_context(WireRecorder("127.0.0.1", server.port))
            started.append((server, Target(protocol, "127.0.0.1", server.port, recorder, key)))
        beside = [ServerProcess(SERVERS[name], settings, env=env) for name in extra]
        for server in beside:
            server.start(stdout=log.fileno())
            stack.callback(server.stop)
        total = len(started) + len(beside)
        for ready, (server, target) in enumerate(started):
            assert target.recorder is not None
            step(f"starting the servers: {ready}/{total} ready, waiting for {target.title}")
            _wait_ready_through(server, target.recorder)
        for ready, server in enumerate(beside, start=len(started)):
            step(f"starting the servers: {ready}/{total} ready, waiting for "
                 f"{server.protocol.title}")
            server.wait_ready()
        page = (PageServers(f"http://127.0.0.1:{ports['web']}/",
                            f"http://127.0.0.1:{ports['grpc-web']}") if browser else None)
        for _, target in started:
            target.page = page
        yield [target for _, target in started]
