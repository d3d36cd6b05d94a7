"""Fault injection into sweeps: each fault stops cleanly, leaves a consistent, resumable folder and no process.

The faults: Ctrl-C, SIGTERM, the loss of the parent (``kill -9`` of the sweep's process
alone), a full disk (ENOSPC injected into the one function that writes sweep files), a
read-only folder (``chattr +i``, which binds root too; ``chmod`` otherwise), a killed
Dask worker, a killed Dask scheduler, a cluster that loses all its workers, and bad
scheduler addresses.  After each: one line on stderr that says what happened and how to
resume; the manifest counts exactly the runs in the parts on disk; ``--resume`` then
gives exactly the table of a sweep run straight through.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import psutil
import pytest

from experiments import store
from experiments.sweep import load_results, run_sweep
from toml_text import dumps

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "import sys; from cli import main; sys.exit(main())"]

SPEC = {  # 200 short runs, a part every 5: long enough to be caught mid-way
    "sweep": {"name": "faults", "scenario": "classroom", "rounds": 20, "replications": 5, "base_seed": 11,
              "part_size": 5, "metrics": ["mean_cooperation", "cooperation", "share_retaliating"]},
    "fixed": {"n_countries": 2, "strategy": "grim", "Country 1.strategy": "expected_utility", "decision_noise": 0.3},
    "grid": {"patience": {"start": 0.05, "stop": 0.6, "num": 40}},
}
TOTAL = 200


def ordered(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("run_id").reset_index(drop=True)


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("config") / "faults.toml"
    path.write_text(dumps(SPEC), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def straight(config, tmp_path_factory) -> pd.DataFrame:
    """The table of the sweep run straight through, in this process."""
    out = tmp_path_factory.mktemp("straight") / "out"
    run_sweep(config, out, workers=0, progress=False)
    return ordered(load_results(out))


def assert_consistent_and_resumable(config: Path, out: Path, straight: pd.DataFrame, killed: bool = False) -> None:
    """The manifest counts the runs on disk; --resume finishes to exactly the straight-through table.

    Only a process killed mid-write (``killed``) may leave a temporary file behind (--resume removes it), or a
    manifest one part ahead (killed between counting a part and renaming it into place); never behind.
    """
    manifest = store.read_manifest(out)
    on_disk = store.done_run_ids(out)
    assert len(on_disk) < TOTAL
    assert manifest["runs_done"] >= len(on_disk) if killed else manifest["runs_done"] == len(on_disk)
    assert killed or not list(out.rglob("*.tmp"))
    finished = run_sweep(config, out, workers=0, progress=False, resume=True)
    assert finished["status"] == "complete"
    assert not list(out.rglob("*.tmp"))
    pd.testing.assert_frame_equal(ordered(load_results(out)), straight)


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# --------------------------------------------------------------------------- processes
# The sweep as from a terminal: a child inherits its parent's blocked signals and ignored ones, and a test worker's
# may differ from a shell's (a Ctrl-C that stays blocked never arrives), so the sweep starts with Ctrl-C live.
TERMINAL = [sys.executable, "-c", "import signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
            "signal.signal(signal.SIGINT, signal.default_int_handler); from cli import main; sys.exit(main())"]


def start_sweep(config: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([*TERMINAL, "sweep", str(config), "--out", str(out), "--no-progress", *extra], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_parts(out: Path, proc: subprocess.Popen, count: int = 1, stop: bool = False) -> None:
    """Until ``count`` parts are on disk; ``stop``: then freeze the sweep's process group (SIGSTOP) at once, so that
    it cannot finish before the fault is injected (the caller sends SIGCONT)."""
    deadline = time.monotonic() + 120
    while len(store.part_files(out)) < count:
        assert proc.poll() is None, f"the sweep ended early: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "no part file written in 120 s"
        time.sleep(0.005 if stop else 0.02)
    if stop:
        os.killpg(proc.pid, signal.SIGSTOP)


def assert_all_exit(processes: list[psutil.Process]) -> None:
    """Every process ends (no orphaned worker, fork server or resource tracker)."""
    gone, alive = psutil.wait_procs(processes, timeout=30)
    alive = [p for p in alive if p.status() != psutil.STATUS_ZOMBIE]
    for process in alive:
        process.kill()
    assert not alive, f"still running after the sweep's process ended: {[p.cmdline()[-1][:60] for p in alive]}"


@pytest.mark.parametrize("how, status, code, words", [
    ("SIGINT to the group (Ctrl-C)", "interrupted", 130, "interrupted"),
    ("SIGTERM", "interrupted", 143, "stopped by SIGTERM"),
])
def test_ctrl_c_and_sigterm_save_explain_and_stop_the_workers(config, straight, tmp_path, how, status, code, words):
    # On a loaded machine this process may notice the first part only when the sweep is already saving its last
    # ones, where by design a signal does not cut the save short and the sweep ends complete: then try again.
    for attempt in range(4):
        out = tmp_path / f"out{attempt}"
        proc = start_sweep(config, out, "--workers", "2")
        wait_for_parts(out, proc, stop=True)  # frozen: a short sweep could otherwise finish before the signal
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 3  # fork server, resource tracker, workers
        if how.startswith("SIGINT"):
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM)
        os.killpg(proc.pid, signal.SIGCONT)
        returncode = proc.wait(timeout=60)
        if returncode != 0:
            break
        assert store.read_manifest(out)["status"] == "complete"  # the signal came during the final save
        assert_all_exit(children)
    assert returncode == code, f"blocked in this test process: {signal.pthread_sigmask(signal.SIG_BLOCK, [])}"
    message = [line for line in proc.stderr.read().strip().splitlines() if line.startswith("tradesim:")][0]
    assert words in message and "runs are saved in" in message and "--resume" in message
    assert_all_exit(children)
    assert store.read_manifest(out)["status"] == status
    assert_consistent_and_resumable(config, out, straight)


def test_losing_the_parent_stops_every_worker(config, straight, tmp_path):
    """kill -9 of the sweep's process alone (not its group): its workers notice and exit."""
    out = tmp_path / "out"
    proc = start_sweep(config, out, "--workers", "2")
    wait_for_parts(out, proc, stop=True)
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.kill()
    proc.wait(timeout=30)
    os.killpg(proc.pid, signal.SIGCONT)  # the orphaned workers, frozen with it, run again and must notice
    assert_all_exit(children)
    assert store.read_manifest(out)["status"] == "running"
    assert_consistent_and_resumable(config, out, straight, killed=True)


def test_a_dead_local_worker_stops_the_sweep_with_one_line(config, straight, tmp_path):
    """A worker killed from outside (the OOM killer, say): the pool is broken; the sweep says so and saves."""
    out = tmp_path / "out"
    proc = start_sweep(config, out, "--workers", "2")
    wait_for_parts(out, proc, stop=True)
    children = psutil.Process(proc.pid).children(recursive=True)
    workers = [p for p in children if "resource_tracker" not in " ".join(p.cmdline()) and p.ppid() != proc.pid]
    assert workers, [p.cmdline() for p in children]
    workers[0].kill()
    os.killpg(proc.pid, signal.SIGCONT)
    code, stderr = proc.wait(timeout=60), proc.stderr.read()
    assert code == 2, stderr
    line = one_line(stderr)
    assert "a worker process died" in line and "runs are saved in" in line
    assert_all_exit(children)
    assert_consistent_and_resumable(config, out, straight)


# --------------------------------------------------------------------------- the disk
@pytest.mark.parametrize("fail_after", [1, 4, 5], ids=["first-part", "a-manifest-update", "a-later-part"])
def test_a_full_disk_stops_with_one_line_and_a_consistent_folder(config, straight, tmp_path, tradesim, monkeypatch,
                                                                 fail_after):
    """Writes are: the manifest, then per part its temporary file and the manifest again."""
    real = store._write_file
    writes = []

    def full_disk(path, data):
        writes.append(path)
        if len(writes) > fail_after:
            Path(path).write_bytes(data[: len(data) // 3])  # what fitted before the disk filled
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)

    monkeypatch.setattr(store, "_write_file", full_disk)
    out = tmp_path / "out"
    result = tradesim("sweep", config, "--out", out, "--workers", "0", "--no-progress")
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert "the disk is full" in line and "runs are saved in" in line and "--resume" in line
    monkeypatch.setattr(store, "_write_file", real)
    assert_consistent_and_resumable(config, out, straight)


def test_a_folder_that_turns_immutable_between_staging_and_renaming_a_part_gives_one_line(tmp_path, monkeypatch):
    """chattr +i after a part is staged: the rename and the clean-up are both refused (seen on a loaded CI)."""
    tmp, final = store.stage_part(tmp_path, 1, [{"a": 1}], ["a"])

    def refused(*args, **kwargs):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "replace", refused)
    monkeypatch.setattr(Path, "unlink", refused)
    with pytest.raises(store.StoreError, match="operation not permitted"):
        store.commit_part(tmp, final)


@contextmanager
def read_only(folder: Path):
    """Make ``folder`` refuse new files, for root too (chattr +i) or as a user (chmod)."""
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0 if shutil.which(
            "chattr") else False
    else:
        folder.chmod(0o555)
        made = True
    try:
        probe = folder / ".probe"
        try:
            probe.touch()
        except OSError:
            pass
        else:
            probe.unlink()
            made = False
        if not made:
            pytest.skip("cannot make a read-only folder here (no chattr, or a file system without it)")
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        folder.chmod(0o755)


def test_a_read_only_folder_is_refused_before_any_work(config, tmp_path, tradesim):
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        for args in (["sweep", config, "--out", locked, "--workers", "0"],
                     ["sweep", config, "--out", locked / "new", "--workers", "0"],
                     ["run", "section232_2018", "--out", locked / "records.csv"]):
            result = tradesim(*args)
            assert result.returncode == 2
            line = one_line(result.stderr)
            assert "read-only" in line and "--out" in line
            assert result.stdout == ""  # refused before the run or the sweep's header


def test_a_folder_that_turns_read_only_mid_sweep_stops_with_one_line(config, straight, tmp_path):
    out = tmp_path / "out"
    proc = start_sweep(config, out, "--workers", "1")
    wait_for_parts(out, proc, stop=True)  # held while the folder turns read-only: it could otherwise finish first
    with read_only(out / "runs"):
        os.killpg(proc.pid, signal.SIGCONT)
        assert proc.wait(timeout=120) == 2, "the sweep did not stop at the read-only folder"
        line = one_line(proc.stderr.read())
        assert "read-only" in line and "runs are saved in" in line
    assert_consistent_and_resumable(config, out, straight)


# --------------------------------------------------------------------------- Dask
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dask_cluster(workers: int = 1):
    """A scheduler and workers (no nanny: a killed worker stays dead), each its own process."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", str(port), "--no-dashboard"], **quiet)
    procs = [scheduler] + [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                             "--nthreads", "1", "--no-dashboard", "--no-nanny"], **quiet)
                           for _ in range(workers)]
    try:
        from distributed import Client

        with Client(address, timeout="60s", set_as_default=False) as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, scheduler, procs[1:]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def kill_after_first_part(out: Path, victims: list[subprocess.Popen]) -> threading.Thread:
    def kill():
        deadline = time.monotonic() + 120
        while not store.part_files(out) and time.monotonic() < deadline:
            time.sleep(0.02)
        for victim in victims:
            victim.kill()

    thread = threading.Thread(target=kill, daemon=True)
    thread.start()
    return thread


pytest.importorskip("distributed")


def test_a_killed_dask_worker_is_replaced_by_the_others(config, straight, tmp_path, tradesim):
    """One of two workers dies mid-sweep: its tasks move to the other, and the table is the same."""
    out = tmp_path / "out"
    with dask_cluster(workers=2) as (address, _, workers):
        kill_after_first_part(out, workers[:1])
        result = tradesim("sweep", config, "--out", out, "--scheduler", address, "--no-progress")
    assert result.returncode == 0, result.stderr
    pd.testing.assert_frame_equal(ordered(load_results(out)), straight)


@pytest.mark.parametrize("victim", ["scheduler", "every worker"])
def test_a_lost_scheduler_or_no_workers_stops_with_one_line_and_a_resumable_folder(config, straight, tmp_path,
                                                                                    tradesim, victim):
    out = tmp_path / "out"
    with dask_cluster(workers=1) as (address, scheduler, workers):
        kill_after_first_part(out, [scheduler] if victim == "scheduler" else workers)
        result = tradesim("sweep", config, "--out", out, "--scheduler", address, "--no-progress",
                          "--no-workers-timeout", "2")
    assert result.returncode == 2
    line = one_line(result.stderr)
    expected = "lost the connection to the Dask scheduler" if victim == "scheduler" else "has had no workers for 2 s"
    assert expected in line and "runs are saved in" in line and "--resume" in line
    assert store.read_manifest(out)["status"] == "failed"
    assert_consistent_and_resumable(config, out, straight)


@contextmanager
def not_a_scheduler():
    """A TCP server that answers every connection with bytes that are not Dask's protocol."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + b"\xff" * 64)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


def test_bad_scheduler_addresses_fail_fast_with_one_line(config, tmp_path, tradesim):
    closed = f"tcp://127.0.0.1:{free_port()}"
    with not_a_scheduler() as impostor:
        cases = [(closed, "nothing is listening"), ("http://example:80", "expected a Dask scheduler address"),
                 ("tcp://127.0.0.1:99999", "port 99999 is out of range"),
                 ("tcp://no-such-host.invalid:8786", "unknown host"),
                 (impostor, "no Dask scheduler answered")]
        for address, words in cases:
            result = tradesim("sweep", config, "--out", tmp_path / "out", "--scheduler", address, "--no-progress")
            assert result.returncode == 2
            assert words in one_line(result.stderr), address
    assert not store.part_files(tmp_path / "out")
