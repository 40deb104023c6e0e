"""Placeholder: being built (see services/protocols.py for the interface)."""

from __future__ import annotations

from services.config import Settings


def unavailable() -> str | None:
    return "not built yet"


def serve(settings: Settings) -> None:
    raise SystemExit("not built yet")


def ready(host: str, port: int) -> bool:
    return False


def describe(host: str, port: int) -> tuple[str, str]:
    return ("", "")
