"""What every server serves for ``fourcast bench``: the ceiling record and its own accounting.

The *ceiling* of a protocol is its framework's hello-world: the same kind of call as
"the latest observation of a station", answered with this constant record, built once, in the
same server process and configuration as the real call, with nothing of Fourcast in its way
(no store, no validation, no conversion). ``fourcast bench`` divides the real call's rate by the
ceiling's, measured in the same run: what is left is the adapter's own cost.

:func:`process_usage` is the served process's own accounting (CPU time of all its threads,
resident memory now and at its peak), read by bench before and after each measurement; each
protocol's server runs one worker process, so this is the whole server.

The bench endpoints are on unless ``FOURCAST_BENCH_ENDPOINTS=0``: they answer constants and
process figures, read nothing of the store and write nothing.
"""

from __future__ import annotations

import os
import resource
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from services.core.domain import Observation

BENCH_ENDPOINTS_ENV = "FOURCAST_BENCH_ENDPOINTS"

# A real hour of KJFK (all ten measurements set), so every protocol renders every field.
CEILING_OBSERVATION = Observation(
    "KJFK", datetime(2013, 12, 30, 23, tzinfo=UTC), temperature=-1.1, dewpoint=-12.2,
    relative_humidity=42.66, wind_speed=8.23, wind_direction=340.0, wind_gust=11.3,
    precipitation_last_hour=0.0, sea_level_pressure=1020.9, visibility=16093.4)

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def bench_endpoints_enabled() -> bool:
    return os.environ.get(BENCH_ENDPOINTS_ENV, "1").strip() not in ("0", "false", "no", "off")


@dataclass(frozen=True, slots=True)
class ProcessUsage:
    pid: int
    cpu_seconds: float  # user + system, every thread of the process
    rss_bytes: int  # resident memory now
    peak_rss_bytes: int  # the highest resident memory since start (or since the last reset)

    def as_dict(self) -> dict[str, float | int]:
        return {"pid": self.pid, "cpu_seconds": self.cpu_seconds,
                "rss_bytes": self.rss_bytes, "peak_rss_bytes": self.peak_rss_bytes}


def _status_kib(field: str) -> int | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def process_usage(reset_peak: bool = False) -> ProcessUsage:
    """This process's CPU time and memory; ``reset_peak`` first sets the peak to the current
    resident memory (Linux's ``clear_refs``), so that the next reading's peak covers only what
    happened in between. Elsewhere the peak is the lifetime one (``getrusage``)."""
    if reset_peak:
        with suppress(OSError):  # not Linux, or not allowed: the peak stays the lifetime one
            _CLEAR_REFS.write_text("5")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss = _status_kib("VmRSS")
    peak = _status_kib("VmHWM")
    lifetime_peak = usage.ru_maxrss * 1024  # KiB on Linux
    return ProcessUsage(
        pid=os.getpid(), cpu_seconds=usage.ru_utime + usage.ru_stime,
        rss_bytes=rss * 1024 if rss is not None else lifetime_peak,
        peak_rss_bytes=peak * 1024 if peak is not None else lifetime_peak)
