"""Operations declared once: the Flask route, the request models that parse it, and its
OpenAPI description all come from the same :func:`ResourceBlueprint.operation` call.

That is what keeps ``/openapi.json`` in sync with the code: a parameter the view reads is a
field of the model that parsed it, and the document is generated from those models.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

from flask import Flask, request
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.routing import BaseConverter

from services.core.errors import FieldViolation, InvalidArgument
from services.rest_api.bodies import read_body
from services.rest_api.context import service
from services.rest_api.representation import credential

JSON_TYPES = ("application/json",)


@dataclass(frozen=True, slots=True)
class Reply:
    """One documented response: its schema (None for no body) and media types."""

    description: str
    model: type[BaseModel] | None = None
    media_types: tuple[str, ...] = ("application/hal+json", "application/json")
    headers: tuple[str, ...] = ()
    streams: tuple[str, ...] = ()  # further media types, whose body is not a JSON document


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str  # OpenAPI style: /stations/{station_id}
    operation_id: str
    summary: str
    description: str  # the view's docstring
    tag: str
    path_params: dict[str, str]
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    replies: dict[int, Reply]
    errors: tuple[int, ...]
    writes: bool
    request_headers: tuple[str, ...] = ()


@dataclass
class ResourceBlueprint:
    """A family of routes (endpoints named ``<name>.<view>``, as a Flask blueprint's) that
    also records the OpenAPI operations it serves; its name is their tag, which
    ``description`` explains.

    The routes are added to the application itself (:meth:`register`), not through a Flask
    ``Blueprint``: a request routed to a blueprint makes Flask look up hooks, preprocessors
    and handlers under each of its blueprint names, three times per request, for nothing
    (no family has hooks of its own)."""

    name: str
    import_name: str
    description: str
    operations: list[Operation] = field(default_factory=list)
    rules: list[tuple[str, str, Callable[..., Any], str]] = field(default_factory=list)

    def register(self, app: Flask) -> None:
        for rule, view_name, endpoint, method in self.rules:
            app.add_url_rule(rule, f"{self.name}.{view_name}", endpoint, methods=[method])

    def operation(self, method: str, path: str, *, summary: str,
                  replies: dict[int, Reply], errors: tuple[int, ...] = (),
                  path_params: dict[str, str] | None = None,
                  query: type[BaseModel] | None = None, body: type[BaseModel] | None = None,
                  writes: bool = False, request_headers: tuple[str, ...] = (),
                  ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            description = inspect.getdoc(view)
            if not description:  # the document would describe it by its summary alone
                raise TypeError(f"{view.__name__} needs a docstring: it is the operation's "
                                "OpenAPI description")

            def endpoint(**kwargs: Any) -> Any:
                if writes:
                    # the caller first (the core's rule, checked again by the use case): an
                    # anonymous writer learns nothing about its body, and a large one is
                    # refused before it is read
                    service().keys.require_writer(credential())
                parsed = parse_query(query)
                if parsed is not None:
                    kwargs["query"] = parsed
                if body is not None:
                    kwargs["body"] = parse_body(body)
                return view(**kwargs)

            endpoint.__name__ = view.__name__
            self.rules.append((flask_rule(path), view.__name__, endpoint, method))
            self.operations.append(Operation(
                method.lower(), path, view.__name__, summary, description, self.name,
                path_params or {},
                query, body, replies, errors, writes, request_headers))
            return view

        return register


class InstantSegment(BaseConverter):
    """A path segment that may name an instant: it starts with a digit. Without it,
    ``/observations/latest`` would also match ``/observations/{observed_at}``, and a PUT
    there would reach the observation's PUT instead of being a 405."""

    regex = r"[0-9][^/]*"


CONVERTERS: dict[str, type[BaseConverter]] = {"instant": InstantSegment}
PATH_CONVERTERS = {"observed_at": "instant"}


def flask_rule(path: str) -> str:
    def segment(match: re.Match[str]) -> str:
        name = match.group(1)
        converter = PATH_CONVERTERS.get(name)
        return f"<{converter}:{name}>" if converter else f"<{name}>"

    return re.sub(r"\{(\w+)\}", segment, path)


def _is_list(annotation: Any) -> bool:
    if get_origin(annotation) is list:
        return True
    return any(get_origin(a) is list for a in get_args(annotation))


def violations_of(error: ValidationError, prefix: str = "") -> InvalidArgument:
    """Pydantic's complaints as the core's field violations (one mapping, for every model).
    All of them go to InvalidArgument, which lists the first hundred and counts the rest."""
    items: list[FieldViolation] = []
    for problem in error.errors(include_url=False):
        if problem["type"] == "json_invalid":
            items.append(FieldViolation("body", f"is not valid JSON ({problem['msg']})"))
            continue
        # a model's own ValueError reads as written, without pydantic's "Value error, "
        message = (str(problem["ctx"]["error"]) if problem["type"] == "value_error"
                   and "ctx" in problem else problem["msg"])
        # list indices read as observations[3].temperature, like the core's own paths
        path = prefix
        for part in problem["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            else:
                path += f".{part}" if path else str(part)
        items.append(FieldViolation(path or "body", message))
    return InvalidArgument(items)


def parse_query(model: type[BaseModel] | None) -> BaseModel | None:
    """The query string as ``model``; a parameter the operation does not declare, or a
    single-valued one given twice, is refused rather than ignored (``?unit=us`` would
    otherwise answer in SI without a word)."""
    if not request.environ.get("QUERY_STRING"):
        return _without_parameters(model)
    args = request.args
    fields = model.model_fields if model is not None else {}
    wrong = [FieldViolation(name, "is not a parameter of this operation")
             for name in args if name not in fields]
    wrong += [FieldViolation(name, "must be given at most once")
              for name, info in fields.items()
              if len(args.getlist(name)) > 1 and not _is_list(info.annotation)]
    if wrong:
        raise InvalidArgument(wrong)
    if model is None:
        return None
    data = {name: (args.getlist(name) if _is_list(info.annotation) else args[name])
            for name, info in fields.items() if name in args}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise violations_of(error) from None


_EMPTY_QUERIES: dict[type[BaseModel], BaseModel] = {}


def _without_parameters(model: type[BaseModel] | None) -> BaseModel | None:
    """A query string without parameters: ``model`` validated once per process (every query
    model is frozen, so one instance serves every call; a model that requires a parameter is
    refused each time, as its validation says)."""
    if model is None:
        return None
    found = _EMPTY_QUERIES.get(model)
    if found is None:
        try:
            found = model.model_validate({})
        except ValidationError as error:
            raise violations_of(error) from None
        _EMPTY_QUERIES[model] = found
    return found


def parse_body(model: type[BaseModel]) -> BaseModel:
    mimetype = request.mimetype
    if mimetype not in JSON_TYPES and not mimetype.endswith("+json"):
        raise UnsupportedMediaType("the body must be JSON (Content-Type: application/json)")
    try:
        return model.model_validate_json(read_body())
    except ValidationError as error:
        raise violations_of(error) from None
