"""``tradesim scenarios``: list the built-in scenarios."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("scenarios", help="list the built-in scenarios")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from sim.world.loader import builtin_summaries

    rows = builtin_summaries()
    width = max(len(name) for name, _, _ in rows)
    print(f"{'name':<{width}}  countries  title")
    for name, title, n in rows:
        print(f"{name:<{width}}  {n:>9}  {title}")
    return 0
