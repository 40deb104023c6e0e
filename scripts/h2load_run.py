"""What the HTTP benchmarks share: waiting for a server, and one h2load measurement.

h2load comes with Debian's ``nghttp2-client`` (``apt-get install -y nghttp2-client``).
"""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request
from pathlib import Path


def wait_until_answers(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling a server that is starting: nothing to wait on


def h2load_rate(url: str, seconds: int, connections: int, *, headers: tuple[str, ...] = (),
                body: Path | None = None, warm_up: int = 1) -> float:
    """Requests per second over HTTP/1.1 keep-alive connections; every answer must be a 2xx."""
    command = ["h2load", "--h1", "-c", str(connections), "-t", "1", "--warm-up-time",
               str(warm_up), "-D", str(seconds)]
    for header in headers:
        command += ["-H", header]
    if body is not None:
        command += ["-d", str(body)]
    out = subprocess.run([*command, url], capture_output=True, text=True,
                         timeout=seconds + 60, check=True).stdout
    status = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    requests = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", out)
    rate = re.search(r"finished in .*?, ([\d.]+) req/s", out)
    assert status and requests and rate, out
    # the status counts include the warm-up's answers, the request counts do not
    assert requests.group(1) == requests.group(2), out
    assert status.group(2) == status.group(3) == status.group(4) == "0", out
    return float(rate.group(1))
