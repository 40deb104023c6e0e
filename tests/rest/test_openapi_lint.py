"""The served OpenAPI document passes the two linters API teams run on their contracts:
Redocly's recommended rules and Spectral's ``spectral:oas``, with no error and no warning
(open reads say ``security: []``, the document has a licence, a contact and described tags,
every operation a description).

Both run from ``tests/node`` (``npm ci --prefix tests/node``); the tests skip only where they
are not installed. Redocly's telemetry and update notices are turned off: nothing leaves the
machine.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx

from tests.node_tools import node_bin

QUIET_REDOCLY = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_NOTIFICATIONS": "true",
                 "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
LINT_TIMEOUT = 180  # seconds: node starts slowly on a loaded machine; this only bounds a hang


def served_document(http: httpx.Client, folder: Path) -> Path:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    path = folder / "openapi.json"
    path.write_bytes(response.content)
    return path


def test_redocly_recommended_rules_find_nothing(http: httpx.Client, tmp_path: Path) -> None:
    redocly = node_bin("redocly")
    document = served_document(http, tmp_path)
    config = tmp_path / "redocly.yaml"
    config.write_text("extends:\n  - recommended\ntelemetry: off\n")
    run = subprocess.run(
        [str(redocly), "lint", str(document), "--config", str(config), "--format=json"],
        capture_output=True, text=True, timeout=LINT_TIMEOUT, cwd=tmp_path,
        env={**os.environ, **QUIET_REDOCLY})
    report: dict[str, Any] = json.loads(run.stdout)
    problems = [(p["ruleId"], p["severity"], p["message"]) for p in report["problems"]]
    assert problems == [], problems
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}
    assert run.returncode == 0, run.stderr


def test_spectral_oas_rules_find_nothing(http: httpx.Client, tmp_path: Path) -> None:
    spectral = node_bin("spectral")
    document = served_document(http, tmp_path)
    ruleset = tmp_path / ".spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n')
    output = tmp_path / "spectral.json"
    run = subprocess.run(
        [str(spectral), "lint", str(document), "--ruleset", str(ruleset), "--format", "json",
         "--output", str(output), "--fail-severity", "hint"],
        capture_output=True, text=True, timeout=LINT_TIMEOUT, cwd=tmp_path)
    results: list[dict[str, Any]] = json.loads(output.read_text())
    assert [(r["code"], r["message"], r["path"]) for r in results] == []
    assert run.returncode == 0, run.stdout + run.stderr
