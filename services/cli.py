"""The ``fourcast`` command: a thin layer over the library.

    fourcast --version
    fourcast seed [--db PATH]
    fourcast serve [rest] [graphql] [grpc] [soap] [--host H] [--rest-port N] ... [--db PATH]
    fourcast compare OPERATION [ARGS] [--show-wire] [--json] [--start-servers] [server flags]
    fourcast probe [--json] [--start-servers] [--api-key KEY] [server flags]
    fourcast bench [OPERATION ...] [--seconds N] [--rounds N] [--connections N] [--json]
                   [--plot FILE] [--start-servers] [--api-key KEY] [server flags]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import NoReturn

from services.config import (
    DEFAULT_PORTS,
    Settings,
    environment_problem,
    host_problem,
    port_env,
    port_flag,
)
from services.core.auth import API_KEYS_ENV, KeyChecker, generate_key
from services.progress import progress, wanted
from services.protocols import SERVERS


def _version() -> str:
    try:
        return version("fourcast")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"not a TCP port (1-65535): {text!r}")
    return port


def add_server_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that find (or place) the servers: shared by serve, compare and probe."""
    parser.add_argument("--host", help="address to bind or reach (env FOURCAST_HOST; "
                                       "default 127.0.0.1)")
    for protocol, port in DEFAULT_PORTS.items():
        parser.add_argument(port_flag(protocol), type=_port, metavar="N",
                            help=f"{SERVERS[protocol].title} port "
                                 f"(env {port_env(protocol)}; default {port})")


class UsageError(Exception):
    """A user mistake outside the command line's flags: one line, exit status 2."""


def settings_from(args: argparse.Namespace) -> Settings:
    for protocol in DEFAULT_PORTS:
        variable = port_env(protocol)
        if os.environ.get(variable):
            try:
                _port(os.environ[variable])
            except argparse.ArgumentTypeError as error:
                raise UsageError(f"{variable}: {error}") from None
    problem = environment_problem()
    if problem:
        raise UsageError(problem)
    settings = Settings.from_env().with_overrides(
        host=args.host, db_path=getattr(args, "db", None),
        **{p: getattr(args, _port_dest(p)) for p in DEFAULT_PORTS})
    problem = host_problem(settings.host)
    if problem:
        raise UsageError(f"{problem}; change --host or FOURCAST_HOST")
    return settings


def _port_dest(protocol: str) -> str:
    return f"{protocol.replace('-', '_')}_port"


def _db_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH|URL",
                        help="SQLite database file, or a postgresql://USER@HOST:PORT/DB URL "
                             "(env FOURCAST_DB; default $XDG_DATA_HOME/fourcast/fourcast.sqlite3)")


def cmd_seed(args: argparse.Namespace) -> int:
    from services.store import SeedWouldOverwrite, StoreUnavailable, connect, reseed

    settings = settings_from(args)
    started = time.perf_counter()
    try:
        with progress(f"seeding {settings.db_display} (a few seconds)", wanted()), \
                connect(settings.db) as repository:
            reseed(repository, replace_all=True, force=getattr(args, "force", False))
            stations, observations = repository.counts()
    except (StoreUnavailable, SeedWouldOverwrite) as error:
        print(f"fourcast seed: {error}", file=sys.stderr)
        return 1
    print(f"seeded {settings.db_display}: {stations} stations, {observations} observations "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from services.store import StoreUnavailable, open_store
    from services.supervisor import Supervisor

    settings = settings_from(args)
    unknown = [p for p in args.protocols if p not in SERVERS]
    if unknown:
        print(f"unknown server(s): {', '.join(unknown)}; choose from {', '.join(SERVERS)}",
              file=sys.stderr)
        return 2
    supervisor = Supervisor(settings, args.protocols)
    problem = supervisor.address_problem()  # before seeding, or printing anything
    if problem:
        print(f"fourcast serve: {problem}", file=sys.stderr)
        return 1
    try:
        with progress(f"opening {settings.db_display} (seeded on first start: a few seconds)",
                      wanted()):
            open_store(settings.db).close()
    except StoreUnavailable as error:
        print(f"fourcast serve: {error}", file=sys.stderr)
        return 1
    if not KeyChecker.from_env().write_keys:  # unset, or only commas and spaces
        key = generate_key()
        os.environ[API_KEYS_ENV] = key
        print(f"{API_KEYS_ENV} is not set: writes accept this generated development key "
              f"(this run only):\n  {key}\n")
    return supervisor.run(show_progress=wanted())


def _evidence_flags(parser: argparse.ArgumentParser) -> None:
    add_server_flags(parser)
    parser.add_argument("--start-servers", action="store_true",
                        help="start the servers here (free ports, a temporary seeded database) "
                             "instead of reaching running ones")
    parser.add_argument("--json", action="store_true", help="print JSON for scripts")


def cmd_compare(args: argparse.Namespace) -> int:
    from services.evidence.cli import run_compare

    return run_compare(args, settings_from(args))


def cmd_probe(args: argparse.Namespace) -> int:
    from services.evidence.cli import run_probe

    return run_probe(args, settings_from(args))


def cmd_bench(args: argparse.Namespace) -> int:
    from services.bench.cli import run_bench

    return run_bench(args, settings_from(args))


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a whole number of at least 1: {text!r}")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake on the command line is one line naming the command it was made
    in, not a usage block (``--help`` still shows the usage)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _remember_prog(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults(command_prog=parser.prog)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fourcast",
        description="One weather backend served as REST, GraphQL, gRPC and SOAP.")
    parser.add_argument("--version", action="version", version=f"fourcast {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    seed = commands.add_parser("seed", help="(re)build the database from the packaged seed")
    _db_flag(seed)
    seed.add_argument("--force", action="store_true",
                      help="replace the database even if it holds writes made after seeding")
    seed.set_defaults(handler=cmd_seed, host=None,
                      **{_port_dest(p): None for p in DEFAULT_PORTS})
    _remember_prog(seed)

    serve = commands.add_parser(
        "serve", help="run the servers: the four APIs, the gRPC-Web proxy and the web app "
                      "(all when none is named)")
    serve.add_argument("protocols", nargs="*", metavar="SERVER",
                       help=f"any of: {', '.join(SERVERS)}")
    add_server_flags(serve)
    _db_flag(serve)
    serve.set_defaults(handler=cmd_serve)
    _remember_prog(serve)

    from services.evidence.operations import OPERATIONS

    compare = commands.add_parser(
        "compare", help="run one operation through the four clients; results and wire facts")
    operations = compare.add_subparsers(dest="operation", required=True, metavar="OPERATION")
    for operation in OPERATIONS.values():
        sub = operations.add_parser(operation.name, help=operation.help)
        operation.arguments(sub)
        _evidence_flags(sub)
        sub.add_argument("--show-wire", action="store_true",
                         help="print the raw exchanges (HTTP messages, GraphQL documents, "
                              "decoded protobuf messages and frames, SOAP envelopes)")
        _remember_prog(sub)
    compare.set_defaults(handler=cmd_compare)

    probe = commands.add_parser("probe", help="measure the REST constraints of each server")
    _evidence_flags(probe)
    probe.add_argument("--api-key", metavar="KEY",
                       help="a write key, to test PUT/DELETE idempotency (default: the first of "
                            f"${API_KEYS_ENV})")
    probe.set_defaults(handler=cmd_probe)
    _remember_prog(probe)

    bench = commands.add_parser(
        "bench", help="what each protocol costs: throughput, latency, bytes, CPU (h2load)")
    bench.add_argument("operations", nargs="*", metavar="OPERATION",
                       help="any of: latest, page, year, write, push (default: all)")
    bench.add_argument("--seconds", type=_positive, default=5, metavar="N",
                       help="measured seconds per run, after a warm-up second (default 5)")
    bench.add_argument("--rounds", type=_positive, default=3, metavar="N",
                       help="interleaved rounds; figures are their medians (default 3)")
    bench.add_argument("--connections", type=_positive, default=16, metavar="N",
                       help="h2load's concurrent connections (default 16)")
    bench.add_argument("--plot", metavar="FILE",
                       help="draw throughput and latency to FILE (needs fourcast[bench])")
    _evidence_flags(bench)
    bench.add_argument("--api-key", metavar="KEY",
                       help=f"a write key for `write` and `push` (default: the first of "
                            f"${API_KEYS_ENV})")
    bench.set_defaults(handler=cmd_bench)
    _remember_prog(bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the command they were given to, not by the top-level parser
        prog = getattr(args, "command_prog", parser.prog)
        print(f"{prog}: unrecognized arguments: {' '.join(unknown)} (see {prog} --help)",
              file=sys.stderr)
        return 2
    try:
        return int(args.handler(args))
    except UsageError as error:
        print(f"fourcast {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # a store write in progress (first-start seeding, `seed`) is one transaction, rolled
        # back on the way out: nothing is left half-written
        print(f"\nfourcast {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`fourcast compare ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error
        return 0


if __name__ == "__main__":
    sys.exit(main())
