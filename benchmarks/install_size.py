"""``python -m benchmarks.install_size [--out DIR | --record] [--keep]``: the disk the README's environments take.

The README's two commands each create the project environment (``.venv``) on first use:
``uv run tradesim app`` and ``uv run pytest``.  For each, this clones the checkout (its
committed HEAD) into a scratch folder and creates the environment the way the command
does, with the lock enforced, but without serving or testing:

* app: ``uv run --locked tradesim --version`` (the same sync as ``uv run tradesim app``);
* tests: ``uv run --locked pytest --version`` (the same sync as ``uv run pytest``);
* for reference, the app's own dependencies without the dev group:
  ``uv sync --locked --no-dev``.

Each ``.venv`` is measured with ``du -sk`` (disk usage; uv's bytecode included, as
``[tool.uv] compile-bytecode`` writes it), with its largest parts.  Goals (issue 22): at
most 1 GB for the app, 1.5 GB for the tests, GB as ``du -h`` counts them (1 GB = 1,024 MB
of 1,048,576 bytes).  Writes ``install_size.json`` and ``install_size.md`` (scratch
folder unless ``--record``, see :mod:`benchmarks.report`).  Needs git, uv and the
registry (or uv's cache); about a minute with a warm cache.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024  # du -k counts KiB; a MB here is 1,024 KiB, as du -h counts
GOALS_MB = {"app": 1024, "tests": 1536}

# (name, how the environment is made, the README command it stands for)
ENVIRONMENTS = (
    ("app", ["uv", "run", "--locked", "tradesim", "--version"], "uv run tradesim app"),
    ("tests", ["uv", "run", "--locked", "pytest", "--version"], "uv run pytest"),
    ("app dependencies alone", ["uv", "sync", "--locked", "--no-dev"], "reference: without the dev group"),
)
# parts of an environment worth naming (relative to .venv; site-packages is found)
PARTS = ("share/solara", "SITE/pyarrow", "SITE/playwright", "SITE/scipy", "SITE/pandas", "SITE/numpy",
         "SITE/matplotlib", "SITE/dask", "SITE/distributed")


def du_kib(path: Path) -> int:
    """Disk usage of ``path`` in KiB, as ``du -sk`` reports it."""
    done = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[0])


def bytecode_kib(venv: Path) -> int:
    """Disk usage of the environment's compiled bytecode (.pyc files), in KiB."""
    seen, blocks = set(), 0
    for path in venv.rglob("*.pyc"):
        info = path.stat()
        if (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            blocks += info.st_blocks
    return blocks * 512 // 1024


def measure(name: str, command: list[str], scratch: Path, log) -> dict:
    clone = scratch / name.replace(" ", "-")
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT")}
    env.pop("UV_NO_DEV", None)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed in {clone}:\n{done.stderr[-2000:]}")
    venv = clone / ".venv"
    site = next(venv.glob("lib/python*/site-packages"))
    parts = {}
    for part in PARTS:
        path = venv / part if not part.startswith("SITE/") else site / part.removeprefix("SITE/")
        if path.exists():
            parts[part.removeprefix("SITE/")] = round(du_kib(path) / MB)
    packages = sorted(p.name.split("-")[0] for p in site.glob("*.dist-info"))
    result = {"environment": name, "made_by": " ".join(command), "stands_for": "",
              "size_mb": round(du_kib(venv) / MB), "bytecode_mb": round(bytecode_kib(venv) / MB),
              "parts_mb": parts, "packages": len(packages),
              "gpu_stack": [p for p in packages if p.lower() in ("torch", "triton") or p.lower().startswith("nvidia")],
              "sync_s": round(seconds, 1)}
    log(f"  {name}: {result['size_mb']:,} MB ({result['packages']} packages), made in {seconds:.0f} s")
    return result


def markdown(run: dict) -> str:
    lines = [f"tradesim install size, {run['when']} (uv {run['uv']}, {run['machine']}; commit {run['commit']})", "",
             "| environment | made by | size | of which bytecode | goal | status |", "|---|---|---:|---:|---|---|"]
    for row in run["environments"]:
        goal = GOALS_MB.get(row["environment"])
        status = "" if goal is None else ("met" if row["size_mb"] <= goal else "**not met**")
        lines.append(f"| {row['environment']} ({row['stands_for']}) | `{row['made_by']}` | {row['size_mb']:,} MB | "
                     f"{row['bytecode_mb']:,} MB | {'' if goal is None else f'<= {goal:,} MB'} | {status} |")
    names = [row["environment"] for row in run["environments"]]
    lines += ["", "Largest parts, MB:", "", "| part | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for part in dict.fromkeys(k for row in run["environments"] for k in row["parts_mb"]):
        lines.append(f"| {part} | " + " | ".join(str(row["parts_mb"].get(part, "-")) for row in run["environments"]) + " |")
    lines += ["",
        "MB = 1,024 KiB as `du -sk` counts them; no environment holds torch, an nvidia-* wheel or triton"
        if not any(row["gpu_stack"] for row in run["environments"]) else
        "GPU stack present: " + ", ".join(sorted({p for row in run["environments"] for p in row["gpu_stack"]}))]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from benchmarks.report import add_output_options, output_dir, shown
    from sim.world.errors import UserError, one_line

    parser = argparse.ArgumentParser(prog="python -m benchmarks.install_size", description=__doc__.splitlines()[0])
    add_output_options(parser, "install_size.json and install_size.md")
    parser.add_argument("--keep", action="store_true", help="keep the scratch clones and their environments")
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    try:
        out = output_dir(args)
    except UserError as exc:
        print(f"{parser.prog}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    for tool in ("git", "uv", "du"):
        if shutil.which(tool) is None:
            print(f"{parser.prog}: error: needs {tool} on the PATH", file=sys.stderr)
            return 2
    scratch = Path(tempfile.mkdtemp(prefix="tradesim-install-size-"))
    log(f"cloning {ROOT} (committed HEAD) into {scratch}")
    try:
        rows = []
        for name, command, stands_for in ENVIRONMENTS:
            rows.append({**measure(name, command, scratch, log), "stands_for": stands_for})
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    uv = subprocess.run(["uv", "--version"], capture_output=True, text=True).stdout.split()
    run = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "commit": commit.strip(),
           "uv": uv[1] if len(uv) > 1 else "?", "machine": f"{platform.system()} {platform.machine()}, "
           f"Python {platform.python_version()}", "goals_mb": GOALS_MB, "environments": rows}
    table = markdown(run)
    (out / "install_size.json").write_text(json.dumps(run, indent=1) + "\n")
    (out / "install_size.md").write_text(table)
    print(table)
    for name in ("install_size.json", "install_size.md"):
        log(f"wrote {shown(out / name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
