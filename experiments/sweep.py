"""Run a sweep: spec -> runs on an executor -> Parquet parts + manifest.

    from experiments.sweep import run_sweep
    run_sweep("experiments/configs/deterrence.toml", "out/deterrence", workers=2)

One code path serves every backend (:mod:`experiments.executors`): runs are grouped
into small chunks and submitted to a ``concurrent.futures.Executor`` -- local worker
processes by default, this process for ``workers=0``, or a Dask cluster
(``scheduler="tcp://host:port"``).  At most a few chunks per worker are in flight, and
finished runs are written in part files of ``part_size`` runs, so memory stays flat
however many runs the sweep has.

A folder holds one sweep: the manifest pins its inputs (:mod:`experiments.inputs`), and
``resume=True`` refuses when the config, the scenario or the code changed, checks the
parts already written (:func:`experiments.store.verify_parts`) and runs only the rest.
Ctrl-C and SIGTERM save the finished runs, stop the workers and say how to resume; a full
disk, a read-only folder, a lost scheduler or a dead worker stop the sweep with one line
saying what happened and how many runs are saved.  What is bounded and what happens on
each fault: docs/limits.md.
"""

from __future__ import annotations

import math
import platform
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from experiments import inputs as pinned, store
from experiments.executors import Backend, SweepFault, open_backend
from experiments.spec import SweepSpec, load_spec
from sim.world.errors import UserError
from sim.world.paths import check_output_dir

ID_COLUMNS = store.ID_COLUMNS
result_columns = store.result_columns
TICK_SECONDS = 1.0  # how often a waiting sweep checks on its backend


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
    """Buffers finished rows and writes a part every ``part_size`` runs.

    Each part is staged, counted in the manifest, then renamed into place (see
    :mod:`experiments.store`), with Ctrl-C and SIGTERM held off meanwhile, so the
    manifest never counts fewer runs than the parts on disk.
    """

    def __init__(self, out_dir: Path, spec: SweepSpec, columns: list[str], manifest: dict):
        self.out_dir, self.columns, self.part_size = out_dir, columns, spec.part_size
        self.manifest = manifest
        self.rows: list[dict] = []
        self.runs_in_buffer: set[int] = set()
        self.index = store.next_part_index(out_dir)

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
        written = len(self.runs_in_buffer)
        with _signals_held():
            tmp, final = store.stage_part(self.out_dir, self.index, rows, self.columns)
            self.manifest["runs_done"] += written
            try:
                store.write_manifest(self.out_dir, self.manifest)
                store.commit_part(tmp, final)
            except UserError:
                tmp.unlink(missing_ok=True)
                self.manifest["runs_done"] -= written
                try:  # in case the manifest was written and the rename failed
                    store.write_manifest(self.out_dir, self.manifest)
                except UserError:
                    pass
                raise
            self.index += 1
            self.rows, self.runs_in_buffer = [], set()


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP: the sweep stops as on Ctrl-C (finished runs saved, workers stopped)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
HELD_SIGNALS = (signal.SIGINT, *STOP_SIGNALS)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def _handlers(handler, signals=HELD_SIGNALS):
    """``handler`` for ``signals`` inside the block (only the main thread may set handlers; elsewhere a no-op)."""
    if not _in_main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in signals}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _stop(signum, frame):
    raise Stopped(signum)


def _stop_on_signals():
    """SIGTERM and SIGHUP raise :class:`Stopped` in the sweep's loop."""
    return _handlers(_stop, STOP_SIGNALS)


def _signals_ignored():
    """While the sweep saves and stops: a second Ctrl-C or SIGTERM must not cut that short."""
    return _handlers(signal.SIG_IGN)


@contextmanager
def _signals_held():
    """Hold off Ctrl-C and SIGTERM while a part and the manifest are written, or a run changes hands.

    Python runs signal handlers in the main thread whichever thread the signal reached, so
    the handlers are swapped for one that only notes the signal; it is raised again at the end.
    """
    caught: list[int] = []
    with _handlers(lambda signum, frame: caught.append(signum)):
        yield
    if caught:
        signal.raise_signal(caught[0])  # now handled as usual: KeyboardInterrupt or Stopped


def _check_same_sweep(old: dict, spec: SweepSpec, inputs: dict[str, str], out_dir: Path) -> None:
    """Refuse to resume into ``out_dir`` unless it holds this sweep, of the same scenario and code."""
    old_inputs = old.get("inputs")
    if old.get("spec_fingerprint") != spec.fingerprint() or (isinstance(old_inputs, dict)
                                                             and old_inputs.get("spec") != inputs["spec"]):
        raise UserError(f"{out_dir} holds a different sweep ({old.get('name')!r}, from {old.get('source')}); "
                        "--resume needs the same config, or choose another --out")
    if not isinstance(old_inputs, dict):
        raise UserError(f"{out_dir} was written by a tradesim that did not record the sweep's inputs, so --resume "
                        "cannot check that the scenario and the code are unchanged; run it again with another --out")
    changes = pinned.changed(old_inputs, inputs)
    if changes:
        raise UserError(f"--resume refused: {' and '.join(changes)} changed since {out_dir} was started; finishing "
                        "would mix two models in one table. Restore it, or run the sweep again with another --out")


def run_sweep(spec_or_path: SweepSpec | dict | str | Path, out_dir: str | Path, *, workers: int | None = None,
              executor: Executor | Any | None = None, scheduler: str | None = None, resume: bool = False,
              progress: bool = True, max_in_flight: int | None = None, no_workers_timeout: float = 60.0,
              on_start: Callable[[dict], None] | None = None) -> dict:
    """Run (or resume) a sweep into ``out_dir``; return the final manifest.

    Args:
        spec_or_path: a TOML path, a dict with the same tables, or a :class:`SweepSpec`.
        out_dir: directory for the part files and manifest.json (created; checked writable first).
        workers: local worker processes (default: all cores; 0 = run in this process).
        executor: any ``concurrent.futures.Executor`` (or a ``distributed.Client``) to use
            instead; it is not shut down here.
        scheduler: a Dask scheduler address such as ``tcp://127.0.0.1:8786``.
        resume: continue a sweep in ``out_dir``: check it is the same sweep (config, scenario,
            code) and its parts, then run only the runs not yet written.
        progress: show a tqdm progress bar on stderr.
        max_in_flight: chunks submitted but not finished (default: 4 per worker).
        no_workers_timeout: a Dask cluster with no workers for this many seconds stops the sweep.
        on_start: called with the manifest once every check has passed, before the first run.

    Raises:
        UserError: a bad spec or folder, a changed input on resume, or a fault (full disk,
            read-only folder, lost scheduler, dead worker), in one line that says how many
            runs are saved.  Ctrl-C raises KeyboardInterrupt, SIGTERM :class:`Stopped`,
            after the finished runs are saved and the workers stopped.
    """
    spec = load_spec(spec_or_path)
    out_dir = check_output_dir(out_dir, "--out")
    inputs = pinned.pinned_inputs(spec)
    old = store.read_manifest(out_dir)
    parts = store.part_files(out_dir)
    if (old or parts) and not resume:
        raise UserError(f"{out_dir} already holds a sweep; use --resume to finish it, or choose another --out")
    if parts and old is None:
        raise UserError(f"{out_dir} holds part files but no manifest.json, so nothing says which sweep, scenario "
                        "and code wrote them; resuming could mix two sweeps. Restore manifest.json, or run the "
                        "sweep again with another --out")
    if old:
        _check_same_sweep(old, spec, inputs, out_dir)
    store.remove_temp_files(out_dir)
    columns = result_columns(spec)
    done = store.verify_parts(out_dir, spec, columns) if parts else set()
    total = spec.n_runs()

    backend = open_backend(workers=workers, executor=executor, scheduler=scheduler,
                           no_workers_timeout=no_workers_timeout)
    remaining = total - len(done)
    chunk_size = spec.chunk_size or max(1, min(25, math.ceil(remaining / (backend.slots * 16)) if remaining else 1))
    in_flight_limit = max_in_flight or max(2, 4 * backend.slots)
    started = _now()
    session = {"start_time": started, "backend": backend.name, "workers": backend.slots,
               "scheduler": backend.address, "runs_before": len(done)}
    manifest = {
        "name": spec.name,
        "source": spec.source,
        "spec": spec.to_dict(),
        "spec_fingerprint": spec.fingerprint(),
        "inputs": inputs,
        "inputs_hash": pinned.combined(inputs),
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
        "versions": versions(backend.name),
        "start_time": (old or {}).get("start_time", started),
        "end_time": None,
        "status": "running",
        "sessions": (old or {}).get("sessions", []) + [session],
    }
    try:
        store.write_manifest(out_dir, manifest)
    except UserError:
        backend.close(finished=False)
        raise
    if on_start is not None:
        on_start(manifest)

    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, initial=len(done), unit="run", desc=spec.name, dynamic_ncols=True, smoothing=0.05,
                   file=sys.stderr)
    writer = _PartWriter(out_dir, spec, columns, manifest)
    payload_base = {"scenario": spec.scenario, "rounds": spec.rounds, "metrics": list(spec.metrics),
                    "every_round": spec.record == "every_round",
                    "fixed": {k: v for k, v in spec.fixed.items() if k not in spec.varied}}
    todo = (task for task in spec.tasks() if task[0] not in done)
    chunks = _chunks(todo, chunk_size)
    pending: set[Future] = set()
    first_run: dict[Future, int] = {}  # to take finished chunks in run order
    status, stop, fault = "interrupted", None, None
    with _stop_on_signals():
        try:
            exhausted = False
            while True:
                while not exhausted and len(pending) < in_flight_limit:
                    chunk = next(chunks, None)
                    if chunk is None:
                        exhausted = True
                        break
                    try:
                        future = backend.executor.submit(run_chunk, {**payload_base, "runs": chunk})
                    except Exception as exc:  # e.g. a pool broken by a dead worker refuses new tasks
                        raise backend.fault(exc) or exc from None
                    first_run[future] = chunk[0][0]
                    pending.add(future)
                if not pending:
                    break
                finished, _ = wait(pending, timeout=TICK_SECONDS, return_when=FIRST_COMPLETED)
                if not finished:
                    backend.check()
                    continue
                for future in sorted(finished, key=first_run.__getitem__):
                    try:
                        rows = future.result()
                    except Exception as exc:
                        raise backend.fault(exc) or exc from None
                    with _signals_held():  # a run is either still pending or in the writer, never both
                        pending.discard(future)
                        first_run.pop(future)
                        writer.add(rows)
                    if bar is not None:
                        bar.update(len({r["run_id"] for r in rows}))
            status = "complete"
        except KeyboardInterrupt as exc:  # Ctrl-C, or Stopped (SIGTERM, SIGHUP)
            stop = exc
        except UserError as exc:  # a fault of the disk or the backend
            status, fault = "failed", exc
        except BaseException:
            status = "failed"
            with _signals_ignored():
                _finish(writer, pending, backend, bar, manifest, session, out_dir, total, status)
            raise
        with _signals_ignored():
            problem = _finish(writer, pending, backend, bar, manifest, session, out_dir, total, status)
    fault = fault or problem
    saved = f"{manifest['runs_done']:,} of {total:,} runs are saved in {out_dir}"
    if stop is not None:
        what = ("stopped by " + signal.Signals(stop.signum).name) if isinstance(stop, Stopped) else "interrupted"
        print(f"\ntradesim: {what}; {saved}. Run the same command with --resume to finish.", file=sys.stderr)
        raise stop
    if fault is not None:
        raise SweepFault(f"{fault}; {saved}: when that is fixed, run the same command with --resume to finish") from None
    return manifest


def _finish(writer: _PartWriter, pending: set[Future], backend: Backend, bar, manifest: dict, session: dict,
            out_dir: Path, total: int, status: str) -> UserError | None:
    """Save every finished run, stop the backend, write the final manifest; return a write error, if any."""
    problem = None
    try:
        for future in list(pending):
            if future.done() and not future.cancelled() and future.exception() is None:
                writer.add(future.result())
            else:
                future.cancel()
        writer.flush()
    except UserError as exc:  # the disk is full or read-only: what is on disk stays consistent
        problem = exc
    if bar is not None:
        bar.close()
    backend.close(finished=status == "complete")
    session["end_time"] = _now()
    session["runs_after"] = manifest["runs_done"]
    manifest["status"] = "complete" if manifest["runs_done"] >= total else status
    if manifest["status"] == "complete":
        manifest["end_time"] = session["end_time"]
    try:
        store.write_manifest(out_dir, manifest)
    except UserError as exc:
        problem = problem or exc
    return problem


def load_results(out_dir: str | Path, columns: list[str] | None = None):
    """The results of a sweep as a pandas DataFrame (see :func:`experiments.store.read_results`)."""
    return store.read_results(Path(out_dir), columns)
