"""``tradesim explain``: why one country chose what it did, term by term."""

from __future__ import annotations

import json

from cli.options import add_model_options, checked


def add_parser(sub) -> None:
    p = sub.add_parser("explain", help="show why one country chose what it did, term by term")
    p.add_argument("scenario", help="built-in scenario name or path to a .toml file")
    p.add_argument("country", help="the economy to explain (e.g. Vietnam)")
    add_model_options(p, "the round to explain")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from sim.world.errors import UserError
    from sim.world.overrides import parse_set_options
    from sim.world.schema import EXPLAIN_ROUND, SEED_OPTION

    seed, rounds = checked(SEED_OPTION, args.seed), checked(EXPLAIN_ROUND, args.rounds)
    overrides = parse_set_options(args.sets)
    from sim.model import NegotiationModel

    model = NegotiationModel(scenario_name=args.scenario, rng=seed, overrides=overrides)
    names = model.world.names
    if model.is_classroom:
        raise UserError("explain needs a scenario with U.S. demands; in classroom games the utilities are just "
                        "the stage-game payoffs (see docs/validation.md, section 1)")
    by_name = {name.casefold(): name for name in names}
    country = by_name.get(args.country.strip().casefold())
    if country is None:
        raise UserError(f"no economy '{args.country}' in {model.scenario_name}; choose one of: {', '.join(names)}")
    model.run(model.scenario_data.rounds if rounds is None else rounds)
    agent = model.countries[names.index(country)]
    info = {"scenario": model.scenario_name, "seed": model.seed, "round": model.round, "country": agent.name,
            "units": "$bn a year", "counter_tariffs": agent.counter_tariffs, **agent.explain()}
    if args.json:
        info["terms"] = dict(info["terms"])
        print(json.dumps(info, indent=2))
    else:
        print_explanation(model, info)
    return 0


def print_explanation(model, info: dict) -> None:
    from agents.utility import UTILITY_TERMS

    label = model.scenario_data.round_label or "round"
    values = [abs(v) for _, row in info["terms"] for v in row] + [abs(v) for v in info["totals"]]
    scale, unit = (1000.0, "$m") if max(values, default=0.0) < 1.0 else (1.0, "$bn")
    print(f"Why {info['country']} chose \"{info['options'][0]}\" in {label} {info['round']} "
          f"({info['scenario']}, seed {info['seed']})")
    print(f"What each option is worth to its government, {unit} a year (welfare plus the political terms), for the "
          "chosen option and the best option of each other stance:")
    for k, option in enumerate(info["options"]):
        note = _deal_note(model, info["deals"][k])
        print(f"  [{k + 1}] {option}" + ("  (chosen)" if k == 0 else "") + (f": {note}" if note else ""))
    print()
    width = max(len(name) for name, _ in info["terms"]) + 2
    columns = "".join(f"{f'[{k + 1}]':>10}" for k in range(len(info["options"])))
    print(f"{'term':<{width}}{columns}")
    for name, row in info["terms"]:
        print(f"{name:<{width}}" + "".join(_amount(scale * v) for v in row))
    print(f"{'total':<{width}}" + "".join(_amount(scale * v) for v in info["totals"]))
    print(f"{'chance of the stance':<{width}}" + "".join(f"{p:>10.1%}" for p in info["probabilities"]))
    print()
    print(f"Counter-tariffs: {info['counter_tariffs']}.  Belief that a new challenge brings an escalation: "
          f"{info['escalation_belief']:.2f} (the U.S. rule's us_toughness, updated by what it has seen).")
    print(f"Choice: a nested logit. Each stance's value is its best option; the government's own preference for each "
          f"stance (Gumbel, spread ${1000 * info['noise_bn']:.3g}m a year = decision_noise {model.params['decision_noise']:g} "
          "bp of its GDP, drawn once per run) is added, and the stance with the largest sum is chosen.")
    print()
    for name, text in UTILITY_TERMS.items():
        print(f"  {name}: {text}")


def _amount(value: float) -> str:
    """A column of the table, to the cent of its unit; a value that rounds to zero prints as 0.00, never -0.00."""
    return f"{round(value, 2) + 0.0:>10.2f}"


def _deal_note(model, deal: dict | None) -> str:
    if deal is None:
        return ""
    if not deal["exists"]:
        return "no deal the U.S. would accept for this package now"
    rates = ", ".join(f"{sector} {rate:.0%}" for sector, rate in deal["rates"].items()
                      if sector in {s for s, d in zip(model.world.sector_names, model.world.disputed) if d})
    return f"the U.S. would cut its rates {deal['relief']:.0%} of the way to the floor ({rates})"
