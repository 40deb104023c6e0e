"""HAL links for the REST client: RFC 6570 URI templates and the link relations of a document.

:func:`expand` implements RFC 6570 expansion (every operator, the ``*`` explode and ``:n``
prefix modifiers) for string, list and mapping values; ``None`` and empty lists or mappings are
undefined and leave their variable out, as the RFC says. The REST API's templates use three of
its forms: ``{station_id}``, ``{?start,end,units}`` and ``{?station*}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

Value = str | int | Sequence[str] | Mapping[str, str] | None


@dataclass(frozen=True, slots=True)
class _Operator:
    first: str  # put before the first defined variable
    separator: str  # between variables, and between exploded items
    named: bool  # each value as name=value (";", "?", "&")
    if_empty: str  # after the name when the value is empty
    reserved: bool  # reserved characters pass unencoded ("+", "#")


_OPERATORS: dict[str, _Operator] = {
    "": _Operator("", ",", False, "", False),
    "+": _Operator("", ",", False, "", True),
    "#": _Operator("#", ",", False, "", True),
    ".": _Operator(".", ".", False, "", False),
    "/": _Operator("/", "/", False, "", False),
    ";": _Operator(";", ";", True, "", False),
    "?": _Operator("?", "&", True, "=", False),
    "&": _Operator("&", "&", True, "=", False),
}
_EXPRESSION = re.compile(r"\{([^{}]*)\}")
_VARSPEC = re.compile(r"^([A-Za-z0-9_%][A-Za-z0-9_.%]*)(?::([1-9][0-9]{0,3})|(\*))?$")
_RESERVED = ":/?#[]@!$&'()*+,;="
_PCT_TRIPLET = re.compile(r"(%[0-9A-Fa-f]{2})")


def _encode(text: str, reserved: bool) -> str:
    """Percent-encode all but the unreserved characters (and, for ``+``/``#``, the reserved
    ones and existing ``%XX`` triplets), in UTF-8."""
    if not reserved:
        return quote(text, safe="")
    return "".join(part if _PCT_TRIPLET.fullmatch(part) else quote(part, safe=_RESERVED)
                   for part in _PCT_TRIPLET.split(text))


def _named(op: _Operator, name: str, encoded: str) -> str:
    return f"{name}={encoded}" if encoded else name + op.if_empty


def _expand_var(op: _Operator, name: str, value: Value, prefix: int | None,
                explode: bool) -> str | None:
    """One variable's expansion, or None when it is undefined."""
    if value is None:
        return None
    if isinstance(value, str | int):
        text = str(value)[:prefix] if prefix else str(value)
        encoded = _encode(text, op.reserved)
        return _named(op, name, encoded) if op.named else encoded
    if isinstance(value, Mapping):
        pairs = [(_encode(str(k), op.reserved), _encode(str(v), op.reserved))
                 for k, v in value.items()]
        if not pairs:
            return None
        if explode:
            return op.separator.join(f"{k}={v}" for k, v in pairs)
        joined = ",".join(part for pair in pairs for part in pair)
        return _named(op, name, joined) if op.named else joined
    items = [_encode(str(item), op.reserved) for item in value]
    if not items:
        return None
    if explode:
        return op.separator.join(_named(op, name, item) if op.named else item
                                 for item in items)
    return _named(op, name, ",".join(items)) if op.named else ",".join(items)


def _expand_expression(expression: str, values: Mapping[str, Value]) -> str:
    op_char = expression[:1] if expression[:1] in _OPERATORS else ""
    op = _OPERATORS[op_char]
    parts = []
    for spec in expression[len(op_char):].split(","):
        match = _VARSPEC.match(spec)
        if match is None:
            raise ValueError(f"malformed URI template expression {{{expression}}}")
        name, prefix, explode = match.groups()
        expanded = _expand_var(op, name, values.get(name), int(prefix) if prefix else None,
                               explode is not None)
        if expanded is not None:
            parts.append(expanded)
    return op.first + op.separator.join(parts) if parts else ""


def expand(template: str, values: Mapping[str, Value]) -> str:
    """The URI reference ``template`` names with ``values`` (RFC 6570, level 4)."""
    return _EXPRESSION.sub(lambda m: _expand_expression(m.group(1), values), template)


class Links:
    """The ``_links`` of a HAL document, resolved against the URL it was read from."""

    def __init__(self, base: httpx.URL, document: Mapping[str, Any]) -> None:
        self._base = base
        self._links: Mapping[str, Any] = document.get("_links") or {}

    def url(self, rel: str, values: Mapping[str, Value] | None = None) -> httpx.URL:
        """The target of ``rel``, its template expanded with ``values`` if it has one."""
        found = self._links.get(rel)
        if isinstance(found, list):  # HAL allows several links of one relation
            found = found[0] if found else None
        if not isinstance(found, Mapping) or not isinstance(found.get("href"), str):
            raise LookupError(f"the document has no {rel!r} link")
        href: str = found["href"]
        if found.get("templated"):
            href = expand(href, values or {})
        return self._base.join(href)
