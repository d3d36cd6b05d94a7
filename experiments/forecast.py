"""An out-of-sample forecast: posterior-predictive runs of a scenario without a history table, as a table.

    uv run python -m experiments.forecast reciprocal_2025 [--seeds 30] [--rounds 12]

prints, per economy, the share of runs in which it retaliated, settled (and how: exemption, quota,
rate deal or lifting deal), with a 90% interval over the runs, and its mean trade-weighted U.S.
rate at the end.  Run ``k`` draws its parameters from the calibrated posterior (:mod:`sim.predictive`).
The 2025 round is scored outside this repository: nothing here is tuned to what happened.
"""

from __future__ import annotations

import argparse

from experiments.backtest import SETTLEMENT_KINDS


def forecast(scenario: str = "reciprocal_2025", seeds: int = 30, rounds: int | None = None) -> tuple[list[dict], str]:
    """Per economy: shares of runs (with Wilson 90% intervals over the runs) and the mean tariff; and the note on
    what the runs rest on."""
    from sim import predictive
    from sim.world.loader import load_scenario

    data = load_scenario(scenario)
    predicted, note = predictive.predictive(data, rounds or data.rounds, seeds)
    rows = []
    for i, c in enumerate(data.countries):
        row = {"name": c.name, **{key: float(predicted[key][i]) for key in predicted}}
        for key in ("retaliated", "settled"):
            row[f"{key}_90"] = predictive.interval(row[key], seeds)
        rows.append(row)
    return rows, note


def markdown(rows: list[dict]) -> str:
    lines = ["| economy | P(retaliate) [90%] | P(settle) [90%] | by type at the end | mean tariff at the end |",
             "|---|---|---|---|---|"]
    for r in rows:
        kinds = ", ".join(f"{k} {r[k]:.2f}" for k in SETTLEMENT_KINDS if r[k] > 0) or "-"
        ret, sett = r["retaliated_90"], r["settled_90"]
        lines.append(f"| {r['name']} | {r['retaliated']:.2f} [{ret[0]:.2f}, {ret[1]:.2f}] | {r['settled']:.2f} "
                     f"[{sett[0]:.2f}, {sett[1]:.2f}] | {kinds} | {100 * r['tariff']:.0f}% |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="reciprocal_2025")
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args(argv)
    rows, note = forecast(args.scenario, args.seeds, args.rounds)
    print(f"{args.scenario}: {args.seeds} runs; {note}")
    print(markdown(rows))


if __name__ == "__main__":
    main()
