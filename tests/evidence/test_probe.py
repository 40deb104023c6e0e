"""``fourcast probe`` against the real servers: every cell measured, with evidence."""

from __future__ import annotations

import json

import pytest

from services.cli import main
from services.evidence.probe import ProbeReport, probe_all
from services.evidence.targets import Target, started_targets


@pytest.fixture(scope="module")
def report(targets: dict[str, Target]) -> ProbeReport:
    return probe_all(list(targets.values()))


def test_every_cell_of_every_server_carries_evidence(report: ProbeReport) -> None:
    for server in report.servers:
        for cell in server.cells:
            assert cell.evidence, (server.protocol, cell.constraint)
            assert cell.passed is not None, (server.protocol, cell.constraint)


def test_stateless_and_client_server_hold_for_every_server(report: ProbeReport) -> None:
    for server in report.servers:
        assert server.cell("stateless").passed, server.protocol
        assert server.cell("client-server").passed, server.protocol


def test_only_a_server_whose_entities_have_their_own_uris_reaches_level_1(
        report: ProbeReport) -> None:
    for server in report.servers:
        identified = server.cell("identification of resources").passed
        assert (server.level >= 1) == bool(identified), server.protocol
        assert server.rest == all(c.passed for c in server.cells)


def test_four_apis_and_only_the_rest_one_is_rest(report: ProbeReport) -> None:
    assert [s.protocol for s in report.servers if s.rest] == ["rest"]
    assert report.verdict == "4 APIs, 1 REST"


def test_the_rest_server_meets_every_constraint_and_reaches_level_3(
        report: ProbeReport) -> None:
    rest = next(s for s in report.servers if s.protocol == "rest")
    failed = [c.constraint for c in rest.cells if not c.passed]
    assert failed == [] and rest.level == 3


def test_the_command_prints_json_with_the_matrix(targets: dict[str, Target],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    flags = [f for t in targets.values() for f in (f"--{t.protocol}-port", str(t.port))]
    assert main(["probe", "--json", "--api-key", next(iter(targets.values())).api_key or "",
                 *flags]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "4 APIs, 1 REST"
    assert all(len(s["cells"]) == 9 for s in data["servers"])


def test_a_refused_api_key_is_reported_and_writes_are_not_measured(
        targets: dict[str, Target]) -> None:
    from services.evidence.probe_report import render

    wrong = [Target(t.protocol, t.host, t.port, t.recorder, api_key="WRONGKEY")
             for t in targets.values()]
    report = probe_all(wrong)
    for server in report.servers:
        methods = server.cell("standard methods")
        assert "writes not measured (the API key was refused)" in methods.summary, methods
        assert "idempotent" not in methods.summary.replace("idempotency", "")
        assert server.facts["write_key"].startswith("refused (Unauthenticated"), server.facts
    text = render(report)
    assert "the API key was refused by REST, GraphQL, gRPC, SOAP" in text
    methods_row = next(line for line in text.splitlines() if line.startswith("standard methods"))
    assert "yes*" in methods_row.split()  # REST's pass is marked as judged on reads only
    assert "* judged on reads only: PUT/DELETE were not measured" in text
    assert report.verdict == "4 APIs, 1 REST"  # reads are measured as before


def test_the_probe_sends_a_grpc_server_nothing_but_posts_and_says_so() -> None:
    from services.evidence.decode import decode_all

    # any other method is invalid gRPC: the server answers "Error parsing ':method' metadata"
    # (grpc-status 13, or a reset stream) and may log it
    with started_targets(["grpc"]) as started:
        report = probe_all(started)
        sent = decode_all(started[0].wire().snapshot())
    assert sent and {x.method for x in sent} == {"POST"}
    evidence = [line for cell in report.servers[0].cells for line in cell.evidence]
    assert any("GET /fourcast.weather.v1.WeatherService/GetStation → not sent: gRPC over "
               "HTTP/2 allows only POST" in line for line in evidence), evidence
    assert report.servers[0].level == 0 and not report.servers[0].rest
