"""What the mutations return: the stored entity with its version, or an import summary."""

from __future__ import annotations

from datetime import datetime

import strawberry

from services.core.domain import ImportSummary as DomainImportSummary
from services.core.domain import Observation as DomainObservation
from services.core.domain import Station as DomainStation
from services.core.domain import WriteResult
from services.graphql_api.types.observation import Observation
from services.graphql_api.types.station import Station


@strawberry.type(description="A stored station; pass `version` as `ifMatch` to write it again "
                             "only if nobody changed it meanwhile.")
class StationWriteResult:
    station: Station
    created: bool
    version: str

    @classmethod
    def from_domain(cls, result: WriteResult[DomainStation]) -> StationWriteResult:
        return cls(station=Station.from_domain(result.value), created=result.created,
                   version=result.version)


@strawberry.type(description="A stored observation (SI) and its version.")
class ObservationWriteResult:
    observation: Observation
    created: bool
    version: str

    @classmethod
    def from_domain(cls, result: WriteResult[DomainObservation]) -> ObservationWriteResult:
        return cls(observation=Observation.from_domain(result.value), created=result.created,
                   version=result.version)


@strawberry.type(description="The outcome of an all-or-nothing import.")
class ImportSummary:
    imported: int
    created: int
    replaced: int
    station_ids: list[str]
    first_observed_at: datetime | None
    last_observed_at: datetime | None

    @classmethod
    def from_domain(cls, summary: DomainImportSummary) -> ImportSummary:
        return cls(imported=summary.imported, created=summary.created,
                   replaced=summary.replaced, station_ids=list(summary.station_ids),
                   first_observed_at=summary.first_observed_at,
                   last_observed_at=summary.last_observed_at)


@strawberry.type(description="What a delete removed.")
class Deleted:
    id: str = strawberry.field(description="the station id, or station/time of an observation")
