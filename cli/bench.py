"""``tradesim bench [--quick] [--out DIR | --record]``: the same as ``python -m benchmarks``."""

from __future__ import annotations


def add_parser(sub) -> None:
    from benchmarks.__main__ import build_parser

    p = sub.add_parser("bench", help="run the speed and memory benchmarks (see benchmarks/README.md)")
    build_parser(p)
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from benchmarks.__main__ import run

    return run(args)
