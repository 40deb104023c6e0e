"""An alert derived from observations (CAP-like fields)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from services.core.domain import Alert as DomainAlert
from services.core.domain import Severity as DomainSeverity


@strawberry.enum(description="CAP severity.")
class Severity(Enum):
    MINOR = "Minor"
    MODERATE = "Moderate"
    SEVERE = "Severe"
    EXTREME = "Extreme"

    def to_domain(self) -> DomainSeverity:
        return DomainSeverity(self.value)


@strawberry.type(description="An alert; `ends` is one hour after the last observation that "
                             "met its threshold.")
class Alert:
    id: str
    station_id: str
    event: str
    severity: Severity
    headline: str
    description: str
    onset: datetime
    ends: datetime

    @classmethod
    def from_domain(cls, alert: DomainAlert) -> Alert:
        return cls(id=alert.id, station_id=alert.station_id, event=alert.event,
                   severity=Severity(alert.severity.value), headline=alert.headline,
                   description=alert.description, onset=alert.onset, ends=alert.ends)
