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
            "stake_bn": round(float(model.outlook.stake[agent.index]), 6), **agent.explain()}
    if args.json:
        info["terms"] = dict(info["terms"])
        print(json.dumps(info, indent=2))
    else:
        print_explanation(model, info)
    return 0


def print_explanation(model, info: dict) -> None:
    from agents.utility import UTILITY_TERMS

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
