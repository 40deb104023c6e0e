"""The generated code: up to date with the .proto, one importable package, lint-excluded."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import fourcast.weather.v1 as generated_package

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_protos.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_protos", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerating_the_committed_code_changes_nothing() -> None:
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_check_names_a_generated_file_that_no_longer_matches(tmp_path: Path) -> None:
    copy = tmp_path / "protos"
    shutil.copytree(ROOT / "protos", copy)
    stale = copy / "fourcast" / "weather" / "v1" / "weather_pb2.pyi"
    stale.write_text(stale.read_text() + "\n# hand edit\n")
    (copy / "fourcast" / "weather" / "v1" / "weather_pb2_grpc.py").unlink()
    assert _script().differences(copy) == ["fourcast/weather/v1/weather_pb2.pyi",
                                           "fourcast/weather/v1/weather_pb2_grpc.py"]


def test_the_generated_package_is_imported_by_its_proto_package_name() -> None:
    from fourcast.weather.v1 import weather_pb2, weather_pb2_grpc

    assert Path(generated_package.__file__).parent == ROOT / "protos/fourcast/weather/v1"
    assert weather_pb2.DESCRIPTOR.package == "fourcast.weather.v1"
    assert callable(weather_pb2_grpc.WeatherServiceStub)
    stubs = Path(weather_pb2.__file__).with_suffix(".pyi")
    assert stubs.exists() and "class Observation" in stubs.read_text()


def test_generated_files_are_excluded_from_lint() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--show-files", "protos"],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    linted = result.stdout.split()
    assert any(name.endswith("v1/__init__.py") for name in linted), result.stdout
    assert not [name for name in linted if "_pb2" in name]


def test_the_check_names_a_descriptor_set_that_no_longer_matches(tmp_path: Path) -> None:
    stale = tmp_path / "fourcast.binpb"
    stale.write_bytes(_script().DESCRIPTOR_SET.read_bytes()[:-1])
    assert _script().differences(descriptor_set=stale) == [str(stale)]


def test_the_descriptor_set_is_the_same_bytes_every_time(tmp_path: Path) -> None:
    script = _script()
    script.generate_descriptor_set(tmp_path / "one.binpb")
    script.generate_descriptor_set(tmp_path / "two.binpb")
    assert (tmp_path / "one.binpb").read_bytes() == (tmp_path / "two.binpb").read_bytes() \
        == script.DESCRIPTOR_SET.read_bytes()


def test_the_browsers_descriptor_set_holds_the_service_its_imports_and_rich_errors() -> None:
    from google.protobuf import descriptor_pb2, descriptor_pool

    files = descriptor_pb2.FileDescriptorSet.FromString(_script().DESCRIPTOR_SET.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:  # imports first: each file's dependencies are already added
        pool.Add(file)
    service = pool.FindServiceByName("fourcast.weather.v1.WeatherService")
    assert {"GetStation", "WatchObservations", "PutObservation"} <= {
        m.name for m in service.methods}
    for name in ("google.rpc.Status", "google.rpc.ResourceInfo", "google.rpc.BadRequest",
                 "google.rpc.ErrorInfo", "google.protobuf.Timestamp"):
        assert pool.FindMessageTypeByName(name).full_name == name
    assert not any(file.HasField("source_code_info") for file in files.file)
