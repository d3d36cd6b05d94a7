"""Turn a finished run into tidy records: the JSON summary and per-round tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.world.arrays import TREATMENT_NAMES


def country_frame(model) -> pd.DataFrame:
    """Per-country, per-round records as a tidy DataFrame (round, country, ...)."""
    from agents.country import CountryAgent

    frame = model.datacollector.get_agenttype_vars_dataframe(CountryAgent).reset_index()
    frame = frame.rename(columns={"Step": "round", "time": "round"})
    if "AgentID" in frame.columns:
        frame = frame.drop(columns=["AgentID"])
    frame["round"] = frame["round"].astype(int)
    return frame


def run_summary(model) -> dict:
    state, world = model.state, model.world
    countries = []
    for i, name in enumerate(world.names):
        treatment = int(state.treatment[i])
        final = TREATMENT_NAMES[treatment]
        countries.append({
            "name": name,
            "final_treatment": final,
            "retaliated": bool(state.retaliated_ever[i]),
            "settled": bool(state.settled_ever[i]),
            "final_tariff": round(float(state.avg_tariff[i]), 6),
            "welfare_change": round(float(state.welfare[i]), 6),
            "cumulative_welfare_change": round(float(state.cum_welfare[i]), 6),
            "final_action": state.action_label(i),
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
            "deals": int(state.settled_now.sum()),
            "retaliators": int((state.stance == 1).sum()),
            "us_welfare": round(float(state.us_welfare), 6),
            "escalation_index": round(float(model.escalation_index()), 6),
        },
    }

