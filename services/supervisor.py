"""``fourcast serve``: each protocol server in its own process, watched over.

The supervisor seeds the database once (so children never race to seed), starts one child per
protocol (``python -m services.runner NAME``), waits until each answers a real request, prints
the endpoints, and then watches: Ctrl-C or SIGTERM stops every child gracefully (SIGTERM, then
SIGKILL after a grace period); if one child dies, the others are stopped and the exit status is
non-zero. The test fixtures use :class:`ServerProcess` the same way.

A server runs in a session of its own (a terminal's Ctrl-C reaches the supervisor, which stops
every server in order), so nothing would stop it if the process that started it died without
doing so (killed, crashed, a test run cut short): the kernel is asked to send it SIGTERM then.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType

from services.config import Settings, port_env, port_flag
from services.processes import PARENT_ENV
from services.progress import progress
from services.protocols import SERVERS, Protocol
from services.runner import PORT_IN_USE, port_problem

READY_TIMEOUT = 60.0
STOP_GRACE = 10.0


class ServerFailed(RuntimeError):
    """A server process exited, or did not answer in time."""


class Interrupted(RuntimeError):
    """Ctrl-C or SIGTERM arrived before every server was ready."""


@dataclass
class ServerProcess:
    protocol: Protocol
    settings: Settings
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    output: int | None = None

    @property
    def port(self) -> int:
        return self.settings.port(self.protocol.name)

    @property
    def address(self) -> str:
        return f"{self.settings.host}:{self.port}"

    def start(self, stdout: int | None = None) -> None:
        env = self.settings.child_environment()
        env.update(self.env)
        env[PARENT_ENV] = str(os.getpid())  # the server ends with this process, however it ends
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services.runner", self.protocol.name],
            env=env, stdout=stdout, stderr=stdout, start_new_session=True)

    def wait_ready(self, timeout: float = READY_TIMEOUT,
                   stop: threading.Event | None = None) -> None:
        """Poll the server with a real request until it answers; fail if it exits, give up
        (:class:`Interrupted`) as soon as ``stop`` is set."""
        assert self.process is not None
        ready: Callable[[str, int], bool] = self.protocol.load().ready
        deadline = time.monotonic() + timeout
        delay = 0.02
        while True:
            if stop is not None and stop.is_set():  # even if the server is ready by now
                raise Interrupted(f"interrupted while the {self.protocol.title} server started")
            code = self.process.poll()
            if code == PORT_IN_USE:  # the runner said which address, on its stderr
                raise ServerFailed(f"the {self.protocol.title} server could not listen on "
                                   f"{self.address}; stopping the others")
            if code is not None:
                raise ServerFailed(f"the {self.protocol.title} server exited with status {code}")
            if ready(self.settings.host, self.port):
                return
            if time.monotonic() > deadline:
                raise ServerFailed(f"the {self.protocol.title} server did not answer on "
                                   f"{self.address} within {timeout:.0f} s")
            # a child that is starting gives nothing to wait on: poll, but wake for a stop
            if stop is not None and stop.wait(delay):
                raise Interrupted(f"interrupted while the {self.protocol.title} server started")
            if stop is None:
                time.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    def stop(self, grace: float = STOP_GRACE) -> int | None:
        """SIGTERM to the server, SIGKILL to its process group after ``grace`` seconds.

        SIGTERM goes to the server alone, which stops its own workers: sent to the whole group,
        it reached granian's workers too, and one that exited before granian had asked it to
        was an "unexpected exit" (status 1). The group is killed even when its leader is
        already gone: a server killed from outside (or crashed) can leave its own workers
        behind (granian's), orphaned but still holding the port and our output pipe.
        """
        if self.process is None:
            return None
        try:
            if self.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(grace)
                except subprocess.TimeoutExpired:
                    self._signal_group(signal.SIGKILL)
                    self.process.wait()
        finally:  # also when a timeout or Ctrl-C cuts the wait short
            self._signal_group(signal.SIGKILL)  # whatever outlived the leader
        return self.process.returncode

    def _signal_group(self, signum: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)


def endpoint_table(servers: Sequence[ServerProcess]) -> str:
    lines = [f"{'protocol':<9} {'address':<22} contract / example"]
    for server in servers:
        describe = server.protocol.load().describe
        # a server that names the others (the gRPC-Web proxy: where it forwards, which origins
        # it lets in) takes the settings too
        extra = ({"settings": server.settings}
                 if "settings" in inspect.signature(describe).parameters else {})
        contract, example = describe(server.settings.host, server.port, **extra)
        lines.append(f"{server.protocol.title:<9} {server.address:<22} {contract}")
        lines.append(f"{'':<9} {'':<22} $ {example}")
    return "\n".join(lines)


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr)


class Supervisor:
    def __init__(self, settings: Settings, names: Sequence[str]) -> None:
        self.settings = settings
        chosen = [SERVERS[n] for n in names] if names else list(SERVERS.values())
        self.skipped: list[str] = []  # "<title> is not started: <reason>", when none was named
        if not names:
            chosen = [p for p in chosen if not self._unavailable(p)]
        self.servers = [ServerProcess(p, settings) for p in chosen]
        self._stop = threading.Event()

    def _unavailable(self, protocol: Protocol) -> bool:
        check: Callable[[], str | None] | None = getattr(protocol.load(), "unavailable", None)
        reason = check() if check is not None else None
        if reason:
            self.skipped.append(f"{protocol.title} is not started: {reason}")
        return bool(reason)

    def address_problem(self) -> str | None:
        """Why these servers cannot start where they are told to (one line), or None.

        Checked before anything starts, so that a busy port leaves nothing running or printed.
        """
        seen: dict[int, str] = {}
        problems: list[str] = []
        for server in self.servers:
            name = server.protocol.name
            if server.port in seen:
                other = SERVERS[seen[server.port]].title
                problems.append(f"the {other} and {server.protocol.title} servers are both "
                                f"given port {server.port}; change {port_flag(name)} or "
                                f"{port_env(name)}")
                continue
            seen[server.port] = name
            problem = port_problem(name, self.settings.host, server.port)
            if problem:
                problems.append(problem)
        problems = list(dict.fromkeys(problems))  # a bad host is one problem, not four
        if not problems:
            return None
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return problems[0] + more

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop.set()

    def run(self, out: Callable[[str], None] = print, show_progress: bool = False,
            err: Callable[[str], None] = _to_stderr) -> int:
        """Start, announce (``out``), watch; failures and interruptions go to ``err``."""
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            titles = ", ".join(s.protocol.title for s in self.servers)
            with progress(f"starting the servers: {titles}", show_progress) as step:
                for server in self.servers:
                    server.start()
                for ready, server in enumerate(self.servers):
                    step(f"starting the servers: {ready}/{len(self.servers)} ready, waiting "
                         f"for {server.protocol.title} on {server.address}")
                    server.wait_ready(stop=self._stop)
            if self._stop.is_set():  # the signal came as the last server answered
                raise Interrupted("interrupted while the servers started")
            out(endpoint_table(self.servers))
            out(f"database: {self.settings.db_display}")
            if any(s.protocol.name == "web" for s in self.servers):
                host = "127.0.0.1" if self.settings.host == "0.0.0.0" else self.settings.host
                out(f"open http://{host}:{self.settings.port('web')}/ in a browser: the web app")
            for line in self.skipped:
                out(line)
            out("Ctrl-C stops every server.")
            while not self._stop.wait(0.5):
                dead = [s for s in self.servers if s.process and s.process.poll() is not None]
                if dead:
                    for server in dead:
                        status = server.process.returncode if server.process else "?"
                        err(f"fourcast serve: the {server.protocol.title} server exited with "
                            f"status {status}; stopping the others")
                    return 1
            out("stopping...")
            return 0
        except ServerFailed as error:
            err(f"fourcast serve: {error}")
            return 1
        except Interrupted as error:  # before the banner: the command did not get to serve
            err(f"fourcast serve: {error}; stopping every server")
            return 130
        finally:
            for server in self.servers:
                server.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
