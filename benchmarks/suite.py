"""The measurements behind ``python -m benchmarks`` / ``tradesim bench``.

The machine is shared and noisy, so every goal is a *ratio* measured inside one
run: the things compared are timed in alternation (round robin), and the best
of the repeats is taken (the single run reports the median: what a user
waits).  Absolute times are reported for orientation only.

Each ``measure_*`` function returns one row: a dict with ``id``, ``label``,
``figures`` (name -> number), a ``summary`` string for the table, and for rows
with a goal ``goal`` (text), ``value`` (the measured figure the goal is about)
and ``met`` (bool, or None when not measured).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

NOT_AVAILABLE = "not available"


# --------------------------------------------------------------------------- timing helpers
def _timed(func: Callable[[], Any]) -> float:
    """Seconds for one call, with the garbage collector off while it runs."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        func()
        return time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()


def alternate(jobs: dict[str, Callable[[], float]], repeats: int, stat: str = "min") -> dict[str, float]:
    """Best (``stat="min"``) or median of ``repeats`` results per job, calling the jobs in turn.

    Each job returns the number it measured (seconds, or seconds per round), so
    that set-up can stay outside the timed part.  On a shared machine the load
    of others only ever adds time, so the best of many alternating repeats is
    the steadiest estimate of what the code itself costs; ratios use it.
    """
    samples: dict[str, list[float]] = {name: [] for name in jobs}
    for _ in range(repeats):
        for name, job in jobs.items():
            samples[name].append(job())
    reduce = min if stat == "min" else statistics.median
    return {name: reduce(values) for name, values in samples.items()}


def _classroom(n: int, seed: int = 1):
    from sim import NegotiationModel

    return NegotiationModel(scenario_name="classroom", rng=seed, n_countries=n, strategy="expected_utility")


def model_round_time(n: int, rounds: int, seed: int = 1) -> float:
    """Seconds per round of the classroom model with ``n`` countries (construction not timed)."""
    model = _classroom(n, seed)
    return _timed(lambda: model.run(rounds)) / rounds


def reference_round_time(n: int, rounds: int, seed: int = 1) -> float:
    """Seconds per round of the plain-numpy reference (parameters loaded outside the timing)."""
    from benchmarks.reference import run_reference
    from sim.world.loader import load_scenario

    params = load_scenario("classroom", {"n_countries": n, "strategy": "expected_utility"}).params
    return _timed(lambda: run_reference(params, rounds, seed)) / rounds


def boltzmann_step_time(n: int, steps: int, seed: int = 1) -> float:
    """Seconds per step of Mesa's own BoltzmannWealth example with ``n`` agents.

    The grid keeps the example's density (100 agents on 10 x 10: one agent per cell).
    """
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannScenario, BoltzmannWealth

    side = max(1, round(n ** 0.5))
    model = BoltzmannWealth(BoltzmannScenario(rng=seed, n=n, width=side, height=side))

    def run():
        for _ in range(steps):
            model.step()

    return _timed(run) / steps


# --------------------------------------------------------------------------- rows
def measure_single_run(repeats: int) -> dict:
    """``section232_2018``, 24 rounds, construction included: what `tradesim run` costs."""
    from sim import NegotiationModel

    def once() -> float:
        return _timed(lambda: NegotiationModel(scenario_name="section232_2018", rng=1).run(24))

    once()  # warm up imports and caches
    seconds = alternate({"run": once}, repeats, stat="median")["run"]
    return {
        "id": "single_run",
        "label": "Single run: section232_2018, 24 rounds",
        "figures": {"seconds": seconds, "ms_per_round": 1000 * seconds / 24, "repeats": repeats},
        "summary": f"{1000 * seconds:.1f} ms per run (median of {repeats}; {1000 * seconds / 24:.2f} ms/round)",
    }


def measure_scaling_and_reference(rounds: int, repeats: int, sizes=(10, 100, 1000)) -> list[dict]:
    """Classroom time per round at each N, and the numpy reference at the largest N, in alternation."""
    big = max(sizes)
    jobs: dict[str, Callable[[], float]] = {f"model_{n}": (lambda n=n: model_round_time(n, rounds)) for n in sizes}
    jobs["reference"] = lambda: reference_round_time(big, rounds)
    for job in jobs.values():  # warm up
        job()
    per_round = alternate(jobs, repeats)
    mid = sorted(sizes)[-2]
    scaling = per_round[f"model_{big}"] / per_round[f"model_{mid}"]
    ratio = per_round[f"model_{big}"] / per_round["reference"]
    times = ", ".join(f"N={n}: {1000 * per_round[f'model_{n}']:.3f}" for n in sizes)
    return [
        {
            "id": "scaling",
            "label": f"Scaling: classroom, {rounds} rounds, expected_utility",
            "figures": {**{f"ms_per_round_N{n}": 1000 * per_round[f"model_{n}"] for n in sizes},
                        f"ratio_N{big}_over_N{mid}": scaling, "repeats": repeats},
            "summary": f"ms/round (best of {repeats}) {times}; N={big} / N={mid} = {scaling:.2f}x",
            "goal": f"N={big} / N={mid} time per round <= 12",
            "value": scaling,
            "met": scaling <= 12,
        },
        {
            "id": "reference",
            "label": f"Distance to the limit: model / numpy reference, N={big}",
            "figures": {"ms_per_round_model": 1000 * per_round[f"model_{big}"],
                        "ms_per_round_reference": 1000 * per_round["reference"], "ratio": ratio, "repeats": repeats},
            "summary": (f"model {1000 * per_round[f'model_{big}']:.3f} ms/round, reference "
                        f"{1000 * per_round['reference']:.3f} ms/round (best of {repeats}): {ratio:.2f}x"),
            "goal": "model / numpy reference <= 3x",
            "value": ratio,
            "met": ratio <= 3,
        },
    ]


def measure_boltzmann(n: int, steps: int, repeats: int) -> dict:
    """Mesa's BoltzmannWealth at the same agent count, against the classroom model."""
    jobs = {"model": lambda: model_round_time(n, steps), "boltzmann": lambda: boltzmann_step_time(n, steps)}
    for job in jobs.values():
        job()
    per_step = alternate(jobs, repeats)
    ratio = per_step["model"] / per_step["boltzmann"]
    return {
        "id": "boltzmann",
        "label": f"Framework peer: Mesa BoltzmannWealth, {n} agents, {steps} steps",
        "figures": {"ms_per_step_model": 1000 * per_step["model"], "ms_per_step_boltzmann": 1000 * per_step["boltzmann"],
                    "ratio": ratio, "repeats": repeats},
        "summary": (f"BoltzmannWealth {1000 * per_step['boltzmann']:.3f} ms/step, model "
                    f"{1000 * per_step['model']:.3f} ms/round (best of {repeats}): model / Boltzmann = {ratio:.2f}x"),
    }


def measure_sweeps(quick: bool) -> list[dict]:
    """Runs per second with 1 and 2 workers, and peak RSS at 1,000 and 10,000 runs.

    Uses ``benchmarks.sweep_bench`` (owned by the sweep engine) when it is there.
    """
    from benchmarks import adapters

    return adapters.sweep_rows(quick)


def measure_app(quick: bool) -> dict:
    """Server-side time of one full page update at round 10 and round 300."""
    from benchmarks import adapters

    return adapters.app_row(quick)


def run_all(quick: bool = False, log: Callable[[str], None] = print, skip: tuple[str, ...] = ()) -> list[dict]:
    """Every measurement, in order; ``quick`` = a smoke run with tiny sizes; ``skip``: "sweeps", "app"."""
    repeats = 2 if quick else 15
    rounds = 5 if quick else 50
    sizes = (10, 100, 300) if quick else (10, 100, 1000)
    from benchmarks.startup import measure_startup

    rows: list[dict] = []
    log("1/7 start-up (tradesim --help, a 24-round run) ...")
    rows.append(measure_startup(repeats=1 if quick else 7))
    log("2/7 single run (section232_2018) ...")
    rows.append(measure_single_run(repeats=1 if quick else 7))
    log("3-4/7 scaling and numpy reference ...")
    rows.extend(measure_scaling_and_reference(rounds, repeats, sizes))
    log("5/7 BoltzmannWealth ...")
    rows.append(measure_boltzmann(max(sizes), rounds, repeats))
    if "sweeps" not in skip:
        log("6/7 sweeps ...")
        rows.extend(measure_sweeps(quick))
    if "app" not in skip:
        log("7/7 app update ...")
        rows.append(measure_app(quick))
    return rows
