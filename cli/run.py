"""``tradesim run``: run one scenario and print what happened."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cli.options import add_model_options, checked


def add_parser(sub) -> None:
    p = sub.add_parser("run", help="run one scenario and print what happened")
    p.add_argument("scenario", nargs="?", help="built-in scenario name or path to a .toml file")
    add_model_options(p)
    p.add_argument("--out", default=None, help="write per-round country records to FILE.csv or FILE.parquet")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--all-events", action="store_true", help="print every event of each round (default: the first 20)")
    p.add_argument("--exercise", default=None, metavar="NAME",
                   help=f"run the preset of a classroom exercise: {', '.join(exercise_names())} (docs/exercises)")
    p.set_defaults(handler=handle)


def exercise_names() -> list[str]:
    from ui.exercises import exercise_names

    return exercise_names()


def handle(args) -> int:
    from sim.world.errors import UserError
    from sim.world.overrides import parse_set_options
    from sim.world.paths import check_output_file
    from sim.world.schema import ROUNDS_OPTION, SEED_OPTION

    # every option is checked before the model (and Mesa, pandas) load, the output path included
    overrides = parse_set_options(args.sets)
    scenario = args.scenario
    rounds = checked(ROUNDS_OPTION, args.rounds)
    if args.exercise:
        from ui.exercises import exercise_preset

        preset = exercise_preset(args.exercise)
        scenario = scenario or preset["scenario"]
        overrides = {**preset.get("params", {}), **overrides}
        rounds = rounds if rounds is not None else preset.get("rounds")
    if not scenario:
        raise UserError("give a SCENARIO (see `tradesim scenarios`) or --exercise NAME")
    seed = checked(SEED_OPTION, args.seed)
    if args.out:
        if Path(args.out).suffix not in (".csv", ".parquet"):
            raise UserError(f"--out must end in .csv or .parquet, got '{args.out}'")
        check_output_file(args.out, "--out")
    from sim.model import NegotiationModel

    model = NegotiationModel(scenario_name=scenario, rng=seed, overrides=overrides)
    model.run(rounds)
    if args.out:
        rows = write_records(model, Path(args.out), "--out")
        # on stderr, so that --json output stays one JSON object
        print(f"wrote {args.out} ({rows:,} rows: one per country and round)", file=sys.stderr)
    if args.json:
        print(json.dumps(model.summary(), indent=2, sort_keys=False))
    else:
        print_run(model, max_events=None if args.all_events else 20)
    return 0


def write_records(model, path: Path, where: str) -> int:
    """The per-round, per-country records as CSV or Parquet (pandas and pyarrow load only here); returns the rows."""
    from sim.records import country_frame
    from sim.world.errors import UserError
    from sim.world.paths import os_error_text

    frame = country_frame(model)
    frame.insert(0, "seed", model.seed)
    frame.insert(0, "scenario", model.scenario_name)
    try:
        if path.suffix == ".parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
    except OSError as exc:  # e.g. the disk filled up during the run
        path.unlink(missing_ok=True)
        raise UserError(f"{where} '{path}' could not be written: {os_error_text(exc)}") from None
    return len(frame)


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
        print(f"Round {r:>3}: deals {int(row['deals']):>2}  retaliators {int(row['retaliators']):>2}  "
              f"escalation index {row['escalation_index']:.2f}%")
        lines = by_round.get(r, [])
        for text in lines[:max_events]:
            print(f"           - {text}")
        if max_events is not None and len(lines) > max_events:
            print(f"           ... {len(lines) - max_events} more events (--all-events shows them)")
    print()
    header = (f"{'country':<16}{'treatment':<11}{'tariff':>8}{'ever retaliated':>17}{'ever settled':>14}"
              f"{'welfare $bn/yr':>16}  last action")
    print(header)
    print("-" * len(header))
    for c in summary["countries"][:60]:
        print(f"{c['name']:<16}{c['final_treatment']:<11}{c['final_tariff']:>8.1%}"
              f"{str(c['retaliated_ever']).lower():>17}{str(c['settled_ever']).lower():>14}"
              f"{c['welfare_change']:>16.2f}  {c['final_action']}")
    if len(summary["countries"]) > 60:
        print(f"... {len(summary['countries']) - 60} more countries")
    totals = summary["totals"]
    print()
    ever_retaliated = sum(bool(c["retaliated_ever"]) for c in summary["countries"])
    ever_settled = sum(bool(c["settled_ever"]) for c in summary["countries"])
    print(f"In the last round: {totals['deals']} hold relief or a deal (treatment quota, exempt or deal), "
          f"{totals['retaliators']} retaliate.")
    print(f"At some point in the run: {ever_settled} settled, {ever_retaliated} retaliated "
          "(the 'ever' columns; treatment is the last round's).")
    print(f"U.S. welfare: {totals['us_welfare']:.2f} $bn/yr.  Escalation index: {totals['escalation_index']:.2f}% "
          "(the trade-weighted mean tariff on all U.S.-partner trade, both directions).")
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
        open_share = totals["cooperation"].iloc[r]
        print(f"Round {r:>3}: {round(open_share * n):>3} of {n} open, {int(totals['retaliators'].iloc[r]):>3} retaliating")
    frame = country_frame(model)
    played = frame[frame["round"] >= 1]
    open_rounds = (played["action"] != "retaliate").groupby(played["country"], observed=True).mean()
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
    overall = float((played["action"] != "retaliate").mean()) if len(played) else float("nan")
    print()
    print(f"Open in {overall:.0%} of country-rounds.  Stage-game payoffs and the folk-theorem threshold: "
          "docs/validation.md, sections 1-2.")
