"""Run one protocol server in this process: ``python -m services.runner PROTOCOL``.

The supervisor (``fourcast serve``) and the test fixtures start each server this way, passing
the settings through the environment (see :mod:`services.config`).

Before a server binds, its address is checked with a probe socket bound *without*
``SO_REUSEPORT``: granian listens with ``SO_REUSEPORT``, so a second granian on a port already
served would silently share it (the kernel then splits clients between two servers, maybe over
two databases). The probe fails against any listener, whoever holds the port.
"""

from __future__ import annotations

import errno
import socket
import sys

from services.config import Settings, port_env
from services.protocols import PROTOCOLS

PORT_IN_USE = 3  # the exit status of a runner whose port is taken (the supervisor says which)


def port_problem(protocol: str, host: str, port: int) -> str | None:
    """Why ``protocol``'s server cannot listen on ``host:port`` (one line), or None."""
    title = PROTOCOLS[protocol].title
    change = f"change --{protocol}-port or {port_env(protocol)}"
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
    if len(args) != 1 or args[0] not in PROTOCOLS:
        print(f"usage: python -m services.runner {{{','.join(PROTOCOLS)}}}", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    # checked here as well as by the supervisor: the port may be taken in between, and the
    # test fixtures start runners directly
    problem = port_problem(args[0], settings.host, settings.port(args[0]))
    if problem:
        print(f"fourcast: {problem}", file=sys.stderr)
        return PORT_IN_USE
    PROTOCOLS[args[0]].load().serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
