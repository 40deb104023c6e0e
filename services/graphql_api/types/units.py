"""The unit system of a read, and the unit code of each value in a result."""

from __future__ import annotations

import functools
from enum import Enum

import strawberry

from services.core.units import Units, unit_codes


@strawberry.enum(description="Units of a read: SI (degC, m/s, hPa…) or US customary "
                             "(degF, mph, inHg…). Writes are always SI.")
class UnitSystem(Enum):
    SI = "si"
    US = "us"

    @classmethod
    def from_domain(cls, units: Units) -> UnitSystem:
        return _UNIT_SYSTEMS[units]

    def to_domain(self) -> Units:
        return Units(self.value)


_UNIT_SYSTEMS = {units: UnitSystem(units.value) for units in Units}  # an Enum call is slow


@strawberry.type(description="Which unit one field of a result is in.")
class UnitCode:
    field: str = strawberry.field(description="the field's name in this schema (camelCase)")
    unit: str = strawberry.field(description="a short unit code: degC, m/s, mph, %, …")

    @classmethod
    def from_domain(cls, codes: dict[str, str]) -> list[UnitCode]:
        return list(_unit_codes(tuple(codes.items())))

    @classmethod
    def of_observation(cls, units: Units) -> list[UnitCode]:
        """An observation's codes (the core's :func:`unit_codes`), built once per system."""
        return list(_observation_codes(units))


@functools.cache
def _unit_codes(codes: tuple[tuple[str, str], ...]) -> tuple[UnitCode, ...]:
    """Built once per distinct set of codes (a handful): every observation of a page shares
    them, and building them per row was a measurable part of a request."""
    return tuple(UnitCode(field=_camel(name), unit=unit) for name, unit in codes)


@functools.cache
def _observation_codes(units: Units) -> tuple[UnitCode, ...]:
    return _unit_codes(tuple(unit_codes(units).items()))


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def units_arg(units: UnitSystem | None) -> Units | None:
    """The core's units for an optional argument (None lets the core pick its default)."""
    return units.to_domain() if units is not None else None
