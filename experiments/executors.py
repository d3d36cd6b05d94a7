"""Where a sweep's runs execute: this process, local worker processes, or a Dask cluster.

:func:`open_backend` gives a :class:`Backend`: a ``concurrent.futures.Executor`` plus
what the sweep engine needs to stop it cleanly and to notice faults:

* **local processes** (a fork server that has imported the model, and workers forked
  from it): each worker ignores Ctrl-C (the parent saves and stops them) and watches
  its parent; if the parent is gone (``kill -9``, a lost terminal) it exits at once,
  so no worker, fork server or resource tracker outlives the sweep.  On Ctrl-C or
  SIGTERM the parent terminates them (:meth:`Backend.close`).
* **Dask** (``--scheduler ADDRESS``): the address is checked and probed first, so a
  typo or a closed port fails in a second, not after the client's connect timeout;
  a lost scheduler, or a cluster with no workers for ``no_workers_timeout`` seconds,
  raises :class:`SweepFault` (:meth:`Backend.check`, :meth:`Backend.fault`), and the
  runs already written stay resumable.  Distributed's own log tracebacks are muted
  while the sweep runs; the sweep says what happened in one line.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import signal
import socket
import sys
import threading
import time
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from sim.world.errors import UserError

PARENT_CHECK_SECONDS = 0.5  # how often a worker looks for its parent
CONNECT_SECONDS = 3.0  # a probe of the scheduler's port; then the client's own connect


class SweepFault(UserError):
    """The sweep cannot go on (a lost scheduler, no workers, a dead worker): said in one line."""


# --------------------------------------------------------------------------- in this process
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


# --------------------------------------------------------------------------- local processes
def default_workers() -> int:
    return os.cpu_count() or 1


def _worker_init(parent_pid: int) -> None:
    # Ctrl-C is handled by the parent, which saves finished runs and stops the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="tradesim-parent-watch", daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    """Exit this worker as soon as the sweep's process is gone (killed, or its terminal lost)."""
    import psutil

    try:
        parent = psutil.Process(parent_pid)
        born = parent.create_time()
    except psutil.Error:
        os._exit(1)
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        try:
            if parent.status() == psutil.STATUS_ZOMBIE or parent.create_time() != born:
                os._exit(1)
        except psutil.Error:
            os._exit(1)


def local_executor(workers: int) -> Executor:
    if workers == 0:
        return InlineExecutor()
    if sys.platform == "win32":  # pragma: no cover
        context = multiprocessing.get_context("spawn")
    else:
        # the fork server imports the model once; workers fork from it with everything loaded
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["experiments.sweep", "sim.model"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                               initargs=(os.getpid(),))


def _terminate_workers(executor: ProcessPoolExecutor) -> None:
    """Stop the pool's workers now (they may be mid-run; their runs are redone on --resume)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)
        if process.is_alive():  # pragma: no cover - a worker that ignores SIGTERM
            process.kill()


# --------------------------------------------------------------------------- Dask
ADDRESS_RE = re.compile(r"^(?:(?P<protocol>[a-z]+)://)?(?P<host>\[[0-9a-fA-F:]+\]|[^:/\s]+)(?::(?P<port>\d+))?/?$")


def parse_address(address: str) -> tuple[str, str, int]:
    """(protocol, host, port) of a scheduler address such as ``tcp://127.0.0.1:8786``; a bad one raises UserError."""
    match = ADDRESS_RE.match(address.strip())
    if not match or (match["protocol"] or "tcp") not in ("tcp", "tls"):
        raise UserError(f"--scheduler got {address!r}; expected a Dask scheduler address such as tcp://HOST:8786")
    port = int(match["port"] or 8786)
    if not 1 <= port <= 65_535:
        raise UserError(f"--scheduler {address!r}: port {port} is out of range; expected 1 to 65,535")
    return match["protocol"] or "tcp", match["host"].strip("[]"), port


def probe(address: str, seconds: float = CONNECT_SECONDS) -> None:
    """Fail fast when nothing listens at the scheduler's address (the client alone would wait its timeout)."""
    _, host, port = parse_address(address)
    try:
        socket.create_connection((host, port), timeout=seconds).close()
    except socket.gaierror as exc:
        raise UserError(f"--scheduler {address!r}: unknown host {host!r} ({exc.strerror})") from None
    except (TimeoutError, socket.timeout):
        raise UserError(f"--scheduler {address!r}: no answer from {host}:{port} within {seconds:g} s") from None
    except OSError as exc:
        raise UserError(f"--scheduler {address!r}: nothing is listening at {host}:{port} ({exc.strerror}); "
                        "is the scheduler running (`dask scheduler`)?") from None
    _handshake(address, seconds)


def _handshake(address: str, seconds: float) -> None:
    """Something listens there: check it speaks Dask's protocol before a Client depends on it."""
    import asyncio

    from distributed.comm import connect

    async def greet() -> None:
        comm = await connect(address, timeout=seconds)
        await comm.close()

    try:
        asyncio.run(asyncio.wait_for(greet(), seconds + 2))
    except Exception:  # noqa: BLE001 - garbage, a closed connection or silence: not a Dask scheduler
        raise UserError(f"--scheduler {address!r}: something listens there, but no Dask scheduler answered "
                        f"within {seconds:g} s") from None


@dataclass
class Backend:
    """An executor and how to check on it and stop it."""

    executor: Executor
    name: str  # inline | processes | executor | dask
    slots: int  # tasks that can run at once
    address: str | None = None
    client: Any = None
    owned: bool = True  # created here: shut down here
    no_workers_timeout: float = 60.0
    _no_workers_since: float | None = field(default=None, repr=False)
    _muted: list = field(default_factory=list, repr=False)

    def check(self) -> None:
        """Called while no run finishes: raise SweepFault if the Dask cluster is lost or empty for too long."""
        if self.client is None:
            return
        if self.client.status != "running":
            raise self._lost()
        try:
            workers = self.client.scheduler_info().get("workers", {})
        except Exception:  # noqa: BLE001 - any failure to ask the scheduler means it is gone
            raise self._lost() from None
        if workers:
            self._no_workers_since = None
            return
        now = time.monotonic()
        if self._no_workers_since is None:
            self._no_workers_since = now
        elif now - self._no_workers_since > self.no_workers_timeout:
            raise SweepFault(f"the Dask cluster at {self.address} has had no workers for "
                             f"{self.no_workers_timeout:g} s (--no-workers-timeout); start workers "
                             f"(`dask worker {self.address}`)")

    def fault(self, exc: BaseException) -> SweepFault | None:
        """A task's exception as a fault of the backend (a lost scheduler, a killed worker), or None."""
        if isinstance(exc, BrokenProcessPool):
            return SweepFault("a worker process died (killed, or out of memory?)")
        if self.client is not None:
            if isinstance(exc, CancelledError) or self.client.status != "running":
                return self._lost()
            if type(exc).__name__ == "KilledWorker":
                return SweepFault(f"Dask workers died while running the same task several times ({exc})")
        return None

    def _lost(self) -> SweepFault:
        return SweepFault(f"lost the connection to the Dask scheduler at {self.address}")

    def close(self, finished: bool) -> None:
        """Shut down what was created here: wait for a finished sweep, stop workers of an interrupted one."""
        if self.owned and isinstance(self.executor, ProcessPoolExecutor):
            if finished:
                self.executor.shutdown(wait=True)
            else:
                _terminate_workers(self.executor)
        if self.client is not None and self.owned:
            try:
                self.client.close(timeout=5 if self.client.status == "running" else 1)
            except Exception:  # noqa: BLE001 - a client of a lost scheduler may fail to close cleanly
                pass
        for logger, level in self._muted:
            logger.setLevel(level)
        self._muted.clear()


def _mute_distributed() -> list:
    """Distributed logs tracebacks when its scheduler goes away; the sweep says it in one line instead."""
    muted = []
    names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in ("distributed", "tornado")]
    for name in {"distributed", "tornado", *names}:
        logger = logging.getLogger(name)
        muted.append((logger, logger.level))
        logger.setLevel(logging.CRITICAL + 1)
    return muted


def dask_backend(address: str, no_workers_timeout: float) -> Backend:
    """A Backend on the Dask scheduler at ``address`` (checked and probed first)."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise UserError("--scheduler needs the 'distributed' package") from None
    probe(address)
    muted = _mute_distributed()
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - whatever the connection raised, said in one line
        for logger, level in muted:
            logger.setLevel(level)
        raise UserError(f"--scheduler {address!r}: cannot connect to a Dask scheduler there: {exc}") from None
    threads = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
    return Backend(client.get_executor(pure=False), "dask", max(threads, 1), address, client,
                   no_workers_timeout=no_workers_timeout, _muted=muted)


def open_backend(*, workers: int | None, executor: Any = None, scheduler: str | None = None,
                 no_workers_timeout: float = 60.0) -> Backend:
    """The backend a sweep runs on: a given executor or Client, a Dask scheduler, or local processes."""
    if executor is not None:
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover
            Client = ()  # noqa: N806
        if isinstance(executor, Client):
            threads = sum(w.get("nthreads", 1) for w in executor.scheduler_info().get("workers", {}).values())
            return Backend(executor.get_executor(pure=False), "dask", max(threads, 1), executor.scheduler.address,
                           executor, owned=False, no_workers_timeout=no_workers_timeout)
        slots = workers or getattr(executor, "_max_workers", None) or default_workers()
        return Backend(executor, "executor", slots, owned=False)
    if scheduler:
        return dask_backend(scheduler, no_workers_timeout)
    n_workers = default_workers() if workers is None else int(workers)
    if n_workers < 0:
        raise UserError(f"--workers must be >= 0, got {n_workers}")
    return Backend(local_executor(n_workers), "processes" if n_workers else "inline", max(n_workers, 1))
