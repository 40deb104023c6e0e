"""Long-lived calls have a budget, and none of them starves the unary calls (issue 13, item 3).

Stalled client-streaming imports and a storm of bidi re-subscriptions are opened against a
real served process; a unary call that needs the worker-thread pool (``ListStations``) must
still answer within a generous deadline. At the limit, the next stream is refused with
``RESOURCE_EXHAUSTED``, ``QuotaFailure`` and ``RetryInfo``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from clients.grpc_client import GrpcClient
from fourcast.weather.v1 import weather_pb2 as pb
from fourcast.weather.v1 import weather_pb2_grpc
from services.core.auth import KeyChecker
from services.core.errors import TooManyStreams
from services.core.service import WeatherService
from services.store import SqliteRepository
from services.supervisor import ServerProcess
from tests.grpc.conftest import InProcessServer
from tests.servers import API_KEY, HOST, served

DEADLINE = 15.0  # generous: a starved pool misses it by far, a served call never comes close
SECOND_KEY = "test-second-writer-key"
STALLED_IMPORTS = 40  # more than asyncio's default pool has threads (at most 32)


def _auth(key: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {key}"),)


@pytest.fixture(scope="module")
def roomy(seeded_db: Path, server_logs: Path) -> Iterator[ServerProcess]:
    """A server whose budgets admit every stream these tests open."""
    env = {"FOURCAST_MAX_IMPORTS": "100", "FOURCAST_MAX_IMPORTS_PER_CLIENT": "100",
           "FOURCAST_MAX_STREAMS": "200", "FOURCAST_MAX_STREAMS_PER_CLIENT": "200"}
    with served("grpc", seeded_db, server_logs, env) as server:
        yield server


@pytest.fixture(scope="module")
def tight(seeded_db: Path, server_logs: Path) -> Iterator[ServerProcess]:
    """A server with small budgets, 2 per client: 3 imports, 5 live streams (so streams a
    test has just cancelled, which the server releases a moment later, leave room for the
    next test's own client); and two writer keys."""
    env = {"FOURCAST_MAX_IMPORTS": "3", "FOURCAST_MAX_IMPORTS_PER_CLIENT": "2",
           "FOURCAST_MAX_STREAMS": "5", "FOURCAST_MAX_STREAMS_PER_CLIENT": "2",
           "FOURCAST_API_KEYS": f"{API_KEY},{SECOND_KEY}"}
    with served("grpc", seeded_db, server_logs, env) as server:
        yield server


def _observation_request(hour: int) -> pb.ImportObservationsRequest:
    return pb.ImportObservationsRequest(observation=pb.Observation(
        station="stations/KJFK", observe_time={"seconds": 1893456000 + 3600 * hour}))


async def _stalled_import(stub: weather_pb2_grpc.WeatherServiceStub, key: str) -> Any:
    """An import that sent one observation and then nothing; returns once the server has
    admitted it (its initial metadata), or with the call if the server refused it."""
    call = stub.ImportObservations(metadata=_auth(key))
    if dict(await call.initial_metadata()).get("fourcast-import") == "open":
        await call.write(_observation_request(0))
    return call


async def _unary_still_served(stub: weather_pb2_grpc.WeatherServiceStub) -> None:
    # ListStations runs in the worker-thread pool, the one the stalled calls used to fill
    reply = await stub.ListStations(pb.ListStationsRequest(), timeout=DEADLINE)
    assert reply.stations


def _refusal(error: grpc.aio.AioRpcError) -> tuple[str, float]:
    assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    quota, retry = error_details_pb2.QuotaFailure(), error_details_pb2.RetryInfo()
    assert status.details[0].Unpack(quota) and status.details[1].Unpack(retry)
    return quota.violations[0].subject, retry.retry_delay.ToTimedelta().total_seconds()


def test_stalled_imports_hold_no_worker_thread(roomy: ServerProcess) -> None:
    async def scenario() -> None:
        async with grpc.aio.insecure_channel(f"{HOST}:{roomy.port}") as channel:
            stub = weather_pb2_grpc.WeatherServiceStub(channel)
            calls = await asyncio.wait_for(asyncio.gather(
                *(_stalled_import(stub, API_KEY) for _ in range(STALLED_IMPORTS))), DEADLINE)
            try:
                assert not any(call.done() for call in calls)
                await _unary_still_served(stub)
            finally:
                for call in calls:
                    call.cancel()

    asyncio.run(scenario())


def test_a_storm_of_resubscriptions_leaves_unary_calls_served(roomy: ServerProcess) -> None:
    # Each request re-subscribes KJFK 1,000 times over (the most a change may name); 32
    # streams send 20 each and read no acknowledgement until the unary call has answered.
    storm = pb.SubscribeObservationsRequest(
        subscribe=pb.StationList(stations=["stations/KJFK"] * 1_000))

    async def resubscribe(stub: weather_pb2_grpc.WeatherServiceStub) -> Any:
        call = stub.SubscribeObservations()
        for _ in range(20):
            await call.write(storm)
        return call

    async def scenario() -> None:
        async with grpc.aio.insecure_channel(f"{HOST}:{roomy.port}") as channel:
            stub = weather_pb2_grpc.WeatherServiceStub(channel)
            calls = await asyncio.wait_for(
                asyncio.gather(*(resubscribe(stub) for _ in range(32))), DEADLINE)
            try:
                await _unary_still_served(stub)
                for _ in range(20):
                    acknowledged = await asyncio.wait_for(calls[0].read(), DEADLINE)
                    assert list(acknowledged.subscription.stations) == ["stations/KJFK"]
            finally:
                for call in calls:
                    call.cancel()

    asyncio.run(scenario())


def test_a_subscription_change_over_the_cores_cap_is_refused_as_sent(
        stub: weather_pb2_grpc.WeatherServiceStub) -> None:
    # duplicates count: the core's limit is on what a request names
    change = pb.SubscribeObservationsRequest(
        subscribe=pb.StationList(stations=["stations/KJFK"] * 1_001))
    with pytest.raises(grpc.RpcError) as caught:
        list(stub.SubscribeObservations(iter([change]), timeout=DEADLINE))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert "at most 1000" in caught.value.details()  # type: ignore[attr-defined]


def test_imports_past_the_budget_are_refused_and_unary_calls_stay_served(
        tight: ServerProcess) -> None:
    async def scenario() -> None:
        async with grpc.aio.insecure_channel(f"{HOST}:{tight.port}") as channel:
            stub = weather_pb2_grpc.WeatherServiceStub(channel)
            admitted = [await _stalled_import(stub, API_KEY) for _ in range(2)]
            try:
                over_client = await _stalled_import(stub, API_KEY)
                with pytest.raises(grpc.aio.AioRpcError) as client_full:
                    await asyncio.wait_for(over_client, DEADLINE)
                assert _refusal(client_full.value) == ("client", 5.0)

                admitted.append(await _stalled_import(stub, SECOND_KEY))  # 3 of 3
                over_server = await _stalled_import(stub, SECOND_KEY)
                with pytest.raises(grpc.aio.AioRpcError) as server_full:
                    await asyncio.wait_for(over_server, DEADLINE)
                assert _refusal(server_full.value) == ("server", 5.0)
                assert "imports" in (server_full.value.details() or "")
                assert not any(call.done() for call in admitted)
                await _unary_still_served(stub)
            finally:
                for call in admitted:
                    call.cancel()

    asyncio.run(scenario())


def test_watches_past_a_clients_budget_are_refused(tight: ServerProcess) -> None:
    async def open_watch(stub: weather_pb2_grpc.WeatherServiceStub) -> Any:
        call = stub.WatchObservations(pb.WatchObservationsRequest(stations=["stations/KJFK"]))
        await call.initial_metadata()
        return call

    async def scenario() -> None:
        async with grpc.aio.insecure_channel(f"{HOST}:{tight.port}") as channel:
            stub = weather_pb2_grpc.WeatherServiceStub(channel)
            admitted = [await open_watch(stub) for _ in range(2)]  # anonymous: by address
            try:
                with pytest.raises(grpc.aio.AioRpcError) as refused:
                    await asyncio.wait_for((await open_watch(stub)).read(), DEADLINE)
                assert _refusal(refused.value) == ("client", 5.0)
                assert "live streams" in (refused.value.details() or "")
                await _unary_still_served(stub)
            finally:
                for call in admitted:
                    call.cancel()

    asyncio.run(scenario())


def test_an_import_stream_over_its_byte_limit_is_refused(roomy: ServerProcess) -> None:
    # 40 messages of ~900 kB, each under the per-message limit, 36 MB in all
    heavy = pb.ImportObservationsRequest(observation=pb.Observation(
        station="stations/" + "K" * 900_000))

    with grpc.insecure_channel(f"{HOST}:{roomy.port}") as channel:
        stub = weather_pb2_grpc.WeatherServiceStub(channel)
        with pytest.raises(grpc.RpcError) as caught:
            stub.ImportObservations(iter([heavy] * 40), metadata=_auth(API_KEY), timeout=60)
    assert caught.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED  # type: ignore[attr-defined]
    assert "bytes" in caught.value.details()  # type: ignore[attr-defined]


class CountingExecutor(ThreadPoolExecutor):
    """The event loop's default pool, counting the work handed to it."""

    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.submitted = 0

    def submit(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        self.submitted += 1
        return super().submit(*args, **kwargs)


def test_resubscribing_a_subscribed_station_queues_no_thread_work(seeded_db: Path) -> None:
    service = WeatherService(SqliteRepository(seeded_db), KeyChecker([API_KEY]))
    server = InProcessServer(service)
    pool = CountingExecutor()

    async def count_the_pool() -> None:
        asyncio.get_running_loop().set_default_executor(pool)

    try:
        server.run(count_the_pool())
        with grpc.insecure_channel(f"{HOST}:{server.server.port}") as channel:
            stub = weather_pb2_grpc.WeatherServiceStub(channel)
            change = pb.SubscribeObservationsRequest(
                subscribe=pb.StationList(stations=["stations/KJFK"]))
            responses = stub.SubscribeObservations(iter([change] * 501), timeout=DEADLINE)
            assert list(next(responses).subscription.stations) == ["stations/KJFK"]
            before = pool.submitted
            for _ in range(500):
                assert list(next(responses).subscription.stations) == ["stations/KJFK"]
            responses.cancel()
        assert pool.submitted - before < 50  # was one per request
    finally:
        server.close()


def test_the_client_raises_the_cores_too_many_streams(tight: ServerProcess) -> None:
    with GrpcClient.connect(HOST, tight.port, SECOND_KEY) as client:  # a client of its own
        first, second = client.watch_observations(["KJFK"]), client.watch_observations(["KJFK"])
        try:
            with pytest.raises(TooManyStreams) as refused:
                client.watch_observations(["KJFK"])
            assert refused.value.per_client and refused.value.retry_after == 5.0
        finally:
            first.close()
            second.close()
