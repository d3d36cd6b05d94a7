"""Writing the results: latest.json (every figure) and latest.md (the table)."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path


def environment(quick: bool) -> dict:
    import mesa
    import numpy

    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "quick": quick,
        "python": platform.python_version(),
        "mesa": mesa.__version__,
        "numpy": numpy.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def _status(row: dict) -> str:
    if "goal" not in row:
        return ""
    if row["met"] is None:
        return "not measured"
    return "met" if row["met"] else "**not met**"


def markdown_table(rows: list[dict], env: dict) -> str:
    lines = [
        f"tradesim benchmarks, {env['date']} (Python {env['python']}, Mesa {env['mesa']}, "
        f"numpy {env['numpy']}, {env['cpus']} CPUs){'  [--quick: smoke run, figures not meaningful]' if env['quick'] else ''}",
        "",
        "| measurement | result | goal | status |",
        "|---|---|---|---|",
    ]
    for row in rows:
        goal = row.get("goal", "")
        lines.append(f"| {row['label']} | {row['summary']} | {goal} | {_status(row)} |")
    lines.append("")
    lines.append("Ratios compare the best of repeated runs timed in alternation in this one process; "
                 "absolute times vary with the load on the machine.")
    return "\n".join(lines) + "\n"


def write_results(out_dir: Path, rows: list[dict], env: dict, table: str) -> list[Path]:
    """Write latest.json and latest.md into ``out_dir``; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    figures, markdown = out_dir / "latest.json", out_dir / "latest.md"
    figures.write_text(json.dumps({"environment": env, "rows": rows}, indent=2) + "\n")
    markdown.write_text(table)
    return [figures, markdown]
