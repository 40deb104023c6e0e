"""The WSGI application a server process imports: the service built from the environment."""

from __future__ import annotations

import os

from flask import Flask

from services.config import Settings, build_service
from services.core.budget import proxy_hops
from services.rest_api.app import create_app
from services.rest_api.server import blocking_threads

CACHE_ENV = "FOURCAST_REST_CACHE"  # "0": render every answer (for measuring the renderer)


def application() -> Flask:
    """Factory for granian (``factory=True``): one service per worker process."""
    settings = Settings.from_env()
    config = {"REPRESENTATION_CACHE": os.environ.get(CACHE_ENV, "1") != "0",
              # live streams may hold half of the threads: the other half serve the rest
              "MAX_STREAMS": max(1, blocking_threads() // 2),
              "PROXY_HOPS": proxy_hops(),
              "CORS_ORIGINS": settings.web_origins()}
    return create_app(build_service(settings), config)
