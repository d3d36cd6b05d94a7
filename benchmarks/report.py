"""Writing the results: latest.json (every figure) and latest.md (the table), and where they go.

Every benchmark command writes into a scratch folder, ``benchmarks/scratch`` (git-ignored),
unless ``--out DIR`` names another; ``--record`` writes ``benchmarks/results``, the figures
committed with the code, and is a deliberate choice: a plain run never touches them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"  # committed: written only with --record
SCRATCH = HERE / "scratch"  # git-ignored: where a plain run writes


def add_output_options(parser: argparse.ArgumentParser, files: str) -> None:
    """``--out DIR`` or ``--record`` (not both) for a command that writes ``files``."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", default=None, metavar="DIR",
                       help=f"directory for {files} (default: benchmarks/scratch, git-ignored)")
    where.add_argument("--record", action="store_true",
                       help=f"write benchmarks/results/{files}, the figures committed with the code")


def output_dir(args: argparse.Namespace) -> Path:
    """Where this run writes, checked (created if missing, writable) before anything is measured."""
    from sim.world.errors import UserError
    from sim.world.paths import check_output_dir

    if args.record:
        if getattr(args, "quick", False):
            raise UserError("--record writes the committed benchmarks/results: not with --quick, "
                            "whose figures are not meaningful (leave out --record, or --quick)")
        return check_output_dir(RESULTS, "--record")
    return check_output_dir(args.out if args.out is not None else SCRATCH, "--out")


def shown(path: Path) -> Path:
    """``path`` relative to the current folder when it is inside it (as a user would type it)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


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
