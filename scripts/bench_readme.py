"""Rewrite the README's benchmark section from one ``fourcast bench`` run (never typed).

    python scripts/bench_readme.py                  # runs fourcast bench --start-servers
    python scripts/bench_readme.py --from run.json  # or uses a saved `fourcast bench --json`

The section between ``<!-- bench:start -->`` and ``<!-- bench:end -->`` gets the machine, one
table and the chart (``docs/bench.png``, drawn by the same run; with ``--from`` it is redrawn
from the saved figures). The figures vary from run to run and machine to machine, so no test
compares this section.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CHART = Path("docs/bench.png")
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def _cell(value: Any, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _row(row: dict[str, Any]) -> str:
    if "requests_per_second" not in row:
        why = str(row.get("skipped") or row.get("error") or "not measured").replace("|", "\\|")
        return f"| {row['operation']} | {row['protocol']} | {why} | | | | | |"
    low, high = row["requests_per_second_range"]
    latency, sizes = row["latency_ms"], row.get("bytes_per_call") or {}
    efficiency = row.get("efficiency")
    digits = 0 if row["requests_per_second"] >= 100 else 2
    return (f"| {row['operation']} | {row['protocol']} | "
            f"{_cell(row['requests_per_second'], digits)} ({_cell(low, digits)}–"
            f"{_cell(high, digits)}) | {latency['p50']:.1f} / {latency['p90']:.1f} / "
            f"{latency['p99']:.1f} | {_cell(sizes.get('sent'))} / "
            f"{_cell(sizes.get('received'))} | {_cell(row.get('cpu_ms_per_1000_calls'))} | "
            f"{_ratio(efficiency)} | {_ratio(row.get('cpu_efficiency'))} |")


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _targets(results: list[dict[str, Any]]) -> list[str]:
    """The issue's other two targets, in words: memory while a year is served, and push."""
    growth = [f"{r['protocol']} {r['rss_growth_mb']:.1f} MB" for r in results
              if r["operation"] == "year" and r.get("rss_growth_mb") is not None]
    push = [f"{r['protocol']} {r['latency_ms']['p50']:.0f} ms"
            + (f" ({r['other_watchers']:,} other watchers open)"
               if r.get("other_watchers") else " (polling)" if r["protocol"] == "soap" else "")
            for r in results if r["operation"] == "push" and "latency_ms" in r]
    lines = []
    if growth:
        lines.append("Server memory growth while a year is served (target: under 20 MB): "
                     + ", ".join(growth) + ".")
    if push:
        lines.append("Push, from a write's acknowledgement to a live watcher, p50 (target: "
                     "under 50 ms): " + ", ".join(push) + ".")
    return [*(line + "\n" for line in lines[:-1]), *lines[-1:], ""] if lines else []


def section(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        START,
        f"Measured by `fourcast bench` on {m['cpus']} CPUs ({m['platform']}), Python "
        f"{m['python']}, {m['load_generator']}, {m['connections']} connections, "
        f"{m['rounds']} interleaved rounds of {m['seconds']} s, started {m['started']}; "
        "servers and load generator on the same machine, over loopback.",
        "",
        "| operation | protocol | req/s (min–max) | latency p50 / p90 / p99 ms "
        "| bytes sent / received per call | server CPU ms per 1,000 calls | efficiency "
        "| CPU efficiency |",
        "|---|---|---|---|---|---|---|---|",
        *(_row(row) for row in report["results"]),
        "",
        *_targets(report["results"]),
        "**Efficiency** is the real call's rate divided by its framework's own hello-world "
        "(Flask, Strawberry, grpc.aio, Spyne answering the same 10-field record to the same "
        "request bytes, in the same server process) measured in the same rounds: 1.0 means "
        "Fourcast costs nothing over the framework. **CPU efficiency** asks the same of the "
        "server's own CPU per call (the hello-world's ÷ the real call's), which other load on "
        "the machine moves much less than a rate. `rest` renders every answer "
        "(`Cache-Control: no-cache`); `rest+origin-cache` and `rest+http-cache` (nginx "
        "`proxy_cache`) show what being cacheable buys. For `year` one call is a whole year. "
        "How each figure is taken: [`docs/bench.md`](docs/bench.md).",
        "",
        f"![fourcast bench: throughput and latency per protocol]({CHART.as_posix()})",
        END,
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="saved", type=Path,
                        help="a saved `fourcast bench --json` (default: run it now)")
    args = parser.parse_args()
    if args.saved is not None:
        report = json.loads(args.saved.read_text())
        from services.bench.plot import draw

        draw(report, ROOT / CHART)
    else:
        run = subprocess.run([sys.executable, "-m", "services.cli", "bench", "--start-servers",
                              "--json", "--plot", str(CHART)], cwd=ROOT, capture_output=True,
                             text=True)
        if run.returncode not in (0, 1):  # 1: some row not measured, said in its row
            print(run.stderr, file=sys.stderr)
            return run.returncode
        report = json.loads(run.stdout)
    text = README.read_text()
    if START not in text or END not in text:
        print(f"README.md has no {START} ... {END} section", file=sys.stderr)
        return 1
    head, rest = text.split(START, 1)
    README.write_text(head + section(report) + rest.split(END, 1)[1])
    print(f"README.md: benchmark section rewritten ({len(report['results'])} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
