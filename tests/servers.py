"""Real server processes for tests: started on a free loopback port, stopped afterwards.

The same :class:`services.supervisor.ServerProcess` that ``fourcast serve`` uses: a child
process running the production server, polled with a real request until it answers.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from services.config import DEFAULT_PORTS, Settings
from services.protocols import PROTOCOLS, SERVERS
from services.supervisor import ServerProcess

HOST = "127.0.0.1"
API_KEY = "test-writer-key"
READ_ONLY_KEY = "test-reader-key"


def free_port() -> int:
    """A port the kernel just handed out on loopback (free at the time of asking)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports: each socket stays bound until all are chosen,
    so the kernel cannot hand the same port out twice (as asking one at a time may)."""
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for s in sockets:
            s.bind((HOST, 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


@contextmanager
def served(protocol: str, db_path: Path | str, log_dir: Path,
           extra_env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    """Run the ``protocol`` server over ``db_path`` (a SQLite file or a PostgreSQL URL) until
    the block ends."""
    ports = dict(DEFAULT_PORTS)
    ports[protocol] = free_port()
    settings = Settings(host=HOST, ports=ports, db=db_path)
    env = {"FOURCAST_API_KEYS": API_KEY, "FOURCAST_READ_ONLY_KEYS": READ_ONLY_KEY}
    env.update(extra_env or {})
    server = ServerProcess(PROTOCOLS[protocol], settings, env=env)
    log_path = log_dir / f"{protocol}-{ports[protocol]}.log"
    with open(log_path, "wb") as log:
        server.start(stdout=log.fileno())
        try:
            server.wait_ready()
        except Exception:
            server.stop()
            raise RuntimeError(f"{protocol} server failed; its log:\n"
                               + log_path.read_text(errors="replace")) from None
        except BaseException:  # a test's timeout or Ctrl-C while it started: stop it all the same
            server.stop()
            raise
        try:
            yield server
        finally:
            server.stop()


@contextmanager
def served_stack(names: list[str], db_path: Path | str, log_dir: Path,
                 extra_env: dict[str, str] | None = None) -> Iterator[dict[str, ServerProcess]]:
    """Run the servers ``names`` (of :data:`SERVERS`) together, as ``fourcast serve`` does:
    every server on a free loopback port and told every other's port (the web app's page and
    the gRPC-Web proxy reach the others; the allowed origin is the web app's)."""
    ports = dict(zip(SERVERS, free_ports(len(SERVERS)), strict=True))
    settings = Settings(host=HOST, ports=ports, db=db_path)
    env = {"FOURCAST_API_KEYS": API_KEY, "FOURCAST_READ_ONLY_KEYS": READ_ONLY_KEY}
    env.update(extra_env or {})
    servers = {name: ServerProcess(SERVERS[name], settings, env=env) for name in names}
    with ExitStack() as stack:
        for name, server in servers.items():
            log = stack.enter_context(open(log_dir / f"{name}-{ports[name]}.log", "wb"))
            server.start(stdout=log.fileno())
            stack.callback(server.stop)
        for name, server in servers.items():
            try:
                server.wait_ready()
            except Exception:
                log_path = log_dir / f"{name}-{ports[name]}.log"
                raise RuntimeError(f"{name} server failed; its log:\n"
                                   + log_path.read_text(errors="replace")) from None
        yield servers
