"""The contract: ``/openapi.json`` is valid OpenAPI 3.1, describes exactly the routes served,
and the served process keeps to it under property-based testing (schemathesis)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from schemathesis.specs.openapi.checks import positive_data_acceptance

from services.rest_api.links import BATCH
from services.rest_api.openapi import build_document
from services.rest_api.routes import RESOURCES
from tests.rest.conftest import GENERATED_WRITES_STATION, WRITER, station_body
from tests.servers import API_KEY

METHODS = {"get", "put", "post", "delete", "patch"}
# The document the tests generate requests from: the one the adapter builds, which a test
# below checks is the one the served process answers at /openapi.json. (It is built here
# rather than loaded with from_url because test generation happens at collection, before any
# server runs, and schemathesis's lazy loader, pytest.from_fixture, fails on pytest 9.)
DOCUMENT = build_document(RESOURCES)
# Every read, the live feeds included: schemathesis sends Accept: */*, which gets a feed's
# finite description (the stream itself, for Accept: text/event-stream, is test_live's).
READS = schemathesis.openapi.from_dict(DOCUMENT).include(method="GET")
# Writes carry the writer key, as a client configured with it would, and all go to one
# station of their own: no other test (of any package, sharing the session's database) sees
# them. Both are schemathesis settings, so it generates around them: a request generated to
# lack the key is still sent without it, and no station id is generated.
WRITES = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict({
    "auth": {"openapi": {"bearer": {"bearer": API_KEY}}},
    "parameters": {"path.station_id": GENERATED_WRITES_STATION}})).exclude(method="GET").exclude(
    path=BATCH)  # its items name their stations in the body: test_methods covers it
GENERATED = settings(max_examples=10, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))
# "A schema-valid request is accepted" cannot hold here: page tokens are opaque, and rules
# across fields (start before end, at most 366 days, 1900-2100) are the core's, not the
# schema's. Those requests get a documented 400, which the other checks still judge.
NOT_APPLICABLE: list[schemathesis.CheckFunction] = [positive_data_acceptance]


@pytest.fixture(scope="module")
def served_document(base_url: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{base_url}/openapi.json", timeout=10).json()
    return document


def operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items()
            for method in item if method in METHODS}


def test_the_served_document_is_valid_openapi_3_1(served_document: dict[str, Any]) -> None:
    validate(served_document, cls=OpenAPIV31SpecValidator)
    assert served_document["openapi"] == "3.1.0"


def test_the_served_document_is_the_one_requests_are_generated_from(
        served_document: dict[str, Any]) -> None:
    assert served_document == DOCUMENT


def test_the_document_is_offered_as_json_and_as_the_openapi_media_type(
        http: httpx.Client) -> None:
    for accept, media in (("application/json", "application/json"),
                          ("application/vnd.oai.openapi+json",
                           "application/vnd.oai.openapi+json")):
        response = http.get("/openapi.json", headers={"Accept": accept})
        assert response.headers["content-type"] == media
    assert http.get("/openapi.json", headers={"Accept": "application/yaml"}).status_code == 406


def test_every_route_is_documented_and_every_documented_operation_is_routed(
        rest_app: Flask, served_document: dict[str, Any]) -> None:
    routed = {(method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
              for rule in rest_app.url_map.iter_rules()
              for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}
    assert routed == operations(served_document)


def test_every_operation_documents_its_parameters_and_problem_responses(
        served_document: dict[str, Any]) -> None:
    for path, item in served_document["paths"].items():
        for method, op in item.items():
            documented = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert documented == set(re.findall(r"\{(\w+)\}", path)), (method, path)
            responses = op["responses"]
            assert {"406", "500"} <= responses.keys(), (method, path)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"]
            if method == "get":
                assert "304" in responses
            if op["security"]:
                assert {"401", "403", "507"} <= responses.keys(), (method, path)
            if "requestBody" in op:
                assert {"400", "413", "415"} <= responses.keys(), (method, path)


def test_writes_and_only_writes_need_a_key(served_document: dict[str, Any]) -> None:
    for path, item in served_document["paths"].items():
        for method, op in item.items():
            # open reads say so (security: []), as linters ask
            assert op["security"] == ([] if method == "get" else [{"bearer": []}]), (method,
                                                                                    path)


@READS.parametrize()
@GENERATED
def test_generated_reads_get_no_server_error_and_answers_that_keep_to_the_document(
        case: schemathesis.Case, base_url: str) -> None:
    case.call_and_validate(base_url=base_url, excluded_checks=NOT_APPLICABLE)


@pytest.fixture(scope="module")
def writes_station(base_url: str) -> Iterator[Callable[[], None]]:
    """Calling it (re)creates the station the generated writes change, so that each one
    finds it, even after a generated DELETE; it is deleted at the end."""
    with httpx.Client(base_url=base_url, timeout=10) as http:
        def present() -> None:
            put = http.put(f"/stations/{GENERATED_WRITES_STATION}", json=station_body(),
                           headers=WRITER)
            assert put.status_code in (200, 201)

        yield present
        http.delete(f"/stations/{GENERATED_WRITES_STATION}", headers=WRITER)


@WRITES.parametrize()
@GENERATED
def test_generated_writes_get_no_server_error_and_answers_that_keep_to_the_document(
        case: schemathesis.Case, base_url: str, writes_station: Callable[[], None]) -> None:
    writes_station()
    assert case.path_parameters is not None
    assert case.path_parameters["station_id"] == GENERATED_WRITES_STATION
    case.call_and_validate(base_url=base_url, excluded_checks=NOT_APPLICABLE)
