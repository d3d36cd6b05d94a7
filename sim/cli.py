"""The ``tradesim`` command line.

    tradesim scenarios
    tradesim run SCENARIO [--rounds N] [--seed S] [--set key=value ...] [--out FILE] [--json]
    tradesim explain SCENARIO COUNTRY [--rounds N] [--seed S] [--set key=value ...] [--json]
    tradesim sweep CONFIG [--workers N] [--out DIR] [--resume] [--scheduler ADDRESS]
    tradesim analyze DIR
    tradesim backtest SCENARIO [--seeds K] [--json]
    tradesim app [--host 127.0.0.1] [--port P]

User errors print a one-line message and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from sim.errors import UserError

SUBCOMMANDS: dict[str, Callable[[argparse._SubParsersAction], None]] = {}


def subcommand(name: str):
    """Register a function that adds a subparser (other modules may extend the CLI)."""

    def register(func):
        SUBCOMMANDS[name] = func
        return func

    return register


# ---------------------------------------------------------------- scenarios
@subcommand("scenarios")
def _add_scenarios(sub):
    p = sub.add_parser("scenarios", help="list the built-in scenarios")
    p.set_defaults(handler=cmd_scenarios)


def cmd_scenarios(args) -> int:
    from sim.scenario import builtin_summaries

    rows = builtin_summaries()
    width = max(len(name) for name, _, _ in rows)
    print(f"{'name':<{width}}  countries  title")
    for name, title, n in rows:
        print(f"{name:<{width}}  {n:>9}  {title}")
    return 0


# ---------------------------------------------------------------- run
@subcommand("run")
def _add_run(sub):
    p = sub.add_parser("run", help="run one scenario and print what happened")
    p.add_argument("scenario", nargs="?", help="built-in scenario name or path to a .toml file")
    _add_model_options(p)
    p.add_argument("--out", default=None, help="write per-round country records to FILE.csv or FILE.parquet")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--all-events", action="store_true", help="print every event of each round (default: the first 20)")
    p.add_argument("--exercise", default=None, help="run the preset of a classroom exercise (see docs/exercises)")
    p.set_defaults(handler=cmd_run)


def _add_model_options(p) -> None:
    p.add_argument("--rounds", type=int, default=None, help="number of rounds (default: the scenario's)")
    p.add_argument("--seed", default=None, help="random seed (default: 0)")
    p.add_argument("--set", dest="sets", action="append", metavar="KEY=VALUE", default=[],
                   help="override a parameter (e.g. us_toughness=0.8) or a country field (Canada.security_dependence=0.3)")


def _seed(text) -> int:
    from sim.model import coerce_seed

    seed = coerce_seed(text)
    return 0 if seed is None else int(seed)


def cmd_run(args) -> int:
    from sim.model import NegotiationModel
    from sim.scenario import parse_set_options

    overrides = parse_set_options(args.sets)
    scenario = args.scenario
    rounds = args.rounds
    if args.exercise:
        from sim.exercises import exercise_preset

        preset = exercise_preset(args.exercise)
        scenario = scenario or preset["scenario"]
        overrides = {**preset.get("params", {}), **overrides}
        rounds = rounds if rounds is not None else preset.get("rounds")
    if not scenario:
        raise UserError("give a SCENARIO (see `tradesim scenarios`) or --exercise NAME")
    if rounds is not None and rounds < 0:
        raise UserError(f"--rounds must be >= 0, got {rounds}")
    seed = _seed(args.seed)
    if args.out and Path(args.out).suffix not in (".csv", ".parquet"):
        raise UserError(f"--out must end in .csv or .parquet, got '{args.out}'")
    model = NegotiationModel(scenario_name=scenario, rng=seed, overrides=overrides)
    model.run(rounds)
    if args.out:
        _write_records(model, Path(args.out))
    if args.json:
        print(json.dumps(model.summary(), indent=2, sort_keys=False))
    else:
        print_run(model, max_events=None if args.all_events else 20)
    return 0


# ---------------------------------------------------------------- explain
@subcommand("explain")
def _add_explain(sub):
    p = sub.add_parser("explain", help="show why one country chose what it did, term by term")
    p.add_argument("scenario", help="built-in scenario name or path to a .toml file")
    p.add_argument("country", help="the economy to explain (e.g. Vietnam)")
    _add_model_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(handler=cmd_explain)


def cmd_explain(args) -> int:
    from sim.model import NegotiationModel
    from sim.scenario import parse_set_options

    model = NegotiationModel(scenario_name=args.scenario, rng=_seed(args.seed), overrides=parse_set_options(args.sets))
    names = model.world.names
    if model.is_classroom:
        raise UserError("explain needs a scenario with U.S. demands; in classroom games the utilities are just "
                        "the stage-game payoffs (see docs/validation.md, section 1)")
    by_name = {name.casefold(): name for name in names}
    country = by_name.get(args.country.strip().casefold())
    if country is None:
        raise UserError(f"no economy '{args.country}' in {model.scenario_name}; choose one of: {', '.join(names)}")
    rounds = model.scenario_data.rounds if args.rounds is None else args.rounds
    if rounds < 1:
        raise UserError(f"--rounds must be >= 1 (the round to explain), got {rounds}")
    model.run(rounds)
    agent = model.countries[names.index(country)]
    info = {"scenario": model.scenario_name, "seed": model.seed, "round": model.round, "country": agent.name,
            "stake_bn": round(float(model.outlook.stake[agent.index]), 6), **agent.explain()}
    if args.json:
        info["terms"] = dict(info["terms"])
        print(json.dumps(info, indent=2))
    else:
        print_explanation(model, info)
    return 0


def print_explanation(model, info: dict) -> None:
    from agents.decision import UTILITY_TERMS

    label = model.scenario_data.round_label or "round"
    print(f"Why {info['country']} chose \"{info['options'][0]}\" in {label} {info['round']} "
          f"({info['scenario']}, seed {info['seed']})")
    print(f"Utilities in percent of the stake (${info['stake_bn']:.2f}bn of exports under U.S. tariffs) for the "
          "chosen option and the best option of each other stance:")
    for k, option in enumerate(info["options"]):
        print(f"  [{k + 1}] {option}" + ("  (chosen)" if k == 0 else ""))
    print()
    columns = "".join(f"{f'[{k + 1}]':>9}" for k in range(len(info["options"])))
    print(f"{'term':<20}{columns}")
    for name, values in info["terms"]:
        print(f"{name:<20}" + "".join(f"{v:>9.2f}" for v in values))
    print(f"{'total':<20}" + "".join(f"{v:>9.2f}" for v in info["totals"]))
    print(f"{'chance of choosing':<20}" + "".join(f"{p:>9.1%}" for p in info["probabilities"]))
    print()
    for name, text in UTILITY_TERMS.items():
        print(f"  {name}: {text}")
    print(f"Decision noise {model.params['decision_noise']:g}: each option is drawn with probability "
          "proportional to exp(utility / noise).")


def _write_records(model, path: Path) -> None:
    from sim.records import country_frame

    frame = country_frame(model)
    frame.insert(0, "seed", model.seed)
    frame.insert(0, "scenario", model.scenario_name)
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def print_run(model, max_events: int | None = 20) -> None:
    data = model.scenario_data
    print(f"{data.title}  [{model.scenario_name}, seed {model.seed}, {model.round} {data.round_label}s]")
    print()
    if model.is_classroom:
        print_classroom_run(model)
        return
    summary = model.summary()
    by_round: dict[int, list[str]] = {}
    for event in model.events:
        by_round.setdefault(event["round"], []).append(event["text"])
    frame = model.datacollector.get_model_vars_dataframe()
    for r in range(1, model.round + 1):
        row = frame.iloc[r]
        print(f"Round {r:>3}: deals {int(row['Deals']):>2}  retaliators {int(row['Retaliators']):>2}  "
              f"escalation {row['Escalation index']:.2f}")
        lines = by_round.get(r, [])
        for text in lines[:max_events]:
            print(f"           - {text}")
        if max_events is not None and len(lines) > max_events:
            print(f"           ... {len(lines) - max_events} more events (--all-events shows them)")
    print()
    header = f"{'country':<16}{'treatment':<11}{'tariff':>8}{'retaliated':>12}{'settled':>9}{'welfare $bn/yr':>16}  last action"
    print(header)
    print("-" * len(header))
    for c in summary["countries"][:60]:
        print(f"{c['name']:<16}{c['final_treatment']:<11}{c['final_tariff']:>8.1%}{str(c['retaliated']).lower():>12}"
              f"{str(c['settled']).lower():>9}{c['welfare_change']:>16.2f}  {c['final_action']}")
    if len(summary["countries"]) > 60:
        print(f"... {len(summary['countries']) - 60} more countries")
    totals = summary["totals"]
    print()
    ever = sum(bool(c["retaliated"]) for c in summary["countries"])
    print(f"In the last round: {totals['deals']} settled, {totals['retaliators']} retaliating "
          f"({ever} retaliated at some point).")
    print(f"U.S. welfare: {totals['us_welfare']:.2f} $bn/yr.  Escalation index: {totals['escalation_index']:.2f} "
          "(trade-weighted tariff on all bilateral trade, both sides, in percent).")
    print("'partial' = waits and accepts some of the U.S. demands; the event lines above say which.")


def print_classroom_run(model) -> None:
    """A classroom game: who stayed open, who retaliated, and the payoffs (no U.S. in these games)."""
    from sim.records import country_frame

    totals = model.datacollector.get_model_vars_dataframe()
    n = model.world.n
    shown = range(1, model.round + 1) if model.round <= 30 else [*range(1, 11), *range(model.round - 9, model.round + 1)]
    for r in shown:
        if model.round > 30 and r == model.round - 9:
            print("  ...")
        open_share = totals["Cooperation"].iloc[r]
        print(f"Round {r:>3}: {round(open_share * n):>3} of {n} open, {int(totals['Retaliators'].iloc[r]):>3} retaliating")
    frame = country_frame(model)
    played = frame[frame["round"] >= 1]
    open_rounds = (played["Action"] != "retaliate").groupby(played["Country"], observed=True).mean()
    unit = "payoff" if model.params["payoff_source"] == "table" else "$bn"
    print()
    header = f"{'country':<14}{'strategy':<20}{'share of rounds open':>22}{'retaliated':>12}{f'total {unit}':>14}"
    print(header)
    print("-" * len(header))
    state = model.state
    for i, name in enumerate(model.world.names[:60]):
        share = float(open_rounds.get(name, float("nan")))
        total = float(state.cum_welfare[i])  # sum of the per-round stage-game payoffs
        print(f"{name:<14}{model.world.strategies[i]:<20}{share:>22.0%}{str(bool(state.retaliated_ever[i])).lower():>12}"
              f"{total:>14.2f}")
    if n > 60:
        print(f"... {n - 60} more countries")
    overall = float((played["Action"] != "retaliate").mean()) if len(played) else float("nan")
    print()
    print(f"Open in {overall:.0%} of country-rounds.  Stage-game payoffs and the folk-theorem threshold: "
          "docs/validation.md, sections 1-2.")


# ---------------------------------------------------------------- app
@subcommand("app")
def _add_app(sub):
    p = sub.add_parser("app", help="serve the browser app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.set_defaults(handler=cmd_app)


def cmd_app(args) -> int:
    import os

    app_path = Path(__file__).resolve().parent.parent / "app.py"
    if not app_path.exists():
        raise UserError(f"app.py not found at {app_path}")
    # no telemetry; no "runs on Solara" banner over the plots; the browser tab says tradesim
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false", SOLARA_THEME_SHOW_BANNER="false",
               SOLARA_THEME_TITLE="tradesim")
    # a 12-line warning per page load about iframe cookies over plain http, which does not apply here
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    print(f"tradesim app: serving on http://{args.host}:{args.port}  (Ctrl-C to stop)", flush=True)
    cmd = [sys.executable, "-m", "solara", "run", str(app_path), "--host", args.host,
           "--port", str(args.port), "--production"]
    # Become the server process, so that stopping `tradesim app` stops the server too.
    os.execve(sys.executable, cmd, env)
    return 0  # not reached


def _load_extensions() -> None:
    """Import modules that add subcommands (sweeps, backtest, bench) if present."""
    import importlib

    for module in ("experiments.cli", "experiments.backtest", "benchmarks.cli"):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name not in (module, module.split(".")[0]):
                raise


def build_parser() -> argparse.ArgumentParser:
    _load_extensions()
    parser = argparse.ArgumentParser(
        prog="tradesim",
        description="Agent-based simulator of trade negotiations under U.S. tariff pressure.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in SUBCOMMANDS.values():
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except UserError as exc:
        print(f"tradesim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tradesim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `tradesim run ... --json | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    # Run through the imported module, so subcommands registered by extensions
    # (which import sim.cli) land in the same registry as this entry point.
    from sim.cli import main as _main

    sys.exit(_main())
