"""``/docs``: Swagger UI over ``/openapi.json``, every file of it served from the package.

The page and its assets come from PyPI's ``flask-swagger-ui`` (its blueprint renders the page
and serves Swagger UI's ``dist`` files from the installed package): nothing is fetched from
elsewhere, so the documentation works offline. ``validatorUrl: "none"`` keeps Swagger UI from
sending the document to swagger.io's validator for its badge.

It is an application of its own, reached by path in front of the API (:class:`DocsDispatch`):
the API's URL map stays exactly the operations of the OpenAPI document, and the documentation's
megabytes never pass through the origin representation cache. Errors are the API's problem
details all the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from flask_swagger_ui import get_swaggerui_blueprint

from services.rest_api import problems
from services.rest_api.links import DOCS, OPENAPI_DOCUMENT

DOCS_PATH = DOCS
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

SWAGGER_UI_CONFIG = {
    "app_name": "Fourcast REST API: documentation",
    "validatorUrl": "none",
    # said, not built from the request's Host header (no OAuth flow uses it)
    "oauth2RedirectUrl": f"{DOCS_PATH}/oauth2-redirect.html",
}


def create_docs_app() -> Flask:
    """The documentation: the page at ``/docs`` and Swagger UI's files under it."""
    app = Flask("docs", static_folder=None)
    blueprint = get_swaggerui_blueprint(DOCS_PATH, OPENAPI_DOCUMENT,
                                        config=dict(SWAGGER_UI_CONFIG))
    app.register_blueprint(blueprint)
    # /docs itself too (the blueprint's page is /docs/): the page, not a redirect to it, and
    # a 405 for another method rather than the 404 a slash-less match would give
    app.add_url_rule(DOCS_PATH, "page", app.view_functions[f"{blueprint.name}.show"])
    problems.register(app)
    return app


def is_docs_path(path: str) -> bool:
    return path == DOCS_PATH or path.startswith(DOCS_PATH + "/")


class DocsDispatch:
    """Paths under ``/docs`` to the documentation, everything else to the API."""

    def __init__(self, api: WsgiApp, docs: WsgiApp) -> None:
        self.api = api
        self.docs = docs

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        if is_docs_path(environ.get("PATH_INFO", "")):
            return self.docs(environ, start_response)
        return self.api(environ, start_response)
