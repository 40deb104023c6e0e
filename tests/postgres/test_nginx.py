"""The shipped nginx example (deploy/nginx/fourcast.conf) in front of two replicas: nginx runs
as its own process on free loopback ports, and the four clients work through it as they do
against one server: reads agree, and a write through it is pushed to live watchers through it.
Skips where nginx is not installed (apt-get install nginx)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clients import CLIENTS, connect
from services.core import Observation, Station
from tests.postgres.conftest import Replica
from tests.servers import API_KEY, HOST, free_ports

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "fourcast.conf"
# The ports the example names: each replica's (per protocol), and the ones nginx listens on.
REPLICA_PORTS = [{"rest": 8000, "graphql": 8001, "soap": 8002, "grpc": 50051},
                 {"rest": 18000, "graphql": 18001, "soap": 18002, "grpc": 60051}]
FRONT_PORTS = {"rest": 9000, "graphql": 9001, "soap": 9002, "grpc": 50050}
AT = datetime(2031, 6, 1, tzinfo=UTC)


def render(replicas: tuple[Replica, Replica], front: dict[str, int]) -> str:
    """The example with its ports replaced by the ones this test uses (nothing else)."""
    mapping = {str(port): str(front[p]) for p, port in FRONT_PORTS.items()}
    for named, served in zip(REPLICA_PORTS, replicas, strict=True):
        mapping.update({str(port): str(served[p].port) for p, port in named.items()})
    text = CONF.read_text()
    return re.sub(r"(?<=127\.0\.0\.1:)\d+|(?<=listen )\d+",
                  lambda m: mapping[m.group(0)], text)


def _answers(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) == 0


@pytest.fixture(scope="module")
def nginx(replicas: tuple[Replica, Replica]) -> Iterator[dict[str, int]]:
    binary = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
        None)
    if binary is None:
        pytest.skip("nginx is not installed (apt-get install nginx)")
    front = dict(zip(FRONT_PORTS, free_ports(len(FRONT_PORTS)), strict=True))
    # Outside pytest's private folder: nginx's workers run as an unprivileged user.
    folder = Path(tempfile.mkdtemp(prefix="fourcast-nginx-"))
    folder.chmod(0o755)
    (folder / "fourcast.conf").write_text(render(replicas, front))
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        "worker_processes 1;\nevents { worker_connections 256; }\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {folder}/body;\n"
        f"  proxy_temp_path {folder}/proxy;\n  fastcgi_temp_path {folder}/fastcgi;\n"
        f"  uwsgi_temp_path {folder}/uwsgi;\n  scgi_temp_path {folder}/scgi;\n"
        f"  include {folder}/fourcast.conf;\n}}\n")
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                                "-e", str(folder / "error.log"), "-g", "daemon off;"])
    try:
        deadline = time.monotonic() + 30
        while not all(_answers(port) for port in front.values()):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "error.log").read_text(errors="replace")
                raise RuntimeError(f"nginx did not start:\n{log}")
            time.sleep(0.1)  # waiting for a port to open, not synchronising with a result
        yield front
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def test_every_client_reads_the_same_through_nginx(nginx: dict[str, int]) -> None:
    with ExitStack() as stack:
        clients = {p: stack.enter_context(connect(p, HOST, nginx[p])) for p in CLIENTS}
        for _ in range(2):  # round-robin: both replicas answer
            latest = {p: c.get_latest_observation("KJFK") for p, c in clients.items()}
            assert len(set(latest.values())) == 1, latest
            stations = {p: c.list_stations().items for p, c in clients.items()}
            assert len(set(stations.values())) == 1


def test_a_write_through_nginx_reaches_watchers_through_nginx(nginx: dict[str, int]) -> None:
    with ExitStack() as stack:
        clients = {p: stack.enter_context(connect(p, HOST, nginx[p], API_KEY)) for p in CLIENTS}
        clients["rest"].put_station(Station("YNGX", "Behind nginx", 1.0, 2.0, 3.0, "UTC"))
        watchers = {p: stack.enter_context(c.watch_observations(["YNGX"]))
                    for p, c in clients.items() if c.supports_push}
        observation = Observation("YNGX", AT, temperature=12.5)
        clients["grpc"].put_observation(observation)
        for protocol, watcher in watchers.items():
            assert watcher.next(timeout=30) == observation, protocol
        polled = clients["soap"].observations_since(0, ["YNGX"])
        assert [r.observation for r in polled] == [observation]
