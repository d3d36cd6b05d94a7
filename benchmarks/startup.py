"""Start-up: how long a user waits for `tradesim --help` and for a short run.

Each command is run as a fresh process (the installed ``tradesim`` console script),
in alternation with ``python -c pass`` (the interpreter's own start-up, the floor),
and the median wall time is reported: what a person at the terminal waits.  The
heaviest imports of a run come from ``python -X importtime``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HELP_GOAL_S = 0.5
RUN_GOAL_S = 2.5
RUN_ARGS = ("run", "section232_2018", "--rounds", "24")


def tradesim_command() -> list[str]:
    script = Path(sys.executable).parent / "tradesim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli"]


def wall_time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def heaviest_imports(args: tuple[str, ...] = RUN_ARGS, top: int = 6) -> list[tuple[str, float]]:
    """Top-level packages by cumulative import time (seconds) when running ``tradesim ARGS``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "cli", *args],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        if not cumulative.isdigit():
            continue  # the header line
        module = name.strip()
        if "." in module:
            continue  # a package's cumulative time already counts its submodules
        totals[module] = max(totals.get(module, 0.0), int(cumulative) / 1e6)
    return sorted(totals.items(), key=lambda item: -item[1])[:top]


def measure_startup(repeats: int = 5) -> dict:
    tradesim = tradesim_command()
    jobs = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "tradesim --help": [*tradesim, "--help"],
        "tradesim " + " ".join(RUN_ARGS): [*tradesim, *RUN_ARGS],
    }
    for command in jobs.values():  # warm the file cache
        wall_time(command)
    samples: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeats):
        for name, command in jobs.items():
            samples[name].append(wall_time(command))
    median = {name: statistics.median(values) for name, values in samples.items()}
    help_s, run_s = median["tradesim --help"], median["tradesim " + " ".join(RUN_ARGS)]
    imports = heaviest_imports()
    heavy = ", ".join(f"{name} {1000 * seconds:.0f} ms" for name, seconds in imports)
    return {
        "id": "startup",
        "label": "Start-up: wall time of a fresh `tradesim` process",
        "figures": {"python_pass_s": median["python -c pass"], "help_s": help_s, "run_24_rounds_s": run_s,
                    "repeats": repeats, "heaviest_imports_s": dict(imports)},
        "summary": (f"`python -c pass` {median['python -c pass']:.2f} s, `tradesim --help` {help_s:.2f} s, "
                    f"`tradesim {' '.join(RUN_ARGS)}` {run_s:.2f} s (median of {repeats}); "
                    f"heaviest imports of the run: {heavy}"),
        "goal": f"--help <= {HELP_GOAL_S} s and the run <= {RUN_GOAL_S} s",
        "value": max(help_s / HELP_GOAL_S, run_s / RUN_GOAL_S),
        "met": help_s <= HELP_GOAL_S and run_s <= RUN_GOAL_S,
    }
