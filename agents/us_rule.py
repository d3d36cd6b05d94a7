"""The U.S. rule, written once: used by the U.S. agent to act, and by countries to expect.

Trade talks are bargaining over the rate (Grossman & Helpman 1995, "Trade Wars and Trade
Talks", JPE 103(4); Ossa 2014, "Trade Wars and Trade Talks with Data", AER 104(12)).  For a
package ``c`` of concessions a partner offers, the U.S. and the partner settle on a relief
``x`` in [0, 1] (the partner's negotiable rates fall to ``floor + (1 - x)(announced - floor)``)
by the **Nash bargaining solution** with the partner's weight ``beta`` (``bargaining_power``),
from a disagreement point that is each side's value of the war path if talks fail:

* the partner's flow at ``x``: ``a(c) + h(c) x`` above its war path (``a``: what the deal at the
  announced rate is worth against the war path, net of the package's cost; ``h``: what full
  relief adds);
* the U.S.'s: ``b(c) - k x``, with ``b(c) = V share(c) + sting`` (the package, valued at ``V``
  in full, and the damage its counter-tariffs do to U.S. exporters, which a deal ends) and
  ``k = q V`` (what full relief costs the U.S.).

``q`` is the documented exchange rate: "rates ... may be lowered" for partners that "remedy
non-reciprocal trade arrangements" (EO 14257 sec. 4(c)); the U.S. asks ``q = min(1,
relief_threshold + balance_weight d)`` of the package for full relief, more the larger its
deficit share ``d`` with the partner (:func:`required_compliance`).  With linear payoffs the
Nash product ``(a + h x)^beta (b - k x)^(1 - beta)`` peaks at::

    x* = beta b / k - (1 - beta) a / h        clipped to [max(0, -a/h), min(1, b/k)]

the ``beta``-weighted point between the partner's reservation ``-a/h`` and the U.S.'s ``b/k``
(:func:`nash_relief`).  No deal exists when the reservations do not meet, or when a demand
marked ``required`` (a linked negotiation) is refused.  A deal can land at any rate between
the announced one and the floor.

Escalation answers each new challenge (counter-tariffs taking effect or enlarged, or a first hedge
toward China) with probability ``us_toughness`` (Proclamation 9772 doubled Turkey's rate in Aug 2018 after
it retaliated; EO 14257 sec. 4(b) announces that retaliation will be met with higher duties),
over the escalable sectors and whatever a dated threat names (:meth:`World.threat_scope`).
"""

from __future__ import annotations

import numpy as np

from typing import TYPE_CHECKING

from sim.world.vocabulary import Stance

if TYPE_CHECKING:
    from sim.model import NegotiationModel

ENLARGE = 0.01  # a list grows (a new challenge) when the exports hit call for over 1% more


def deficit_share(world) -> np.ndarray:
    """U.S. bilateral goods deficit as a share of bilateral trade, -1..1 (negative = U.S. surplus).

    ``d_i = (X_i - M_i) / (X_i + M_i)`` with ``X_i`` the partner's exports to the
    U.S. and ``M_i`` its imports from the U.S. (Census figures in the scenario).
    """
    exports = world.exports.sum(axis=1)
    trade = np.maximum(exports + world.imports_from_us, 1e-12)
    return (exports - world.imports_from_us) / trade


def required_compliance(world, params: dict) -> np.ndarray:
    """``q_i = clip(relief_threshold + balance_weight d_i, 0, 1)``: the share of its package the U.S.
    asks of partner ``i`` for full relief.  The larger the deficit the more it asks; with a U.S.
    surplus (``d_i < 0``) it may ask nothing (the 2018 exclusions went to partners with surpluses,
    Proclamations 9758/9759; the 2025 rates were set from the deficit, EO 14257 Annex I)."""
    return np.clip(params["relief_threshold"] + params["balance_weight"] * deficit_share(world), 0.0, 1.0)


def package_weights(world) -> np.ndarray:
    """[n, D] weight of each demand put to each partner (0 where it does not apply)."""
    return world.applicable * world.demand_weight[None, :]


def package_share(world, accepted: np.ndarray) -> np.ndarray:
    """Weighted share of the package accepted: ``accepted`` is [n, D] (a move per country) or
    [1, K, D] (every option), giving [n] or [n, K]."""
    weights = package_weights(world)
    total = weights.sum(axis=1)
    if accepted.ndim == 3:
        weights, total = weights[:, None, :], total[:, None]
    return np.where(total > 0, (accepted * weights).sum(axis=-1) / np.maximum(total, 1e-12), 0.0)


def required_accepted(world, accepted: np.ndarray) -> np.ndarray:
    """Whether every demand marked ``required`` that applies is accepted, for each partner and package
    (``accepted`` [1, K, D] or [n, K, D] -> [n, K])."""
    return (accepted | ~world.applicable[:, None, :] | ~world.required_demand).all(axis=-1)


def us_war_cost(world, params: dict, damage_bn: np.ndarray) -> np.ndarray:
    """What the partner's counter-tariffs cost the U.S. objective per year ($bn): its exporters' lost
    surplus ``damage_bn``, plus the political weight on it where it falls on pivotal (farm and
    swing-state) exporters, ``(1 + political_weight w) damage`` with ``w`` the pivotal share of U.S.
    exports to the partner against the U.S. average (Fajgelbaum et al. 2020; Fetzer & Schwarz 2021)."""
    return (1.0 + params["political_weight"] * world.pivotal_weight) * damage_bn


def nash_relief(gain_at_zero: np.ndarray, gain_of_relief: np.ndarray, us_gain_at_zero: np.ndarray,
                us_cost_of_relief: np.ndarray, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """The Nash bargaining relief ``x*`` and whether a deal exists (arrays of any one shape).

    ``gain_at_zero`` = a, ``gain_of_relief`` = h (the partner), ``us_gain_at_zero`` = b,
    ``us_cost_of_relief`` = k (the U.S.), all $bn a year against the war path (see the module
    docstring).  A deal needs a positive relief that both sides prefer to the war path.
    """
    a, h = np.asarray(gain_at_zero, dtype=float), np.asarray(gain_of_relief, dtype=float)
    b, k = np.asarray(us_gain_at_zero, dtype=float), np.asarray(us_cost_of_relief, dtype=float)
    valued = h > 1e-12
    partner_min = np.where(valued, -a / np.where(valued, h, 1.0), np.inf)  # the least relief the partner takes
    costly = k > 1e-12
    us_max = np.where(costly, b / np.where(costly, k, 1.0), np.inf)  # the most relief the U.S. gives
    low, high = np.maximum(partner_min, 0.0), np.minimum(us_max, 1.0)
    # relief that costs the U.S. nothing is given in full; else the beta-weighted point between the reservations
    point = np.where(costly, beta * np.where(costly, us_max, 0.0) + (1.0 - beta) * np.where(valued, partner_min, 0.0),
                     1.0)
    x = np.clip(point, low, np.maximum(low, high))
    exists = valued & (low <= high + 1e-12) & (x > 1e-9)
    return np.where(exists, x, 0.0), exists


def in_grace(model: "NegotiationModel") -> np.ndarray:
    """Partners still exempt or paused this round (before it resolves)."""
    state = model.state
    return state.temp_exempt & ((state.deadline == 0) | (model.round < state.deadline))


def rates_under(model: "NegotiationModel") -> dict[str, np.ndarray]:
    """The rates [n, s] each partner would face under each U.S. reply, and who faces tariffs now.

    ``tariffed``: the announced rates raised by its escalations; ``escalated``: one step more;
    ``escalated_all``: one step more on everything it sells the U.S. (the answer to a hedge);
    ``grace``: the sectors a pause covers at their floor; ``deal_none`` / ``deal_full``: a deal at
    no relief (the announced rates) and at full relief (negotiable sectors at their floor);
    ``held``: the deal it holds; ``looming`` [n]: the weight of the announced rates while a grace
    period lasts (``patience ** rounds left``: the pressure grows as the deadline nears; 1 without
    grace); ``facing`` [n]: paying more than the floor somewhere now.
    """
    state, world, params = model.state, model.world, model.params
    schedule, floor = state.schedule, world.floor[None, :]
    above = schedule > floor + 1e-12
    # an escalation adds a multiple of the announced rate (at the floor: of the partner's highest one)
    reference = np.where(above, schedule, schedule.max(axis=1, keepdims=True))
    scope = np.where(state.hedge_answered[:, None], 1.0, world.threat_scope(model.round))
    ceiling = params["escalation_ceiling"]

    def escalated(multiple: np.ndarray, reach: np.ndarray = scope) -> np.ndarray:
        return schedule + reach * np.minimum(multiple, ceiling)[:, None] * reference

    tariffed = escalated(state.escalation)
    deal_full = np.where(world.negotiable[None, :], np.broadcast_to(floor, schedule.shape), schedule)
    grace = in_grace(model)
    rounds_left = np.maximum(state.deadline - model.round, 0)
    looming = np.where(grace, np.where(state.deadline > 0, world.patience ** rounds_left, 0.0), 1.0)
    return {
        "tariffed": tariffed,
        "escalated": escalated(state.escalation + params["escalation_step"]),
        "escalated_all": escalated(state.escalation + params["escalation_step"], np.ones_like(scope)),
        "grace": np.where(world.grace[None, :], np.broadcast_to(floor, schedule.shape), tariffed),
        "deal_none": schedule,
        "deal_full": deal_full,
        "held": schedule - state.deal_relief[:, None] * (schedule - deal_full),
        "looming": looming,
        "facing": (state.tariffs > floor + 1e-12).any(axis=1),
    }


def matched_list(world, params: dict, rates: np.ndarray) -> np.ndarray:
    """[n] $bn of U.S. goods a retaliation list covers: counter-duties (at ``retaliation_rate``) equal to
    ``retaliation_match`` times the duties the U.S. levies on the partner above the floor at ``rates``
    [n, s] (the "substantially equivalent" rebalancing of WTO Safeguards Art. 8.2 and DSU Art. 22.4;
    the EU's 2018 list, EUR 2.8bn at 25%, matched the duties on its steel and aluminium), at most all
    it buys from the U.S. (its retaliation capacity: Bown 2004)."""
    above = np.maximum(rates - world.floor[None, :], 0.0)
    duties = (above * world.exports * (1.0 - world.duty_free)).sum(axis=1)
    rate = max(params["retaliation_rate"], 1e-9)
    return np.minimum(params["retaliation_match"] * duties / rate, world.imports_from_us)


def escalates_on(stance: np.ndarray, list_challenge: np.ndarray, challenged: np.ndarray) -> np.ndarray:
    """The new challenges the U.S. answers: counter-tariffs taking effect or enlarged (each time, up to the
    escalation ceiling: a tit-for-tat spiral, as with China in 2018-19), and a partner's first hedge
    toward China since its last deal."""
    return list_challenge | ((stance == Stance.HEDGE) & ~challenged)
