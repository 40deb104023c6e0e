"""The unit system of a read, and the unit code of each value in a result."""

from __future__ import annotations

import functools
from enum import Enum

import strawberry

from services.core.units import Units


@strawberry.enum(description="Units of a read: SI (degC, m/s, hPa…) or US customary "
                             "(degF, mph, inHg…). Writes are always SI.")
class UnitSystem(Enum):
    SI = "si"
    US = "us"

    @classmethod
    def from_domain(cls, units: Units) -> UnitSystem:
        return cls(units.value)

    def to_domain(self) -> Units:
        return Units(self.value)


@strawberry.type(description="Which unit one field of a result is in.")
class UnitCode:
    field: str = strawberry.field(description="the field's name in this schema (camelCase)")
    unit: str = strawberry.field(description="a short unit code: degC, m/s, mph, %, …")

    @classmethod
    def from_domain(cls, codes: dict[str, str]) -> list[UnitCode]:
        return list(_unit_codes(tuple(codes.items())))


@functools.cache
def _unit_codes(codes: tuple[tuple[str, str], ...]) -> tuple[UnitCode, ...]:
    """Built once per distinct set of codes (a handful): every observation of a page shares
    them, and building them per row was a measurable part of a request."""
    return tuple(UnitCode(field=_camel(name), unit=unit) for name, unit in codes)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def units_arg(units: UnitSystem | None) -> Units | None:
    """The core's units for an optional argument (None lets the core pick its default)."""
    return units.to_domain() if units is not None else None
