"""Grid search of a handful of shared behavioural parameters on the 2018 back-test.

Only 2018 is used (the 2025 round is out of sample).  Country differences come
from the scenario's sourced data; the parameters searched here are shared by
every country (or belong to the U.S. rule).  Objective: the mean of the two
balanced accuracies (retaliated, settled), ties broken by the lower mean Brier
score, on ``--seeds`` seeded runs (default 10; the report uses 30).

    uv run python -m experiments.calibrate [--seeds 10] [--workers 2]

Prints the best combinations; the chosen values go into the scenario's
``[params]`` with ``[params.sources]`` saying "fitted on the 2018 back-test".
"""

from __future__ import annotations

import argparse
import itertools
from concurrent.futures import ProcessPoolExecutor

# Stage 1 (144 combinations, reported in docs/validation.md) searched
# balance_weight [1.5, 2, 2.5, 3] x settlement_tolerance [0.3, 1, 3] x political_gain [8, 15, 25]
# x security_linkage [12, 25] x china_inducement [0.0005, 0.0001]: china_inducement 0.0001 and
# balance_weight 1.5 won; settlement_tolerance did not matter in that range.  Stage 2 (below)
# refines around that point.
# Stage 2 searched balance_weight [1.5, 2] x settlement_tolerance [0.05, 0.3] x political_gain [8, 25]
# x security_linkage [6, 12, 25] x prior_escalation [0.5, 0.2]: balance_weight 1.5, settlement_tolerance
# 0.3, security_linkage 25, prior_escalation 0.2 (retaliated 0.60, settled 0.94 at 30 seeds).
# Stage 3 (below), after two changes -- political gain counts for a country *facing* tariffs (also at
# the deadline round, not only once tariffed) and India coded as a retaliator (June 2018 gazette) --
# searched the political and security terms: political_gain 15, security_linkage 15, audience_cost 25
# (retaliated 0.79, settled 0.92 at 30 seeds); a plateau, several nearby points tie.
# Second session (docs/validation.md, "Mechanisms tried after the plateau"): with domestic pressure also
# building under a temporary exemption, audience_cost [10, 15, 20, 30] x political_gain [10, 15, 20, 25] x
# security_linkage [10, 15, 20, 25] x balance_weight [1, 1.5, 2] x decision_noise [0.5, 1, 1.5] (10 seeds) peaked
# at 0.79 / 0.85, below the shipped model, so that change was not kept.
GRID = {
    "political_gain": [12.0, 15.0, 18.0, 20.0, 30.0],
    "security_linkage": [10.0, 15.0, 20.0, 25.0, 35.0],
    "audience_cost": [10.0, 15.0, 25.0, 40.0],
    "quota_rent_share": [1.0, 0.5],
}


def evaluate(combo: dict, seeds: int = 10) -> dict:
    from experiments.backtest import run_backtest

    result = run_backtest("section232_2018", seeds, overrides=combo)
    s = result["scores"]
    return {
        "params": combo,
        "retaliated": s["retaliated"]["balanced_accuracy"],
        "settled": s["settled"]["balanced_accuracy"],
        "objective": (s["retaliated"]["balanced_accuracy"] + s["settled"]["balanced_accuracy"]) / 2,
        "brier": (s["retaliated"]["brier"] + s["settled"]["brier"]) / 2,
    }


def search(seeds: int = 10, workers: int = 2, grid: dict | None = None) -> list[dict]:
    grid = grid or GRID
    combos = [dict(zip(grid, values)) for values in itertools.product(*grid.values())]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(evaluate, combos, [seeds] * len(combos)))
    return sorted(results, key=lambda r: (-r["objective"], -min(r["retaliated"], r["settled"]), r["brier"]))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    results = search(args.seeds, args.workers)
    print(f"{len(results)} combinations, {args.seeds} seeds each; best first")
    for r in results[: args.top]:
        print(f"ret {r['retaliated']:.2f} settle {r['settled']:.2f} brier {r['brier']:.3f}  {r['params']}")


if __name__ == "__main__":
    main()
