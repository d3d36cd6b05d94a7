"""The U.S. rule, written once: used by the U.S. agent to act, and by countries to expect.

The documented rule: rates are set "to reflect trading partner retaliation and
alignment" (Executive Order of 9 Apr 2025; the 31 Jul 2025 order cites partners'
"efforts to retaliate" and "efforts to align").  Its parts:

* **Relief** for a partner that waits and accepts at least
  ``relief_threshold + balance_weight * d`` of the weighted package (and the export
  cap where the U.S. runs a deficit with it), with ``d`` the U.S. bilateral deficit
  as a share of bilateral trade (:func:`deficit_share`; negative for a U.S. surplus):
  the larger the deficit, the more it asks.  Granted with probability
  ``relief_probability`` per round.
* **A lifting deal** for a retaliator, with chance per round
  ``(1 - us_toughness) * g * damage / settlement_tolerance`` (:func:`settlement_chance`),
  ``g = clip(1 - balance_weight * d, 0, 1)`` and ``damage`` the cumulative loss of
  U.S. exporters to its counter-tariffs ($bn).
* **Escalation** against retaliators and hedgers with probability ``us_toughness``.

:class:`agents.united_states.UnitedStatesAgent` applies the rule; a country's
expectations (:mod:`agents.utility`) use the same functions.
"""

from __future__ import annotations

import numpy as np

from sim.world.vocabulary import Stance


def deficit_share(world) -> np.ndarray:
    """U.S. bilateral goods deficit as a share of bilateral trade, -1..1 (negative = U.S. surplus).

    ``d_i = (X_i - M_i) / (X_i + M_i)`` with ``X_i`` the partner's exports to the
    U.S. and ``M_i`` its imports from the U.S. (Census 2017 figures in the scenario).
    """
    exports = world.exports.sum(axis=1)
    trade = np.maximum(exports + world.imports_from_us, 1e-12)
    return (exports - world.imports_from_us) / trade


def required_compliance(world, params: dict) -> np.ndarray:
    """Weighted share of the package the U.S. requires for relief, per partner.

    ``min(1, relief_threshold + balance_weight * d_i)``: the U.S. objective weighs the
    bilateral trade balance (the 2018 exclusions went to partners with small deficits
    or U.S. surpluses; the 2025 orders tie rates to the deficit), so the larger the
    deficit, the more it asks; with a U.S. surplus (``d_i < 0``) it asks less, down to
    nothing.  The whole package always buys relief: EO 14257 sec. 4(c) lowers the
    duties of any partner that "take[s] significant steps to remedy non-reciprocal
    trade arrangements and align[s] sufficiently", whatever its deficit.
    """
    return np.clip(params["relief_threshold"] + params["balance_weight"] * deficit_share(world), 0.0, 1.0)


def us_openness(world, params: dict) -> np.ndarray:
    """``g_i = clip(1 - balance_weight * d_i, 0, 1)``: how willing the U.S. is to lift tariffs in a deal."""
    return np.clip(1.0 - params["balance_weight"] * deficit_share(world), 0.0, 1.0)


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


def requires_cap(world) -> np.ndarray:
    """The U.S. insists on the export cap where it runs a goods deficit with the partner."""
    if world.cap_index < 0:
        return np.zeros(world.n, dtype=bool)
    return world.applicable[:, world.cap_index] & (world.us_balance < 0)


def relief_eligible(world, params: dict, stance: np.ndarray, accepted: np.ndarray) -> np.ndarray:
    """Moves that meet the relief condition: wait, accept enough of the package, the cap where the
    U.S. requires it, and every demand marked ``required`` (e.g. a linked negotiation).

    ``accepted`` is [n, D] with ``stance`` [n] (a move per country), or [1, K, D] with
    ``stance`` [1, K] (every option, giving [n, K]).
    """
    per_option = accepted.ndim == 3
    applicable = world.applicable[:, None, :] if per_option else world.applicable
    taken = accepted & applicable
    share = package_share(world, accepted)
    has_package, required, needs_cap = package_weights(world).sum(axis=1) > 0, required_compliance(world, params), \
        requires_cap(world)
    if per_option:
        has_package, required, needs_cap = has_package[:, None], required[:, None], needs_cap[:, None]
    cap_ok = ~needs_cap
    if world.cap_index >= 0:
        cap_ok = cap_ok | taken[..., world.cap_index]
    required_ok = (taken | ~applicable | ~world.required_demand).all(axis=-1)
    return (stance == Stance.WAIT) & (share >= required - 1e-12) & has_package & cap_ok & required_ok


def settlement_chance(world, params: dict, damage_bn: np.ndarray, stake_bn: np.ndarray) -> np.ndarray:
    """Chance per round that the U.S. offers a retaliator a lifting deal (above 1: certain).

    ``(1 - us_toughness) * g * w * damage / (settlement_tolerance * stake)``: the cumulative
    loss of U.S. exporters to the partner's counter-tariffs (``damage_bn``), relative to
    what the dispute is about (the partner's exports under U.S. tariffs, ``stake_bn``),
    so one tolerance means the same in a $44bn and a $2,000bn dispute, and weighted by
    its political sting ``w`` (``pivotal_weight``: how much of what the partner buys
    comes from farm states, against the U.S. average).  Retaliation mattered for its
    leverage on the U.S. through the farm and swing counties it hit (Fajgelbaum et al.
    2020; Fetzer & Schwarz 2021; Blanchard, Bown & Chor 2019).
    """
    relative = world.pivotal_weight * damage_bn / np.maximum(stake_bn, 1e-9)
    return (1 - params["us_toughness"]) * us_openness(world, params) * relative / params["settlement_tolerance"]
