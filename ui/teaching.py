"""The exercises' expected results: seeded runs of each preset, as the tables of docs/instructor-guide.md.

    uv run python -m ui.teaching          # prints every table (about a minute)

A teacher checks what students report against these; the seeds are given, so a student
with the same seed gets the same numbers.  Each table starts from the exercise's own preset
(docs/exercises/NAME.md), with every country played by its rule (no person).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.model import NegotiationModel
from sim.world.history import load_history
from sim.world.vocabulary import Treatment
from ui.exercises import exercise_settings, get_exercise
from ui.settings import ALL_COUNTRIES, build_model


def preset_runs(name: str, seeds, rounds: int | None = None, **params: Any) -> list[NegotiationModel]:
    """Runs of exercise ``name``'s preset, one per seed, agents in every seat, ``params`` on top."""
    exercise = get_exercise(name)
    models = []
    for seed in seeds:
        settings = exercise_settings(exercise)
        settings.country, settings.seed = None, str(seed)
        settings.params.update({k: v for k, v in params.items() if k != "strategy"})
        if "strategy" in params:
            settings.strategies = {ALL_COUNTRIES: params["strategy"]}
        model = build_model(settings, human=False)
        model.run(rounds or exercise.rounds)
        models.append(model)
    return models


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def _series(model: NegotiationModel, column: str) -> np.ndarray:
    """A model-level record after each round (the collector's row for round 0, the start, left out)."""
    return model.datacollector.get_model_vars_dataframe()[column].to_numpy()[1:]


# ---------------------------------------------------------------------------- 1. find delta*
def find_delta_star(seed: int = 1) -> str:
    from agents.classroom import classroom_payoffs

    params = NegotiationModel(scenario_name="classroom", rng=0).params
    pay = classroom_payoffs(params)
    delta = (pay["T"] - pay["R"]) / (pay["T"] - pay["P"])
    grid = sorted({round(delta + d, 2) for d in (-0.1, -0.03, 0.03, 0.1)})
    rows = [[f"{p:.2f}", f"{_series(m, 'cooperation').mean():.2f}"]
            for p in grid for m in preset_runs("find-delta-star", [seed], patience=p)]
    noisy = []
    for strategy in ("tit_for_tat", "generous_tit_for_tat", "win_stay_lose_shift"):
        model = preset_runs("find-delta-star", [seed], strategy=strategy, execution_noise=0.05)[0]
        noisy.append(f"{strategy.replace('_', ' ')} {_series(model, 'cooperation').mean():.2f}")
    return (f"Classroom economics (war tariff {params['war_tariff']:.0%}, market share {params['market_share']}): "
            f"T = {pay['T']:.3f}, R = {pay['R']:.3f}, P = {pay['P']:.3f}, S = {pay['S']:.3f} ($bn per partner per year), "
            f"so **delta\\* = (T-R)/(T-P) = {delta:.2f}**.\nSeed {seed}, two expected-utility countries that believe "
            "the partner plays grim trigger, no noise:\n\n" + _table(["patience", "share of rounds open"], rows)
            + f"\n\nWith 5% execution noise (seed {seed}, 40 rounds), the share of rounds open: " + ", ".join(noisy) + ".")


# ---------------------------------------------------------------------------- 2. replay 2018
def replay_2018(seeds=range(1, 11)) -> str:
    models = preset_runs("replay-2018", seeds)
    history = {row["name"]: row for row in load_history("section232_2018")["economies"]}
    names = models[0].world.names
    retaliated = np.sum([m.state.retaliated_ever for m in models], axis=0)
    settled = np.sum([m.state.settled_ever for m in models], axis=0)
    rows = []
    for i, name in enumerate(names):
        h = history.get(name, {})
        story = ("retaliated" if h.get("retaliated") else "no retaliation") + ", " + \
                (h.get("settlement") or ("settled" if h.get("settled") else "none"))
        rows.append([name, int(retaliated[i]), int(settled[i]), story])
    return (f"How many of {len(models)} runs (seeds {min(seeds)}-{max(seeds)}, 15 rounds) each economy retaliated "
            "in, and settled in (relief or deal):\n\n"
            + _table(["economy", "retaliated", "settled", "history (settlement at May 2019)"], rows))


# ---------------------------------------------------------------------------- 3. the 90-day pause
def ninety_day_pause(seeds=range(1, 9), rounds: int = 10) -> str:
    out = []
    for label, params in (("preset (deadline at round 4)", {}), ("deadline at round 8", {"deadline_round": 8}),
                          ("no deadline", {"deadline_round": 0})):
        deals = np.mean([_series(m, "deals") for m in preset_runs("ninety-day-pause", seeds, rounds, **params)], axis=0)
        out.append([label] + [f"{x:.1f}" for x in deals])
    header = ["", *[f"round {r}" for r in range(1, rounds + 1)]]
    return (f"Mean number of partners holding relief or a deal after each round (seeds {min(seeds)}-{max(seeds)}):\n\n"
            + _table(header, out))


# ---------------------------------------------------------------------------- 4. two-level ratification
def two_level(seeds=range(1, 11), costs=(0.0, 1.0, 3.0, 10.0, 30.0)) -> str:
    rows = []
    for cost in costs:
        models = preset_runs("two-level-ratification", seeds, audience_cost=cost)
        partners = [i for i, name in enumerate(models[0].world.names) if name != "China"]
        compliance = np.mean([m.state.compliance[partners].mean() for m in models])
        tariffed = np.mean([(m.state.treatment[partners] == Treatment.TARIFFED).mean() for m in models])
        retaliated = np.mean([m.state.retaliated_ever[partners].mean() for m in models])
        rows.append([f"{cost:g}", f"{compliance:.2f}", f"{tariffed:.2f}", f"{retaliated:.2f}"])
    return (f"Seeds {min(seeds)}-{max(seeds)}, 15 rounds, partners other than China:\n\n"
            + _table(["audience_cost (bp of GDP)", "mean share of the package offered at the end", "share tariffed at the end",
                      "share that retaliated"], rows))


# ---------------------------------------------------------------------------- 5. bloc or bilateral
def bloc_or_bilateral(seeds=range(1, 11)) -> str:
    rows = []
    for mode in ("bloc", "bilateral"):
        models = preset_runs("bloc-or-bilateral", seeds, bloc_mode=mode)
        members = np.concatenate(list(models[0].world.blocs.values()))
        rows.append([mode, f"{np.mean([m.state.retaliated_ever[members].mean() for m in models]):.2f}",
                     f"{np.mean([m.state.settled_ever[members].mean() for m in models]):.2f}",
                     f"{np.mean([m.state.cum_welfare[members].mean() for m in models]):.3f}"])
    return (f"Seeds {min(seeds)}-{max(seeds)}, 24 rounds, the union's members:\n\n"
            + _table(["mode", "share of members that retaliated", "share settled", "mean cumulative welfare ($bn)"],
                     rows))


SECTIONS = {
    "1. Find delta*": find_delta_star,
    "2. Replay 2018": replay_2018,
    "3. The 90-day pause": ninety_day_pause,
    "4. Two-level ratification": two_level,
    "5. Bloc or bilateral?": bloc_or_bilateral,
}


def main() -> None:
    for title, make in SECTIONS.items():
        print(f"### {title}\n\n{make()}\n")


if __name__ == "__main__":
    main()
