"""The APIs' own pages for browsers render offline: Swagger UI (REST) and GraphiQL (GraphQL).

The browser resolves no host but loopback, so a page that reached for a CDN would not render
(and its request would show in the log).
"""

from __future__ import annotations

from typing import Any

import httpx

from services.supervisor import ServerProcess
from tests.web.conftest import PageLog

LIMIT_MS = 60_000  # bounds a hang; a page renders in a second or two
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _operations(rest: ServerProcess) -> int:
    document = httpx.get(f"http://{rest.address}/openapi.json", timeout=30).json()
    return sum(1 for item in document["paths"].values() for method in item
               if method in HTTP_METHODS)


def test_the_rest_docs_page_lists_every_operation_with_swagger_ui_offline(
        browser_page: tuple[Any, PageLog], web_stack: dict[str, ServerProcess]) -> None:
    page, log = browser_page
    rest = web_stack["rest"]
    operations = _operations(rest)
    page.goto(f"http://{rest.address}/docs")
    page.wait_for_function("count => document.querySelectorAll('.opblock').length === count",
                           arg=operations, timeout=LIMIT_MS)
    assert page.locator(".opblock").first.is_visible()
    assert f"http://{rest.address}/openapi.json" in [url for _, url in log.requests]
    problems = log.problems()
    assert not problems, "\n".join(problems)


def test_graphiql_renders_its_editor_offline_on_a_browsers_get_of_the_endpoint(
        browser_page: tuple[Any, PageLog], web_stack: dict[str, ServerProcess]) -> None:
    page, log = browser_page
    endpoint = f"http://{web_stack['graphql'].address}/graphql"
    page.goto(endpoint)
    editor = page.locator(".graphiql-container .graphiql-query-editor .CodeMirror")
    editor.wait_for(state="visible", timeout=LIMIT_MS)
    # the schema came from this server (introspection), so the docs explorer can name its types
    page.wait_for_function(
        "url => performance.getEntriesByType('resource').some("
        "e => e.name === url && e.initiatorType === 'fetch')", arg=endpoint, timeout=LIMIT_MS)
    problems = log.problems()
    assert not problems, "\n".join(problems)
