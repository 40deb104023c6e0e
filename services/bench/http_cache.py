"""REST behind a standard HTTP cache: nginx ``proxy_cache``, started here as its own process.

Being cacheable by a generic intermediary is the REST constraint this project is about; the
``rest+http-cache`` row shows what it buys. nginx runs from a temporary folder (its config, pid,
logs, temp and cache paths all there) on a free loopback port, in front of the REST server, and
honours the origin's own ``Cache-Control`` (nginx's default: no ``proxy_cache_valid``, no
``proxy_ignore_headers``), so what it keeps and for how long is what the origin said.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STARTUP_SECONDS = 30.0


class CacheUnavailable(RuntimeError):
    """nginx is not installed, or did not start: the row is skipped with this reason."""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
        None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def config(folder: Path, port: int, origin_host: str, origin_port: int) -> str:
    origin = f"[{origin_host}]:{origin_port}" if ":" in origin_host else \
        f"{origin_host}:{origin_port}"
    return f"""pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  proxy_cache_path {folder}/cache levels=1:2 keys_zone=fourcast:10m max_size=256m;
  upstream fourcast_rest {{
    server {origin};
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://fourcast_rest;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_cache fourcast;
      # one request fills an entry while the others wait for it (no stampede at start)
      proxy_cache_lock on;
      add_header X-Cache-Status $upstream_cache_status;
    }}
  }}
}}
"""


@contextmanager
def http_cache(origin_host: str, origin_port: int) -> Iterator[int]:
    """nginx with ``proxy_cache`` in front of the REST server at the origin; yields its port."""
    binary = nginx_binary()
    if binary is None:
        raise CacheUnavailable("nginx is not installed (apt-get install nginx)")
    # outside any private folder: nginx's workers may run as an unprivileged user
    folder = Path(tempfile.mkdtemp(prefix="fourcast-bench-nginx-"))
    folder.chmod(0o755)
    port = _free_port()
    (folder / "nginx.conf").write_text(config(folder, port, origin_host, origin_port))
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf"),
                                "-e", str(folder / "error.log"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "error.log").read_text(errors="replace").strip()
                raise CacheUnavailable(f"nginx did not start: {log.splitlines()[-1:] or ''}")
            time.sleep(0.05)  # waiting for a port to open, not synchronising with a result
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
