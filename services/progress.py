"""What a long command is doing, on one transient line of a terminal (stderr).

``fourcast serve`` (seeding, starting servers), ``compare --start-servers`` and ``probe`` take
seconds to tens of seconds. On a terminal they say what they are doing, with rich's spinner; when
stderr is not a terminal (a pipe, a log, CI) or output is for scripts (``--json``) they say
nothing, so what they print stays exactly what it was.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Step = Callable[[str], None]


def quiet(_: str) -> None:
    """A :data:`Step` that shows nothing (piped output, ``--json``, library use)."""


def wanted(json_output: bool = False, stream: TextIO | None = None) -> bool:
    stream = sys.stderr if stream is None else stream
    return not json_output and stream.isatty()


@contextmanager
def progress(first: str, enabled: bool) -> Iterator[Step]:
    """Show ``first`` (then whatever the yielded step is given) until the block ends; the line
    is cleared afterwards, so the command's own output follows as if nothing was shown."""
    if not enabled:
        yield quiet
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status(first) as status:
        yield lambda text: status.update(text)
