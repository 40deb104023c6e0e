"""Where the evidence is gathered: running servers, or servers started for the occasion.

A :class:`Target` is one protocol's server and the wire recorder in front of it. For servers
started here, the recorder is put in front *before* the first request, and the readiness poll
goes through it: a server that advertises its own address from the first request it saw (the
SOAP WSDL's ``soap:address`` does) then advertises the recorder, so its clients stay on the wire
we measure.
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
from services.protocols import PROTOCOLS
from services.supervisor import ServerFailed, ServerProcess


@dataclass
class Target:
    protocol: str
    host: str
    port: int
    recorder: WireRecorder | None = None
    api_key: str | None = None
    owned: list[WireRecorder] = field(default_factory=list)

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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
                    step: Step = quiet) -> Iterator[list[Target]]:
    """Start each protocol's server on a free loopback port over a seeded temporary database
    (or ``db_path``), with a recorder in front; stop them all afterwards."""
    from services.store import open_store

    key = generate_key()
    with ExitStack() as stack:
        if db_path is None:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fourcast-")))
            db_path = tmp / "fourcast.sqlite3"
        step(f"seeding the database {db_path}")
        open_store(db_path).close()
        ports = dict(DEFAULT_PORTS)
        for protocol in protocols:
            ports[protocol] = _free_port()
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
        for ready, (server, target) in enumerate(started):
            assert target.recorder is not None
            step(f"starting the servers: {ready}/{len(started)} ready, waiting for "
                 f"{target.title}")
            _wait_ready_through(server, target.recorder)
        yield [target for _, target in started]
