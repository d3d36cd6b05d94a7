"""Named reporters for the DataCollector: model totals and per-country records."""

from __future__ import annotations

import numpy as np

from sim.world import RETALIATE, WAIT


def round_number(model) -> int:
    return model.round


def deals(model) -> int:
    """Partners holding relief (exemption or quota) or a deal after the U.S. resolved."""
    return int(model.state.settled_now.sum())


def retaliators(model) -> int:
    return int((model.state.stance == RETALIATE).sum())


def waiters(model) -> int:
    """Partners that neither retaliate nor hold relief: waiting and absorbing."""
    state = model.state
    return int(((state.stance == WAIT) & ~state.settled_now).sum())


def cooperation_rate(model) -> float:
    """Share of countries not retaliating (the C share in classroom games)."""
    return float((model.state.stance != RETALIATE).mean())


def escalation_index(model) -> float:
    """Trade-weighted mean tariff on U.S.-partner trade in both directions, percent."""
    return float(model.escalation_index())


def china_isolation(model) -> float:
    """Trade-with-China-weighted share of partners aligned with the U.S., 0..1."""
    world, state = model.world, model.state
    weights = np.where(world.is_china, 0.0, world.china_trade)
    if weights.sum() <= 0 or "alignment" not in world.demand_kind:
        return 0.0
    return float((weights * state.alignment).sum() / weights.sum())


def us_welfare(model) -> float:
    """U.S. economic welfare change against free trade, $bn per year."""
    return float(model.state.us_welfare)


def mean_tariff(model) -> float:
    return float(model.state.avg_tariff.mean())


MODEL_REPORTERS = {
    "Round": round_number,
    "Deals": deals,
    "Retaliators": retaliators,
    "Waiters": waiters,
    "Cooperation": cooperation_rate,
    "Escalation index": escalation_index,
    "China isolation": china_isolation,
    "US welfare": us_welfare,
    "Mean tariff": mean_tariff,
}

COUNTRY_REPORTERS = {
    "Country": "name",
    "Treatment": "treatment",
    "Tariff": "tariff",
    "Exports to US": "exports_to_us_bn",
    "Retaliation": "retaliation_bn",
    "Alignment": "alignment",
    "Compliance": "compliance",
    "Welfare change": "welfare_change_bn",
    "Action": "action",
    "Pressure": "pressure",
}
