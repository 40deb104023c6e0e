import datetime

from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Units(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNITS_UNSPECIFIED: _ClassVar[Units]
    UNITS_SI: _ClassVar[Units]
    UNITS_US: _ClassVar[Units]

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_MINOR: _ClassVar[Severity]
    SEVERITY_MODERATE: _ClassVar[Severity]
    SEVERITY_SEVERE: _ClassVar[Severity]
    SEVERITY_EXTREME: _ClassVar[Severity]
UNITS_UNSPECIFIED: Units
UNITS_SI: Units
UNITS_US: Units
SEVERITY_UNSPECIFIED: Severity
SEVERITY_MINOR: Severity
SEVERITY_MODERATE: Severity
SEVERITY_SEVERE: Severity
SEVERITY_EXTREME: Severity

class Date(_message.Message):
    __slots__ = ("year", "month", "day")
    YEAR_FIELD_NUMBER: _ClassVar[int]
    MONTH_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    year: int
    month: int
    day: int
    def __init__(self, year: _Optional[int] = ..., month: _Optional[int] = ..., day: _Optional[int] = ...) -> None: ...

class Station(_message.Message):
    __slots__ = ("name", "display_name", "latitude", "longitude", "elevation", "time_zone", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    LATITUDE_FIELD_NUMBER: _ClassVar[int]
    LONGITUDE_FIELD_NUMBER: _ClassVar[int]
    ELEVATION_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    display_name: str
    latitude: float
    longitude: float
    elevation: float
    time_zone: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., latitude: _Optional[float] = ..., longitude: _Optional[float] = ..., elevation: _Optional[float] = ..., time_zone: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class Observation(_message.Message):
    __slots__ = ("name", "station", "observe_time", "temperature", "dewpoint", "relative_humidity", "wind_speed", "wind_direction", "wind_gust", "precipitation_last_hour", "sea_level_pressure", "visibility", "units")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATION_FIELD_NUMBER: _ClassVar[int]
    OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    DEWPOINT_FIELD_NUMBER: _ClassVar[int]
    RELATIVE_HUMIDITY_FIELD_NUMBER: _ClassVar[int]
    WIND_SPEED_FIELD_NUMBER: _ClassVar[int]
    WIND_DIRECTION_FIELD_NUMBER: _ClassVar[int]
    WIND_GUST_FIELD_NUMBER: _ClassVar[int]
    PRECIPITATION_LAST_HOUR_FIELD_NUMBER: _ClassVar[int]
    SEA_LEVEL_PRESSURE_FIELD_NUMBER: _ClassVar[int]
    VISIBILITY_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    name: str
    station: str
    observe_time: _timestamp_pb2.Timestamp
    temperature: float
    dewpoint: float
    relative_humidity: float
    wind_speed: float
    wind_direction: float
    wind_gust: float
    precipitation_last_hour: float
    sea_level_pressure: float
    visibility: float
    units: Units
    def __init__(self, name: _Optional[str] = ..., station: _Optional[str] = ..., observe_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., temperature: _Optional[float] = ..., dewpoint: _Optional[float] = ..., relative_humidity: _Optional[float] = ..., wind_speed: _Optional[float] = ..., wind_direction: _Optional[float] = ..., wind_gust: _Optional[float] = ..., precipitation_last_hour: _Optional[float] = ..., sea_level_pressure: _Optional[float] = ..., visibility: _Optional[float] = ..., units: _Optional[_Union[Units, str]] = ...) -> None: ...

class RecordedObservation(_message.Message):
    __slots__ = ("sequence", "observation")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    observation: Observation
    def __init__(self, sequence: _Optional[int] = ..., observation: _Optional[_Union[Observation, _Mapping]] = ...) -> None: ...

class DailySummary(_message.Message):
    __slots__ = ("station", "date", "temperature_min", "temperature_max", "temperature_mean", "precipitation_total", "wind_gust_max", "observation_count", "units")
    STATION_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_MIN_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_MAX_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_MEAN_FIELD_NUMBER: _ClassVar[int]
    PRECIPITATION_TOTAL_FIELD_NUMBER: _ClassVar[int]
    WIND_GUST_MAX_FIELD_NUMBER: _ClassVar[int]
    OBSERVATION_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    station: str
    date: Date
    temperature_min: float
    temperature_max: float
    temperature_mean: float
    precipitation_total: float
    wind_gust_max: float
    observation_count: int
    units: Units
    def __init__(self, station: _Optional[str] = ..., date: _Optional[_Union[Date, _Mapping]] = ..., temperature_min: _Optional[float] = ..., temperature_max: _Optional[float] = ..., temperature_mean: _Optional[float] = ..., precipitation_total: _Optional[float] = ..., wind_gust_max: _Optional[float] = ..., observation_count: _Optional[int] = ..., units: _Optional[_Union[Units, str]] = ...) -> None: ...

class ForecastPeriod(_message.Message):
    __slots__ = ("number", "display_name", "start_time", "end_time", "temperature_high", "temperature_low", "precipitation_chance", "wind_speed", "wind_direction", "summary")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_HIGH_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_LOW_FIELD_NUMBER: _ClassVar[int]
    PRECIPITATION_CHANCE_FIELD_NUMBER: _ClassVar[int]
    WIND_SPEED_FIELD_NUMBER: _ClassVar[int]
    WIND_DIRECTION_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    number: int
    display_name: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    temperature_high: float
    temperature_low: float
    precipitation_chance: int
    wind_speed: float
    wind_direction: float
    summary: str
    def __init__(self, number: _Optional[int] = ..., display_name: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., temperature_high: _Optional[float] = ..., temperature_low: _Optional[float] = ..., precipitation_chance: _Optional[int] = ..., wind_speed: _Optional[float] = ..., wind_direction: _Optional[float] = ..., summary: _Optional[str] = ...) -> None: ...

class Forecast(_message.Message):
    __slots__ = ("name", "issue_time", "units", "periods")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ISSUE_TIME_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    PERIODS_FIELD_NUMBER: _ClassVar[int]
    name: str
    issue_time: _timestamp_pb2.Timestamp
    units: Units
    periods: _containers.RepeatedCompositeFieldContainer[ForecastPeriod]
    def __init__(self, name: _Optional[str] = ..., issue_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., units: _Optional[_Union[Units, str]] = ..., periods: _Optional[_Iterable[_Union[ForecastPeriod, _Mapping]]] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("name", "station", "event", "severity", "headline", "description", "onset_time", "end_time")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATION_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    HEADLINE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ONSET_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    name: str
    station: str
    event: str
    severity: Severity
    headline: str
    description: str
    onset_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., station: _Optional[str] = ..., event: _Optional[str] = ..., severity: _Optional[_Union[Severity, str]] = ..., headline: _Optional[str] = ..., description: _Optional[str] = ..., onset_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListStationsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListStationsResponse(_message.Message):
    __slots__ = ("stations", "next_page_token", "previous_page_token")
    STATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    stations: _containers.RepeatedCompositeFieldContainer[Station]
    next_page_token: str
    previous_page_token: str
    def __init__(self, stations: _Optional[_Iterable[_Union[Station, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., previous_page_token: _Optional[str] = ...) -> None: ...

class GetStationRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class PutStationRequest(_message.Message):
    __slots__ = ("station", "etag")
    STATION_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    station: Station
    etag: str
    def __init__(self, station: _Optional[_Union[Station, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class PutStationResponse(_message.Message):
    __slots__ = ("station", "created", "etag")
    STATION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    station: Station
    created: bool
    etag: str
    def __init__(self, station: _Optional[_Union[Station, _Mapping]] = ..., created: _Optional[bool] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteStationRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class GetLatestObservationRequest(_message.Message):
    __slots__ = ("parent", "units")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    parent: str
    units: Units
    def __init__(self, parent: _Optional[str] = ..., units: _Optional[_Union[Units, str]] = ...) -> None: ...

class GetObservationRequest(_message.Message):
    __slots__ = ("name", "units")
    NAME_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    name: str
    units: Units
    def __init__(self, name: _Optional[str] = ..., units: _Optional[_Union[Units, str]] = ...) -> None: ...

class ListObservationsRequest(_message.Message):
    __slots__ = ("parent", "start_time", "end_time", "page_size", "page_token", "units")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    parent: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    units: Units
    def __init__(self, parent: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., units: _Optional[_Union[Units, str]] = ...) -> None: ...

class ListObservationsResponse(_message.Message):
    __slots__ = ("observations", "next_page_token", "previous_page_token")
    OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    observations: _containers.RepeatedCompositeFieldContainer[Observation]
    next_page_token: str
    previous_page_token: str
    def __init__(self, observations: _Optional[_Iterable[_Union[Observation, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., previous_page_token: _Optional[str] = ...) -> None: ...

class StreamObservationsRequest(_message.Message):
    __slots__ = ("parent", "start_time", "end_time", "units")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    parent: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    units: Units
    def __init__(self, parent: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., units: _Optional[_Union[Units, str]] = ...) -> None: ...

class PutObservationRequest(_message.Message):
    __slots__ = ("observation", "etag")
    OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    observation: Observation
    etag: str
    def __init__(self, observation: _Optional[_Union[Observation, _Mapping]] = ..., etag: _Optional[str] = ...) -> None: ...

class PutObservationResponse(_message.Message):
    __slots__ = ("observation", "created", "etag")
    OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    observation: Observation
    created: bool
    etag: str
    def __init__(self, observation: _Optional[_Union[Observation, _Mapping]] = ..., created: _Optional[bool] = ..., etag: _Optional[str] = ...) -> None: ...

class DeleteObservationRequest(_message.Message):
    __slots__ = ("name", "etag")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ETAG_FIELD_NUMBER: _ClassVar[int]
    name: str
    etag: str
    def __init__(self, name: _Optional[str] = ..., etag: _Optional[str] = ...) -> None: ...

class ImportObservationsRequest(_message.Message):
    __slots__ = ("observation", "finish_import")
    OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    FINISH_IMPORT_FIELD_NUMBER: _ClassVar[int]
    observation: Observation
    finish_import: bool
    def __init__(self, observation: _Optional[_Union[Observation, _Mapping]] = ..., finish_import: _Optional[bool] = ...) -> None: ...

class ImportObservationsResponse(_message.Message):
    __slots__ = ("imported", "created", "replaced", "stations", "first_observe_time", "last_observe_time")
    IMPORTED_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    REPLACED_FIELD_NUMBER: _ClassVar[int]
    STATIONS_FIELD_NUMBER: _ClassVar[int]
    FIRST_OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    LAST_OBSERVE_TIME_FIELD_NUMBER: _ClassVar[int]
    imported: int
    created: int
    replaced: int
    stations: _containers.RepeatedScalarFieldContainer[str]
    first_observe_time: _timestamp_pb2.Timestamp
    last_observe_time: _timestamp_pb2.Timestamp
    def __init__(self, imported: _Optional[int] = ..., created: _Optional[int] = ..., replaced: _Optional[int] = ..., stations: _Optional[_Iterable[str]] = ..., first_observe_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_observe_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDailySummariesRequest(_message.Message):
    __slots__ = ("parent", "start_date", "end_date", "units")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    START_DATE_FIELD_NUMBER: _ClassVar[int]
    END_DATE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    parent: str
    start_date: Date
    end_date: Date
    units: Units
    def __init__(self, parent: _Optional[str] = ..., start_date: _Optional[_Union[Date, _Mapping]] = ..., end_date: _Optional[_Union[Date, _Mapping]] = ..., units: _Optional[_Union[Units, str]] = ...) -> None: ...

class ListDailySummariesResponse(_message.Message):
    __slots__ = ("daily_summaries",)
    DAILY_SUMMARIES_FIELD_NUMBER: _ClassVar[int]
    daily_summaries: _containers.RepeatedCompositeFieldContainer[DailySummary]
    def __init__(self, daily_summaries: _Optional[_Iterable[_Union[DailySummary, _Mapping]]] = ...) -> None: ...

class GetForecastRequest(_message.Message):
    __slots__ = ("name", "days", "units")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    name: str
    days: int
    units: Units
    def __init__(self, name: _Optional[str] = ..., days: _Optional[int] = ..., units: _Optional[_Union[Units, str]] = ...) -> None: ...

class ListAlertsRequest(_message.Message):
    __slots__ = ("parent", "start_time", "end_time", "page_size", "page_token")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    parent: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    page_size: int
    page_token: str
    def __init__(self, parent: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAlertsResponse(_message.Message):
    __slots__ = ("alerts", "next_page_token", "previous_page_token")
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    next_page_token: str
    previous_page_token: str
    def __init__(self, alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ..., next_page_token: _Optional[str] = ..., previous_page_token: _Optional[str] = ...) -> None: ...

class GetAlertRequest(_message.Message):
    __slots__ = ("name",)
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class WatchObservationsRequest(_message.Message):
    __slots__ = ("stations", "units", "after_sequence")
    STATIONS_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    stations: _containers.RepeatedScalarFieldContainer[str]
    units: Units
    after_sequence: int
    def __init__(self, stations: _Optional[_Iterable[str]] = ..., units: _Optional[_Union[Units, str]] = ..., after_sequence: _Optional[int] = ...) -> None: ...

class SubscribeObservationsRequest(_message.Message):
    __slots__ = ("subscribe", "unsubscribe", "units")
    SUBSCRIBE_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBE_FIELD_NUMBER: _ClassVar[int]
    UNITS_FIELD_NUMBER: _ClassVar[int]
    subscribe: StationList
    unsubscribe: StationList
    units: Units
    def __init__(self, subscribe: _Optional[_Union[StationList, _Mapping]] = ..., unsubscribe: _Optional[_Union[StationList, _Mapping]] = ..., units: _Optional[_Union[Units, str]] = ...) -> None: ...

class StationList(_message.Message):
    __slots__ = ("stations",)
    STATIONS_FIELD_NUMBER: _ClassVar[int]
    stations: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, stations: _Optional[_Iterable[str]] = ...) -> None: ...

class SubscribeObservationsResponse(_message.Message):
    __slots__ = ("observation", "subscription")
    OBSERVATION_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIPTION_FIELD_NUMBER: _ClassVar[int]
    observation: RecordedObservation
    subscription: StationList
    def __init__(self, observation: _Optional[_Union[RecordedObservation, _Mapping]] = ..., subscription: _Optional[_Union[StationList, _Mapping]] = ...) -> None: ...
