"""The validation a referee asks for, from the calibrated posterior: every figure of docs/validation.md.

    uv run python -m experiments.validation [--seeds 30] [--out experiments/results/validation.json]

* **in sample**, each in-sample episode and all of them pooled: the posterior predictive's balanced
  accuracy and Brier score on "retaliated" and "settled", with bootstrap intervals, and the tariff path;
* **out of sample**: each economy predicted from the posterior fitted without it (leave-one-out), and each
  episode from the posterior fitted without the whole episode (leave-one-episode-out), both read from the
  calibration's reference table;
* **baselines** scored the same way: the majority class and the best two-threshold rule (refitted without
  each economy);
* **seed robustness**: the scores on runs 0..K-1 and on the disjoint runs K..2K-1;
* **robustness to the judgement inputs** (:func:`judgement_flips`): each security-rubric item, list announced
  before the start, threat on record, linked demand, demand weight and the export cap's level, flipped or
  dropped one at a time, and the headline scores re-computed;
* the marginal posterior plot (``docs/img/posterior-marginals.png``) and the 2025 forecast, out of sample.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np

from experiments.backtest import history_targets
from experiments.scoring import CATEGORIES, held_out, score_category, scored, two_threshold_baseline

RESULTS = Path(__file__).resolve().parent / "results"
DOCS_IMG = Path(__file__).resolve().parent.parent / "docs" / "img"


# --------------------------------------------------------------------------- the in-sample set
def episode_runs(episodes: list[str], seeds: int, draws: list[dict], first_seed: int = 0,
                 change: Callable | None = None) -> dict[str, Any]:
    """Posterior-predictive shares for every in-sample economy (``episode/economy``), with the history and the
    data the baselines need; ``change(data) -> data`` alters a scenario first (a judgement flip)."""
    from agents.us_rule import deficit_share
    from sim import predictive
    from sim.world.arrays import build_world
    from sim.world.history import load_history
    from sim.world.loader import load_scenario

    out: dict[str, list] = {k: [] for k in ("labels", "episode", "retaliated", "settled", "tariff", "truth_retaliated",
                                            "truth_settled", "truth_tariff", "deficit", "security")}
    for name in episodes:
        data = load_scenario(name)
        if change is not None:
            data = change(data)
        history = load_history(name)
        truth = history_targets(history, data)
        countries = [c.name for c in data.countries]
        rows = np.array([countries.index(n) for n in truth["names"]])
        predicted = predictive.simulate(data, history["horizon_rounds"], seeds, draws[first_seed:first_seed + seeds],
                                        first_seed=first_seed)
        world = build_world(data)
        out["labels"] += [f"{name}/{n}" for n in truth["names"]]
        out["episode"] += [name] * len(rows)
        for key in ("retaliated", "settled", "tariff"):
            out[key] += list(predicted[key][rows])
            out[f"truth_{key}"] += list(truth[key])
        out["deficit"] += list(deficit_share(world)[rows])
        out["security"] += list(world.security[rows])
    return {k: (np.asarray(v) if k not in ("labels", "episode") else v) for k, v in out.items()}


def headline(runs: dict[str, Any], mask: np.ndarray | None = None) -> dict[str, float]:
    """Balanced accuracy of the two outcomes (on the economies in ``mask``)."""
    mask = np.ones(len(runs["labels"]), dtype=bool) if mask is None else mask
    return {c: score_category(runs[c][mask], runs[f"truth_{c}"][mask].astype(bool))["balanced_accuracy"]
            for c in CATEGORIES}


def scores(runs: dict[str, Any], mask: np.ndarray) -> dict[str, Any]:
    truth = {c: runs[f"truth_{c}"][mask].astype(bool) for c in CATEGORIES}
    tariff_truth = runs["truth_tariff"][mask]
    known = np.isfinite(tariff_truth)
    gaps = np.abs(runs["tariff"][mask] - tariff_truth)
    return {**{c: scored(runs[c][mask], truth[c]) for c in CATEGORIES},
            "tariff_within_5_points": int((known & (gaps <= 0.05 + 1e-12)).sum()), "tariff_of": int(known.sum())}


# --------------------------------------------------------------------------- out of sample
def held_out_predictions(posterior: dict[str, Any], labels: list[str], groups: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """Each group of economies predicted from the reference-table posterior fitted without the group."""
    table, economies = posterior["reference"], posterior["economies"]
    observed = {k: np.asarray(v, dtype=float) for k, v in posterior["observed"].items()}
    out = {k: np.full(len(labels), np.nan) for k in ("retaliated", "settled", "tariff")}
    for members in groups.values():
        exclude = np.isin(economies, members)
        predicted = held_out(table, observed, exclude=exclude)
        for label in members:
            i, j = labels.index(label), economies.index(label)
            for k in out:
                out[k][i] = predicted[k][j]
    return out


def baseline_rule(runs: dict[str, Any], mask: np.ndarray) -> dict[str, Any]:
    truth = {c: runs[f"truth_{c}"][mask].astype(bool) for c in CATEGORIES}
    return two_threshold_baseline(runs["deficit"][mask], runs["security"][mask], truth)


# --------------------------------------------------------------------------- judgement inputs
def judgement_flips(episodes: list[str]) -> list[tuple[str, str, Callable]]:
    """(episode, description, change) for every input set by judgement, flipped or dropped one at a time."""
    from sim.world.loader import load_scenario
    from sim.world.schema import SECURITY_ADDITIONS, SECURITY_BASE, security_score

    bases = list(SECURITY_BASE)  # treaty_ally, designated_partner, no_alliance, rival: one step down each
    flips: list[tuple[str, str, Callable]] = []

    def country_change(name: str, **fields):
        def change(data):
            return dataclasses.replace(data, countries=tuple(
                dataclasses.replace(c, **fields) if c.name == name else c for c in data.countries))
        return change

    for episode in episodes:
        data = load_scenario(episode)
        for c in data.countries:
            for tie in c.security_ties:
                if tie in SECURITY_ADDITIONS:
                    ties = tuple(t for t in c.security_ties if t != tie)
                    flips.append((episode, f"{c.name}: drop the rubric item '{tie}'",
                                  country_change(c.name, security_ties=ties, security_dependence=security_score(ties))))
                elif tie in SECURITY_BASE and bases.index(tie) + 1 < len(bases):
                    lower = bases[bases.index(tie) + 1]
                    ties = tuple(lower if t == tie else t for t in c.security_ties)
                    flips.append((episode, f"{c.name}: base tie '{tie}' one step down, to '{lower}'",
                                  country_change(c.name, security_ties=ties, security_dependence=security_score(ties))))
            if c.counter_tariffs != "none":
                flips.append((episode, f"{c.name}: no list announced before the start",
                              country_change(c.name, counter_tariffs="none", counter_tariffs_bn=None)))
        for k, threat in enumerate(data.threats):
            flips.append((episode, f"drop the threat '{threat.note or threat.source[:40]}'",
                          lambda d, k=k: dataclasses.replace(d, threats=d.threats[:k] + d.threats[k + 1:])))
        for j, demand in enumerate(data.demands):
            if demand.kind == "linked" and len(data.demands) > 1:
                flips.append((episode, f"drop the linked demand '{demand.id}'",
                              lambda d, j=j: dataclasses.replace(d, demands=d.demands[:j] + d.demands[j + 1:])))
            if demand.weight != 1.0:
                flips.append((episode, f"'{demand.id}' weighs 1, not {demand.weight:g}",
                              lambda d, j=j: dataclasses.replace(d, demands=tuple(
                                  dataclasses.replace(x, weight=1.0) if i == j else x for i, x in enumerate(d.demands)))))
            if demand.kind == "export_cap":
                for share in (0.7, 1.0):
                    flips.append((episode, f"the export cap at {share:.0%} of 2017 volume, not {demand.cap_share:.0%}",
                                  lambda d, j=j, share=share: dataclasses.replace(d, demands=tuple(
                                      dataclasses.replace(x, cap_share=share) if i == j else x
                                      for i, x in enumerate(d.demands)))))
    return flips


def robustness(episodes: list[str], seeds: int, draws: list[dict], base: dict[str, float],
               section232_base: dict[str, float], progress: bool = True) -> list[dict[str, Any]]:
    """Each judgement flip's headline scores (pooled, and section232_2018 alone) and their change."""
    from tqdm import tqdm

    rows = []
    for episode, text, change in tqdm(judgement_flips(episodes), desc="judgement flips", file=sys.stderr,
                                      disable=not progress):
        runs = episode_runs(episodes, seeds, draws, change=lambda d, e=episode, c=change: c(d) if d.name == e else d)
        pooled = headline(runs)
        in_232 = np.array([e == "section232_2018" for e in runs["episode"]])
        alone = headline(runs, in_232)
        rows.append({"episode": episode, "input": text,
                     **{f"pooled_{c}": pooled[c] for c in CATEGORIES},
                     **{f"section232_{c}": alone[c] for c in CATEGORIES},
                     "largest_change": max([abs(pooled[c] - base[c]) for c in CATEGORIES]
                                           + [abs(alone[c] - section232_base[c]) for c in CATEGORIES])})
    return rows


# --------------------------------------------------------------------------- the report
def run(seeds: int = 30, progress: bool = True) -> dict[str, Any]:
    from experiments.calibrate import plot_marginals
    from experiments.forecast import forecast
    from sim import predictive

    posterior, note = predictive.current_posterior()
    if posterior is None:
        raise SystemExit(f"tradesim: error: {note}")
    episodes = list(posterior["episodes"])
    draws = predictive.posterior_draws(posterior, 2 * seeds)
    runs = episode_runs(episodes, seeds, draws)
    second = episode_runs(episodes, seeds, draws, first_seed=seeds)
    labels = runs["labels"]
    everyone = np.ones(len(labels), dtype=bool)
    in_232 = np.array([e == "section232_2018" for e in runs["episode"]])
    report: dict[str, Any] = {"seeds": seeds, "note": note, "summary": posterior["summary"],
                              "calibration": {"simulations": posterior["simulations"],
                                              "minutes": posterior["seconds_total"] / 60,
                                              "generations": posterior["generations"]}}
    report["in_sample"] = {"pooled": scores(runs, everyone), "section232_2018": scores(runs, in_232)}
    if "point" in posterior:  # the single runs' parameters (the registry's defaults), same seeds
        point_runs = episode_runs(episodes, seeds, [posterior["point"]["params"]] * seeds)
        report["point_estimate"] = {"params": posterior["point"]["params"], "pooled": scores(point_runs, everyone),
                                    "section232_2018": scores(point_runs, in_232)}
    for episode in episodes:
        mask = np.array([e == episode for e in runs["episode"]])
        report["in_sample"][episode] = scores(runs, mask)
    report["economies"] = {label: {"retaliated": float(runs["retaliated"][i]), "settled": float(runs["settled"][i]),
                                   "tariff": float(runs["tariff"][i]),
                                   "history_retaliated": bool(runs["truth_retaliated"][i]),
                                   "history_settled": bool(runs["truth_settled"][i])} for i, label in enumerate(labels)}
    loo = held_out_predictions(posterior, labels, {label: [label] for label in labels})
    by_episode = {e: [label for label, x in zip(labels, runs["episode"]) if x == e] for e in episodes}
    loeo = held_out_predictions(posterior, labels, by_episode)
    held = {"leave_one_out": loo, "leave_one_episode_out": loeo}
    report["out_of_sample"] = {}
    for name, predicted in held.items():
        mixed = {**runs, **{k: predicted[k] for k in ("retaliated", "settled", "tariff")}}
        report["out_of_sample"][name] = {"pooled": scores(mixed, everyone), "section232_2018": scores(mixed, in_232)}
        for i, label in enumerate(labels):
            report["economies"][label][name] = {k: float(predicted[k][i]) for k in ("retaliated", "settled")}
    report["baselines"] = {
        "majority_class": {c: 0.5 for c in CATEGORIES},
        "two_threshold_rule": {"pooled": baseline_rule(runs, everyone), "section232_2018": baseline_rule(runs, in_232)},
    }
    first, later = headline(runs), headline(second)
    first_232, later_232 = headline(runs, in_232), headline(second, in_232)
    report["seed_sets"] = {"runs": [f"0-{seeds - 1}", f"{seeds}-{2 * seeds - 1}"],
                           "pooled": [first, later], "section232_2018": [first_232, later_232],
                           "largest_difference": max(abs(first[c] - later[c]) for c in CATEGORIES)}
    report["judgement_flips"] = robustness(episodes, seeds, draws, first, first_232, progress)
    report["largest_flip"] = max((r["largest_change"] for r in report["judgement_flips"]), default=0.0)
    rows, forecast_note = forecast("reciprocal_2025", seeds)
    report["forecast_2025"] = {"note": forecast_note, "economies": rows}
    report["plot"] = str(plot_marginals(posterior, DOCS_IMG / "posterior-marginals.png").relative_to(DOCS_IMG.parent.parent))
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.validation", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30, help="runs per score (the posterior predictive; default 30)")
    parser.add_argument("--out", type=Path, default=RESULTS / "validation.json")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="print the tables of docs/validation.md from --out")
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.out.read_text())))
        return 0
    if args.seeds < 2:
        parser.error("--seeds must be at least 2")
    report = run(args.seeds, progress=not args.no_progress)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, default=float) + "\n")
    print(f"wrote {args.out}")
    pooled, loo = report["in_sample"]["pooled"], report["out_of_sample"]["leave_one_out"]["pooled"]
    print(f"in sample (pooled): retaliated {pooled['retaliated']['balanced_accuracy']:.2f}, "
          f"settled {pooled['settled']['balanced_accuracy']:.2f}; leave-one-out: "
          f"{loo['retaliated']['balanced_accuracy']:.2f}, {loo['settled']['balanced_accuracy']:.2f}; "
          f"largest judgement flip {report['largest_flip']:.2f}; seed sets differ by {report['seed_sets']['largest_difference']:.2f}")
    return 0



# --------------------------------------------------------------------------- markdown for docs/validation.md
def markdown(report: dict[str, Any]) -> str:
    """The tables of docs/validation.md sections 5 and 6, from :func:`run`'s report."""
    out = []
    out.append("**Posterior** (ABC-SMC; median and 90% interval, prior range):\n")
    out.append("| parameter | median | 90% interval | prior | posterior mass within 5% of a prior edge |")
    out.append("|---|---|---|---|---|")
    for name, s in report["summary"].items():
        out.append(f"| {name} | {s['median']:.3g} | [{s['low_90']:.3g}, {s['high_90']:.3g}] | "
                   f"{s['prior'][0]:g} to {s['prior'][1]:g} ({s['scale']}) | {s['mass_at_an_edge']:.2f} |")
    out.append("")
    out.append("**Per economy** (in sample: the posterior predictive; out of sample: the posterior fitted without the "
               "economy, and without its whole episode):\n")
    out.append("| economy | P(retaliate) | left out | episode left out | retaliated | P(settle) | left out | "
               "episode left out | settled |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    yes = {True: "yes", False: "no"}
    for label, e in report["economies"].items():
        loo, loeo = e["leave_one_out"], e["leave_one_episode_out"]
        out.append(f"| {label} | {e['retaliated']:.2f} | {loo['retaliated']:.2f} | {loeo['retaliated']:.2f} | "
                   f"{yes[e['history_retaliated']]} | {e['settled']:.2f} | {loo['settled']:.2f} | {loeo['settled']:.2f} | "
                   f"{yes[e['history_settled']]} |")
    out.append("")
    out.append("**Scores** (balanced accuracy [95% bootstrap interval] / Brier score):\n")
    point = report.get("point_estimate")
    out.append("| set | target | in sample | leave-one-out | leave-one-episode-out | two-threshold rule, leave-one-out | "
               + ("point estimate, in sample | " if point else "") + "majority |")
    out.append("|---|---|---|---|---|---|---|" + ("---|" if point else ""))
    for group in ("section232_2018", "pooled"):
        rule = report["baselines"]["two_threshold_rule"][group]["leave_one_out"]
        for target in CATEGORIES:
            cells = []
            for block in (report["in_sample"][group], report["out_of_sample"]["leave_one_out"][group],
                          report["out_of_sample"]["leave_one_episode_out"][group], rule,
                          *([point[group]] if point else [])):
                s = block[target]
                low, high = s.get("interval_95", {}).get("balanced_accuracy", [float("nan")] * 2)
                cells.append(f"{s['balanced_accuracy']:.2f} [{low:.2f}, {high:.2f}] / {s['brier']:.3f}")
            out.append(f"| {group} | {target} | " + " | ".join(cells) + " | 0.50 |")
    out.append("")
    for group in ("section232_2018", "pooled"):
        block = report["in_sample"][group]
        out.append(f"Tariff at the horizon, {group}: {block['tariff_within_5_points']} of {block['tariff_of']} within 5 points"
                   + (f" ({point[group]['tariff_within_5_points']} at the point estimate)." if point else "."))
    sets = report["seed_sets"]
    out.append("")
    out.append(f"**Two disjoint sets of runs** ({sets['runs'][0]} and {sets['runs'][1]}): pooled retaliated "
               f"{sets['pooled'][0]['retaliated']:.2f} / {sets['pooled'][1]['retaliated']:.2f}, settled "
               f"{sets['pooled'][0]['settled']:.2f} / {sets['pooled'][1]['settled']:.2f}; section232_2018 retaliated "
               f"{sets['section232_2018'][0]['retaliated']:.2f} / {sets['section232_2018'][1]['retaliated']:.2f}, settled "
               f"{sets['section232_2018'][0]['settled']:.2f} / {sets['section232_2018'][1]['settled']:.2f}.")
    out.append("")
    out.append("**Judgement inputs flipped one at a time** (balanced accuracy after the flip; the largest change of "
               "any of the four headline scores):\n")
    out.append("| episode | input | pooled retaliated | pooled settled | section232 retaliated | section232 settled | "
               "largest change |")
    out.append("|---|---|---|---|---|---|---|")
    for r in sorted(report["judgement_flips"], key=lambda r: -r["largest_change"]):
        out.append(f"| {r['episode']} | {r['input']} | {r['pooled_retaliated']:.2f} | {r['pooled_settled']:.2f} | "
                   f"{r['section232_retaliated']:.2f} | {r['section232_settled']:.2f} | {r['largest_change']:.2f} |")
    out.append("")
    out.append("**2025, out of sample** (" + report["forecast_2025"]["note"] + "):\n")
    from experiments.forecast import markdown as forecast_table

    out.append(forecast_table(report["forecast_2025"]["economies"]))
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
