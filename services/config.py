"""Settings from the environment and CLI flags, and the wiring of a service to its store.

| setting | flag | environment | default |
|---|---|---|---|
| host | ``--host`` | ``FOURCAST_HOST`` | 127.0.0.1 |
| REST port | ``--rest-port`` | ``FOURCAST_REST_PORT`` | 8000 |
| GraphQL port | ``--graphql-port`` | ``FOURCAST_GRAPHQL_PORT`` | 8001 |
| SOAP port | ``--soap-port`` | ``FOURCAST_SOAP_PORT`` | 8002 |
| gRPC port | ``--grpc-port`` | ``FOURCAST_GRPC_PORT`` | 50051 |
| gRPC-Web port (Envoy in front of gRPC) | ``--grpc-web-port`` | ``FOURCAST_GRPC_WEB_PORT`` | 8081 |
| web app port | ``--web-port`` | ``FOURCAST_WEB_PORT`` | 8080 |
| origins a browser page may call from | — | ``FOURCAST_CORS_ORIGINS`` | the web app's |
| database | ``--db`` | ``FOURCAST_DB`` | ``$XDG_DATA_HOME/fourcast/fourcast.sqlite3`` |

The database is a SQLite file path or a ``postgresql://`` URL; it is kept as the text given
(``Path`` would fold a URL's ``//`` and make it a relative folder named ``postgresql:``).
| write keys | — | ``FOURCAST_API_KEYS`` | none (``fourcast serve`` generates one) |
| read-only keys | — | ``FOURCAST_READ_ONLY_KEYS`` | none |
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from services.core.auth import KeyChecker
from services.core.service import WeatherService

DEFAULT_PORTS = {"rest": 8000, "graphql": 8001, "soap": 8002, "grpc": 50051,
                 "grpc-web": 8081, "web": 8080}
CORS_ORIGINS_ENV = "FOURCAST_CORS_ORIGINS"
_LOOPBACK_NAMES = ("127.0.0.1", "localhost")

# The numeric settings a server reads from the environment, and the least each may be (read
# where they are used: core/budget.py, rest_api/server.py, grpc_api/budgets.py); checked here
# first, so that a bad value is one line from the command and not a worker's traceback.
NUMERIC_ENVIRONMENT = {
    "FOURCAST_MAX_STREAMS": 1, "FOURCAST_MAX_STREAMS_PER_CLIENT": 1,
    "FOURCAST_MAX_IMPORTS": 1, "FOURCAST_MAX_IMPORTS_PER_CLIENT": 1,
    "FOURCAST_REST_THREADS": 1, "FOURCAST_PROXY_HOPS": 0,
}
_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def environment_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """The first numeric setting in the environment that is not a whole number in its range
    (one line), or None."""
    env = os.environ if environ is None else environ
    for name, least in NUMERIC_ENVIRONMENT.items():
        raw = env.get(name)
        if raw and not (raw.strip().isdigit() and int(raw) >= least):
            return f"{name}: {raw!r} is not a whole number of at least {least}"
    for origin in _split_origins(env.get(CORS_ORIGINS_ENV, "")):
        problem = origin_problem(origin)
        if problem:
            return f"{CORS_ORIGINS_ENV}: {problem}"
    return None


def _split_origins(text: str) -> list[str]:
    return [x.rstrip("/") for x in re.split(r"[\s,]+", text) if x]


def host_problem(host: str) -> str | None:
    """Why ``host`` cannot name the servers in a URL (one line), or None: it must be a DNS name
    or an IPv4 address (an IPv6 literal is not supported yet: name it, e.g. ``localhost``)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and address.version == 6:
        return (f"{host!r} is an IPv6 address, which Fourcast's URLs do not carry yet; use a "
                "host name that resolves to it (e.g. localhost) or an IPv4 address")
    if address is not None:
        return None
    labels = host.rstrip(".").split(".")
    if labels[-1].isdigit():
        return f"{host!r} is not an IPv4 address (four numbers from 0 to 255)"
    if not host or len(host) > 253 or not all(_HOST_LABEL.fullmatch(x) for x in labels):
        return f"{host!r} is not a host name or an IPv4 address"
    return None


def default_db_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fourcast" / "fourcast.sqlite3"


def port_env(protocol: str) -> str:
    return f"FOURCAST_{protocol.upper().replace('-', '_')}_PORT"


def port_flag(protocol: str) -> str:
    return f"--{protocol}-port"


def origin_problem(text: str) -> str | None:
    """Why ``text`` is not one origin (``scheme://host[:port]``, nothing after), or None."""
    match = re.fullmatch(r"(https?)://([^/:\s]+)(?::(\d{1,5}))?", text)
    if not match or (match.group(3) and not 0 < int(match.group(3)) < 65536):
        return (f"{text!r} is not an origin (scheme://host[:port], e.g. "
                "http://127.0.0.1:8080)")
    return None


@dataclass(frozen=True, slots=True)
class Settings:
    host: str
    ports: Mapping[str, int]
    db: str | Path  # a SQLite file or a postgresql:// URL (see services.store.open_store)

    @property
    def db_path(self) -> str | Path:
        """The older name of :attr:`db` (it may be a URL, not a path)."""
        return self.db

    @property
    def db_display(self) -> str:
        """:attr:`db` fit to print: a URL's password is masked."""
        from services.store.target import display

        return display(self.db)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        ports = {p: int(env.get(port_env(p)) or default) for p, default in DEFAULT_PORTS.items()}
        db = env.get("FOURCAST_DB")
        return cls(env.get("FOURCAST_HOST") or "127.0.0.1", ports, db or default_db_path(env))

    def with_overrides(self, host: str | None = None, db_path: str | Path | None = None,
                       db: str | Path | None = None, **ports: int | None) -> Settings:
        merged = dict(self.ports)
        merged.update({p: v for p, v in ports.items() if v is not None})
        return replace(self, host=host or self.host, ports=merged,
                       db=db or db_path or self.db)

    def port(self, protocol: str) -> int:
        return self.ports[protocol]

    def web_origins(self, environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
        """The origins whose pages may call the APIs from a browser (CORS, websocket Origin).

        ``FOURCAST_CORS_ORIGINS`` (origins separated by commas or spaces) when set; otherwise
        the web app's own origin, as a browser spells it for the host the servers listen on
        (both loopback spellings when that host is loopback or every address). Every server
        reads this one rule, so the web app's origin is allowed and no other.
        """
        env = os.environ if environ is None else environ
        chosen = _split_origins(env.get(CORS_ORIGINS_ENV, ""))
        if chosen:
            return tuple(dict.fromkeys(chosen))
        web = self.ports.get("web", DEFAULT_PORTS["web"])
        hosts = [self.host]
        if self.host in (*_LOOPBACK_NAMES, "0.0.0.0"):
            hosts = [h for h in (self.host, *_LOOPBACK_NAMES) if h != "0.0.0.0"]
        return tuple(dict.fromkeys(f"http://{h}:{web}" for h in hosts))

    def child_environment(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment that passes these settings on to a server process."""
        env = dict(os.environ if base is None else base)
        env["FOURCAST_HOST"] = self.host
        env["FOURCAST_DB"] = str(self.db)
        for protocol, port in self.ports.items():
            env[port_env(protocol)] = str(port)
        return env


def build_service(settings: Settings | None = None) -> WeatherService:
    """The core service over the configured store (seeded on first use), keys from the env."""
    from services.store import open_store

    settings = settings or Settings.from_env()
    return WeatherService(open_store(settings.db), KeyChecker.from_env())
