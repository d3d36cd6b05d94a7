"""``python -m benchmarks [--quick] [--out DIR]``: run every measurement, write and print the table.

Writes ``DIR/latest.json`` (all figures, with the machine and versions) and
``DIR/latest.md`` (the table); DIR defaults to ``benchmarks/results``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: tiny sizes and one or two repeats (figures are not meaningful)")
    parser.add_argument("--out", default=str(RESULTS), help="directory for latest.json and latest.md")
    parser.add_argument("--skip", action="append", default=[], choices=("sweeps", "app"),
                        help="leave out the sweep or the app rows (repeatable)")
    return parser


def run(args: argparse.Namespace) -> int:
    from benchmarks.report import environment, markdown_table, write_results
    from benchmarks.suite import run_all

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    rows = run_all(quick=args.quick, log=log, skip=tuple(args.skip))
    env = environment(quick=args.quick)
    table = markdown_table(rows, env)
    write_results(Path(args.out), rows, env, table)
    print(table)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
