"""The GraphQL-over-HTTP spec's own audit suite (npm graphql-http, ``serverAudits``) against the
served process: every audit passes, the SHOULDs included. Skipped only where node or the
package is absent (``npm ci --prefix tests/node``)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from services.supervisor import ServerProcess
from tests.node_tools import node_binary, node_module
from tests.servers import HOST

AUDIT_SCRIPT = Path(__file__).with_name("audit_server.mjs")


def test_every_graphql_over_http_audit_passes(graphql_server: ServerProcess) -> None:
    package = node_module("graphql-http")
    url = f"http://{HOST}:{graphql_server.port}/graphql"
    run = subprocess.run([node_binary(), str(AUDIT_SCRIPT), str(package), url],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert len(results) > 50  # the suite ran, not an empty list
    failed = [f"{r['id']} {r['status']}: {r['name']} ({r['reason']})"
              for r in results if r["status"] != "ok"]
    assert failed == []
