"""The text of ``fourcast probe``: the matrix, then the evidence of every cell, in 100 columns."""

from __future__ import annotations

import textwrap

from services.evidence.probe import ProbeReport
from services.evidence.probe_session import Cell

WIDTH = 100
MARK = {True: "yes", False: "NO", None: "n/a"}
UNMEASURED = ("not measured", "not probed")  # a cell judged on part of its evidence only


def _mark(cell: Cell) -> str:
    """A cell's mark; a pass judged without its writes (no key, or a refused one) is 'yes*'."""
    partial = cell.passed is True and any(words in cell.summary for words in UNMEASURED)
    return MARK[cell.passed] + ("*" if partial else "")


def _clip(text: str) -> str:
    return text if len(text) <= WIDTH else text[:WIDTH - 1] + "…"


def render(report: ProbeReport) -> str:
    servers = report.servers
    if not servers:
        return "no server to probe"
    column = max(9, (WIDTH - 34) // len(servers))
    header = f"{'constraint':<33}" + "".join(f"{s.title:<{column}}" for s in servers)
    lines = ["fourcast probe: the REST constraints, measured on the wire", "", header,
             "-" * len(header)]
    for i, cell in enumerate(servers[0].cells):
        row = f"{cell.constraint:<33}" + "".join(
            f"{_mark(s.cells[i]):<{column}}" for s in servers)
        lines.append(row)
    lines.append("-" * len(header))
    lines.append(f"{'Richardson maturity level':<33}"
                 + "".join(f"{s.level:<{column}}" for s in servers))
    lines.append(f"{'REST (every constraint holds)':<33}"
                 + "".join(f"{MARK[s.rest]:<{column}}" for s in servers))
    lines += ["", f"verdict: {report.verdict}"]
    if any(_mark(cell).endswith("*") for server in servers for cell in server.cells):
        lines.append("* judged on reads only: PUT/DELETE were not measured (see the evidence)")
    keys = {s.title: str(s.facts.get("write_key", "none")) for s in servers}
    refused = [title for title, state in keys.items() if state.startswith("refused")]
    if refused:
        lines += textwrap.wrap(f"the API key was refused by {', '.join(refused)}: PUT/DELETE "
                               "idempotency is not measured there (pass a write key: the one "
                               "`fourcast serve` printed, or one of FOURCAST_API_KEYS)", WIDTH)
    for server in servers:
        lines += ["", "=" * WIDTH, f"{server.title} at {server.address}: evidence", "=" * WIDTH]
        for cell in server.cells:
            lines.append(f"[{_mark(cell)}] {cell.constraint}: {cell.summary}")
            for line in cell.evidence:
                lines += textwrap.wrap(line, WIDTH, initial_indent="      ",
                                       subsequent_indent="        ", break_on_hyphens=False)
    return "\n".join(_clip(line) for line in lines)
