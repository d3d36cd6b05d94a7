"""``uv run --group calibrate python -m benchmarks.calibration [--shipped] [--out DIR | --record]``: calibration time.

Runs ``python -m experiments.calibrate`` (ABC-SMC, the leave-one-out reference table and the point estimate)
with its defaults on this machine, writing the posterior into a scratch file (the shipped
``sim/scenarios/posterior.json`` is left alone), and records the wall time of each stage against the goal of
issue 21: at most 20 minutes on 2 cores.  About 12-15 minutes.

``--shipped`` records the timing the shipped posterior file carries instead (the fit that produced it), without
running anything.  Writes ``calibration.json`` and ``calibration.md`` (scratch folder unless ``--record``, see
:mod:`benchmarks.report`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MINUTES = 20.0


def from_posterior(path: Path, wall_s: float | None, source: str) -> dict:
    content = json.loads(path.read_text())
    total = wall_s if wall_s is not None else content["seconds_total"]
    return {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "source": source,
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
                       f"Python {platform.python_version()}",
            "abc_minutes": content["seconds"] / 60, "total_minutes": total / 60,
            "simulations": content["simulations"], "generations": len(content["generations"]),
            "population": content["population"], "seeds_per_particle": content["seeds_per_particle"],
            "reference_draws": len(content["reference"]["points"]), "goal_minutes": GOAL_MINUTES,
            "met": total / 60 <= GOAL_MINUTES}


def markdown(run: dict) -> str:
    status = "met" if run["met"] else "**not met**"
    return "\n".join([
        f"tradesim calibration time, {run['when']} ({run['machine']}; {run['source']})", "",
        "| stage | figure |", "|---|---:|",
        f"| ABC-SMC ({run['population']} particles, {run['seeds_per_particle']} seeds each, "
        f"{run['generations']} generations, {run['simulations']:,} simulations) | {run['abc_minutes']:.1f} min |",
        f"| whole command (with the {run['reference_draws']:,}-draw reference table{run.get('extra', '')}) "
        f"| {run['total_minutes']:.1f} min |",
        f"| goal (issue 21) | <= {run['goal_minutes']:.0f} min: {status} |", ""])


def main(argv: list[str] | None = None) -> int:
    from benchmarks.report import add_output_options, output_dir, shown
    from sim import predictive
    from sim.world.errors import UserError, one_line

    parser = argparse.ArgumentParser(prog="python -m benchmarks.calibration", description=__doc__.splitlines()[0])
    add_output_options(parser, "calibration.json and calibration.md")
    parser.add_argument("--shipped", action="store_true",
                        help="record the timing stored in the shipped posterior file instead of running the fit")
    args = parser.parse_args(argv)
    try:
        out = output_dir(args)
    except UserError as exc:
        print(f"{parser.prog}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    if args.shipped:
        run = from_posterior(predictive.posterior_path(), None, "the shipped fit, as its file records it")
    else:
        with tempfile.TemporaryDirectory(prefix="tradesim-calibration-") as scratch:
            target = Path(scratch) / "posterior.json"
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "experiments.calibrate", "--out", str(target)], cwd=ROOT)
            wall = time.monotonic() - started
            if done.returncode != 0:
                print(f"{parser.prog}: error: the calibration failed (exit {done.returncode})", file=sys.stderr)
                return 1
            run = from_posterior(target, wall, "a fresh run of `python -m experiments.calibrate`, wall time")
            run["extra"] = " and the point estimate"
    table = markdown(run)
    (out / "calibration.json").write_text(json.dumps(run, indent=1) + "\n")
    (out / "calibration.md").write_text(table)
    print(table)
    for name in ("calibration.json", "calibration.md"):
        print(f"wrote {shown(out / name)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
