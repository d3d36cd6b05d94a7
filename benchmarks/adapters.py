"""Rows measured by code that other parts of the project own.

* Sweeps: ``benchmarks/sweep_bench.py`` (next to the sweep engine in
  ``experiments/sweep.py``) measures runs per second and peak memory.
* App: ``benchmarks.app_update.measure_update_time`` times one full server-side
  update of the page.

When either is missing (or fails), its rows say "not available" with the
reason, and the rest of the benchmark still runs.
"""

from __future__ import annotations

import importlib
import traceback

NOT_AVAILABLE = "not available"


def _missing(row_id: str, label: str, goal: str | None, reason: str) -> dict:
    row = {"id": row_id, "label": label, "figures": {}, "summary": f"{NOT_AVAILABLE} ({reason})"}
    if goal:
        row.update(goal=goal, value=None, met=None)
    return row


def _import(name: str):
    try:
        return importlib.import_module(name), None
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None, f"{name} not found"
        return None, f"{name} failed to import: {exc}"
    except Exception as exc:  # noqa: BLE001 - a broken neighbour must not stop the benchmark
        return None, f"{name} failed to import: {exc}"


# --------------------------------------------------------------------------- sweeps
SPEEDUP_LABEL = "Sweeps: deterrence, runs per second, 1 and 2 workers"
SPEEDUP_GOAL = "2 workers >= 1.8x faster than 1 worker"
MEMORY_LABEL = "Sweeps: peak RSS at 1,000 and 10,000 runs"
MEMORY_GOAL = "peak RSS at 10,000 runs <= 1.2x that at 1,000"


def sweep_rows(quick: bool) -> list[dict]:
    module, reason = _import("benchmarks.sweep_bench")
    if module is None:
        return [_missing("sweep_speedup", SPEEDUP_LABEL, SPEEDUP_GOAL, reason),
                _missing("sweep_memory", MEMORY_LABEL, MEMORY_GOAL, reason)]
    try:
        speed = _call_speedup(module, quick)
    except Exception as exc:  # noqa: BLE001
        speed = _failed("sweep_speedup", SPEEDUP_LABEL, SPEEDUP_GOAL, exc)
    try:
        memory = _call_memory(module, quick)
    except Exception as exc:  # noqa: BLE001
        memory = _failed("sweep_memory", MEMORY_LABEL, MEMORY_GOAL, exc)
    return [speed, memory]


def _failed(row_id: str, label: str, goal: str, exc: Exception) -> dict:
    detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return _missing(row_id, label, goal, f"measurement failed: {detail}")


def _call_speedup(module, quick: bool) -> dict:
    func = getattr(module, "bench_speed", None)
    if not callable(func):
        return _missing("sweep_speedup", SPEEDUP_LABEL, SPEEDUP_GOAL, "benchmarks.sweep_bench has no bench_speed")
    replications = 1 if quick else 4
    rows = {int(row["workers"]): row for row in func(replications=replications)}
    one, two = float(rows[1]["runs_per_s"]), float(rows[2]["runs_per_s"])
    speedup = two / one
    runs = rows[1]["runs"]
    return {
        "id": "sweep_speedup", "label": SPEEDUP_LABEL,
        "figures": {"runs": runs, "runs_per_second_1_worker": one, "runs_per_second_2_workers": two,
                    "speedup": speedup, "raw": list(rows.values())},
        "summary": (f"{runs} runs: 1 worker {one:.1f} runs/s, 2 workers {two:.1f} runs/s: {speedup:.2f}x "
                    "(wall time, pool start-up included)"),
        "goal": SPEEDUP_GOAL, "value": speedup, "met": speedup >= 1.8,
    }


def _call_memory(module, quick: bool) -> dict:
    func = getattr(module, "bench_memory", None)
    if not callable(func):
        return _missing("sweep_memory", MEMORY_LABEL, MEMORY_GOAL, "benchmarks.sweep_bench has no bench_memory")
    sizes = (100, 1000) if quick else (1000, 10000)
    rows = {int(row["runs"]): row for row in func(sizes=sizes)}
    small, large = float(rows[sizes[0]]["peak_rss_mb"]), float(rows[sizes[1]]["peak_rss_mb"])
    ratio = large / small
    return {
        "id": "sweep_memory", "label": MEMORY_LABEL if not quick else "Sweeps: peak RSS at 100 and 1,000 runs (quick)",
        "figures": {f"peak_rss_mb_{sizes[0]}": small, f"peak_rss_mb_{sizes[1]}": large, "ratio": ratio,
                    "raw": list(rows.values())},
        "summary": (f"peak RSS (process + workers) {small:.0f} MB at {sizes[0]:,} runs, "
                    f"{large:.0f} MB at {sizes[1]:,}: {ratio:.2f}x"),
        "goal": MEMORY_GOAL, "value": ratio, "met": ratio <= 1.2,
    }


# --------------------------------------------------------------------------- app
APP_LABEL = "App: server-side time of one full update (round + every component)"
APP_GOAL = "update at round 300 <= 1.5x that at round 10, and < 150 ms"


def app_row(quick: bool) -> dict:
    module, reason = _import("benchmarks.app_update")
    if module is None or not callable(getattr(module, "measure_update_time", None)):
        return _missing("app", APP_LABEL, APP_GOAL, reason or "benchmarks.app_update has no measure_update_time")
    early, late = (3, 6) if quick else (10, 300)
    try:
        times = module.measure_update_time(at_rounds=(early, late), repeats=1 if quick else 5)
    except Exception as exc:  # noqa: BLE001
        return _failed("app", APP_LABEL, APP_GOAL, exc)
    t_early, t_late = float(times[early]), float(times[late])
    ratio = t_late / t_early
    return {
        "id": "app", "label": APP_LABEL,
        "figures": {f"ms_round_{early}": 1000 * t_early, f"ms_round_{late}": 1000 * t_late, "ratio": ratio},
        "summary": (f"round {early}: {1000 * t_early:.0f} ms, round {late}: {1000 * t_late:.0f} ms "
                    f"({ratio:.2f}x)"),
        "goal": APP_GOAL if not quick else f"(quick: rounds {early} and {late}) " + APP_GOAL,
        "value": ratio,
        "met": ratio <= 1.5 and t_late < 0.150,
    }
