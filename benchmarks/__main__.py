"""``python -m benchmarks [--quick] [--out DIR | --record]``: run every measurement, write and print the table.

Writes ``DIR/latest.json`` (all figures, with the machine and versions) and
``DIR/latest.md`` (the table), and says so.  DIR is a scratch folder,
``benchmarks/scratch`` (git-ignored), unless ``--out DIR`` names another;
``--record`` writes ``benchmarks/results``, the figures committed with the code,
and is a deliberate choice: a plain run never touches them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"  # committed: written only with --record
SCRATCH = HERE / "scratch"  # git-ignored: where a plain run writes


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: tiny sizes and one or two repeats (figures are not meaningful)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", default=None, metavar="DIR",
                       help="directory for latest.json and latest.md (default: benchmarks/scratch, git-ignored)")
    where.add_argument("--record", action="store_true",
                       help="write benchmarks/results/latest.json and latest.md, the figures committed with the code")
    parser.add_argument("--skip", action="append", default=[], choices=("sweeps", "app"),
                        help="leave out the sweep or the app rows (repeatable)")
    return parser


def output_dir(args: argparse.Namespace) -> Path:
    """Where this run writes, checked (created if missing, writable) before anything is measured."""
    from sim.world.errors import UserError
    from sim.world.paths import check_output_dir

    if args.record:
        if args.quick:
            raise UserError("--record writes the committed benchmarks/results: not with --quick, "
                            "whose figures are not meaningful (leave out --record, or --quick)")
        return check_output_dir(RESULTS, "--record")
    return check_output_dir(args.out if args.out is not None else SCRATCH, "--out")


def run(args: argparse.Namespace) -> int:
    from benchmarks.report import environment, markdown_table, write_results
    from benchmarks.suite import run_all

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    out = output_dir(args)
    rows = run_all(quick=args.quick, log=log, skip=tuple(args.skip))
    env = environment(quick=args.quick)
    table = markdown_table(rows, env)
    written = write_results(out, rows, env, table)
    print(table)
    for path in written:
        log(f"wrote {_shown(path)}")
    return 0


def _shown(path: Path) -> Path:
    """``path`` relative to the current folder when it is inside it (as a user would type it)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def main(argv: list[str] | None = None) -> int:
    from sim.world.errors import UserError, one_line

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args)
    except UserError as exc:
        print(f"{parser.prog}: error: {one_line(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
