"""The SOAP server's bench endpoints: Spyne's ceiling at /bench/soap and the process's own usage
at /bench/usage, on the real served process; switched off, they are not there."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from services.core.ceiling import CEILING_OBSERVATION
from services.core.units import MEASUREMENTS
from services.soap_api.xsd_types import camel
from services.supervisor import ServerProcess
from tests.servers import HOST, served
from tests.soap.conftest import ENVELOPE, TNS, fault_code, still_answers

LATEST_KJFK = ENVELOPE.format(header="", body="<f:GetLatestObservation><f:stationId>KJFK"
                                              "</f:stationId></f:GetLatestObservation>").encode()
XML = {"Content-Type": "text/xml; charset=utf-8"}
USAGE_FIELDS = {"pid": int, "cpu_seconds": float, "rss_bytes": int, "peak_rss_bytes": int}


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def base(soap_server: ServerProcess) -> str:
    return f"http://{HOST}:{soap_server.port}"


def _result(reply: httpx.Response) -> dict[str, str]:
    assert reply.status_code == 200, reply.text[:500]
    found = etree.fromstring(reply.content).find(".//f:GetLatestObservationResult", TNS)
    assert found is not None, reply.text[:500]
    return {etree.QName(child).localname: child.text or "" for child in found}


def _usage(http: httpx.Client, base: str, method: str = "GET") -> dict[str, object]:
    reply = http.request(method, base + "/bench/usage")
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    usage = reply.json()
    assert {name: type(usage[name]) for name in USAGE_FIELDS} == USAGE_FIELDS, usage
    return dict(usage)


def test_the_ceiling_answers_the_real_calls_envelope_with_the_ceiling_record(
        http: httpx.Client, base: str) -> None:
    real = _result(http.post(base + "/soap", content=LATEST_KJFK, headers=XML))
    ceiling = _result(http.post(base + "/bench/soap", content=LATEST_KJFK, headers=XML))
    # the same Observation type (the real one lacks what KJFK did not measure then)
    assert set(real) <= set(ceiling) == {"stationId", "observedAt", "units",
                                         *(camel(m) for m in MEASUREMENTS)}
    assert ceiling["stationId"] == "KJFK" and ceiling["units"] == "si"
    assert ceiling["observedAt"].startswith("2013-12-30T23:00:00")
    expected = {camel(m): getattr(CEILING_OBSERVATION, m) for m in MEASUREMENTS}
    assert {name: float(ceiling[name]) for name in expected} == expected


def test_the_ceiling_validates_against_its_schema_as_the_real_endpoint_does(
        http: httpx.Client, base: str) -> None:
    bad = LATEST_KJFK.replace(b">KJFK<", b">kjfk<")
    for path in ("/soap", "/bench/soap"):
        reply = http.post(base + path, content=bad, headers=XML)
        assert reply.status_code == 500 and b"Fault" in reply.content, path
        assert b"Traceback" not in reply.content


def test_usage_is_the_servers_own_process(http: httpx.Client, base: str,
                                          soap_server: ServerProcess) -> None:
    usage = _usage(http, base)
    assert usage["pid"] != os.getpid()
    assert soap_server.process is not None  # granian's worker is in the server's group
    assert os.getpgid(int(str(usage["pid"]))) == soap_server.process.pid
    assert int(str(usage["peak_rss_bytes"])) >= int(str(usage["rss_bytes"])) > 0


def test_usage_counts_the_cpu_the_calls_took(http: httpx.Client, base: str) -> None:
    before = _usage(http, base)
    for _ in range(50):
        _result(http.post(base + "/soap", content=LATEST_KJFK, headers=XML))
    after = _usage(http, base)
    assert float(str(after["cpu_seconds"])) > float(str(before["cpu_seconds"]))


def test_posting_to_usage_resets_the_peak(http: httpx.Client, base: str) -> None:
    # the server reads a large body and refuses it (a DTD): a peak its RSS then falls from
    refused = http.post(base + "/soap", content=b"<!DOCTYPE x>" + b" " * (16 << 20),
                        headers=XML)
    assert fault_code(refused) == "Client.InvalidArgument"
    before = _usage(http, base)
    reset = _usage(http, base, "POST")
    assert int(str(before["peak_rss_bytes"])) > int(str(before["rss_bytes"]))
    assert int(str(reset["peak_rss_bytes"])) < int(str(before["peak_rss_bytes"]))
    assert int(str(reset["peak_rss_bytes"])) >= int(str(reset["rss_bytes"]))
    assert http.delete(base + "/bench/usage").status_code == 405


def test_switched_off_the_bench_endpoints_are_absent_and_the_api_unchanged(
        seeded_db: Path, tmp_path: Path) -> None:
    with served("soap", seeded_db, tmp_path, {"FOURCAST_BENCH_ENDPOINTS": "0"}) as process, \
            httpx.Client(timeout=10) as http:
        base = f"http://{HOST}:{process.port}"
        assert http.post(base + "/bench/soap", content=LATEST_KJFK,
                         headers=XML).status_code == 404
        assert http.get(base + "/bench/usage").status_code == 404
        assert http.post(base + "/bench/usage").status_code == 404
        def post(document: bytes | str) -> httpx.Response:
            return http.post(base + "/soap", content=document, headers=XML)

        still_answers(post)
        assert _result(post(LATEST_KJFK))["stationId"] == "KJFK"
        assert fault_code(post(LATEST_KJFK.replace(b">KJFK<", b">KZZZ<"))) == "Client.NotFound"
