"""``fourcast bench --plot FILE``: throughput and latency per protocol, drawn with matplotlib.

Left: requests per second for each operation measured with h2load, one bar per protocol row
(min-max of the rounds as an error bar), each framework's ceiling marked on its ``latest`` bar.
Right: latency p50 / p90 / p99 of ``latest`` per protocol row. matplotlib is an optional extra
(``pip install 'fourcast[bench]'``), checked before anything is measured; the Agg backend draws
without a display.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

INSTALL = "--plot needs matplotlib: pip install 'fourcast[bench]'"
RATE_OPERATIONS = ("latest", "page", "write")


def matplotlib_missing() -> str | None:
    return None if importlib.util.find_spec("matplotlib") is not None else INSTALL


def _measured(results: list[dict[str, Any]], operation: str) -> list[dict[str, Any]]:
    return [r for r in results if r["operation"] == operation and "requests_per_second" in r]


def draw(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = report["results"]
    operations = [op for op in RATE_OPERATIONS if _measured(results, op)]
    figure, (rates, latency) = plt.subplots(1, 2, figsize=(13, 5.5),
                                            gridspec_kw={"width_ratios": [3, 2]})
    rows = list(dict.fromkeys(r["protocol"] for op in operations for r in _measured(results, op)))
    width = 0.8 / max(1, len(rows))
    colours = plt.get_cmap("tab10")
    for i, row in enumerate(rows):
        xs, heights, low, high = [], [], [], []
        for x, operation in enumerate(operations):
            found = next((r for r in _measured(results, operation) if r["protocol"] == row), None)
            if found is None:
                continue
            rate = found["requests_per_second"]
            lo, hi = found["requests_per_second_range"]
            xs.append(x + (i - (len(rows) - 1) / 2) * width)
            heights.append(rate)
            low.append(rate - lo)
            high.append(hi - rate)
            ceiling = found.get("ceiling_requests_per_second")
            if ceiling:
                rates.hlines(ceiling, xs[-1] - width / 2, xs[-1] + width / 2, colors="black",
                             linewidth=2, label="framework ceiling" if i == 0 else None)
        rates.bar(xs, heights, width, yerr=[low, high], capsize=3, label=row, color=colours(i))
    rates.set_xticks(range(len(operations)), operations)
    rates.set_yscale("log")
    rates.set_ylabel("requests per second (log scale; min-max of the rounds)")
    rates.set_title("Throughput (black line: the framework's hello-world, same process)")
    handles, labels = rates.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=False))
    rates.legend(unique.values(), unique.keys(), fontsize=8)

    latest = _measured(results, "latest")
    for j, (name, shade) in enumerate((("p50", 1.0), ("p90", 0.65), ("p99", 0.35))):
        latency.bar([k + (j - 1) * 0.27 for k in range(len(latest))],
                    [r["latency_ms"][name] for r in latest], 0.27, label=name,
                    color="tab:blue", alpha=shade)
    latency.set_xticks(range(len(latest)), [r["protocol"] for r in latest], rotation=30,
                       ha="right")
    latency.set_ylabel("milliseconds")
    latency.set_title("Latency of latest (the median round)")
    latency.legend(fontsize=8)
    machine = report.get("machine", {})
    figure.suptitle(f"fourcast bench: {machine.get('cpus')} CPUs, Python "
                    f"{machine.get('python')}, {machine.get('load_generator')}, "
                    f"{machine.get('connections')} connections", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
