"""Sweep throughput and memory: the figures quoted in docs/sweeps.md.

    uv run python benchmarks/sweep_bench.py                 # everything
    uv run python benchmarks/sweep_bench.py --only speed    # runs/s, 1 and 2 workers (deterrence)
    uv run python benchmarks/sweep_bench.py --only memory   # peak RSS at 1,000 and 10,000 runs
    uv run python benchmarks/sweep_bench.py --only large    # 10,000 section232_2018 runs, 2 workers

* Speed: the deterrence sweep (experiments/configs/deterrence.toml, 24-round
  section232_2018 runs) with ``--replications`` per point, on 1 and 2 local
  worker processes.  Reports wall time including pool start-up and runs/s.
* Large: the deterrence sweep with enough replications for 10,000 seeded 24-round
  section232_2018 runs on 2 workers (``--only large``): the researcher's laptop-sized
  sweep, timed end to end (about 5 minutes on 2 cores; not part of ``--only`` speed/memory).
* Memory: a small classroom sweep (2 countries, 5 rounds) of 1,000 and 10,000
  runs on 2 workers; a thread samples the RSS of this process plus all its
  children (fork server and workers) every 20 ms with psutil and keeps the peak.
  Flat memory means the 10,000-run figure is close to the 1,000-run one.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


class PeakRSS:
    """Peak of the summed RSS of this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.02):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def deterrence_spec(replications: int) -> dict:
    import tomllib

    raw = tomllib.loads((ROOT / "experiments" / "configs" / "deterrence.toml").read_text())
    raw["sweep"]["replications"] = replications
    return raw


def memory_spec(runs: int) -> dict:
    points = runs // 10
    return {
        "sweep": {"name": f"memory_{runs}", "scenario": "classroom", "rounds": 5, "replications": 10,
                  "base_seed": 5, "part_size": 500, "metrics": ["mean_cooperation", "cooperation",
                                                                "share_retaliating", "mean_cumulative_welfare"]},
        "fixed": {"n_countries": 2, "strategy": "expected_utility", "decision_noise": 0.5},
        "grid": {"patience": {"start": 0.01, "stop": 0.99, "num": points}},
    }


def timed_sweep(spec: dict, workers: int) -> dict:
    from experiments.sweep import run_sweep

    with tempfile.TemporaryDirectory() as tmp, PeakRSS() as rss:
        start = time.perf_counter()
        manifest = run_sweep(spec, Path(tmp) / "out", workers=workers, progress=False)
        wall = time.perf_counter() - start
    runs = manifest["runs_done"]
    return {"runs": runs, "workers": workers, "wall_s": round(wall, 2), "runs_per_s": round(runs / wall, 1),
            "peak_rss_mb": round(rss.peak / 2**20, 1)}


def bench_speed(replications: int = 4) -> list[dict]:
    spec = deterrence_spec(replications)
    return [{"sweep": "deterrence", **timed_sweep(spec, w)} for w in (1, 2)]


def bench_large(runs: int = 10_000, workers: int = 2) -> list[dict]:
    spec = deterrence_spec(1)
    points = 1
    for values in spec["grid"].values():
        points *= len(values) if isinstance(values, list) else values["num"]
    spec["sweep"]["replications"] = -(-runs // points)
    return [{"sweep": "deterrence, section232_2018", **timed_sweep(spec, workers)}]


def bench_memory(sizes=(1000, 10000), workers: int = 2) -> list[dict]:
    return [{"sweep": "classroom, 5 rounds", **timed_sweep(memory_spec(n), workers)} for n in sizes]


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("speed", "memory", "large"), default=None)
    parser.add_argument("--replications", type=int, default=4, help="per deterrence point in the speed test")
    parser.add_argument("--json", default=None, help="also write the results to this file")
    args = parser.parse_args(argv)
    rows: list[dict] = []
    if args.only in (None, "speed"):
        rows += bench_speed(args.replications)
    if args.only in (None, "memory"):
        rows += bench_memory()
    if args.only == "large":
        rows += bench_large()
    print(f"machine: {psutil.cpu_count()} cores, python {platform.python_version()}, "
          f"load average {', '.join(f'{x:.1f}' for x in psutil.getloadavg())}")
    print("| sweep | runs | workers | wall s | runs/s | peak RSS MB (incl. children) |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['sweep']} | {r['runs']} | {r['workers']} | {r['wall_s']} | {r['runs_per_s']} | {r['peak_rss_mb']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return rows


if __name__ == "__main__":
    main()
