"""``fourcast probe`` against the real servers: every cell measured, with evidence."""

from __future__ import annotations

import json

import pytest

from services.cli import main
from services.evidence.probe import ProbeReport, probe_all
from services.evidence.targets import Target


@pytest.fixture(scope="module")
def report(targets: dict[str, Target]) -> ProbeReport:
    return probe_all(list(targets.values()), [])


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


def test_the_verdict_counts_the_rest_servers(report: ProbeReport) -> None:
    rest = [s.protocol for s in report.servers if s.rest]
    assert report.verdict == f"{len(report.servers)} APIs, {len(rest)} REST"
    if "rest" in {s.protocol for s in report.servers}:
        assert rest == ["rest"]


def test_the_command_prints_json_with_the_matrix(targets: dict[str, Target],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    flags = [f for t in targets.values() for f in (f"--{t.protocol}-port", str(t.port))]
    assert main(["probe", "--json", "--api-key", next(iter(targets.values())).api_key or "",
                 *flags]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"].startswith(f"{len(targets)} APIs")
    assert all(len(s["cells"]) == 9 for s in data["servers"])
