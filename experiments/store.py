"""The on-disk layout of a sweep: Parquet part files and a manifest, and their checks.

    DIR/manifest.json               spec, pinned inputs, versions, seeds, run count, times, status
    DIR/runs/part-00001.parquet     rows of completed runs, written every ``part_size`` runs
    DIR/runs/part-00002.parquet     ...

``pandas.read_parquet("DIR/runs")`` reads them all (temporary files start with a dot,
which Parquet readers skip).

Writing a part (:func:`stage_part`, then the manifest, then :func:`commit_part`): the
rows go to a temporary file, synced; the manifest is rewritten to count them; only then
is the part renamed into place.  So a part is complete or absent, and the manifest
never counts fewer runs than the parts on disk hold (a crash in the instant between
the manifest and the rename leaves it one part ahead; ``--resume`` and ``analyze``
count from the parts themselves).  A write that fails (a full disk, a read-only folder)
removes its temporary file and raises :class:`~sim.world.errors.UserError` saying why.

Reading checks as it goes (:func:`verify_parts`): a damaged manifest or part, a part
from another sweep (other columns, run ids, seeds or point values) and a run held twice
(a copied part) each give a one-line error naming the file.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path
from typing import Any

from sim.world.errors import UserError
from sim.world.paths import os_error_text

PART_RE = re.compile(r"^part-(\d{5,})\.parquet$")
MANIFEST = "manifest.json"
RUNS = "runs"
ID_COLUMNS = ["run_id", "point_id", "replication", "seed"]
# what analyze and --resume read from a manifest
MANIFEST_KEYS = ("name", "spec", "columns", "varied", "metrics", "record", "run_count", "method")


class StoreError(UserError):
    """A sweep folder cannot be written, or what it holds is damaged or foreign."""


def result_columns(spec) -> list[str]:
    """The columns of a sweep's part files: ids, (round,) fixed values, varied values, metrics."""
    columns = list(ID_COLUMNS)
    if spec.record == "every_round":
        columns.append("round")
    varied = spec.varied
    columns += [name for name in spec.fixed if name not in varied]
    columns += varied
    columns += list(spec.metrics)
    return columns


def runs_dir(out_dir: Path) -> Path:
    return Path(out_dir) / RUNS


def part_files(out_dir: Path) -> list[Path]:
    out_dir = runs_dir(out_dir)
    if not out_dir.is_dir():
        return []
    return sorted((p for p in out_dir.iterdir() if PART_RE.match(p.name)), key=lambda p: int(PART_RE.match(p.name)[1]))


def next_part_index(out_dir: Path) -> int:
    parts = part_files(out_dir)
    return int(PART_RE.match(parts[-1].name)[1]) + 1 if parts else 1


def remove_temp_files(out_dir: Path) -> None:
    for path in runs_dir(out_dir).glob(".part-*.tmp"):
        path.unlink(missing_ok=True)
    (Path(out_dir) / (MANIFEST + ".tmp")).unlink(missing_ok=True)


# --------------------------------------------------------------------------- writing
def _write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and sync it to the disk (the one place sweep files are written)."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _write_atomically(tmp: Path, final: Path, data: bytes | None, rename: bool = True) -> None:
    """Write ``data`` to ``tmp`` (unless None); rename it to ``final`` (unless ``rename`` is false).

    A failure removes ``tmp`` and raises StoreError saying why.
    """
    try:
        if data is not None:
            _write_file(tmp, data)
        if rename:
            os.replace(tmp, final)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:  # the folder refuses removals too (read-only, immutable); a resume clears it
            pass
        raise StoreError(f"cannot write {final}: {os_error_text(exc)}") from None


def stage_part(out_dir: Path, index: int, rows: list[dict[str, Any]], columns: list[str]) -> tuple[Path, Path]:
    """Write ``rows`` as the temporary file of part ``index``; return (temporary, final) paths."""
    import pandas as pd

    folder = runs_dir(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create {folder}: {os_error_text(exc)}") from None
    final = folder / f"part-{index:05d}.parquet"
    tmp = folder / f".part-{index:05d}.parquet.tmp"
    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=columns).to_parquet(buffer, index=False)
    _write_atomically(tmp, final, buffer.getvalue(), rename=False)
    return tmp, final


def commit_part(tmp: Path, final: Path) -> None:
    """Rename a staged part into place (after the manifest counts it)."""
    _write_atomically(tmp, final, None)


def write_part(out_dir: Path, index: int, rows: list[dict[str, Any]], columns: list[str]) -> Path:
    """Write part ``index`` at once (temporary file, sync, rename)."""
    tmp, final = stage_part(out_dir, index, rows, columns)
    commit_part(tmp, final)
    return final


def write_manifest(out_dir: Path, manifest: dict) -> None:
    path = Path(out_dir) / MANIFEST
    data = (json.dumps(manifest, indent=2, default=str) + "\n").encode("utf-8")
    _write_atomically(path.with_suffix(".json.tmp"), path, data)


# --------------------------------------------------------------------------- reading
def read_manifest(out_dir: Path) -> dict | None:
    """The folder's manifest, None when there is none; a damaged one raises StoreError."""
    path = Path(out_dir) / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        reason = os_error_text(exc) if isinstance(exc, OSError) else "not valid JSON"
        raise _damaged(path, reason) from None
    if not isinstance(manifest, dict):
        raise _damaged(path, "not a JSON object")
    missing = [key for key in MANIFEST_KEYS if key not in manifest]
    if missing:
        raise _damaged(path, f"no {', '.join(missing)}")
    shapes = {"spec": dict, "columns": list, "varied": list, "metrics": list, "name": str, "record": str,
              "method": str, "run_count": int, "sessions": list, "inputs": dict, "start_time": str}
    wrong = [key for key, kind in shapes.items() if key in manifest and not isinstance(manifest[key], kind)]
    if wrong:
        raise _damaged(path, f"{', '.join(wrong)} of the wrong type")
    return manifest


def check_manifest(out_dir: Path, manifest: dict, spec) -> None:
    """The manifest's own summary of the sweep must be its spec's (a hand-edited or damaged one is refused)."""
    expected = {"columns": result_columns(spec), "varied": list(spec.varied), "metrics": list(spec.metrics),
                "record": spec.record, "method": spec.method, "run_count": spec.n_runs()}
    wrong = [key for key, value in expected.items() if manifest.get(key) != value]
    if wrong:
        raise _damaged(Path(out_dir) / MANIFEST, f"its {', '.join(wrong)} do not match its spec")


def _damaged(path: Path, reason: str) -> StoreError:
    return StoreError(f"{path} is damaged ({reason}); without it the parts cannot be checked against their "
                      "sweep: restore it, or run the sweep again with another --out")


def _read_table(path: Path, columns: list[str] | None = None):
    """A part file as a pyarrow table; a damaged or unreadable file raises StoreError naming it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowException, ValueError, KeyError) as exc:
        reason = os_error_text(exc) if type(exc) is OSError else f"not a readable Parquet file: {str(exc)[:120]}"
        raise StoreError(f"{path} is damaged ({reason}); move it away, and `tradesim sweep CONFIG --out "
                         f"{Path(path).parent.parent} --resume` redoes its runs") from None


def _read_frame(path: Path, columns: list[str] | None = None):
    """A part file as a pandas DataFrame; a damaged file raises StoreError naming it."""
    import pandas as pd

    try:
        return pd.read_parquet(path, columns=columns)
    except Exception:  # noqa: BLE001 - pyarrow's many error types; _read_table words them
        _read_table(path, columns)
        raise


def verify_parts(out_dir: Path, spec, columns: list[str]) -> set[int]:
    """Check every part against the sweep ``spec`` it should belong to; return the run ids done.

    A part must have the sweep's columns; its run ids, point ids, replications and
    seeds must be the spec's derivation, and its first row's varied values the spec's
    point; no run (or run and round) may appear twice.  Anything else is a part of
    another sweep or a copy, and raises StoreError naming it.
    """
    import numpy as np
    import pyarrow.parquet as pq

    total, reps = spec.n_runs(), spec.replications
    keys = ["run_id", "round"] if "round" in columns else ["run_id"]
    seen: dict[tuple, str] = {}
    done: set[int] = set()
    for path in part_files(out_dir):
        try:
            names = pq.read_schema(path).names
        except Exception:  # noqa: BLE001 - _read_table words the error
            _read_table(path)
            raise
        if names != columns:
            raise _alien(path, f"its columns ({', '.join(names[:6])}...) are not this sweep's")
        table = _read_table(path, ID_COLUMNS + keys[1:] + list(spec.varied))
        ids = {name: table.column(name).to_numpy() for name in ID_COLUMNS + keys[1:]}
        run, point, rep = ids["run_id"], ids["point_id"], ids["replication"]
        if len(run) == 0:
            raise _alien(path, "it holds no rows")
        if ((run < 0) | (run >= total)).any() or (run != point * reps + rep).any() or ((rep < 0) | (rep >= reps)).any():
            raise _alien(path, f"its run ids are not this sweep's ({total:,} runs of {reps} replications)")
        for i in {0, len(run) - 1}:
            if int(ids["seed"][i]) != spec.seed_for(int(point[i]), int(rep[i])):
                raise _alien(path, f"run {int(run[i])} has another seed than this sweep's")
        first = {name: table.column(name)[0].as_py() for name in spec.varied}
        if first != spec.point(int(point[0])):
            raise _alien(path, f"run {int(run[0])} has other parameter values than this sweep's point {int(point[0])}")
        rows = np.stack([ids[k] for k in keys], axis=1) if len(keys) > 1 else run[:, None]
        for key in map(tuple, rows.tolist()):
            if key in seen:
                raise StoreError(f"{path} repeats run {key[0]}, already in {seen[key]} (a copied part?); "
                                 "move one of them away: each run must be counted once")
            seen[key] = Path(path).name
        done.update(int(r) for r in np.unique(run))
    return done


def _alien(path: Path, reason: str) -> StoreError:
    return StoreError(f"{path} does not belong to this sweep: {reason}; move it away (each sweep needs its own --out)")


def done_run_ids(out_dir: Path) -> set[int]:
    """Run ids present in the part files (reads only the run_id column)."""
    done: set[int] = set()
    for path in part_files(out_dir):
        done.update(int(r) for r in _read_table(path, ["run_id"]).column("run_id").to_pylist())
    return done


def read_results(out_dir: Path, columns: list[str] | None = None):
    """All part files of a sweep as one pandas DataFrame (sorted by run_id, and round if present)."""
    import pandas as pd

    parts = part_files(out_dir)
    if not parts:
        return pd.DataFrame()
    frame = pd.concat([_read_frame(p, columns) for p in parts], ignore_index=True)
    keys = [k for k in ("run_id", "round") if k in frame.columns]
    return frame.sort_values(keys).reset_index(drop=True) if keys else frame
