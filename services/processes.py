"""Child processes that end with the process that started them.

The kernel can send a process a signal when its parent dies (Linux's ``PR_SET_PDEATHSIG``), so
that a server or an Envoy whose starter was killed (SIGKILL gives it no chance to stop them)
does not keep its port. The child asks for it itself, after it has started: a ``preexec_fn``
would make ``subprocess`` fork without exec, and a fork of a process with grpc's threads running
aborted the child now and then (grpc's fork handlers).

- A server (``python -m services.runner``) is started with :data:`PARENT_ENV` naming the
  starter, and calls :func:`die_with_parent` first thing.
- Another program (Envoy) is started through :func:`child_command`: this module, run as a
  program, asks for the signal and then execs it (the request survives ``exec``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Sequence

PARENT_ENV = "FOURCAST_PARENT_PID"
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """Have the kernel send this process SIGTERM when ``parent`` dies (strictly: when the thread
    of ``parent`` that started it ends: start children from one that outlives them); exit at
    once if ``parent`` is already gone. Nothing where there is no such thing (not Linux)."""
    if not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def child_command(argv: Sequence[str]) -> list[str]:
    """``argv`` as a command that ends with this process (see the module's docstring)."""
    if not sys.platform.startswith("linux"):
        return list(argv)
    return [sys.executable, "-m", "services.processes", str(os.getpid()), *argv]


def main(args: Sequence[str]) -> None:
    parent, program, *rest = args
    die_with_parent(int(parent))
    os.execv(program, [program, *rest])


if __name__ == "__main__":
    main(sys.argv[1:])
