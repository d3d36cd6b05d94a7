"""Historical back-test: runs of a scenario against its shipped history table, as a referee would score it.

``tradesim backtest SCENARIO [--seeds K] [--json]`` makes K runs to the history's horizon
(``horizon_rounds``) and compares, per economy, the model's probabilities with what happened
(``sim/scenarios/<scenario>_history.toml``):

* the runs are the **posterior predictive** (:mod:`sim.predictive`): run ``k`` draws its parameters from
  the calibrated posterior and uses seed ``k``, so the probabilities carry the parameters' uncertainty;
  with ``--set`` overrides (or no current posterior) they use the scenario's parameters and say so;
* **retaliated** (counter-tariffs in force) and **settled** (a deal lowered its rate), and each type of
  deal on its own (**exemption**, **quota**, **rate_deal**, **deal**: a lifting deal);
* the **tariff path**: the trade-weighted U.S. rate each economy faced at the horizon, against the
  historical rates (``tariff_end``), and how many are within 5 points.

Each score comes with its baselines and intervals:

* the **majority class** (always predict the commoner outcome: balanced accuracy 0.5);
* the best **two-threshold rule** on the same data: settle if the U.S. deficit share is below ``a``;
  retaliate if not settled and security dependence is below ``b`` (:func:`fit_two_threshold_rule`),
  scored in sample and by leave-one-out;
* **bootstrap intervals** (economies resampled with replacement) on every score;
* the model's own **leave-one-out**: each economy predicted from the posterior fitted without it, read
  from the calibration's reference table (:func:`experiments.scoring.held_out`), for the in-sample episodes;
* the scores on a **second, disjoint set** of seeds (K..2K-1), which must agree with the first;
* **alternative codings** of the history (e.g. India not counted as a retaliator).

A prediction is "yes" when its probability is at least 0.5.

In the JSON (``--json``), each economy's ``p_*`` are the model's, ``history_*`` what happened, and
``history_file`` names the table they come from.

Python: ``run_backtest("section232_2018", seeds=30) -> dict``.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from experiments.scoring import (  # noqa: F401  (re-exported for scripts and tests)
    fit_two_threshold_rule,
    held_out,
    score_category,
    scored,
    two_threshold_baseline,
)
from sim.predictive import OUTCOMES, simulate  # noqa: F401  (re-exported)
from sim.world.errors import UserError
from sim.world.history import CATEGORIES, history_path, load_history  # noqa: F401  (re-exported)
from sim.world.schema import BACKTEST_SEEDS

SETTLEMENT_KINDS = OUTCOMES[2:]  # exemption, quota, rate_deal, deal
TARGETS = ("retaliated", "settled") + SETTLEMENT_KINDS
TARIFF_TOLERANCE = 0.05  # "within 5 points" of the historical rate


def history_targets(history: dict, data) -> dict[str, np.ndarray]:
    """The history as arrays in scenario order (economies absent from the table are dropped later)."""
    rows = {row["name"]: row for row in history["economies"]}
    names = [c.name for c in data.countries if c.name in rows]
    truth = {c: np.array([bool(rows[n][c]) for n in names]) for c in CATEGORIES}
    for kind in SETTLEMENT_KINDS:
        truth[kind] = np.array([rows[n].get("settlement") == kind for n in names])
    sectors = [s.name for s in data.sectors]
    exports = {c.name: c.exports_to_us_bn for c in data.countries}
    weighted = []
    for n in names:
        rates = rows[n].get("tariff_end")
        if rates is None:
            weighted.append(np.nan)
            continue
        weights = {s: exports[n].get(s, 0.0) for s in rates if s in sectors}
        total = sum(weights.values())
        weighted.append(sum(weights[s] * rates[s] for s in weights) / total if total > 0 else np.nan)
    truth["tariff"] = np.array(weighted)
    truth["names"] = np.array(names)
    return truth


def tariff_path(predicted: np.ndarray, historical: np.ndarray, names) -> dict[str, Any]:
    known = np.isfinite(historical)
    gaps = np.abs(predicted - historical)
    within = known & (gaps <= TARIFF_TOLERANCE + 1e-12)
    return {
        "within_points": 100 * TARIFF_TOLERANCE,
        "within": int(within.sum()),
        "of": int(known.sum()),
        "mean_absolute_gap_points": float(100 * gaps[known].mean()) if known.any() else float("nan"),
        "economies": {str(n): {"model": round(float(p), 4), "history": round(float(h), 4)}
                      for n, p, h, k in zip(names, predicted, historical, known) if k},
    }


# --------------------------------------------------------------------------- the back-test
def predictions(data, horizon: int, seeds: int, overrides: dict | None, first_seed: int = 0) -> tuple[dict, str, bool]:
    """The runs' shares per economy, the note saying what they rest on, and whether they are the posterior's."""
    from sim import predictive

    if overrides:
        return (simulate(data, horizon, seeds, first_seed=first_seed),
                "the scenario's parameters with your --set overrides, one point", False)
    predicted, note = predictive.predictive(data, horizon, seeds, first_seed)
    return predicted, note, note.startswith("posterior")


def run_backtest(scenario: str = "section232_2018", seeds: int = 30,
                 overrides: dict[str, Any] | None = None, with_leave_one_out: bool = True) -> dict[str, Any]:
    """Make ``seeds`` runs to the history's horizon and score them as described above."""
    from agents.us_rule import deficit_share
    from sim.world.arrays import build_world
    from sim.world.loader import load_scenario

    seeds = BACKTEST_SEEDS.coerce(seeds, "seeds")
    data = load_scenario(scenario, overrides or {})  # an unknown scenario is named before a missing history
    history = load_history(scenario)
    names = [c.name for c in data.countries]
    missing = [row["name"] for row in history["economies"] if row["name"] not in names]
    if missing:
        raise UserError(f"{history['file']}: economies not in scenario '{scenario}': {', '.join(missing)}")
    truth = history_targets(history, data)
    rows = np.array([names.index(n) for n in truth["names"]])
    horizon = history["horizon_rounds"]
    raw, note, posterior_used = predictions(data, horizon, int(seeds), overrides)
    predicted = {key: value[rows] for key, value in raw.items()}
    world = build_world(data)
    deficit, security = deficit_share(world)[rows], world.security[rows]

    economies = []
    for k, name in enumerate(truth["names"]):
        economies.append({
            "name": str(name),
            "p_retaliate": float(predicted["retaliated"][k]),
            "p_settle": float(predicted["settled"][k]),
            **{f"p_{kind}": float(predicted[kind][k]) for kind in SETTLEMENT_KINDS},
            "tariff_end": round(float(predicted["tariff"][k]), 4),
            "history_retaliated": bool(truth["retaliated"][k]),
            "history_settled": bool(truth["settled"][k]),
            "history_settlement": next((kind for kind in SETTLEMENT_KINDS if truth[kind][k]), "none"),
            "history_tariff_end": None if np.isnan(truth["tariff"][k]) else round(float(truth["tariff"][k]), 4),
        })
    result = {
        "scenario": data.name,
        "seeds": int(seeds),
        "rounds": horizon,
        "history_file": history["file"],
        "prediction": {"posterior": posterior_used, "note": note},
        "economies": economies,
        "scores": {c: scored(predicted[c], truth[c]) for c in TARGETS},
        "tariff_path": tariff_path(predicted["tariff"], truth["tariff"], truth["names"]),
        "baselines": {
            "majority_class": {c: score_category(np.full(len(rows), float(truth[c].mean() >= 0.5)), truth[c])
                               for c in CATEGORIES},
            "two_threshold_rule": two_threshold_baseline(deficit, security, truth),
        },
        "alternative_codings": _alternatives(history, predicted, truth),
        "params": {k: (v.item() if isinstance(v, np.generic) else v) for k, v in data.params.items()},
    }
    if posterior_used:
        from sim.predictive import current_posterior

        result["posterior"] = current_posterior()[0]["summary"]
    if with_leave_one_out and not overrides:
        result["leave_one_out"] = leave_one_out_scores(data.name, truth)
        second, _, _ = predictions(data, horizon, int(seeds), overrides, first_seed=int(seeds))
        result["seed_sets"] = seed_sets(predicted, {k: v[rows] for k, v in second.items()}, truth, int(seeds))
    return result


def seed_sets(first: dict, second: dict, truth: dict, seeds: int) -> dict[str, Any]:
    """The headline scores on runs 0..K-1 and on the disjoint runs K..2K-1."""
    one = {c: score_category(first[c], truth[c])["balanced_accuracy"] for c in CATEGORIES}
    two = {c: score_category(second[c], truth[c])["balanced_accuracy"] for c in CATEGORIES}
    return {"first": {"runs": f"0-{seeds - 1}", **one}, "second": {"runs": f"{seeds}-{2 * seeds - 1}", **two},
            "largest_difference": max(abs(one[c] - two[c]) for c in CATEGORIES)}


def _alternatives(history: dict, predicted: dict, truth: dict) -> dict[str, Any]:
    """The main scores under each alternative coding of the history."""
    out = {}
    names = list(truth["names"])
    for name, changes in history.get("alternatives", {}).items():
        recoded = {c: truth[c].copy() for c in CATEGORIES}
        for economy, values in changes.items():
            for category, value in values.items():
                recoded[category][names.index(economy)] = value
        out[name] = {"changes": changes, "scores": {c: scored(predicted[c], recoded[c]) for c in CATEGORIES}}
    return out


# --------------------------------------------------------------------------- the model's leave-one-out
def leave_one_out_scores(scenario: str, truth: dict[str, np.ndarray]) -> dict[str, Any]:
    """Each economy predicted from the posterior fitted without it (the calibration's reference table), or why
    that is not available (no posterior, a stale one, or a scenario outside the in-sample episodes)."""
    from sim.predictive import current_posterior

    posterior, note = current_posterior()
    if posterior is None:
        return {"available": False, "note": note}
    labels = [f"{scenario}/{name}" for name in truth["names"]]
    table_labels = posterior["economies"]
    if not all(label in table_labels for label in labels):
        return {"available": False, "note": f"{scenario} is not an in-sample episode of the calibration "
                                              f"({', '.join(posterior['episodes'])}): it is scored out of sample"}
    observed = {k: np.asarray(v, dtype=float) for k, v in posterior["observed"].items()}
    columns = np.array([table_labels.index(label) for label in labels])
    held = {k: np.zeros(len(columns)) for k in ("retaliated", "settled", "tariff")}
    for k, column in enumerate(columns):
        exclude = np.zeros(len(table_labels), dtype=bool)
        exclude[column] = True
        predicted = held_out(posterior["reference"], observed, exclude=exclude)
        for key in held:
            held[key][k] = predicted[key][column]
    table = posterior["reference"]
    return {"available": True, "draws": len(table["points"]), "seeds_per_draw": table["seeds_per_draw"],
            "note": f"each economy predicted from the posterior of the other {len(table_labels) - 1} in-sample "
                    f"economies ({len(table['points'])} reference draws, the nearest 10% importance-weighted)",
            "scores": {c: scored(held[c], truth[c]) for c in CATEGORIES},
            "economies": {str(name): {c: float(held[c][i]) for c in held} for i, name in enumerate(truth["names"])}}


# --------------------------------------------------------------------------- the report
def _fmt_interval(score: dict) -> str:
    if "interval_95" not in score:
        return ""
    low, high = score["interval_95"]["balanced_accuracy"]
    return f"[{low:.2f}, {high:.2f}]"


def format_report(result: dict[str, Any]) -> str:
    lines = [f"Back-test of {result['scenario']}: {result['seeds']} runs of {result['rounds']} rounds "
             f"against {result['history_file']}", f"Runs: {result['prediction']['note']}.", ""]
    width = max(len(e["name"]) for e in result["economies"])
    lines.append(f"{'economy':<{width}}  P(retaliate) history  P(settle) history  type (model / history)   tariff (model / history)")
    yes = {True: "yes", False: "no"}
    for e in result["economies"]:
        miss_r = " " if (e["p_retaliate"] >= 0.5) == e["history_retaliated"] else "*"
        miss_s = " " if (e["p_settle"] >= 0.5) == e["history_settled"] else "*"
        model_kind, hist_tariff = _model_kind(e), _history_tariff(e)
        lines.append(f"{e['name']:<{width}}  {e['p_retaliate']:>11.2f}  {yes[e['history_retaliated']]:<4}{miss_r}  "
                     f"{e['p_settle']:>8.2f}  {yes[e['history_settled']]:<4}{miss_s}  "
                     f"{model_kind:>9} / {e['history_settlement']:<9}      {100 * e['tariff_end']:>4.0f}% / {hist_tariff}")
    lines.append("(* = predicted outcome, probability >= 0.5, differs from history)")
    lines.append("")
    rule = result["baselines"]["two_threshold_rule"]
    loo = result.get("leave_one_out", {})
    lines.append(f"{'category':<11} {'balanced':>8} {'95% interval':>14} {'Brier':>6}   {'majority':>8} "
                 f"{'2-threshold':>11} {'rule (LOO)':>10}   {'model (LOO)':>11}")
    for cat, s in result["scores"].items():
        if cat in CATEGORIES:
            r_in, r_loo = rule["in_sample"][cat]["balanced_accuracy"], rule["leave_one_out"][cat]["balanced_accuracy"]
            m_loo = loo.get("scores", {}).get(cat, {}).get("balanced_accuracy")
            lines.append(f"{cat:<11} {s['balanced_accuracy']:>8.2f} {_fmt_interval(s):>14} {s['brier']:>6.3f}   "
                         f"{0.5:>8.2f} {r_in:>11.2f} {r_loo:>10.2f}   "
                         + (f"{m_loo:>11.2f}" if m_loo is not None else f"{'-':>11}"))
        else:
            lines.append(f"{cat:<11} {s['balanced_accuracy']:>8.2f} {_fmt_interval(s):>14} {s['brier']:>6.3f}")
    path = result["tariff_path"]
    lines.append("")
    lines.append(f"Tariff at the horizon: {path['within']} of {path['of']} economies within {path['within_points']:.0f} "
                 f"points of history (mean gap {path['mean_absolute_gap_points']:.1f} points).")
    fit = rule["fitted"]
    lines.append(f"Two-threshold rule: settle if deficit share < {fit['deficit_below']:.3f}; retaliate if not settled "
                 f"and security < {fit['security_below']:.2f} (fitted on the same {len(result['economies'])} economies).")
    if loo:
        lines.append(f"Model leave-one-out: {loo.get('note', '')}")
    if "seed_sets" in result:
        sets = result["seed_sets"]
        lines.append(f"Seed robustness: runs {sets['first']['runs']} give {sets['first']['retaliated']:.2f} / "
                     f"{sets['first']['settled']:.2f}, runs {sets['second']['runs']} give {sets['second']['retaliated']:.2f} / "
                     f"{sets['second']['settled']:.2f} (retaliated / settled, balanced accuracy).")
    if "posterior" in result:
        lines.append("Posterior (median [90% interval]): " + "; ".join(
            f"{name} {s['median']:.3g} [{s['low_90']:.3g}, {s['high_90']:.3g}]" for name, s in result["posterior"].items()))
    for name, alt in result["alternative_codings"].items():
        s = alt["scores"]
        lines.append(f"Coding '{name}': retaliated {s['retaliated']['balanced_accuracy']:.2f}, "
                     f"settled {s['settled']['balanced_accuracy']:.2f} (balanced accuracy)")
    return "\n".join(lines)


def to_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2)


def _model_kind(economy: dict[str, Any]) -> str:
    """The settlement type the model gives in most seeds ("none" when none reaches half of them)."""
    kinds = {k: economy[f"p_{k}"] for k in SETTLEMENT_KINDS}
    return max(kinds, key=kinds.get) if max(kinds.values()) >= 0.5 else "none"


def _history_tariff(economy: dict[str, Any]) -> str:
    return "-" if economy["history_tariff_end"] is None else f"{100 * economy['history_tariff_end']:.0f}%"


def markdown_tables(result: dict[str, Any]) -> str:
    """The back-test as the markdown tables of docs/validation.md."""
    yes = {True: "yes", False: "no"}
    lines = ["| economy | P(retaliate) | retaliated | P(settle) | settled | type: model / history | tariff: model / history |",
             "|---|---|---|---|---|---|---|"]
    for e in result["economies"]:
        model_kind, hist = _model_kind(e), _history_tariff(e)
        lines.append(f"| {e['name']} | {e['p_retaliate']:.2f} | {yes[e['history_retaliated']]} | {e['p_settle']:.2f} | "
                     f"{yes[e['history_settled']]} | {model_kind} / {e['history_settlement']} | "
                     f"{100 * e['tariff_end']:.0f}% / {hist} |")
    rule = result["baselines"]["two_threshold_rule"]
    loo = result.get("leave_one_out", {})
    lines += ["", "| category | model | 95% interval | Brier | majority | two-threshold rule | rule, leave-one-out | "
              "model, leave-one-out | Brier: rule LOO / model LOO |", "|---|---|---|---|---|---|---|---|---|"]
    for cat, s in result["scores"].items():
        row = f"| {cat} | {s['balanced_accuracy']:.2f} | {_fmt_interval(s)} | {s['brier']:.3f} | 0.50 |"
        if cat in CATEGORIES:
            m = loo.get("scores", {}).get(cat)
            row += (f" {rule['in_sample'][cat]['balanced_accuracy']:.2f} | {rule['leave_one_out'][cat]['balanced_accuracy']:.2f} |"
                    f" {m['balanced_accuracy']:.2f} {_fmt_interval(m)} | "
                    if m else f" {rule['in_sample'][cat]['balanced_accuracy']:.2f} | "
                              f"{rule['leave_one_out'][cat]['balanced_accuracy']:.2f} | - | ")
            row += (f"{rule['leave_one_out'][cat]['brier']:.3f} / {m['brier']:.3f} |" if m else "- |")
        else:
            row += " | | | |"
        lines.append(row)
    return "\n".join(lines)
