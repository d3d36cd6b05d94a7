"""Named reporters for the DataCollector: model totals and per-country records."""

from __future__ import annotations

import numpy as np

from sim.world.arrays import RETALIATE, WAIT


def round_number(model) -> int:
    return model.round


def deals(model) -> int:
    """Partners holding relief (exemption or quota) or a deal after the U.S. resolved."""
    return int(np.count_nonzero(model.state.settled_now))


def retaliators(model) -> int:
    return int(np.count_nonzero(model.state.stance == RETALIATE))


def waiters(model) -> int:
    """Partners that neither retaliate nor hold relief: waiting and absorbing."""
    state = model.state
    return int(np.count_nonzero((state.stance == WAIT) & ~state.settled_now))


def cooperation_rate(model) -> float:
    """Share of countries not retaliating (the C share in classroom games)."""
    stance = model.state.stance
    return np.count_nonzero(stance != RETALIATE) / len(stance)


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

def _names(model):
    return np.arange(model.world.n)


def _action_codes(model) -> np.ndarray:
    """Vectorised :meth:`sim.world.state.NegotiationState.action_label` as codes into ACTION_LABELS."""
    state = model.state
    any_accepted = state.accepted.any(axis=1) if state.accepted.shape[1] else np.zeros(model.world.n, dtype=bool)
    codes = np.where(any_accepted, np.where(state.compliance >= 1 - 1e-9, 1, 2), 0)  # wait, comply, partial
    return np.where(state.stance > 0, state.stance + 2, codes)  # retaliate 3, wto 4, hedge 5


ACTION_LABELS = ("wait", "comply", "partial", "retaliate", "wto", "hedge")

COUNTRY_COLUMNS = {
    "Country": _names,
    "Treatment": lambda m: m.state.treatment,
    "Tariff": lambda m: m.state.avg_tariff,
    "Exports to US": lambda m: m.state.exports_now,
    "Retaliation": lambda m: m.state.retaliation_value,
    "Alignment": lambda m: m.state.alignment,
    "Compliance": lambda m: m.state.compliance,
    "Welfare change": lambda m: m.state.welfare,
    "Action": _action_codes,
    "Pressure": lambda m: m.state.pressure,
}


def country_labels(model) -> dict[str, tuple[str, ...]]:
    from sim.world.arrays import TREATMENT_NAMES

    return {"Country": tuple(model.world.names), "Treatment": TREATMENT_NAMES, "Action": ACTION_LABELS}
