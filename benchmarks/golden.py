"""Before/after check for refactors: the user-visible outputs, byte for byte.

    python -m benchmarks.golden save DIR     write the outputs of this checkout to DIR
    python -m benchmarks.golden check DIR    recompute them and compare with DIR, byte for byte

The outputs: ``tradesim run SCENARIO --seed S --json`` (the console script, in a subprocess) for every built-in scenario at
seeds 1-3, the per-round records of one run (``--out records.parquet``), ``tradesim
explain section232_2018 Vietnam --rounds 8 --json``, ``tradesim backtest section232_2018
--seeds 30 --json`` and the Parquet part files of a small sweep of section232_2018 (run
in one process, so the parts are written in a fixed order).  A refactor that claims to
change nothing must pass ``check`` against ``save`` from before it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

SWEEP_SPEC = """
[sweep]
name = "golden"
scenario = "section232_2018"
rounds = 12
replications = 2
base_seed = 7
record = "final"
part_size = 4

[grid]
us_toughness = [0.2, 0.8]
"all.security_dependence" = [0.1, 0.6]
"""


def _tradesim(*args: str) -> bytes:
    """Standard output of ``tradesim ARGS``, the console script run as a user runs it."""
    script = Path(sys.executable).parent / "tradesim"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "cli"]
    done = subprocess.run([*command, *args], capture_output=True)
    if done.returncode != 0:
        raise SystemExit(f"tradesim {' '.join(args)} exited with status {done.returncode}:\n{done.stderr.decode()}")
    return done.stdout


def outputs() -> dict[str, bytes]:
    """Every compared output, by file name."""
    from sim.world.loader import builtin_names

    out: dict[str, bytes] = {}
    for name in builtin_names():
        for seed in (1, 2, 3):
            out[f"run-{name}-{seed}.json"] = _tradesim("run", name, "--seed", str(seed), "--json")
    out["explain-vietnam.json"] = _tradesim("explain", "section232_2018", "Vietnam", "--rounds", "8", "--json")
    out["backtest-30.json"] = _tradesim("backtest", "section232_2018", "--seeds", "30", "--json")
    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "records.parquet"
        _tradesim("run", "section232_2018", "--seed", "1", "--out", str(records), "--json")
        out["records-section232_2018-1.parquet"] = records.read_bytes()
        spec = Path(tmp) / "golden.toml"
        spec.write_text(SWEEP_SPEC)
        sweep_dir = Path(tmp) / "sweep"
        _tradesim("sweep", str(spec), "--out", str(sweep_dir), "--workers", "0", "--no-progress")
        for part in sorted((sweep_dir / "runs").glob("part-*.parquet")):
            out[f"sweep-{part.name}"] = part.read_bytes()
    return out


def save(directory: Path) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in outputs().items():
        (directory / name).write_bytes(data)
    print(f"saved {len(list(directory.iterdir()))} outputs to {directory}")
    return 0


def check(directory: Path) -> int:
    expected = {p.name: p.read_bytes() for p in sorted(directory.iterdir())}
    actual = outputs()
    differ = [name for name in sorted(set(expected) | set(actual)) if expected.get(name) != actual.get(name)]
    for name in differ:
        print(f"DIFFERS: {name}" + ("" if name in expected and name in actual else " (missing on one side)"))
    print(f"{len(expected) - len(differ)} of {len(expected)} outputs byte-identical")
    return 1 if differ else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.golden", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    return save(args.directory) if args.action == "save" else check(args.directory)


if __name__ == "__main__":
    sys.exit(main())
