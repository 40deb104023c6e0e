"""The ``fourcast`` command: version, seed, and the ``serve`` supervisor end to end."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest

from services.config import port_env, port_flag
from services.protocols import SERVERS
from tests.servers import free_port, free_ports


def fourcast(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_version_is_printed() -> None:
    result = fourcast("--version")
    assert result.returncode == 0 and result.stdout.startswith("fourcast ")


def test_an_unknown_server_is_refused_naming_the_ones_there_are() -> None:
    result = fourcast("serve", "corba")
    assert result.returncode == 2 and "unknown server(s): corba" in result.stderr
    assert "rest, graphql, grpc, soap, grpc-web, web" in result.stderr


class Lines:
    """The lines a process prints, readable with a timeout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        assert process.stdout is not None
        self.reader = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self.reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line)
        self.lines.put(None)

    def until(self, text: str, timeout: float = 90) -> list[str]:
        seen: list[str] = []
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                raise AssertionError(f"the process ended before printing {text!r}: {seen}")
            seen.append(line)
            if text in line:
                return seen


def _stop(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL if it has not ended within 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def supervisor(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Lines, dict[str, int]]]:
    ports = dict(zip(SERVERS, free_ports(len(SERVERS)), strict=True))
    args = [f"{port_flag(name)}={port}" for name, port in ports.items()]
    env = {**os.environ, "FOURCAST_API_KEYS": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "--db", str(tmp_path / "db.sqlite3"),
         *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = Lines(process)
    try:
        yield process, lines, ports
    finally:
        if process.poll() is None:  # a failed test: stop the servers too, not only this one
            _stop(process)
        # The pipe ends when every process holding it has exited: the supervisor and every
        # server it started (a leftover would keep the reader blocked, and closing the pipe
        # under a blocked reader deadlocks).
        lines.reader.join(timeout=30)
        assert not lines.reader.is_alive(), "a server outlived the supervisor"
        if process.stdout is not None:
            process.stdout.close()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_starts_every_server_and_stops_them_on_sigterm(tmp_path: Path) -> None:
    with supervisor(tmp_path) as (process, lines, ports):
        printed = "".join(lines.until("Ctrl-C stops every server."))
        assert "generated development key" in printed
        for name in SERVERS:
            assert f"127.0.0.1:{ports[name]}" in printed, printed
        children = children_of(process.pid)
        assert len(children) == len(SERVERS)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert all(not Path(f"/proc/{child}").exists() or
                   "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]
                   for child in children)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_exits_non_zero_when_a_server_dies(tmp_path: Path) -> None:
    with supervisor(tmp_path) as (process, lines, _):
        lines.until("Ctrl-C stops every server.")
        victim = children_of(process.pid)[0]
        os.kill(victim, signal.SIGKILL)
        assert process.wait(timeout=30) == 1
        assert "stopping the others" in "".join(lines.until("stopping the others"))


def _refused_in_one_line(result: subprocess.CompletedProcess[str], protocol: str,
                         port: int) -> None:
    assert result.returncode == 1, result
    assert result.stdout == "", "nothing is printed before the refusal (no key, no banner)"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert f"127.0.0.1:{port} is already in use" in lines[0]
    assert port_flag(protocol) in lines[0] and port_env(protocol) in lines[0]


@pytest.mark.parametrize("protocol", list(SERVERS))
def test_a_port_held_by_another_program_is_refused_in_one_line(tmp_path: Path,
                                                               protocol: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as held:  # a plain listener, no SO_REUSEPORT
        port = held.getsockname()[1]
        result = fourcast("serve", protocol, f"{port_flag(protocol)}={port}",
                          "--db", str(tmp_path / "db.sqlite3"))
    _refused_in_one_line(result, protocol, port)
    assert not (tmp_path / "db.sqlite3").exists(), "refused before the database is touched"


def test_one_port_given_to_two_servers_is_refused(tmp_path: Path) -> None:
    port = free_port()
    result = fourcast("serve", "rest", "soap", f"--rest-port={port}", f"--soap-port={port}",
                      "--db", str(tmp_path / "db.sqlite3"))
    assert result.returncode == 1 and result.stdout == ""
    assert f"both given port {port}" in result.stderr and "--soap-port" in result.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_second_serve_on_ports_already_served_is_refused_for_each_protocol(
        tmp_path: Path) -> None:
    with supervisor(tmp_path) as (process, lines, ports):
        lines.until("Ctrl-C stops every server.")
        for protocol, port in ports.items():
            # granian listens with SO_REUSEPORT: without the check, this one would share the port
            result = fourcast("serve", protocol, f"{port_flag(protocol)}={port}",
                              "--db", str(tmp_path / "other.sqlite3"))
            _refused_in_one_line(result, protocol, port)
            runner = subprocess.run(  # the runner refuses too (the port may be taken late)
                [sys.executable, "-m", "services.runner", protocol], capture_output=True,
                text=True, timeout=120, env={**os.environ, port_env(protocol): str(port),
                                             "FOURCAST_HOST": "127.0.0.1"})
            assert runner.returncode == 3 and "already in use" in runner.stderr, runner
            assert "Traceback" not in runner.stderr
        assert process.poll() is None, "the first serve still runs"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0


def _poll(condition: Callable[[], bool], what: str, limit: float = 60) -> None:
    """Wait for a state of another process that it gives no signal of (a file, its children)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.01)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_while_the_servers_start_stops_them_at_once_with_status_130(
        tmp_path: Path) -> None:
    with supervisor(tmp_path) as (process, lines, _):
        _poll(lambda: len(children_of(process.pid)) == len(SERVERS), "the servers to start")
        children = children_of(process.pid)
        process.send_signal(signal.SIGINT)  # long before the servers can all be ready
        assert process.wait(timeout=60) == 130
        printed = "".join(lines.until("stopping every server"))
        assert "Ctrl-C stops every server." not in printed and "Traceback" not in printed
        assert all(not Path(f"/proc/{child}").exists() or
                   "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]
                   for child in children)


def test_ctrl_c_while_seeding_exits_130_and_leaves_no_half_seeded_database(
        tmp_path: Path) -> None:
    from services.store import connect

    db = tmp_path / "db.sqlite3"
    with supervisor(tmp_path) as (process, lines, _):
        _poll(db.exists, "the database file")  # created just before the seed is loaded
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 130
        printed = "".join(lines.until("interrupted"))
        assert "Traceback" not in printed and "KeyboardInterrupt" not in printed
    with connect(db) as store:
        assert store.counts() in ((0, 0), (5, 43633)), "all or nothing"


@pytest.mark.parametrize(("args", "env", "status", "said"), [
    (["serve", "--host", "nosuchhost.invalid"], {}, 1,
     "the host 'nosuchhost.invalid' does not resolve"),
    (["serve", "--rest-port", "70000"], {}, 2, "--rest-port: not a TCP port (1-65535): '70000'"),
    (["compare", "station", "KJFK"], {"FOURCAST_GRPC_PORT": "grpc"}, 2,
     "FOURCAST_GRPC_PORT: not a TCP port (1-65535): 'grpc'"),
    (["probe"], {"FOURCAST_SOAP_PORT": "0"}, 2, "FOURCAST_SOAP_PORT: not a TCP port"),
    (["compare", "station", "KJFK", "--host", "256.1.1.1"], {}, 2,
     "'256.1.1.1' is not an IPv4 address"),
    (["probe"], {"FOURCAST_HOST": "localhost:80"}, 2,
     "'localhost:80' is not a host name or an IPv4 address; change --host or FOURCAST_HOST"),
    (["compare", "station", "KJFK", "--host", "::1"], {}, 2, "'::1' is an IPv6 address"),
    (["serve"], {"FOURCAST_MAX_STREAMS": "abc"}, 2,
     "FOURCAST_MAX_STREAMS: 'abc' is not a whole number of at least 1"),
    (["serve"], {"FOURCAST_REST_THREADS": "0"}, 2, "FOURCAST_REST_THREADS: '0' is not"),
    (["serve"], {"FOURCAST_PROXY_HOPS": "-3"}, 2, "FOURCAST_PROXY_HOPS: '-3' is not"),
    (["serve", "--rest-prot", "1"], {}, 2,
     "fourcast serve: unrecognized arguments: --rest-prot (see fourcast serve --help)"),
    (["compare", "station", "KJFK", "--unit", "us"], {}, 2,
     "fourcast compare station: unrecognized arguments: --unit us"),
    (["compare", "observations", "KJFK", "--start", "2013-13-01T00:00Z"], {}, 2,
     "fourcast compare observations: argument --start: not an ISO 8601 date-time"),
])
def test_a_mistake_in_the_settings_is_one_line_not_a_traceback(
        args: list[str], env: dict[str, str], status: int, said: str) -> None:
    result = subprocess.run([sys.executable, "-m", "services.cli", *args], capture_output=True,
                            text=True, timeout=120, env={**os.environ, **env})
    assert result.returncode == status and said in result.stderr, result
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr  # no usage block


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the port lock is Linux's")
@pytest.mark.parametrize("protocol", list(SERVERS))
def test_two_runners_started_at_once_on_one_port_one_serves_the_other_refuses(
        tmp_path: Path, protocol: str) -> None:
    # both used to pass the probe before either had bound, then both granians shared the port
    # (SO_REUSEPORT): the kernel split the clients between two servers over two databases
    port = free_port()
    env = {**os.environ, "FOURCAST_HOST": "127.0.0.1", "FOURCAST_API_KEYS": "",
           port_env(protocol): str(port)}
    runners = [subprocess.Popen([sys.executable, "-m", "services.runner", protocol],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env={**env, "FOURCAST_DB": str(tmp_path / f"{n}.sqlite3")})
               for n in range(2)]
    try:
        _poll(lambda: any(runner.poll() is not None for runner in runners),
              "one of the two runners to refuse the port", limit=60)
        refused = next(runner for runner in runners if runner.poll() is not None)
        serving = next(runner for runner in runners if runner is not refused)
        assert refused.stderr is not None
        message = refused.stderr.read().splitlines()
        assert refused.returncode == 3 and len(message) == 1, message
        assert f"127.0.0.1:{port} is already in use" in message[0]
        _poll(lambda: SERVERS[protocol].load().ready("127.0.0.1", port) or
              serving.poll() is not None, "the other runner to serve", limit=60)
        assert serving.poll() is None, "the other runner serves"
    finally:
        for runner in runners:
            if runner.poll() is None:
                _stop(runner)
            if runner.stderr is not None:
                runner.stderr.close()
