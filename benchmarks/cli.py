"""``tradesim bench [--quick] [--out DIR]``: the same as ``python -m benchmarks``."""

from __future__ import annotations

from sim.cli import subcommand


@subcommand("bench")
def _add(sub):
    from benchmarks.__main__ import build_parser, run

    p = sub.add_parser("bench", help="run the speed and memory benchmarks (see benchmarks/README.md)")
    build_parser(p)
    p.set_defaults(handler=run)
