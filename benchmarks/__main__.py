"""``python -m benchmarks [--quick] [--out DIR | --record]``: run every measurement, write and print the table.

Writes ``DIR/latest.json`` (all figures, with the machine and versions) and
``DIR/latest.md`` (the table), and says so.  DIR is a scratch folder,
``benchmarks/scratch`` (git-ignored), unless ``--out DIR`` names another;
``--record`` writes ``benchmarks/results``, the figures committed with the code
(see :mod:`benchmarks.report`).
"""

from __future__ import annotations

import argparse
import sys


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    from benchmarks.report import add_output_options

    parser = parser or argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: tiny sizes and one or two repeats (figures are not meaningful)")
    add_output_options(parser, "latest.json and latest.md")
    parser.add_argument("--skip", action="append", default=[], choices=("sweeps", "app"),
                        help="leave out the sweep or the app rows (repeatable)")
    return parser


def run(args: argparse.Namespace) -> int:
    from benchmarks.report import environment, markdown_table, output_dir, shown, write_results
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
        log(f"wrote {shown(path)}")
    return 0


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
