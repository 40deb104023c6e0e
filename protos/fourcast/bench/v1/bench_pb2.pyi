from fourcast.weather.v1 import weather_pb2 as _weather_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class GetProcessUsageRequest(_message.Message):
    __slots__ = ("reset_peak",)
    RESET_PEAK_FIELD_NUMBER: _ClassVar[int]
    reset_peak: bool
    def __init__(self, reset_peak: _Optional[bool] = ...) -> None: ...

class ProcessUsage(_message.Message):
    __slots__ = ("pid", "cpu_seconds", "rss_bytes", "peak_rss_bytes")
    PID_FIELD_NUMBER: _ClassVar[int]
    CPU_SECONDS_FIELD_NUMBER: _ClassVar[int]
    RSS_BYTES_FIELD_NUMBER: _ClassVar[int]
    PEAK_RSS_BYTES_FIELD_NUMBER: _ClassVar[int]
    pid: int
    cpu_seconds: float
    rss_bytes: int
    peak_rss_bytes: int
    def __init__(self, pid: _Optional[int] = ..., cpu_seconds: _Optional[float] = ..., rss_bytes: _Optional[int] = ..., peak_rss_bytes: _Optional[int] = ...) -> None: ...
