"""One load generator for all four protocols: h2load (Debian's ``nghttp2-client``).

HTTP/1.1 keep-alive (``--h1``) for REST, GraphQL and SOAP; HTTP/2 with prior knowledge (h2c)
for gRPC. Every measured request must succeed: a run with a failed request, or an answer that is
not a 2xx, is refused (:class:`LoadFailed`) rather than reported as a rate. Latency percentiles
come from h2load's per-request log (``--log-file``: start, status, microseconds), not from its
summary, which gives only mean and spread.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from services.bench.requests import BenchRequest

INSTALL = "h2load is missing: apt-get install nghttp2-client (fourcast bench has no fallback)"
WARM_UP_SECONDS = 1
_SLACK_SECONDS = 60  # past the run's own duration: h2load that hangs is stopped, not waited on

_RATE = re.compile(r"finished in [\d.]+\w+, ([\d.]+) req/s")
_REQUESTS = re.compile(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                       r"(\d+) failed, (\d+) errored")
_STATUS = re.compile(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx")


class LoadFailed(RuntimeError):
    """h2load ran, but not every request succeeded: the figure would not be the call's."""


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests_per_second: float
    done: int
    latencies_us: tuple[int, ...]  # one per logged request, sorted

    def percentile_ms(self, share: float) -> float:
        """Nearest-rank percentile of the logged latencies, in milliseconds."""
        if not self.latencies_us:
            return 0.0
        rank = max(0, min(len(self.latencies_us) - 1,
                          round(share * len(self.latencies_us) + 0.5) - 1))
        return self.latencies_us[rank] / 1000


def h2load_path() -> str | None:
    return shutil.which("h2load")


def version() -> str:
    out = subprocess.run(["h2load", "--version"], capture_output=True, text=True, timeout=30)
    line = (out.stdout or out.stderr).strip().splitlines()[:1]
    # "h2load nghttp2/1.52.0" -> "h2load 1.52.0", the name the JSON uses
    return re.sub(r"nghttp2/", "", line[0]) if line else "h2load"


def _command(request: BenchRequest, url: str, body_file: Path | None) -> list[str]:
    command = ["h2load", "-t", "1"]
    if not request.http2:
        command.append("--h1")
    if request.method not in ("GET", "POST"):  # h2load sends GET, or POST with -d
        command += ["-H", f":method: {request.method}"]
    for name, value in request.headers:
        command += ["-H", f"{name}: {value}"]
    if body_file is not None:
        command += ["-d", str(body_file)]
    return [*command, url]


def _url(host: str, port: int, path: str) -> str:
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return f"http://{authority}{path}"


def _check(out: str, what: str, connections: int, log: Path | None = None) -> int:
    """The number of requests done, after making sure every one of them succeeded: none
    failed or errored, no status outside 2xx in h2load's tally nor in its per-request log.
    A request in flight as the measuring window closes may be done but untallied, so the 2xx
    count may trail ``done`` by at most one per connection; never by more."""
    requests, status = _REQUESTS.search(out), _STATUS.search(out)
    if requests is None or status is None:
        raise LoadFailed(f"{what}: h2load's report could not be read:\n{out.strip()}")
    done, succeeded, failed, errored = (int(requests.group(i)) for i in (3, 4, 5, 6))
    ok, others = int(status.group(1)), sum(int(status.group(i)) for i in (2, 3, 4))
    logged_bad = _bad_statuses(log) if log is not None else ""
    if (done == 0 or failed or errored or others or logged_bad or succeeded != done
            or ok < done - connections):
        raise LoadFailed(f"{what}: not every request succeeded ({done} done, {succeeded} "
                         f"succeeded, {failed} failed, {errored} errored, {ok} 2xx, "
                         f"{status.group(2)} 3xx, {status.group(3)} 4xx, {status.group(4)} 5xx"
                         f"{f'; in the log: {logged_bad}' if logged_bad else ''})")
    return done


def _bad_statuses(log: Path) -> str:
    """The statuses outside 2xx in h2load's per-request log (warm-up included), counted.
    Status 0 is a request h2load cut at the window's edge before its status line arrived (it
    counts it done and succeeded, outside the 2xx tally): bounded by the tally rule instead."""
    bad: dict[str, int] = {}
    for line in log.read_text().splitlines():
        fields = line.split("\t")
        if len(fields) >= 2 and fields[1].strip() not in ("0", "") and \
                not fields[1].strip().startswith("2"):
            bad[fields[1].strip()] = bad.get(fields[1].strip(), 0) + 1
    return ", ".join(f"{count} x status {status or '(none)'}" for status, count in bad.items())


def run(request: BenchRequest, host: str, port: int, seconds: int,
        connections: int) -> LoadResult:
    """``connections`` clients for ``seconds`` (after a warm-up second) on one h2load thread."""
    with tempfile.TemporaryDirectory(prefix="fourcast-bench-") as tmp:
        body = _body_file(request, Path(tmp))
        log = Path(tmp) / "requests.log"
        command = _command(request, _url(host, port, request.path), body)
        command[1:1] = ["-c", str(connections), "--warm-up-time", str(WARM_UP_SECONDS),
                        "-D", str(seconds), "--log-file", str(log)]
        out = _run(command, seconds + WARM_UP_SECONDS + _SLACK_SECONDS, request.label)
        done = _check(out, request.label, connections, log)
        rate = _RATE.search(out)
        if rate is None:
            raise LoadFailed(f"{request.label}: h2load gave no rate:\n{out.strip()}")
        return LoadResult(float(rate.group(1)), done, _latencies(log))


def run_count(request: BenchRequest, host: str, port: int, count: int) -> int:
    """Exactly ``count`` requests on one connection (the bytes pass); the number done."""
    with tempfile.TemporaryDirectory(prefix="fourcast-bench-") as tmp:
        command = _command(request, _url(host, port, request.path),
                           _body_file(request, Path(tmp)))
        command[1:1] = ["-n", str(count), "-c", "1"]
        return _check(_run(command, 300, request.label), request.label, 1)


def _body_file(request: BenchRequest, folder: Path) -> Path | None:
    if not request.body and request.method in ("GET", "HEAD"):
        return None
    path = folder / "body"
    path.write_bytes(request.body)
    return path


def _run(command: list[str], timeout: float, what: str) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise LoadFailed(f"{what}: h2load did not finish in {timeout:.0f} s") from None
    if done.returncode != 0:
        raise LoadFailed(f"{what}: h2load exited {done.returncode}: "
                         f"{(done.stderr or done.stdout).strip()[-500:]}")
    return done.stdout


def _latencies(log: Path) -> tuple[int, ...]:
    values = []
    for line in log.read_text().splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[2].strip().isdigit():
            values.append(int(fields[2]))
    return tuple(sorted(values))
