"""Rows measured by code that other parts of the project own.

* Sweeps: ``benchmarks/sweep_bench.py`` (next to the sweep engine in
  ``experiments/sweep.py``) measures runs per second and peak memory.
* App: ``sim.presentation.measure_update_time`` times one full server-side
  update of the page.

When either is missing (or fails), its rows say "not available" with the
reason, and the rest of the benchmark still runs.
"""

from __future__ import annotations

import importlib
import traceback
from typing import Any

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


def _find(module, *names):
    for name in names:
        func = getattr(module, name, None)
        if callable(func):
            return func
    return None


def _call_speedup(module, quick: bool) -> dict:
    func = _find(module, "measure_speedup", "measure_throughput", "runs_per_second")
    if func is None:
        return _missing("sweep_speedup", SPEEDUP_LABEL, SPEEDUP_GOAL,
                        "benchmarks.sweep_bench has no speed-up measurement")
    result = _call(func, quick)
    one, two = _pick(result, ("1", 1, "workers_1", "rps_1", "one_worker"), ("2", 2, "workers_2", "rps_2", "two_workers"))
    speedup = two / one
    return {
        "id": "sweep_speedup", "label": SPEEDUP_LABEL,
        "figures": {"runs_per_second_1_worker": one, "runs_per_second_2_workers": two, "speedup": speedup,
                    "raw": _jsonable(result)},
        "summary": f"1 worker {one:.1f} runs/s, 2 workers {two:.1f} runs/s: {speedup:.2f}x",
        "goal": SPEEDUP_GOAL, "value": speedup, "met": speedup >= 1.8,
    }


def _call_memory(module, quick: bool) -> dict:
    func = _find(module, "measure_memory", "measure_peak_rss", "peak_rss")
    if func is None:
        return _missing("sweep_memory", MEMORY_LABEL, MEMORY_GOAL, "benchmarks.sweep_bench has no memory measurement")
    result = _call(func, quick)
    small, large = _pick(result, ("1000", 1000, "runs_1000", "rss_1000"), ("10000", 10000, "runs_10000", "rss_10000"))
    ratio = large / small
    return {
        "id": "sweep_memory", "label": MEMORY_LABEL,
        "figures": {"peak_rss_1000": small, "peak_rss_10000": large, "ratio": ratio, "raw": _jsonable(result)},
        "summary": f"peak RSS {_mb(small)} at 1,000 runs, {_mb(large)} at 10,000: {ratio:.2f}x",
        "goal": MEMORY_GOAL, "value": ratio, "met": ratio <= 1.2,
    }


def _call(func, quick: bool):
    import inspect

    if "quick" in inspect.signature(func).parameters:
        return func(quick=quick)
    return func()


def _pick(result: Any, first_keys: tuple, second_keys: tuple) -> tuple[float, float]:
    if isinstance(result, dict):
        def get(keys):
            for key in keys:
                if key in result:
                    return float(result[key])
            raise KeyError(f"none of {keys} in {sorted(map(str, result))}")

        return get(first_keys), get(second_keys)
    first, second = result
    return float(first), float(second)


def _mb(value: float) -> str:
    return f"{value / 2**20:.0f} MiB" if value > 2**20 else f"{value:.0f} MiB"


def _jsonable(value: Any) -> Any:
    import json

    try:
        json.dumps(value)
        return value
    except TypeError:
        return repr(value)


# --------------------------------------------------------------------------- app
APP_LABEL = "App: server-side time of one full update (round + every component)"
APP_GOAL = "update at round 300 <= 1.5x that at round 10, and < 150 ms"


def app_row(quick: bool) -> dict:
    module, reason = _import("sim.presentation")
    if module is None or not callable(getattr(module, "measure_update_time", None)):
        return _missing("app", APP_LABEL, APP_GOAL, reason or "sim.presentation has no measure_update_time")
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
