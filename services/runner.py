"""Run one protocol server in this process: ``python -m services.runner PROTOCOL``.

The supervisor (``fourcast serve``) and the test fixtures start each server this way, passing
the settings through the environment (see :mod:`services.config`).

Before a server binds, its address is checked with a probe socket bound *without*
``SO_REUSEPORT``: granian listens with ``SO_REUSEPORT``, so a second granian on a port already
served would silently share it (the kernel then splits clients between two servers, maybe over
two databases). The probe fails against any listener, whoever holds the port.

The probe alone leaves a race: two runners started at the same instant both find the port free,
then both granians bind it (SO_REUSEPORT lets them, and granian cannot be told otherwise on
Linux, nor given a socket bound without it). So each runner first takes a lock named after the
port, an abstract Unix socket (Linux): the kernel lets one process bind a name, and frees it when
the holder exits, however it exits. The runner (and so its granian) holds it while it serves.
"""

from __future__ import annotations

import errno
import os
import socket
import sys

from services.config import Settings, port_env, port_flag
from services.processes import PARENT_ENV, die_with_parent
from services.protocols import SERVERS

PORT_IN_USE = 3  # the exit status of a runner whose port is taken (the supervisor says which)


def claim_port(port: int) -> socket.socket | None:
    """The lock of ``port`` among fourcast servers on this machine (per network namespace, as
    ports are), to keep open while serving; None if another fourcast server holds it. Where
    there are no abstract sockets (not Linux) there is no lock, only the probe."""
    if not sys.platform.startswith("linux"):
        return None
    lock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        lock.bind(f"\0fourcast-port-{port}")
    except OSError:
        lock.close()
        raise
    return lock


def port_problem(protocol: str, host: str, port: int) -> str | None:
    """Why ``protocol``'s server cannot listen on ``host:port`` (one line), or None."""
    title = SERVERS[protocol].title
    change = _change(protocol)
    if not 0 < port < 65536:
        return f"the {title} port {port} is not a TCP port (1-65535); {change}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as error:
        return f"the host {host!r} does not resolve ({error}); change --host or FOURCAST_HOST"
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as probe:
            # REUSEADDR so that a port a stopped server left in TIME_WAIT counts as free; no
            # REUSEPORT, so that any listener, even one sharing with SO_REUSEPORT, makes it fail
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                return _bind_failure(title, host, port, error, change)
    return None


def _change(protocol: str) -> str:
    return f"change {port_flag(protocol)} or {port_env(protocol)}"


def _bind_failure(title: str, host: str, port: int, error: OSError, change: str) -> str:
    where = f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return (f"the {title} port {where} is already in use (by another fourcast or another "
                f"program); {change}")
    if error.errno == errno.EACCES:
        return f"the {title} server may not listen on {where} (permission denied); {change}"
    if error.errno == errno.EADDRNOTAVAIL:
        return (f"the {title} server cannot listen on {where}: {host} is not an address of "
                "this machine; change --host or FOURCAST_HOST")
    return f"the {title} server cannot listen on {where} ({error.strerror}); {change}"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in SERVERS:
        print(f"usage: python -m services.runner {{{','.join(SERVERS)}}}", file=sys.stderr)
        return 2
    parent = os.environ.get(PARENT_ENV)
    if parent and parent.isdigit():
        die_with_parent(int(parent))
    settings = Settings.from_env()
    port = settings.port(args[0])
    try:
        lock = claim_port(port) if 0 < port < 65536 else None
    except OSError:  # another fourcast server is starting, or serving, on this port
        taken = OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE))
        held = _bind_failure(SERVERS[args[0]].title, settings.host, port, taken,
                             _change(args[0]))
        print(f"fourcast: {held}", file=sys.stderr)
        return PORT_IN_USE
    # checked here as well as by the supervisor: the port may be taken in between, and the
    # test fixtures start runners directly
    problem = port_problem(args[0], settings.host, port)
    if problem:
        print(f"fourcast: {problem}", file=sys.stderr)
        return PORT_IN_USE
    try:
        SERVERS[args[0]].load().serve(settings)
    finally:
        if lock is not None:
            lock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
