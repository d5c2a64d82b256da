"""The one table every benchmark feeds: rows of (name, figure, unit, notes) and the machine they ran on.

Each benchmark module's `run()` prints its own detailed table and returns its headline figures
as `Row`s; `python -m benchmarks` prints them together (or as JSON with `--json`).
"""

from __future__ import annotations

import json
import os
import platform
import re
from pathlib import Path
from typing import Any, NamedTuple, TextIO


class Row(NamedTuple):
    """One headline figure."""

    name: str
    figure: str
    unit: str
    notes: str = ""


def as_rows(result: Any, source: str) -> list[Row]:
    """Rows from whatever a benchmark's run() returned: Rows, 4- or 2-tuples, or nothing."""
    if not result:
        return [Row(source, "—", "", "printed its own table above; returned no rows")]
    out = []
    for item in result:
        if isinstance(item, Row):
            out.append(item)
        elif isinstance(item, tuple | list) and len(item) >= 4:
            out.append(Row(*(str(x) for x in item[:4])))
        elif isinstance(item, tuple | list) and len(item) == 2:
            figure, unit, notes = split_rate(str(item[1]))
            out.append(Row(f"{source}: {item[0]}", figure, unit, notes))
        else:
            out.append(Row(source, "", "", str(item)))
    return out


def split_rate(text: str) -> tuple[str, str, str]:
    """'1,234 pages/s, 56 URLs/s' → ('1,234', 'pages/s', '56 URLs/s'); a text without a
    leading figure goes to notes."""
    m = re.match(r"\s*([\d.,]+)\s*([^\d,;(]*?)\s*(?:[,;]\s*(.*))?$", text)
    if not m:
        return "", "", text
    return m.group(1), m.group(2).strip(), (m.group(3) or "").strip()


def machine(postgres_version: str | None = None) -> dict[str, str]:
    """CPU model, cores, memory, OS, Python and PostgreSQL of this machine."""
    cpu, mem = "unknown", "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GB"
                break
    except OSError:
        pass
    os_name = platform.platform(terse=True)
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))}, kernel {platform.release()}"
    except OSError:
        pass
    return {"cpu": f"{cpu} ({platform.machine()})", "cores": str(os.cpu_count()), "memory": mem,
            "os": os_name, "python": platform.python_version(),
            "postgresql": postgres_version or "not used"}


def print_table(rows: list[Row], host: dict[str, str], out: TextIO) -> None:
    """The one table, under the machine it ran on."""
    print("govinspect benchmarks on " + "; ".join(f"{k} {v}" for k, v in host.items()), file=out)
    head = Row("benchmark", "figure", "unit", "notes")
    widths = [min(70, max(len(getattr(r, f)) for r in [head, *rows])) for f in ("name", "figure", "unit")]
    for r in [head, *rows]:
        print(f"  {r.name:<{widths[0]}}  {r.figure:>{widths[1]}}  {r.unit:<{widths[2]}}  {r.notes}", file=out)


def dump_json(rows: list[Row], host: dict[str, str], out: TextIO) -> None:
    """The same table as one JSON document."""
    json.dump({"machine": host, "rows": [r._asdict() for r in rows]}, out, ensure_ascii=False, indent=2)
    out.write("\n")
