"""The WSGI application a server process imports: the service built from the environment."""

from __future__ import annotations

from flask import Flask

from services.config import Settings, build_service
from services.rest_api.app import create_app


def application() -> Flask:
    """Factory for granian (``factory=True``): one service per worker process."""
    return create_app(build_service(Settings.from_env()))
