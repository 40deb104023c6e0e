"""``fourcast bench`` year and push against real served processes (the four, started here).

Small on purpose (a month instead of a year, 3 writes, 20 other watchers): the figures are
bench's to report, never asserted here; what is asserted is that every protocol gives them,
that they agree where they must, and that the measurement leaves the data as it found it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clients import connect
from services.bench.push import STARTED_SERVER_ENV, STATION, measure_push
from services.bench.year import fullest_year, measure_year
from services.evidence.targets import Target, started_targets
from services.progress import quiet

PROTOCOLS = ["rest", "graphql", "grpc", "soap"]


@pytest.fixture(scope="module")
def targets() -> Iterator[list[Target]]:
    with started_targets(PROTOCOLS, extra_env=STARTED_SERVER_ENV) as started:
        yield started


def _ordered(percentiles: dict[str, float]) -> bool:
    return 0 <= percentiles["p50"] <= percentiles["p90"] <= percentiles["p99"]


def test_the_fullest_year_of_kjfk_in_the_seed_is_2013() -> None:
    assert fullest_year() == 2013


def test_a_month_of_kjfk_comes_through_every_protocol_with_the_same_rows(
        targets: list[Target]) -> None:
    rows = {row["protocol"]: row for row in measure_year(targets, rounds=1, step=quiet, days=31)}
    assert sorted(rows) == sorted(PROTOCOLS)
    assert len({row["rows"] for row in rows.values()}) == 1
    for row in rows.values():
        assert row["operation"] == "year" and row["rows_agree"] is True
        assert row["rows"] > 500  # January 2013: more than one page of 500
        assert row["requests_per_second"] > 0 and row["cpu_ms_per_year"] > 0
        assert row["bytes_per_call"]["sent"] > 0 and row["bytes_per_call"]["received"] > 0
        assert _ordered(row["latency_ms"]) and row["rss_growth_mb"] >= 0
    assert rows["grpc"]["calls_per_year"] == rows["grpc"]["rows"]  # one message a row
    for paging in ("rest", "graphql", "soap"):
        assert rows[paging]["calls_per_year"] == 2  # pages of 500


def _latest(target: Target) -> Any:
    with connect(target.protocol, target.host, target.port) as client:
        return client.get_latest_observation(STATION)


def test_push_reaches_a_watcher_in_every_protocol_among_other_watchers(
        targets: list[Target]) -> None:
    before = _latest(targets[0])
    rows = {row["protocol"]: row for row in measure_push(targets, None, samples=3, others=20,
                                                         step=quiet)}
    assert sorted(rows) == sorted(PROTOCOLS)
    for protocol, row in rows.items():
        assert row["operation"] == "push" and row["samples"] == 3
        assert _ordered(row["latency_ms"]) and _ordered(row["latency_from_send_ms"])
        assert row["cpu_ms_per_1000_calls"] > 0 and row["bytes_per_call"]["received"] > 0
        if protocol == "soap":
            assert row["delivery"] == "poll" and row["poll_interval_s"] > 0
            assert row["other_watchers"] == 0
        else:
            assert row["delivery"] == "push" and row["other_watchers"] == 20
    # every protocol wrote the original back at the end
    assert all(_latest(target) == before for target in targets)


def test_push_opens_what_a_default_budget_admits_and_reports_it() -> None:
    # REST's default share is 8 live streams per client: the timed watch and 7 others
    with started_targets(["rest"]) as started:
        row, = measure_push(started, None, samples=1, others=20, step=quiet)
    assert row["other_watchers_requested"] == 20 and row["other_watchers"] == 7
