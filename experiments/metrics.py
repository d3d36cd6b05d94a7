"""Sweep metrics: each maps a (running or finished) model to one number.

The per-round quantities are the model's own named reporters (:mod:`sim.records`),
under the names sweep specs use; the only sweep aggregate defined here is
:func:`mean_cooperation`, the cooperation rate over all rounds so far.  All work
for final-round and every-round recording.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim import records


def mean_cooperation(model) -> float:
    """Cooperation averaged over rounds 1..now (the cooperation rate of the run)."""
    values = model.datacollector.model_vars["cooperation"][1:]  # the reporter of sim.records
    return float(np.mean(values)) if len(values) else float("nan")


def _as_float(reporter: Callable) -> Callable:
    def metric(model) -> float:
        return float(reporter(model))

    metric.__name__, metric.__doc__ = reporter.__name__, reporter.__doc__
    return metric


METRICS: dict[str, Callable] = {
    "share_retaliating": records.share_retaliated,
    "share_settled": records.share_settled,
    "deals": records.deals,
    "retaliators": records.retaliators,
    "cooperation": _as_float(records.cooperation_rate),
    "mean_cooperation": mean_cooperation,
    "escalation_index": records.escalation_index,
    "us_welfare": records.us_welfare,
    "mean_welfare_change": records.mean_welfare_change,
    "mean_cumulative_welfare": records.mean_cumulative_welfare,
    "mean_tariff": records.mean_tariff,
    "china_isolation": records.china_isolation,
}

# Metrics that are shares of countries (or of rounds), in [0, 1]: their intervals are Wilson score intervals.
SHARE_METRICS = frozenset({"share_retaliating", "share_settled", "cooperation", "mean_cooperation", "china_isolation"})
# Metrics that cannot be negative (counts, tariffs): their intervals stop at 0.
NONNEGATIVE_METRICS = frozenset({"deals", "retaliators", "escalation_index", "mean_tariff"})

DEFAULT_METRICS = (
    "share_retaliating", "share_settled", "deals", "retaliators", "cooperation",
    "escalation_index", "us_welfare", "mean_welfare_change",
)


def metric_names_text() -> str:
    return ", ".join(METRICS)


def compute(model, names) -> dict[str, float]:
    return {name: METRICS[name](model) for name in names}
