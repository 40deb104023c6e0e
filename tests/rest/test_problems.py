"""The one mapping of core errors to problems answers a subclass of a core error as its
nearest mapped parent, so an error the core adds later is never a 500 by accident."""

from __future__ import annotations

from flask import Flask

from services.core import errors as core
from services.rest_api.problems import from_core


class _NewLimit(core.ResourceExhausted):
    """A limit the core might add (say, a query too costly)."""


class _NewViolation(core.InvalidArgument):
    pass


def test_a_subclass_of_a_core_error_gets_its_parents_problem() -> None:
    with Flask(__name__).test_request_context():
        new_limit = from_core(_NewLimit("over the new limit"))
        assert (new_limit.status_code, new_limit.get_json()["type"]) == (
            413, "/problems/resource-exhausted")
        violation = from_core(_NewViolation.single("field", "is wrong"))
        assert violation.status_code == 400
        assert violation.get_json()["violations"] == [
            {"field": "field", "description": "is wrong"}]
        assert from_core(core.StoreFull()).status_code == 507
        assert from_core(core.TooManyStreams("full", per_client=False)).status_code == 503
