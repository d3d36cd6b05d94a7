"""The record vocabulary: named reporters, the per-country columns, and a run as tidy records.

* **Reporters** (one small named function each, Mesa-style) turn the model's state
  after a round into one number: deals, retaliators, the escalation index, ...
  :data:`MODEL_REPORTERS` gives the DataCollector its columns; sweeps pick metrics
  from the same functions (:mod:`experiments.metrics`).
* **Country columns** (:data:`COUNTRY_COLUMNS`) copy one value per country per round
  from the state arrays; codes are decoded with the labels of
  :mod:`sim.world.vocabulary` (:func:`country_labels`).
* :func:`country_frame` (one row per country and round) and :func:`run_summary`
  (``tradesim run --json``) are the finished run as records.

Every column name is snake_case (``exports_to_us``, ``escalation_index``), as in the sweep
parts and the class game's move file: the names users type in pandas.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.world.vocabulary import ACTION_LABELS, TREATMENT_NAMES, Stance

if TYPE_CHECKING:
    import pandas as pd


# ---------------------------------------------------------------------------- reporters
def round_number(model) -> int:
    return model.round


def deals(model) -> int:
    """Partners holding relief (exemption or quota) or a deal after the U.S. resolved."""
    return int(np.count_nonzero(model.state.settled_now))


def retaliators(model) -> int:
    """Countries retaliating this round."""
    return int(np.count_nonzero(model.state.stance == Stance.RETALIATE))


def waiters(model) -> int:
    """Partners that neither retaliate nor hold relief: waiting and absorbing."""
    state = model.state
    return int(np.count_nonzero((state.stance == Stance.WAIT) & ~state.settled_now))


def cooperation_rate(model) -> float:
    """Share of countries not retaliating (the C share in classroom games)."""
    stance = model.state.stance
    return np.count_nonzero(stance != Stance.RETALIATE) / len(stance)


def escalation_index(model) -> float:
    """Trade-weighted mean tariff on U.S.-partner trade in both directions, percent."""
    return float(model.escalation_index())


def china_isolation(model) -> float:
    """Trade-with-China-weighted share of partners aligned with the U.S., 0..1."""
    world, state = model.world, model.state
    if "alignment" not in world.demand_kind:
        return 0.0
    weights = np.where(world.is_china, 0.0, world.china_trade)
    if weights.sum() <= 0:
        return 0.0
    return float((weights * state.alignment).sum() / weights.sum())


def us_welfare(model) -> float:
    """U.S. economic welfare change against free trade, $bn per year."""
    return float(model.state.us_welfare)


def mean_tariff(model) -> float:
    """Mean tariff the countries face now (over the disputed sectors)."""
    return float(model.state.avg_tariff.mean())


def share_retaliated(model) -> float:
    """Fraction of countries that retaliated in any round so far."""
    return float(np.mean(model.state.retaliated_ever))


def share_settled(model) -> float:
    """Fraction of countries that held relief or a deal in any round so far."""
    return float(np.mean(model.state.settled_ever))


def mean_welfare_change(model) -> float:
    """Mean welfare change of the countries now, $bn per year."""
    return float(np.mean(model.state.welfare))


def mean_cumulative_welfare(model) -> float:
    """Mean cumulative welfare change of the countries over the run, $bn."""
    return float(np.mean(model.state.cum_welfare))


MODEL_REPORTERS = {
    "round": round_number,
    "deals": deals,
    "retaliators": retaliators,
    "waiters": waiters,
    "cooperation": cooperation_rate,
    "escalation_index": escalation_index,
    "china_isolation": china_isolation,
    "us_welfare": us_welfare,
    "mean_tariff": mean_tariff,
}


# ---------------------------------------------------------------------------- country columns
def _country_index(model) -> np.ndarray:
    return np.arange(model.world.n)


def _action_codes(model) -> np.ndarray:
    return model.state.action_codes()


def _state_column(name: str):
    def column(model) -> np.ndarray:
        return getattr(model.state, name)

    column.__name__ = name
    return column


COUNTRY_COLUMNS = {
    "country": _country_index,
    "treatment": _state_column("treatment"),
    "tariff": _state_column("avg_tariff"),
    "exports_to_us": _state_column("exports_now"),
    "retaliation": _state_column("retaliation_value"),
    "alignment": _state_column("alignment"),
    "compliance": _state_column("compliance"),
    "welfare_change": _state_column("welfare"),
    "action": _action_codes,
    "pressure": _state_column("pressure"),
}


def country_labels(model) -> dict[str, tuple[str, ...]]:
    """How the coded columns decode: country names, treatments, actions."""
    return {"country": tuple(model.world.names), "treatment": TREATMENT_NAMES, "action": ACTION_LABELS}


# ---------------------------------------------------------------------------- a run as records
def country_frame(model) -> "pd.DataFrame":
    """Per-country, per-round records as a tidy DataFrame (round, country, ...)."""
    from agents.country import CountryAgent

    frame = model.datacollector.get_agenttype_vars_dataframe(CountryAgent).reset_index()
    frame = frame.rename(columns={"Step": "round", "time": "round"})
    if "AgentID" in frame.columns:
        frame = frame.drop(columns=["AgentID"])
    frame["round"] = frame["round"].astype(int)
    return frame


def run_summary(model) -> dict:
    """The run as a JSON-ready dict (``tradesim run --json``)."""
    state, world = model.state, model.world
    actions = state.action_codes()
    countries = []
    for i, name in enumerate(world.names):
        countries.append({
            "name": name,
            "final_treatment": TREATMENT_NAMES[int(state.treatment[i])],
            "retaliated_ever": bool(state.retaliated_ever[i]),  # in any round so far
            "settled_ever": bool(state.settled_ever[i]),  # held relief or a deal in any round (final_treatment: now)
            "final_tariff": round(float(state.avg_tariff[i]), 6),
            "welfare_change": round(float(state.welfare[i]), 6),
            "cumulative_welfare_change": round(float(state.cum_welfare[i]), 6),
            "final_action": ACTION_LABELS[int(actions[i])],
            "strategy": world.strategies[i],
        })
    return {
        "scenario": model.scenario_name,
        "seed": model.seed,
        "rounds": model.round,
        "params": {k: (v if not isinstance(v, np.generic) else v.item()) for k, v in model.params.items()},
        "events": model.event_log,
        "countries": countries,
        "totals": {
            "deals": deals(model),
            "retaliators": retaliators(model),
            "us_welfare": round(us_welfare(model), 6),
            "escalation_index": round(escalation_index(model), 6),
        },
    }
