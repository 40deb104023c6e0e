"""The WSDL read by a WSDL-first toolkit in another language: node-soap (npm ``soap``)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.node_tools import node_binary, node_module

SCRIPT = Path(__file__).with_name("node_soap_client.js")


def test_node_soap_builds_a_client_from_the_wsdl_and_reads_the_declared_faults(
        endpoint: str) -> None:
    modules = node_module("soap").parent
    done = subprocess.run([node_binary(), str(SCRIPT), endpoint], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "NODE_PATH": str(modules)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["operations"]) == 16
    assert result["name"] == "John F Kennedy Intl"
    not_found, invalid = result["faults"]
    assert not_found["faultcode"].endswith("Client.NotFound")
    assert not_found["detail"]["resource"] == {"type": "station", "name": "ZZZZ"}
    assert invalid["faultcode"].endswith("Client.InvalidArgument")
    assert invalid["detail"]["violations"]["violation"]["field"] == "station_id"
