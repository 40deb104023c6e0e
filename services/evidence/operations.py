"""The read operations ``fourcast compare`` runs: their arguments and the client call of each.

Each takes the parsed CLI arguments and a :class:`clients.base.WeatherClient`, so the same call
goes through all four protocols.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from typing import Any

from clients.base import WeatherClient
from services.core.domain import to_plain
from services.core.units import Units, unit_codes
from services.core.validation import DEFAULT_PAGE_SIZE, MAX_FORECAST_DAYS, MAX_PAGE_SIZE


def _when(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {text!r}") from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date: {text!r}") from None


Call = Callable[[WeatherClient, argparse.Namespace], Any]


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    call: Call


def _station(p: argparse.ArgumentParser) -> None:
    p.add_argument("station_id", metavar="ID", help="a station id, e.g. KJFK")


def _units(p: argparse.ArgumentParser) -> None:
    def names(units: Units) -> str:
        return ", ".join(dict.fromkeys(unit_codes(units).values())).replace("%", "%%")

    p.add_argument("--units", choices=[u.value for u in Units], default="si",
                   help=f"si ({names(Units.SI)}; the default) or us ({names(Units.US)})")


def _days(p: argparse.ArgumentParser) -> None:
    p.add_argument("--days", type=int, metavar="N",
                   help=f"days ahead, 1-{MAX_FORECAST_DAYS} (default {MAX_FORECAST_DAYS})")


def _page(p: argparse.ArgumentParser) -> None:
    p.add_argument("--page-size", type=int, metavar="N",
                   help=f"items per page (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE});"
                        " only the first page is read")


def _range(p: argparse.ArgumentParser, kind: Callable[[str], Any], required: bool) -> None:
    if kind is _day:
        what = "a local date of the station, e.g. 2013-07-01"
        start, end = f"first day: {what}", "last day (included)"
    else:
        what = "an ISO 8601 time with its offset, e.g. 2013-07-01T00:00Z"
        start, end = f"from: {what} (included)", "until (excluded)"
    optional = "" if required else "; optional"
    p.add_argument("--start", type=kind, required=required, metavar="ISO",
                   help=start + optional)
    p.add_argument("--end", type=kind, required=required, metavar="ISO", help=end + optional)


def _args(*parts: Callable[[argparse.ArgumentParser], object]
          ) -> Callable[[argparse.ArgumentParser], None]:
    def add(p: argparse.ArgumentParser) -> None:
        for part in parts:
            part(p)
    return add


OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    Operation("station", "one station", _station,
              lambda c, a: c.get_station(a.station_id)),
    Operation("stations", "the first page of stations", _page,
              lambda c, a: c.list_stations(page_size=a.page_size)),
    Operation("latest", "a station's latest observation", _args(_station, _units),
              lambda c, a: c.get_latest_observation(a.station_id, Units(a.units))),
    Operation("observations", "a station's observations in [start, end)",
              _args(_station, lambda p: _range(p, _when, True), _page, _units),
              lambda c, a: c.list_observations(a.station_id, a.start, a.end,
                                               page_size=a.page_size, units=Units(a.units))),
    Operation("daily", "a station's daily summaries for local dates [start, end]",
              _args(_station, lambda p: _range(p, _day, True), _units),
              lambda c, a: c.daily_summaries(a.station_id, a.start, a.end, Units(a.units))),
    Operation("forecast", "a station's demonstration forecast",
              _args(_station, _days, _units),
              lambda c, a: c.get_forecast(a.station_id, a.days, Units(a.units))),
    Operation("alerts", "alerts, for one station or all",
              _args(lambda p: p.add_argument("--station", dest="station_id", metavar="ID",
                                             help="only this station's alerts (default: all)"),
                    lambda p: _range(p, _when, False), _page),
              lambda c, a: c.list_alerts(a.station_id, a.start, a.end,
                                         page_size=a.page_size)),
)}


def normalise(result: Any) -> Any:
    """A JSON-friendly form of any result, so the four can be compared with ``==``."""
    if isinstance(result, list | tuple):
        return [normalise(r) for r in result]
    return to_plain(result)


def unit_names(result: Any) -> dict[str, str]:
    """The unit of each measured field in a result, as the domain objects name them (the same
    field has the same unit throughout one result, which is read in one system of units)."""
    names: dict[str, str] = {}
    if isinstance(result, list | tuple):
        for item in result:
            names.update(unit_names(item))
        return names
    codes = getattr(result, "unit_codes", None)
    if isinstance(codes, dict):
        names.update(codes)
    if is_dataclass(result) and not isinstance(result, type):
        for item in fields(result):
            value = getattr(result, item.name)
            if isinstance(value, list | tuple) or is_dataclass(value):
                names.update(unit_names(value))
    return names


def describe_call(args: argparse.Namespace) -> str:
    """The command line of an operation, for headings (``station KJFK``)."""
    parts = [args.operation]
    station = getattr(args, "station_id", None)
    if station:
        parts += ["--station", station] if args.operation == "alerts" else [station]
    for key in ("start", "end", "days", "page_size", "units"):
        value = getattr(args, key, None)
        if value is None or (key == "units" and value == "si"):
            continue
        shown = value.isoformat() if hasattr(value, "isoformat") else str(value)
        parts += [f"--{key.replace('_', '-')}", shown]
    return " ".join(parts)
