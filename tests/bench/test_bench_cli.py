"""``fourcast bench`` as a user runs it: real subprocesses of the command, real servers.

The end-to-end run checks the shape of the figures, never their size (the machine is shared:
speed is measured by bench, not asserted here). Without h2load it is skipped, and the command
must say how to install it and exit 2.
"""

from __future__ import annotations

import http.server
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.bench import h2load
from services.bench.requests import BenchRequest

PROTOCOL_ROWS = ("rest", "graphql", "grpc", "soap")
CACHE_ROWS = ("rest+origin-cache", "rest+http-cache")
RUN_LIMIT = 240  # seconds: bounds a hang, far above the run's own length


def _fourcast() -> list[str]:
    """The installed command by its absolute path (PATH may lack everything else)."""
    script = Path(sys.executable).with_name("fourcast")
    return [str(script)] if script.exists() else [sys.executable, "-m", "services.cli"]


def _bench(*args: str, env: dict[str, str] | None = None,
           timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_fourcast(), "bench", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.slow
@pytest.mark.timeout(RUN_LIMIT + 30)
def test_bench_latest_measures_every_protocol_against_its_ceiling(tmp_path: Path) -> None:
    if h2load.h2load_path() is None:
        pytest.skip("h2load is not installed (apt-get install nghttp2-client)")
    plot = tmp_path / "bench.png"
    drawing = importlib.util.find_spec("matplotlib") is not None
    result = _bench("latest", "--seconds", "1", "--rounds", "1", "--json", "--start-servers",
                    *(["--plot", str(plot)] if drawing else []), timeout=RUN_LIMIT)
    assert result.returncode == 0, result.stderr + result.stdout
    report = json.loads(result.stdout)
    assert report["machine"]["cpus"] >= 1
    assert report["machine"]["load_generator"].startswith("h2load")
    rows = {row["protocol"]: row for row in report["results"]}
    assert {row["operation"] for row in report["results"]} == {"latest"}
    assert set(rows) == set(PROTOCOL_ROWS + CACHE_ROWS)
    for name, row in rows.items():
        if "skipped" in row:  # only the nginx row may be, where nginx is not installed
            assert name == "rest+http-cache" and "nginx" in row["skipped"]
            continue
        assert "error" not in row, row
        rate, (low, high) = row["requests_per_second"], row["requests_per_second_range"]
        assert 0 < low <= rate <= high
        latency = row["latency_ms"]
        assert 0 < latency["p50"] <= latency["p90"] <= latency["p99"]
        assert row["bytes_per_call"]["sent"] > 0 and row["bytes_per_call"]["received"] > 0
        assert row["ceiling_requests_per_second"] > 0
    for name in PROTOCOL_ROWS:
        assert 0 < rows[name]["efficiency"] < 2, rows[name]
        assert rows[name]["cpu_ms_per_1000_calls"] > 0, rows[name]
    if drawing:
        assert plot.read_bytes().startswith(b"\x89PNG")


def test_without_h2load_bench_says_how_to_install_it_and_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    result = _bench("latest", env={**os.environ, "PATH": str(empty)})
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert line.startswith("fourcast bench:") and "apt-get install nghttp2-client" in line
    assert result.stdout == ""


@pytest.mark.parametrize("args", [["nonsense"], ["latest", "sideways"], ["--seconds", "0"],
                                  ["--connections", "0"], ["--rounds", "-1"],
                                  ["--seconds", "five"], ["--frobnicate"]])
def test_a_bad_command_line_is_one_line_and_exit_2(args: list[str]) -> None:
    result = _bench(*args)
    assert result.returncode == 2
    assert _one_line(result.stderr).startswith("fourcast bench")
    assert result.stdout == ""


def test_a_plot_into_a_missing_folder_is_refused_before_measuring(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "bench.png"
    result = _bench("latest", "--plot", str(target))
    assert result.returncode == 2
    line = _one_line(result.stderr)
    assert line.startswith("fourcast bench:") and "no-such-folder" in line
    assert not target.parent.exists()


class _NotFound(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def not_found_server() -> Iterator[int]:
    http.server.ThreadingHTTPServer.protocol_version = "HTTP/1.1"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.skipif(shutil.which("h2load") is None, reason="h2load is not installed")
def test_a_run_with_answers_that_are_not_2xx_is_refused(not_found_server: int) -> None:
    request = BenchRequest("rest", "latest", "GET", "/missing", (), b"", http2=False)
    with pytest.raises(h2load.LoadFailed, match="4xx"):
        h2load.run_count(request, "127.0.0.1", not_found_server, 20)
