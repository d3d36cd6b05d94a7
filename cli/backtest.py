"""``tradesim backtest``: score seeded runs against the scenario's history table."""

from __future__ import annotations

import json

from cli.options import add_set_option


def add_parser(sub) -> None:
    p = sub.add_parser("backtest", help="score seeded runs against the scenario's history table")
    p.add_argument("scenario", nargs="?", help="scenario with a <name>_history.toml table (e.g. section232_2018)")
    p.add_argument("--seeds", type=int, default=30, help="number of seeded runs (seeds 0..K-1; default 30)")
    add_set_option(p, "override a parameter for every run")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from experiments.backtest import format_report, run_backtest
    from sim.world.errors import UserError
    from sim.world.overrides import parse_set_options

    if not args.scenario:
        raise UserError("tradesim backtest needs a SCENARIO (e.g. section232_2018)")
    result = run_backtest(args.scenario, args.seeds, parse_set_options(args.sets))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(format_report(result))
    return 0
