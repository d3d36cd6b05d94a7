"""The on-disk layout of a sweep: Parquet part files and a manifest.

    DIR/manifest.json               spec, versions, base seed, run count, times, status
    DIR/runs/part-00001.parquet     rows of completed runs, written every ``part_size`` runs
    DIR/runs/part-00002.parquet     ...

``pandas.read_parquet("DIR/runs")`` reads them all (temporary files start with a dot,
which Parquet readers skip).

Parts are written to a temporary file and renamed into place, so a part is
either complete or absent; a crash loses at most the runs not yet written,
and ``--resume`` redoes exactly those.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

PART_RE = re.compile(r"^part-(\d{5,})\.parquet$")
MANIFEST = "manifest.json"
RUNS = "runs"


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


def done_run_ids(out_dir: Path) -> set[int]:
    """Run ids present in the part files (reads only the run_id column)."""
    import pyarrow.parquet as pq

    done: set[int] = set()
    for path in part_files(out_dir):
        column = pq.read_table(path, columns=["run_id"]).column("run_id").to_pylist()
        done.update(int(r) for r in column)
    return done


def remove_temp_files(out_dir: Path) -> None:
    for path in runs_dir(out_dir).glob(".part-*.tmp"):
        path.unlink(missing_ok=True)


def write_part(out_dir: Path, index: int, rows: list[dict[str, Any]], columns: list[str]) -> Path:
    """Write ``rows`` as part ``index`` atomically (temp file, fsync, rename)."""
    import pandas as pd

    out_dir = runs_dir(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"part-{index:05d}.parquet"
    tmp = out_dir / f".part-{index:05d}.parquet.tmp"
    frame = pd.DataFrame(rows, columns=columns)
    frame.to_parquet(tmp, index=False)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, final)
    return final


def read_manifest(out_dir: Path) -> dict | None:
    path = Path(out_dir) / MANIFEST
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def write_manifest(out_dir: Path, manifest: dict) -> None:
    path = Path(out_dir) / MANIFEST
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_results(out_dir: Path, columns: list[str] | None = None):
    """All part files of a sweep as one pandas DataFrame (sorted by run_id, and round if present)."""
    import pandas as pd

    parts = part_files(out_dir)
    if not parts:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(p, columns=columns) for p in parts], ignore_index=True)
    keys = [k for k in ("run_id", "round") if k in frame.columns]
    return frame.sort_values(keys).reset_index(drop=True) if keys else frame
