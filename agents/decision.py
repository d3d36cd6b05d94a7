"""Expected-utility evaluation of every option, for all countries at once.

An *option* is a stance (wait, retaliate, WTO case, hedge toward China) plus the
set of demands accepted.  Only "wait" can be combined with accepting demands:
waiting while accepting some demands is partial compliance, accepting all is
full compliance.  So each demand can be accepted or refused on its own.

Utilities are in percent of the country's stake in the dispute (see
:meth:`sim.world.arrays.World.stake`).  The formulas are written out in docs/model.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from sim.world import economics
from sim.world.arrays import HEDGE, RETALIATE, STANCE_NAMES, WAIT, WTO


@dataclass(frozen=True)
class OptionTable:
    accept: np.ndarray  # [K, D] bool
    stance: np.ndarray  # [K] int

    @property
    def size(self) -> int:
        return len(self.stance)

    def label(self, k: int, demand_ids: list[str]) -> str:
        stance = STANCE_NAMES[self.stance[k]]
        if self.stance[k] != WAIT:
            return stance
        accepted = [demand_ids[j] for j in np.flatnonzero(self.accept[k])]
        if not accepted:
            return "wait (refuse all)"
        if len(accepted) == len(demand_ids):
            return "comply (accept all)"
        return "accept " + ", ".join(accepted)


def build_options(n_demands: int, stances: tuple[int, ...]) -> OptionTable:
    """Every subset of demands with "wait", then each other stance refusing all."""
    rows, stance = [], []
    for subset in product((False, True), repeat=n_demands):
        rows.append(subset)
        stance.append(WAIT)
    for st in stances:
        if st != WAIT:
            rows.append((False,) * n_demands)
            stance.append(st)
    accept = np.array(rows, dtype=bool).reshape(len(rows), n_demands)
    return OptionTable(accept=accept, stance=np.array(stance, dtype=int))


@dataclass
class Beliefs:
    """Beta pseudo-counts (success, failure) per country for each reply type."""

    relief: np.ndarray  # [n, 2]
    escalation: np.ndarray
    settlement: np.ndarray
    china_punishment: np.ndarray

    @classmethod
    def from_priors(cls, n: int, params: dict) -> "Beliefs":
        weight = params["belief_weight"]

        def prior(mean):
            return np.tile([mean * weight, (1 - mean) * weight], (n, 1)).astype(float)

        return cls(
            relief=prior(params["prior_relief"]),
            escalation=prior(params["prior_escalation"]),
            settlement=prior(params["prior_settlement"]),
            china_punishment=prior(params["prior_china_punishment"]),
        )

    @staticmethod
    def mean(counts: np.ndarray) -> np.ndarray:
        return counts[:, 0] / counts.sum(axis=1)

    @staticmethod
    def observe(counts: np.ndarray, mask: np.ndarray, outcome: np.ndarray, weight: float = 1.0) -> None:
        """Add ``weight`` observations of ``outcome`` (bool) for the countries in ``mask``."""
        counts[mask, 0] += weight * outcome[mask]
        counts[mask, 1] += weight * (1 - outcome[mask])


def logit_probabilities(utilities: np.ndarray, noise: float) -> np.ndarray:
    """The chance :func:`logit_choice` gives each option, per row (``-inf`` options get 0)."""
    utilities = np.atleast_2d(utilities)
    if noise <= 0:
        best = np.zeros(utilities.shape)
        best[np.arange(len(utilities)), np.argmax(utilities, axis=1)] = 1.0
        return best
    weights = np.exp((utilities - utilities.max(axis=1, keepdims=True)) / noise)
    return weights / weights.sum(axis=1, keepdims=True)


def logit_choice(utilities: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Draw one option per row with probability proportional to exp(U / noise).

    ``noise = 0`` picks the best option (the first, on ties).  Invalid options
    carry ``-inf`` utility and are never drawn.
    """
    if noise <= 0:
        return np.argmax(utilities, axis=1)
    scaled = utilities / noise
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    weights = np.exp(scaled)
    cumulative = np.cumsum(weights, axis=1)
    draws = rng.random(utilities.shape[0]) * cumulative[:, -1]
    return np.minimum((cumulative < draws[:, None]).sum(axis=1), utilities.shape[1] - 1)


def exporter_welfare(world, rates: np.ndarray, params: dict, quota: np.ndarray | None = None) -> np.ndarray:
    """Exporter surplus change ($bn/yr) per country at U.S. tariff ``rates`` [n, s].

    Sectors flagged in ``quota`` [n, s] trade under the export cap instead.
    """
    eps = economics.residual_supply_elasticity(params["supply_elasticity"], world.seller_share_us)[:, None]
    eta = params["demand_elasticity"]
    welfare = economics.tariff_outcome(world.exports, rates, eta, eps)["exporter_welfare"]
    if quota is not None and quota.any():
        capped = economics.quota_outcome(world.exports, world.cap_share, eta, eps, params["quota_rent_share"])
        welfare = np.where(quota, capped["exporter_welfare"], welfare)
    return welfare.sum(axis=1)


def retaliation_self_effect(world, value_bn: np.ndarray, params: dict) -> dict[str, np.ndarray]:
    """Effects of a counter-tariff on ``value_bn`` of U.S. goods, for the retaliator and the U.S."""
    eps = economics.residual_supply_elasticity(params["supply_elasticity"], world.buyer_share_us)
    return economics.tariff_outcome(value_bn, params["retaliation_rate"], params["demand_elasticity"], eps)


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

    ``relief_threshold + balance_weight * d_i``: the U.S. objective weighs the
    bilateral trade balance (the 2018 exclusions went to partners with small
    deficits or U.S. surpluses; the 2025 orders tie rates to the deficit), so the
    larger the deficit, the more it asks; with a U.S. surplus (``d_i < 0``) it asks
    less, down to nothing.  Above 1 no package buys relief.
    """
    return params["relief_threshold"] + params["balance_weight"] * deficit_share(world)


def us_openness(world, params: dict) -> np.ndarray:
    """``g_i = clip(1 - balance_weight * d_i, 0, 1)``: how willing the U.S. is to lift tariffs in a deal."""
    return np.clip(1.0 - params["balance_weight"] * deficit_share(world), 0.0, 1.0)


def expected_settlement(world, retaliation_value: np.ndarray, params: dict) -> np.ndarray:
    """Chance per round that retaliation brings a mutual lifting deal, from the U.S. rule.

    The U.S. settles with probability ``(1 - us_toughness) * g_i * damage / settlement_tolerance``
    where damage is the cumulative loss of U.S. exporters.  A country that knows
    the rule expects, after ``1 / (1 - patience)`` rounds of retaliation (its horizon; months here,
    so damage accrues at ``D_i / 12`` per round), ``h_i = min(1, (1 - us_toughness) g_i D_i H / (12 tolerance))``
    with ``D_i`` the annual U.S. exporter loss from its counter-tariffs: retaliation
    capacity (market power over U.S. exports; Johnson 1953-54) buys a deal.
    """
    damage = -retaliation_self_effect(world, retaliation_value, params)["exporter_welfare"]
    horizon = 1.0 / np.maximum(1.0 - world.patience, 1e-3)
    chance = (1 - params["us_toughness"]) * us_openness(world, params) * damage * horizon / (12.0 * params["settlement_tolerance"])
    return np.clip(chance, 0.0, 1.0)


@dataclass
class TradeOutlook:
    """Exporter welfare ($bn/yr) under each possible U.S. reply, per country."""

    tariff: np.ndarray  # no relief: the announced schedule (or the grace rate before a deadline)
    escalated: np.ndarray  # one more escalation step
    quota: np.ndarray  # relief as a quota on the capped sectors
    exempt: np.ndarray  # relief as a full exemption (floor rates)
    currently_relieved: np.ndarray  # bool: relief already granted and kept while compliant
    requires_cap: np.ndarray  # bool: relief for this partner needs the export cap
    tariffed_now: np.ndarray  # bool: under tariffs above the floor right now
    retaliation_value: np.ndarray  # $bn of U.S. goods a retaliation would cover
    stake: np.ndarray  # $bn, utility scale


# The terms of a country's utility, in the order they are summed (see :func:`us_game_terms`).
UTILITY_TERMS = {
    "trade": "expected exporter welfare next round under the U.S. reply this option invites (relief, tariffs, escalation, a deal)",
    "own counter-tariffs": "what the country's own counter-tariffs cost its consumers, net of terms-of-trade gains",
    "China": "China's expected punishment of anti-China alignment, or its inducement to hedge",
    "cost of demands": "direct cost of pledges and market access asked for",
    "security cooperation": "value of the security cooperation accepted, net of its cost",
    "political gain": "domestic gain from standing firm while facing tariffs (political_gain x pressure)",
    "security linkage": "what retaliating puts at risk in the security relationship (security_linkage x dependence)",
    "WTO case": "expected value of a WTO case while facing tariffs",
    "audience cost": "domestic cost of conceding (audience_cost x pressure x share of the package accepted)",
}


def us_game_terms(world, options: OptionTable, outlook: TradeOutlook, beliefs: Beliefs,
                  pressure: np.ndarray, params: dict, china_active: bool) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each term of every option's utility [n, K] in percent of stake (keys of :data:`UTILITY_TERMS`),
    and the mask [n, K] of valid options (a demand that does not apply cannot be accepted).

    The utility is their sum; :func:`us_game_utilities` adds them up.
    """
    acc = options.accept[None, :, :]  # [1, K, D]
    applicable = world.applicable[:, None, :]  # [n, 1, D]
    valid = ~(acc & ~applicable).any(axis=2)
    weights = world.demand_weight[None, None, :]
    total_weight = (world.applicable * world.demand_weight[None, :]).sum(axis=1)[:, None]
    compliance = np.where(total_weight > 0, (acc * applicable * weights).sum(axis=2) / np.maximum(total_weight, 1e-12), 0.0)
    stance = options.stance[None, :]
    if world.cap_index >= 0:
        cap_accepted = options.accept[None, :, world.cap_index] & world.applicable[:, world.cap_index][:, None]
    else:
        cap_accepted = np.zeros((1, options.size), dtype=bool)
    required = required_compliance(world, params)[:, None]
    eligible = (stance == WAIT) & (compliance >= required - 1e-12) & (total_weight > 0)
    eligible &= cap_accepted | ~outlook.requires_cap[:, None]

    col = lambda a: a[:, None]  # noqa: E731 - broadcast a per-country vector over options
    p_relief = np.where(outlook.currently_relieved, 1.0, Beliefs.mean(beliefs.relief))
    p_esc = Beliefs.mean(beliefs.escalation)
    rule_settle = expected_settlement(world, outlook.retaliation_value, params)
    p_settle = np.minimum(np.maximum(Beliefs.mean(beliefs.settlement), rule_settle), 1 - p_esc)
    relief_welfare = np.where(cap_accepted, col(outlook.quota), col(outlook.exempt))
    expected_trade = np.where(
        eligible,
        col(p_relief) * relief_welfare + col(1 - p_relief) * col(outlook.tariff),
        col(outlook.tariff),
    )
    retaliation_trade = p_esc * outlook.escalated + p_settle * outlook.exempt + (1 - p_esc - p_settle) * outlook.tariff
    hedge_trade = p_esc * outlook.escalated + (1 - p_esc) * outlook.tariff
    expected_trade = np.where(stance == RETALIATE, col(retaliation_trade), expected_trade)
    expected_trade = np.where(stance == HEDGE, col(hedge_trade), expected_trade)

    pct = col(outlook.stake / 100.0)  # $bn per utility point
    self_effect = retaliation_self_effect(world, outlook.retaliation_value, params)["importer_welfare"]
    china_on = 1.0 if china_active else 0.0
    punish = Beliefs.mean(beliefs.china_punishment) * params["china_punishment"] * world.china_trade * china_on
    alignment_cost = (acc * applicable * world.china_exposure[None, None, :]).sum(axis=2) * col(punish)
    inducement = np.where(stance == HEDGE, col(params["china_inducement"] * world.china_trade * china_on), 0.0)
    security_kind = np.array([kind == "security" for kind in world.demand_kind], dtype=bool)
    accepted_security = (acc * applicable * security_kind[None, None, :]).any(axis=2)
    tariffed = outlook.tariffed_now.astype(float)
    retaliating = stance == RETALIATE
    # a WTO case needs a measure to challenge: only a country facing tariffs can file one
    valid = valid & ~((stance == WTO) & ~col(outlook.tariffed_now))
    dollars = {  # $bn per year
        "trade": col(world.patience) * expected_trade,
        "own counter-tariffs": np.where(retaliating, col(self_effect), 0.0),
        "China": inducement - alignment_cost,
        "cost of demands": -(acc * applicable * world.cost_share[None, None, :]).sum(axis=2) * col(outlook.stake),
    }
    terms = {name: value / pct for name, value in dollars.items()}
    terms["security cooperation"] = accepted_security * col(world.security * params["security_value"] - params["security_cost"])
    terms["political gain"] = np.where(retaliating, col(params["political_gain"] * pressure * tariffed), 0.0)
    terms["security linkage"] = np.where(retaliating, col(-params["security_linkage"] * world.security), 0.0)
    terms["WTO case"] = np.where(stance == WTO, col(params["wto_value"] * tariffed), 0.0)
    terms["audience cost"] = -compliance * col(params["audience_cost"] * pressure)
    return terms, valid


def us_game_utilities(world, options: OptionTable, outlook: TradeOutlook, beliefs: Beliefs,
                      pressure: np.ndarray, params: dict, china_active: bool,
                      terms_out: dict | None = None) -> np.ndarray:
    """Utility [n, K] of every option for every country (percent of stake); -inf where invalid.

    The sum of :func:`us_game_terms`; pass a dict as ``terms_out`` to receive the terms too.
    """
    terms, valid = us_game_terms(world, options, outlook, beliefs, pressure, params, china_active)
    points = sum(terms.values())
    if terms_out is not None:
        terms_out.update(terms)
    return np.where(valid, points, -np.inf)


def classroom_payoffs(params: dict) -> dict[str, float]:
    """Per-partner stage-game payoffs R, S, T, P of the symmetric tariff game.

    With ``payoff_source = "economics"`` they come from the trade model: a
    defector sets ``war_tariff`` on a flow of ``trade_per_partner_bn``, facing a
    residual supply elasticity ``supply_elasticity / market_share``.
    """
    if params["payoff_source"] == "table":
        return {key: float(params[f"pd_{key}"]) for key in "RSTP"}
    eps = economics.residual_supply_elasticity(params["supply_elasticity"], params["market_share"])
    outcome = economics.tariff_outcome(params["trade_per_partner_bn"], params["war_tariff"],
                                       params["demand_elasticity"], eps)
    gain = float(outcome["importer_welfare"])  # own tariff: terms-of-trade gain net of consumer loss
    loss = float(outcome["exporter_welfare"])  # partner's tariff on my exports
    return {"R": 0.0, "S": loss, "T": gain, "P": gain + loss}


def classroom_utilities(options: OptionTable, p_partner_defects: np.ndarray, payoffs: dict[str, float],
                        stake: float, patience: np.ndarray | None = None, triggered: np.ndarray | None = None,
                        partner_model: str = "myopic") -> np.ndarray:
    """Utility of opening (wait) or retaliating in the classroom game, in percent of ``stake``.

    Two belief models about the partners (parameter ``partner_model``):

    * ``"myopic"``: a best reply to this round only.  With ``p`` the believed
      share of partners that retaliate (Beta belief from past rounds),
      ``U(open) = (1-p) R + p S`` and ``U(retaliate) = (1-p) T + p P``.
      Retaliation is then dominant: the one-shot prisoner's dilemma.
    * ``"grim"``: forward-looking against partners believed to play grim trigger
      (Friedman 1971), discounting with the country's own ``patience`` delta.
      While nobody has defected (``triggered`` False), cooperating for ever is worth
      ``R/(1-delta)`` and defecting once then facing punishment for ever
      ``T + delta P/(1-delta)``.  Utilities are these values times ``(1-delta)``
      (per-round averages, so the logit noise keeps its scale)::

          U(open)      = R
          U(retaliate) = (1-delta) T + delta P

      so a noiseless country cooperates iff ``delta >= (T-R)/(T-P)`` (the folk
      theorem threshold).  Once triggered, the grim partner retaliates for ever:
      ``U(open) = (1-delta) S + delta P`` and ``U(retaliate) = P``.
    """
    p = np.asarray(p_partner_defects, dtype=float)
    if partner_model == "grim":
        delta = np.broadcast_to(np.asarray(0.9 if patience is None else patience, dtype=float), p.shape)
        hit = np.zeros(p.shape, dtype=bool) if triggered is None else np.asarray(triggered, dtype=bool)
        R, S, T, P = (payoffs[k] for k in "RSTP")
        open_value = np.where(hit, (1 - delta) * S + delta * P, R)
        defect_value = np.where(hit, P, (1 - delta) * T + delta * P)
    else:
        open_value = (1 - p) * payoffs["R"] + p * payoffs["S"]
        defect_value = (1 - p) * payoffs["T"] + p * payoffs["P"]
    values = np.where(options.stance[None, :] == RETALIATE, defect_value[:, None], open_value[:, None])
    return 100.0 * values / stake


def folk_theorem_threshold(payoffs: dict[str, float]) -> float:
    """Critical discount factor ``delta* = (T-R)/(T-P)`` for grim trigger to sustain cooperation."""
    return (payoffs["T"] - payoffs["R"]) / (payoffs["T"] - payoffs["P"])
