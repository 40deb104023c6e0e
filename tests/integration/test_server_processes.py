"""No server outlives the test run that started it.

Servers run in sessions of their own, so nothing but their starter stops them: a fixture
interrupted while its server starts (a test's timeout, Ctrl-C) must stop it all the same, and a
starter that dies without stopping them (killed, crashed) must not leave them serving.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from services.supervisor import ServerProcess
from tests.servers import served

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

ROOT = Path(__file__).resolve().parents[2]
GONE_WITHIN = 30.0  # seconds: bounds a hang only (a stopped server is gone in about one)
STARTER = """
import sys
from pathlib import Path
from tests.servers import served

with served("rest", Path(sys.argv[1]), Path(sys.argv[2])) as server:
    assert server.process is not None
    print(server.process.pid, flush=True)
    sys.stdin.read()  # until killed
"""


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for its parent to reap it does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _group(pgid: int) -> list[int]:
    """The running processes of process group ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, pytest.fail.Exception],
                         ids=["ctrl-c", "a test's timeout"])
def test_a_server_interrupted_while_it_starts_is_stopped(
        seeded_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        interruption: type[BaseException]) -> None:
    started: list[ServerProcess] = []

    def interrupted(self: ServerProcess, *args: Any, **kwargs: Any) -> None:
        started.append(self)
        raise interruption("while the server started")

    monkeypatch.setattr(ServerProcess, "wait_ready", interrupted)
    with pytest.raises(interruption), served("rest", seeded_db, tmp_path):
        pytest.fail("served() yielded a server that never answered")
    (server,) = started
    assert server.process is not None
    try:
        assert not _running(server.process.pid), "the server still runs"
        assert _group(server.process.pid) == []
    finally:
        _kill_group(server.process.pid)
        server.process.wait()


def test_a_server_whose_starter_is_killed_stops_by_itself(
        seeded_db: Path, tmp_path: Path) -> None:
    with subprocess.Popen([sys.executable, "-c", STARTER, str(seeded_db), str(tmp_path)],
                          cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True) as starter:
        assert starter.stdout is not None and starter.stdin is not None
        line = starter.stdout.readline()
        assert line.strip().isdigit(), "the starter did not start its server"
        pid = int(line)
        try:
            starter.kill()  # no chance to stop its server
            starter.wait()
            deadline = time.monotonic() + GONE_WITHIN
            while _group(pid):
                assert time.monotonic() < deadline, "the server outlived its starter"
                time.sleep(0.1)  # polling processes that give no signal of their end
        finally:
            _kill_group(pid)
            starter.stdin.close()
            starter.stdout.close()
