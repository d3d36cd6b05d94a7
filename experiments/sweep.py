"""Run a sweep: spec -> runs on an executor -> Parquet parts + manifest.

    from experiments.sweep import run_sweep
    run_sweep("experiments/configs/deterrence.toml", "out/deterrence", workers=2)

One code path serves every backend: runs are grouped into small chunks and
submitted to a ``concurrent.futures.Executor`` -- a local
``ProcessPoolExecutor`` by default, an in-process executor for ``workers=0``,
or a Dask cluster (``scheduler="tcp://host:port"``, through
``Client.get_executor()``).  At most a few chunks per worker are in flight, and
finished runs are written in part files of ``part_size`` runs, so memory stays
flat however many runs the sweep has.  ``resume=True`` reads the run ids
already on disk and runs only the rest.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import platform
import signal
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from experiments import store
from experiments.spec import SweepSpec, load_spec
from sim.world.errors import UserError

ID_COLUMNS = ["run_id", "point_id", "replication", "seed"]


# --------------------------------------------------------------------------- worker side

_BASE_CACHE: dict[str, Any] = {}


def _base_scenario(name: str):
    if name not in _BASE_CACHE:
        from sim.world.loader import load_scenario

        _BASE_CACHE[name] = load_scenario(name)
    return _BASE_CACHE[name]


def run_one(scenario: str, overrides: dict[str, Any], seed: int, rounds: int | None, metrics: Iterable[str],
            every_round: bool = False) -> list[dict[str, Any]]:
    """Run one model and return its metric rows (one row, or one per round)."""
    from experiments.metrics import compute
    from experiments.overrides import expand_overrides
    from sim.model import NegotiationModel
    from sim.world.overrides import apply_overrides

    base = _base_scenario(scenario)
    data = apply_overrides(base, expand_overrides(base, overrides)) if overrides else base
    model = NegotiationModel(scenario_data=data, rng=seed)
    count = data.rounds if rounds is None else int(rounds)
    metrics = list(metrics)
    if not every_round:
        model.run(count)
        return [compute(model, metrics)]
    rows = []
    for _ in range(count):
        model.step()
        rows.append({"round": model.round, **compute(model, metrics)})
    return rows


def run_chunk(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """Worker entry point: run every run of a chunk; return its finished rows."""
    out = []
    for run_id, point_id, rep, seed, values, overrides in payload["runs"]:
        ident = {"run_id": run_id, "point_id": point_id, "replication": rep, "seed": seed}
        for row in run_one(payload["scenario"], overrides, seed, payload["rounds"], payload["metrics"],
                           payload["every_round"]):
            out.append({**ident, **payload["fixed"], **values, **row})
    return out


def _worker_init() -> None:
    # Ctrl-C is handled by the parent, which saves finished runs and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# --------------------------------------------------------------------------- executors


class InlineExecutor(Executor):
    """Runs each task at submit time in this process (``workers=0``): for debugging and tiny sweeps."""

    def submit(self, fn, /, *args, **kwargs):
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            if isinstance(exc, KeyboardInterrupt):
                raise
            future.set_exception(exc)
        return future


def default_workers() -> int:
    return os.cpu_count() or 1


def local_executor(workers: int) -> Executor:
    if workers == 0:
        return InlineExecutor()
    if sys.platform == "win32":  # pragma: no cover
        context = multiprocessing.get_context("spawn")
    else:
        # the fork server imports the model once; workers fork from it with everything loaded
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["experiments.sweep", "sim.model"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init)


def dask_executor(address: str) -> tuple[Executor, Any, int]:
    """(executor, client, worker threads) for a Dask scheduler address."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise UserError("--scheduler needs the 'distributed' package") from None
    try:
        client = Client(address, timeout="15s", set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UserError(f"cannot reach the Dask scheduler at {address!r}: {exc}") from None
    threads = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()) or 1
    return client.get_executor(pure=False), client, threads


# --------------------------------------------------------------------------- the sweep


def versions(backend: str) -> dict[str, str]:
    import mesa
    import numpy
    import pandas
    import pyarrow

    import sim

    out = {"tradesim": getattr(sim, "__version__", "unknown"), "mesa": mesa.__version__, "numpy": numpy.__version__,
           "pandas": pandas.__version__, "pyarrow": pyarrow.__version__, "python": platform.python_version()}
    if backend == "dask":
        import dask
        import distributed

        out["dask"] = dask.__version__
        out["distributed"] = distributed.__version__
    return out


def result_columns(spec: SweepSpec) -> list[str]:
    columns = list(ID_COLUMNS)
    if spec.record == "every_round":
        columns.append("round")
    varied = spec.varied
    columns += [name for name in spec.fixed if name not in varied]
    columns += varied
    columns += list(spec.metrics)
    return columns


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _chunks(tasks: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _PartWriter:
    """Buffers finished rows and writes a part every ``part_size`` runs."""

    def __init__(self, out_dir: Path, spec: SweepSpec, columns: list[str], on_write=None):
        self.out_dir, self.columns, self.part_size = out_dir, columns, spec.part_size
        self.rows: list[dict] = []
        self.runs_in_buffer: set[int] = set()
        self.index = store.next_part_index(out_dir)
        self.on_write = on_write
        self.parts_written = 0

    def add(self, rows: list[dict]) -> None:
        self.rows.extend(rows)
        self.runs_in_buffer.update(r["run_id"] for r in rows)
        if len(self.runs_in_buffer) >= self.part_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        # in run order (then round order), whatever order the workers finished in
        rows = sorted(self.rows, key=lambda r: (r["run_id"], r.get("round", 0)))
        store.write_part(self.out_dir, self.index, rows, self.columns)
        self.index += 1
        self.parts_written += 1
        written = len(self.runs_in_buffer)
        self.rows, self.runs_in_buffer = [], set()
        if self.on_write:
            self.on_write(written)


def run_sweep(spec_or_path: SweepSpec | dict | str | Path, out_dir: str | Path, *, workers: int | None = None,
              executor: Executor | Any | None = None, scheduler: str | None = None, resume: bool = False,
              progress: bool = True, max_in_flight: int | None = None) -> dict:
    """Run (or resume) a sweep into ``out_dir``; return the final manifest.

    Args:
        spec_or_path: a TOML path, a dict with the same tables, or a :class:`SweepSpec`.
        out_dir: directory for the part files and manifest.json (created).
        workers: local worker processes (default: all cores; 0 = run in this process).
        executor: any ``concurrent.futures.Executor`` (or a ``distributed.Client``) to use
            instead; it is not shut down here.
        scheduler: a Dask scheduler address such as ``tcp://127.0.0.1:8786``.
        resume: continue a sweep in ``out_dir``: skip the run ids already written.
        progress: show a tqdm progress bar on stderr.
        max_in_flight: chunks submitted but not finished (default: 4 per worker).
    """
    spec = load_spec(spec_or_path)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UserError(f"--out {out_dir} exists and is not a directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    old = store.read_manifest(out_dir)
    parts = store.part_files(out_dir)
    if (old or parts) and not resume:
        raise UserError(f"{out_dir} already holds a sweep; use --resume to finish it, or choose another --out")
    if old and old.get("spec_fingerprint") != spec.fingerprint():
        raise UserError(f"{out_dir} holds a different sweep ({old.get('spec', {}).get('sweep', {}).get('name')!r}, "
                        f"from {old.get('source')}); --resume needs the same spec, or choose another --out")
    store.remove_temp_files(out_dir)
    done = store.done_run_ids(out_dir) if resume else set()
    total = spec.n_runs()
    stray = [r for r in done if not 0 <= r < total]
    if stray:
        raise UserError(f"{out_dir} holds run ids outside this sweep (e.g. {stray[0]}); choose another --out")

    # ---- backend
    client = None
    own_executor = False
    if executor is not None:
        backend = "executor"
        try:
            from distributed import Client

            if isinstance(executor, Client):
                client_threads = sum(w.get("nthreads", 1) for w in executor.scheduler_info().get("workers", {}).values())
                executor = executor.get_executor(pure=False)
                backend, n_slots = "dask", max(client_threads, 1)
            else:
                n_slots = workers or getattr(executor, "_max_workers", None) or default_workers()
        except ImportError:  # pragma: no cover
            n_slots = workers or default_workers()
    elif scheduler:
        executor, client, n_slots = dask_executor(scheduler)
        backend = "dask"
    else:
        n_workers = default_workers() if workers is None else int(workers)
        if n_workers < 0:
            raise UserError(f"--workers must be >= 0, got {n_workers}")
        executor, own_executor = local_executor(n_workers), True
        backend = "processes" if n_workers else "inline"
        n_slots = max(n_workers, 1)

    remaining = total - len(done)
    chunk_size = spec.chunk_size or max(1, min(25, math.ceil(remaining / (n_slots * 16)) if remaining else 1))
    in_flight_limit = max_in_flight or max(2, 4 * n_slots)
    columns = result_columns(spec)
    started = _now()
    session = {"start_time": started, "backend": backend, "workers": n_slots, "scheduler": scheduler,
               "runs_before": len(done)}
    manifest = {
        "name": spec.name,
        "source": spec.source,
        "spec": spec.to_dict(),
        "spec_fingerprint": spec.fingerprint(),
        "scenario": spec.scenario,
        "method": spec.method,
        "varied": spec.varied,
        "metrics": list(spec.metrics),
        "record": spec.record,
        "base_seed": spec.base_seed,
        "seed_derivation": (f"numpy SeedSequence({spec.base_seed}, spawn_key="
                            + ("(replication,)" if spec.seeds == "common" else "(point_id, replication)")
                            + ").generate_state(1, uint64) >> 1"),
        "run_id": "point_id * replications + replication",
        "replications": spec.replications,
        "point_count": spec.n_points(),
        "run_count": total,
        "runs_done": len(done),
        "columns": columns,
        "versions": versions(backend),
        "start_time": (old or {}).get("start_time", started),
        "end_time": None,
        "status": "running",
        "sessions": (old or {}).get("sessions", []) + [session],
    }
    store.write_manifest(out_dir, manifest)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, initial=len(done), unit="run", desc=spec.name, dynamic_ncols=True, smoothing=0.05,
                   file=sys.stderr)

    def on_write(count: int) -> None:
        manifest["runs_done"] += count
        store.write_manifest(out_dir, manifest)

    writer = _PartWriter(out_dir, spec, columns, on_write)
    payload_base = {"scenario": spec.scenario, "rounds": spec.rounds, "metrics": list(spec.metrics),
                    "every_round": spec.record == "every_round",
                    "fixed": {k: v for k, v in spec.fixed.items() if k not in spec.varied}}
    todo = (task for task in spec.tasks() if task[0] not in done)
    chunks = _chunks(todo, chunk_size)
    pending: set[Future] = set()
    first_run: dict[Future, int] = {}  # to take finished chunks in run order
    status = "interrupted"
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < in_flight_limit:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                    break
                future = executor.submit(run_chunk, {**payload_base, "runs": chunk})
                first_run[future] = chunk[0][0]
                pending.add(future)
            if not pending:
                break
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=first_run.pop):
                rows = future.result()
                writer.add(rows)
                if bar is not None:
                    bar.update(len({r["run_id"] for r in rows}))
        status = "complete"
    except KeyboardInterrupt:
        status = "interrupted"
        print(f"\ntradesim: interrupted; finished runs are saved in {out_dir}. "
              "Run the same command with --resume to finish.", file=sys.stderr)
        raise
    except Exception:
        status = "failed"
        raise
    finally:
        # save every finished run, also on Ctrl-C or a failed run
        for future in list(pending):
            if future.done() and not future.cancelled() and future.exception() is None:
                writer.add(future.result())
            else:
                future.cancel()
        writer.flush()
        if bar is not None:
            bar.close()
        if own_executor:
            executor.shutdown(wait=status == "complete", cancel_futures=True)
        if client is not None:
            client.close()
        session["end_time"] = _now()
        session["runs_after"] = manifest["runs_done"]
        manifest["status"] = "complete" if manifest["runs_done"] >= total else status
        if manifest["status"] == "complete":
            manifest["end_time"] = session["end_time"]
        store.write_manifest(out_dir, manifest)
    return manifest


def load_results(out_dir: str | Path, columns: list[str] | None = None):
    """The results of a sweep as a pandas DataFrame (see :func:`experiments.store.read_results`)."""
    return store.read_results(Path(out_dir), columns)
