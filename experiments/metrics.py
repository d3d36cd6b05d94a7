"""Run metrics for sweeps: each maps a (running or finished) model to one number.

All are computed from the model's state after the most recent round, so they
work both for final-round and every-round recording.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.world.arrays import RETALIATE


def share_retaliating(model) -> float:
    """Fraction of countries that retaliated in any round so far."""
    return float(np.mean(model.state.retaliated_ever))


def share_settled(model) -> float:
    """Fraction of countries that held relief or a deal in any round so far."""
    return float(np.mean(model.state.settled_ever))


def deals(model) -> int:
    """Countries holding relief (exemption, quota) or a deal now."""
    return int(model.state.settled_now.sum())


def retaliators(model) -> int:
    """Countries retaliating now."""
    return int((model.state.stance == RETALIATE).sum())


def cooperation(model) -> float:
    """Share of countries not retaliating now (the DataCollector's Cooperation)."""
    return float((model.state.stance != RETALIATE).mean())


def mean_cooperation(model) -> float:
    """Cooperation averaged over rounds 1..now (the cooperation rate of the run)."""
    values = model.datacollector.model_vars.get("Cooperation", [])[1:]
    return float(np.mean(values)) if len(values) else float("nan")


def escalation_index(model) -> float:
    return float(model.escalation_index())


def us_welfare(model) -> float:
    """U.S. welfare change against free trade, $bn per year."""
    return float(model.state.us_welfare)


def mean_welfare_change(model) -> float:
    """Mean welfare change of the countries now, $bn per year."""
    return float(np.mean(model.state.welfare))


def mean_cumulative_welfare(model) -> float:
    """Mean cumulative welfare change of the countries over the run, $bn."""
    return float(np.mean(model.state.cum_welfare))


def mean_tariff(model) -> float:
    """Mean tariff the countries face now (over the disputed sectors)."""
    return float(np.mean(model.state.avg_tariff))


def china_isolation(model) -> float:
    from sim.reporters import china_isolation as reporter

    return float(reporter(model))


METRICS: dict[str, Callable] = {
    "share_retaliating": share_retaliating,
    "share_settled": share_settled,
    "deals": deals,
    "retaliators": retaliators,
    "cooperation": cooperation,
    "mean_cooperation": mean_cooperation,
    "escalation_index": escalation_index,
    "us_welfare": us_welfare,
    "mean_welfare_change": mean_welfare_change,
    "mean_cumulative_welfare": mean_cumulative_welfare,
    "mean_tariff": mean_tariff,
    "china_isolation": china_isolation,
}

DEFAULT_METRICS = (
    "share_retaliating", "share_settled", "deals", "retaliators", "cooperation",
    "escalation_index", "us_welfare", "mean_welfare_change",
)


def metric_names_text() -> str:
    return ", ".join(METRICS)


def compute(model, names) -> dict[str, float]:
    return {name: METRICS[name](model) for name in names}
