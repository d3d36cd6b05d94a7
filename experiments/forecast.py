"""An out-of-sample forecast: seeded runs of a scenario without a history table, as a table.

    uv run python -m experiments.forecast reciprocal_2025 [--seeds 30] [--rounds 12]

prints, per economy, the share of seeds in which it retaliated, settled (and how: exemption,
quota or lifting deal) and its mean trade-weighted U.S. rate at the end.  The 2025 round is
scored outside this repository: nothing here is tuned to what happened.
"""

from __future__ import annotations

import argparse

from experiments.backtest import SETTLEMENT_KINDS, simulate


def forecast(scenario: str = "reciprocal_2025", seeds: int = 30, rounds: int | None = None) -> list[dict]:
    from sim.world.loader import load_scenario

    data = load_scenario(scenario)
    predicted = simulate(data, rounds or data.rounds, seeds)
    return [{"name": c.name, **{key: float(predicted[key][i]) for key in predicted}} for i, c in enumerate(data.countries)]


def markdown(rows: list[dict]) -> str:
    lines = ["| economy | P(retaliate) | P(settle) | by type at the end | mean tariff at the end |", "|---|---|---|---|---|"]
    for r in rows:
        kinds = ", ".join(f"{k} {r[k]:.2f}" for k in SETTLEMENT_KINDS if r[k] > 0) or "-"
        lines.append(f"| {r['name']} | {r['retaliated']:.2f} | {r['settled']:.2f} | {kinds} | {100 * r['tariff']:.0f}% |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="reciprocal_2025")
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args(argv)
    print(markdown(forecast(args.scenario, args.seeds, args.rounds)))


if __name__ == "__main__":
    main()
