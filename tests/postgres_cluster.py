"""A throwaway PostgreSQL cluster for tests: initdb and pg_ctl in a temporary folder, on a free
loopback port, its socket in that folder, run by an unprivileged user (PostgreSQL refuses to
run as root; as root the ``postgres`` account is used if it exists, else ``nobody``).

Tests that need it skip, saying so, only where no PostgreSQL server binaries exist (looked for
in PATH and in /usr/lib/postgresql/*/bin).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.servers import HOST, free_port

SUPERUSER = "fourcast"


def find_binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None."""
    on_path = shutil.which("pg_ctl")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
                         reverse=True)
    for folder in candidates:
        if all((folder / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _run_as() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists")


class Cluster:
    """A running cluster; :meth:`create_database` makes a fresh database and returns its URL."""

    def __init__(self, binaries: Path, folder: Path, port: int) -> None:
        self.binaries, self.folder, self.port = binaries, folder, port
        self.url = f"postgresql://{SUPERUSER}@{HOST}:{port}/postgres"
        self._count = 0

    def create_database(self, prefix: str = "test") -> str:
        self._count += 1
        name = f"{prefix}_{os.getpid()}_{self._count}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://{SUPERUSER}@{HOST}:{self.port}/{name}"

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_cluster(binaries: Path) -> Iterator[Cluster]:
    user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="fourcast-pg-"))
    as_user: dict[str, int] = {}
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    data, port = folder / "data", free_port()

    def run(*command: str) -> None:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True,
                              timeout=120, **as_user)  # type: ignore[call-overload]
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")

    try:
        run(str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
            "-E", "UTF8", "--no-locale")
        # fsync off: a test cluster is thrown away, and the disk is shared by everyone.
        options = (f"-c listen_addresses={HOST} -p {port} -k {folder} -c fsync=off "
                   "-c max_connections=300 -c shared_buffers=32MB")
        run(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
            str(folder / "server.log"), "-w", "-t", "60", "start")
        try:
            yield Cluster(binaries, folder, port)
        finally:
            run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
