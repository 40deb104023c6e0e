"""``fourcast compare`` against the real servers: agreement, errors, wire facts, exit status."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading

import pytest

from services.cli import main
from services.core.errors import NotFound
from services.evidence.compare import Comparison, Outcome, compare
from services.evidence.targets import Target
from services.evidence.wire import WireRecorder


def _args(*argv: str):  # the parsed arguments exactly as the CLI builds them
    from services.cli import build_parser

    return build_parser().parse_args(["compare", *argv])


def test_every_protocol_returns_the_same_station_and_shows_its_exchange(
        targets: dict[str, Target]) -> None:
    comparison = compare(list(targets.values()), _args("station", "KJFK"))
    assert comparison.agree
    for outcome in comparison.outcomes:
        assert outcome.result["id"] == "KJFK"
        assert outcome.wire is not None and outcome.wire.exchanges, outcome.protocol
        assert outcome.wire.request_bytes > 0 and outcome.wire.response_bytes > 0


def test_an_unknown_station_is_the_same_not_found_everywhere_carried_each_its_own_way(
        targets: dict[str, Target]) -> None:
    comparison = compare(list(targets.values()), _args("station", "KZZZ"))
    assert comparison.agree
    signals = set()
    for outcome in comparison.outcomes:
        assert isinstance(outcome.error, NotFound)
        assert outcome.wire is not None
        signal = next(s for s in (e["error_signal"] for e in outcome.wire.facts()["exchanges"])
                      if s)
        signals.add(signal)
    assert len(signals) == len(comparison.outcomes)  # four different carriers of one error


@pytest.mark.parametrize("argv", [
    ["latest", "KJFK", "--units", "us"],
    ["observations", "KJFK", "--start", "2013-07-01T00:00Z", "--end", "2013-07-01T06:00Z"],
    ["daily", "KJFK", "--start", "2013-07-01", "--end", "2013-07-04"],
    ["forecast", "KJFK", "--days", "3"],
    ["alerts", "--station", "KJFK"],
    ["stations", "--page-size", "5"],
])
def test_each_read_operation_agrees_across_protocols(targets: dict[str, Target],
                                                     argv: list[str]) -> None:
    comparison = compare(list(targets.values()), _args(*argv))
    assert comparison.agree, [o.key for o in comparison.outcomes]


def test_the_command_finds_running_servers_through_the_port_flags_and_exits_0_on_agreement(
        targets: dict[str, Target], capsys: pytest.CaptureFixture[str]) -> None:
    flags = [f for t in targets.values() for f in (f"--{t.protocol}-port", str(t.port))]
    status = main(["compare", "station", "KJFK", "--json", *flags])
    report = json.loads(capsys.readouterr().out)
    assert status == 0 and report["agree"]
    assert {o["protocol"] for o in report["outcomes"]} == set(targets)


def test_the_text_report_fits_100_columns_and_shows_the_raw_exchanges(
        targets: dict[str, Target], capsys: pytest.CaptureFixture[str]) -> None:
    flags = [f for t in targets.values() for f in (f"--{t.protocol}-port", str(t.port))]
    assert main(["compare", "station", "KZZZ", "--show-wire", *flags]) == 0
    text = capsys.readouterr().out
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "agreement: all" in text and "error carried as:" in text


def test_disagreement_is_reported_and_exits_1() -> None:
    same = Outcome("a", "A", result={"id": "KJFK"})
    other = Outcome("b", "B", result={"id": "KLAX"})
    assert Comparison("station KJFK", [same, same]).agree
    assert not Comparison("station KJFK", [same, other]).agree


def test_a_server_that_is_not_running_is_reported_not_a_traceback(
        capsys: pytest.CaptureFixture[str]) -> None:
    with WireRecorder("127.0.0.1", 9) as unused:  # a port taken by us, answered by no server
        port = str(unused.port)
    status = main(["compare", "station", "KJFK", *[f for p in ("rest", "graphql", "grpc", "soap")
                                                  for f in (f"--{p}-port", port)]])
    assert status == 2 and "no server answers" in capsys.readouterr().err


def _port_flags(targets: dict[str, Target]) -> list[str]:
    return [f for t in targets.values() for f in (f"--{t.protocol}-port", str(t.port))]


@pytest.mark.parametrize("argv", [["station", "kjfk"], ["station", "K"], ["station", "KJFK1"],
                                  ["latest", "kjfk"]])
def test_an_invalid_station_id_is_shown_side_by_side_not_a_traceback(
        targets: dict[str, Target], capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    # gRPC answers with binary metadata (grpc-status-details-bin) sent as raw bytes, which the
    # recorder's HPACK decoding used to choke on
    assert main(["compare", *argv, "--show-wire", *_port_flags(targets)]) == 0
    text = capsys.readouterr().out
    assert "raised InvalidArgument" in text and "agreement: all 4 agree" in text
    assert "trailer grpc-status: 3 (INVALID_ARGUMENT)" in text
    assert "grpc-status-details-bin: google.rpc.Status" in text


def test_bytes_count_only_the_frames_that_carry_the_messages_the_same_everywhere(
        targets: dict[str, Target]) -> None:
    comparison = compare(list(targets.values()), _args("station", "KJFK"))
    for outcome in comparison.outcomes:
        assert outcome.wire is not None
        exchanges = outcome.wire.exchanges
        assert outcome.wire.request_bytes == sum(x.request_bytes for x in exchanges)
        assert outcome.wire.response_bytes == sum(x.response_bytes for x in exchanges)
        for x in exchanges:
            if x.http_version != "HTTP/2":
                continue
            counted = {"→": 0, "←": 0}
            for frame in x.frames:
                direction, kind, *_, size, unit = frame.replace(" (not counted)", "").split()
                assert unit == "B"
                if kind in ("Headers", "Continuation", "Data"):
                    assert "not counted" not in frame
                    counted[direction] += int(size)
                else:
                    assert "not counted" in frame, frame
            assert (counted["→"], counted["←"]) == (x.request_bytes, x.response_bytes)


def test_a_call_repeated_counts_the_same_bytes(targets: dict[str, Target]) -> None:
    def counts() -> list[tuple[int, int]]:
        comparison = compare(list(targets.values()), _args("station", "KJFK"))
        return [(o.wire.request_bytes, o.wire.response_bytes) if o.wire else (0, 0)
                for o in comparison.outcomes]

    first = counts()
    assert all(counts() == first for _ in range(3))


def _read_all(fd: int, into: bytearray) -> None:
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:  # the terminal's other end closed
            return
        if not data:
            return
        into += data


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pseudo-terminal")
def test_progress_shows_on_a_terminal_and_never_in_a_pipe_or_with_json(
        targets: dict[str, Target]) -> None:
    command = [sys.executable, "-m", "services.cli", "compare", "station", "KJFK",
               *_port_flags(targets)]
    env = {**os.environ, "TERM": "xterm"}
    piped = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert piped.returncode == 0 and piped.stderr == ""
    for extra, shown in (([], True), (["--json"], False)):
        terminal, other_end = os.openpty()
        seen = bytearray()
        reader = threading.Thread(target=_read_all, args=(terminal, seen), daemon=True)
        reader.start()
        try:
            result = subprocess.run([*command, *extra], stdout=subprocess.PIPE,
                                    stderr=other_end, timeout=120, env=env)
        finally:
            os.close(other_end)
            reader.join(timeout=30)
            os.close(terminal)
        assert result.returncode == 0
        # which step is on screen at each refresh depends on timing; that one is, does not
        said = any(step in seen for step in (b"checking that the servers answer", b"calling "))
        assert said is shown, bytes(seen)
        assert b"\x1b" not in result.stdout  # the report itself is never decorated


def test_measurements_are_shown_with_their_units_in_text_and_json(
        targets: dict[str, Target], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "latest", "KJFK", "--units", "us", *_port_flags(targets)]) == 0
    text = capsys.readouterr().out
    assert re.search(r'"temperature": -?[\d.]+ degF,', text), text
    assert re.search(r'"sea_level_pressure": [\d.]+ inHg,', text), text
    assert main(["compare", "latest", "KJFK", "--json", *_port_flags(targets)]) == 0
    outcomes = json.loads(capsys.readouterr().out)["outcomes"]
    assert all(o["units"]["temperature"] == "degC" for o in outcomes)


def test_errors_read_as_sentences_not_python_tuples(
        targets: dict[str, Target], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "station", "KZZZ", *_port_flags(targets)]) == 0
    text = capsys.readouterr().out
    assert "raised NotFound (NOT_FOUND): station 'KZZZ' not found" in text
    assert main(["compare", "forecast", "KJFK", "--days", "9", *_port_flags(targets)]) == 0
    text = capsys.readouterr().out
    assert "raised InvalidArgument (INVALID_ARGUMENT)\n      days: must be between 1 and 7" \
        in text
    assert "('" not in text and "details:" not in text
    assert main(["compare", "station", "KZZZ", "--json", *_port_flags(targets)]) == 0
    error = json.loads(capsys.readouterr().out)["outcomes"][0]["error"]
    assert error["details"] == ["NOT_FOUND", "station", "KZZZ"]
