"""``tradesim backtest``: score seeded runs against the scenario's history table."""

from __future__ import annotations

import json

from cli.options import add_set_option, checked


from sim.world.schema import MAX_BACKTEST_SEEDS


def add_parser(sub) -> None:
    p = sub.add_parser("backtest", help="score seeded runs against the scenario's history table")
    p.add_argument("scenario", nargs="?", help="scenario with a <name>_history.toml table (e.g. section232_2018)")
    p.add_argument("--seeds", default=None, metavar="K",
                   help=f"number of seeded runs (seeds 0..K-1; default 30, at most {MAX_BACKTEST_SEEDS:,})")
    add_set_option(p, "override a parameter for every run")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from sim.world.errors import UserError
    from sim.world.overrides import parse_set_options
    from sim.world.schema import BACKTEST_SEEDS

    if not args.scenario:
        raise UserError("tradesim backtest needs a SCENARIO (e.g. section232_2018)")
    seeds, overrides = checked(BACKTEST_SEEDS, args.seeds), parse_set_options(args.sets)
    from experiments.backtest import format_report, run_backtest

    result = run_backtest(args.scenario, seeds, overrides)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_report(result))
    return 0
