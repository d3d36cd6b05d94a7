"""Historical back-test: seeded runs of a scenario against its shipped history table.

``tradesim backtest SCENARIO [--seeds K] [--json]`` runs K seeded runs (seeds
0..K-1) for the history's horizon (``horizon_rounds``) and compares, per economy,

* the predicted probability of having retaliated (imposed counter-tariffs) and
  of having settled (exemption, quota or deal) by the horizon, with
* what happened (``sim/scenarios/<scenario>_history.toml``, with sources).

A prediction is "yes" when its probability is at least 0.5.  Per category it
reports accuracy, balanced accuracy (mean of the true-positive and
true-negative rates) and, beside them, the majority-class baseline (always
predict the more common outcome: accuracy = its share, balanced accuracy = 0.5),
plus the Brier score of the probabilities.

In the JSON (``--json``), each economy's ``p_retaliate`` and ``p_settle`` are the
model's, ``history_retaliated`` and ``history_settled`` what happened, and
``history_file`` names the table they come from.

Python: ``run_backtest("section232_2018", seeds=30) -> dict``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.world.errors import UserError
from sim.world.history import CATEGORIES, history_path, load_history  # noqa: F401  (re-exported)
from sim.world.schema import BACKTEST_SEEDS


def score_category(probabilities: np.ndarray, truth: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Accuracy, balanced accuracy and the majority-class baseline for one yes/no category."""
    probabilities = np.asarray(probabilities, dtype=float)
    truth = np.asarray(truth, dtype=bool)
    predicted = probabilities >= threshold
    n = len(truth)
    positives = int(truth.sum())
    recalls = []
    if positives:
        recalls.append(float((predicted & truth).sum() / positives))
    if n - positives:
        recalls.append(float((~predicted & ~truth).sum() / (n - positives)))
    return {
        "n": n,
        "positives": positives,
        "accuracy": float((predicted == truth).mean()),
        "balanced_accuracy": float(np.mean(recalls)),
        "true_positive_rate": recalls[0] if positives else float("nan"),
        "true_negative_rate": recalls[-1] if n - positives else float("nan"),
        "baseline_accuracy": max(positives, n - positives) / n,
        "baseline_balanced_accuracy": 0.5,
        "brier": float(np.mean((probabilities - truth) ** 2)),
    }


def run_backtest(scenario: str = "section232_2018", seeds: int = 30,
                 overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run ``seeds`` seeded runs to the history's horizon and score them against history."""
    from sim import NegotiationModel
    from sim.world.loader import load_scenario

    seeds = BACKTEST_SEEDS.coerce(seeds, "seeds")
    data = load_scenario(scenario, overrides or {})  # an unknown scenario is named before a missing history
    history = load_history(scenario)
    names = [c.name for c in data.countries]
    missing = [row["name"] for row in history["economies"] if row["name"] not in names]
    if missing:
        raise UserError(f"{history['path']}: economies not in scenario '{scenario}': {', '.join(missing)}")
    counts = {name: {"retaliated": 0, "settled": 0} for name in names}
    for seed in range(int(seeds)):
        model = NegotiationModel(scenario_name=data.name, rng=seed, scenario_data=data)
        model.run(history["horizon_rounds"])
        for row in model.summary()["countries"]:
            counts[row["name"]]["retaliated"] += row["retaliated_ever"]
            counts[row["name"]]["settled"] += row["settled_ever"]
    economies = []
    for row in history["economies"]:
        c = counts[row["name"]]
        economies.append({
            "name": row["name"],
            "p_retaliate": c["retaliated"] / seeds,
            "p_settle": c["settled"] / seeds,
            "history_retaliated": row["retaliated"],
            "history_settled": row["settled"],
        })
    scores = {
        "retaliated": score_category([e["p_retaliate"] for e in economies],
                                     [e["history_retaliated"] for e in economies]),
        "settled": score_category([e["p_settle"] for e in economies], [e["history_settled"] for e in economies]),
    }
    return {
        "scenario": data.name,
        "seeds": int(seeds),
        "rounds": history["horizon_rounds"],
        "history_file": history["file"],
        "economies": economies,
        "scores": scores,
        "params": {k: (v.item() if isinstance(v, np.generic) else v) for k, v in data.params.items()},
    }


def format_report(result: dict[str, Any]) -> str:
    lines = [f"Back-test of {result['scenario']}: {result['seeds']} seeded runs of {result['rounds']} rounds "
             f"against {result['history_file']}", ""]
    width = max(len(e["name"]) for e in result["economies"])
    lines.append(f"{'economy':<{width}}  P(retaliate)  history  P(settle)  history")
    yes = {True: "yes", False: "no"}
    for e in result["economies"]:
        miss_r = " " if (e["p_retaliate"] >= 0.5) == e["history_retaliated"] else "*"
        miss_s = " " if (e["p_settle"] >= 0.5) == e["history_settled"] else "*"
        lines.append(f"{e['name']:<{width}}  {e['p_retaliate']:>11.2f}  {yes[e['history_retaliated']]:<4}{miss_r}   "
                     f"{e['p_settle']:>8.2f}  {yes[e['history_settled']]:<4}{miss_s}")
    lines.append("(* = predicted outcome, probability >= 0.5, differs from history)")
    lines.append("")
    lines.append(f"{'':<11} {'':>8} {'majority':>8}   {'balanced':>8} {'chance':>8}")
    lines.append(f"{'category':<11} {'accuracy':>8} {'class':>8}   {'accuracy':>8} {'level':>8}   {'Brier':>6}")
    for cat, s in result["scores"].items():
        lines.append(f"{cat:<11} {s['accuracy']:>8.2f} {s['baseline_accuracy']:>8.2f}   "
                     f"{s['balanced_accuracy']:>8.2f} {s['baseline_balanced_accuracy']:>8.2f}   {s['brier']:>6.3f}")
    return "\n".join(lines)
