"""The generated Envoy configuration: accepted by the installed Envoy (``--mode validate``) for
every kind of host and origin list, and built from the one origin rule."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from services.config import DEFAULT_PORTS, Settings
from services.grpc_web.config import envoy_config, routes
from services.grpc_web.envoy import OPTIONS, envoy_binary

SETTINGS = Settings("127.0.0.1", dict(DEFAULT_PORTS), Path("unused.sqlite3"))


def listener(config: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = config["static_resources"]["listeners"][0]
    return found


def upstream(config: dict[str, Any]) -> dict[str, Any]:
    cluster = config["static_resources"]["clusters"][0]
    endpoint = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]
    found: dict[str, Any] = endpoint["address"]["socket_address"]
    return found


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "0.0.0.0"])
@pytest.mark.parametrize("origins", ["", "http://a.example:8080, https://b.example"])
def test_envoy_accepts_the_config(host: str, origins: str, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOURCAST_CORS_ORIGINS", origins)
    config = envoy_config(SETTINGS.with_overrides(host=host))
    path = tmp_path / "envoy.json"
    path.write_text(json.dumps(config))

    result = subprocess.run([str(envoy_binary()), "--mode", "validate", "--config-path",
                             str(path), *OPTIONS], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr


def test_it_listens_where_told_without_reuseport_and_forwards_to_the_grpc_port() -> None:
    config = envoy_config(Settings("127.0.0.1", {**DEFAULT_PORTS, "grpc-web": 18181,
                                                  "grpc": 50505}, Path("unused.sqlite3")))

    assert listener(config)["address"]["socket_address"] == {"address": "127.0.0.1",
                                                             "port_value": 18181}
    assert listener(config)["enable_reuse_port"] is False
    assert upstream(config) == {"address": "127.0.0.1", "port_value": 50505}
    assert "admin" not in config


def test_every_address_is_reached_on_loopback() -> None:
    config = envoy_config(SETTINGS.with_overrides(host="0.0.0.0"))

    assert listener(config)["address"]["socket_address"]["address"] == "0.0.0.0"
    assert upstream(config)["address"] == "127.0.0.1"


def test_cors_allows_exactly_the_web_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOURCAST_CORS_ORIGINS", "http://a.example:8080 https://b.example")
    manager = listener(envoy_config(SETTINGS))["filter_chains"][0]["filters"][0]["typed_config"]
    policy = manager["route_config"]["virtual_hosts"][0]["typed_per_filter_config"][
        "envoy.filters.http.cors"]

    assert policy["allow_origin_string_match"] == [{"exact": "http://a.example:8080"},
                                                   {"exact": "https://b.example"}]
    assert [f["name"] for f in manager["http_filters"]] == [
        "envoy.filters.http.grpc_web", "envoy.filters.http.cors", "envoy.filters.http.router"]
    assert manager["stream_idle_timeout"] == "0s"


def test_streams_have_no_route_timeout() -> None:
    forwarding = [r["route"] for r in routes(("http://a.example",)) if "route" in r]

    assert forwarding and all(r["timeout"] == "0s" for r in forwarding)
    assert not any("max_stream_duration" in r for r in forwarding)
