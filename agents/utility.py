"""A country's utility of every option, term by term, for all countries at once.

Utilities are in percent of the country's stake in the dispute (see
:meth:`sim.world.arrays.World.stake`), so the same decision noise means the same
for Argentina and for China.  Each option's utility is the sum of named terms
(:data:`UTILITY_TERMS`): the expected trade outcome under the U.S. reply the option
invites (the U.S. rule from :mod:`agents.us_rule`, weighed by the country's
beliefs), its own counter-tariffs, China, the cost of the demands, security
cooperation, domestic politics and a WTO case.  The formulas are written out in
docs/model.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents import us_rule
from agents.beliefs import Beliefs
from agents.options import OptionTable
from sim.world import economics
from sim.world.vocabulary import Stance


def exporter_outcome(world, rates: np.ndarray, price_index: np.ndarray,
                     quota: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per country, ``welfare`` (producer surplus and quota rent) and ``sales`` (change in export
    receipts), $bn/yr, at U.S. tariff ``rates`` [n, s] with the U.S. price index [s] taken as given
    (:func:`sim.world.economics.supplier_outcome`).  Sectors flagged in ``quota`` [n, s] trade under
    the export cap instead."""
    cap = None if quota is None or not quota.any() else np.where(quota, world.cap_share, np.inf)
    outcome = economics.supplier_outcome(
        world.exports, rates, world.supply_elasticity, price_index, sigma=world.sigma, eta=world.eta,
        duty_free=world.duty_free, cap=cap, exporter_rent=world.exporter_rent)
    return {key: value.sum(axis=1) for key, value in outcome.items()}


def exporter_welfare(world, rates: np.ndarray, price_index: np.ndarray, quota: np.ndarray | None = None) -> np.ndarray:
    """The ``welfare`` of :func:`exporter_outcome`."""
    return exporter_outcome(world, rates, price_index, quota)["welfare"]


def retaliation_self_effect(world, value_bn: np.ndarray, params: dict) -> dict[str, np.ndarray]:
    """Effects of a counter-tariff on ``value_bn`` of U.S. goods, for the retaliator and the U.S.

    The U.S. sells the retaliator a share ``b`` of its exports, so the supply it faces
    is the residual ``(eps + (1 - b) eta) / b`` (:func:`sim.world.economics.residual_supply_elasticity`).
    """
    eta = params["demand_elasticity"]
    eps = economics.residual_supply_elasticity(params["supply_elasticity"], world.buyer_share_us, eta)
    return economics.tariff_outcome(value_bn, params["retaliation_rate"], eta, eps)


def mechanism_costs(world, rates: np.ndarray, china_rates: np.ndarray, price_index: np.ndarray,
                    params: dict) -> np.ndarray:
    """[n, d] what accepting each demand costs each partner now ($bn/yr), from the trade data.

    ``rates`` [n, s] are the partners' rates (under the deal the demand is part of),
    ``china_rates`` [n, s] the rates China faces (its row is used).

    * ``transshipment``: the Chinese value added in the partner's exports (OECD TiVA,
      ``china_value_added``) would pay China's U.S. rate instead of its own, so its
      exporters lose ``W(rates) - W(rates + v (t_China - rates))``;
    * ``absorption``: the partner puts China's average U.S. rate on its own imports from
      China (half its trade with China [est.]): its importer welfare at that rate, a
      gain for a buyer large enough to move China's prices and a loss for a small one
      (Johnson 1953-54), counted with the sign of a cost.
    """
    cost = np.zeros((world.n, len(world.demand_ids)))
    china = np.flatnonzero(world.is_china)
    if not len(china) or not any(world.demand_mechanism):
        return cost
    china_rates = china_rates[china[0]]
    for j, mechanism in enumerate(world.demand_mechanism):
        if mechanism == "transshipment":
            lifted = rates + world.china_value_added[:, None] * np.maximum(china_rates[None, :] - rates, 0.0)
            cost[:, j] = exporter_welfare(world, rates, price_index) - exporter_welfare(world, lifted, price_index)
        elif mechanism == "absorption":
            weights = world.exports[china[0]]
            rate = float((weights * china_rates).sum() / max(weights.sum(), 1e-12))
            imports = 0.5 * world.china_trade
            eta = params["demand_elasticity"]
            share = imports / max(float(world.total_exports[china[0]]), 1e-9)  # of China's sales
            eps = economics.residual_supply_elasticity(params["supply_elasticity"], share, eta)
            cost[:, j] = -economics.tariff_outcome(imports, rate, eta, eps)["importer_welfare"]
    cost[china] = 0.0
    return cost


def expected_settlement(world, retaliation_value: np.ndarray, stake: np.ndarray, params: dict,
                        rounds_per_year: float) -> np.ndarray:
    """Chance per round that retaliation brings a mutual lifting deal, as a country that knows the
    U.S. rule expects it (:func:`agents.us_rule.settlement_chance`).

    After ``1 / (1 - patience)`` rounds of retaliation (its horizon), the U.S. exporters'
    cumulative loss is ``D_i * H / rounds_per_year``, with ``D_i`` the annual loss from its
    counter-tariffs: retaliation capacity (market power over U.S. exports; Johnson 1953-54)
    buys a deal.
    """
    damage = -retaliation_self_effect(world, retaliation_value, params)["exporter_welfare"]
    horizon = 1.0 / np.maximum(1.0 - world.patience, 1e-3)
    return np.clip(us_rule.settlement_chance(world, params, damage * horizon / rounds_per_year, stake), 0.0, 1.0)


REPLIES = ("tariff", "escalated", "quota", "exempt")


@dataclass
class TradeOutlook:
    """What each partner's exporters get under each possible U.S. reply, per country ($bn/yr).

    ``welfare`` and ``sales`` map each reply of :data:`REPLIES` to [n] arrays:
    ``tariff`` (no relief: the announced schedule, or the deal floor before a deadline,
    weighed toward the looming rates), ``escalated`` (one more escalation step),
    ``quota`` (relief as a quota on the capped sectors) and ``exempt`` (relief: the
    negotiable sectors at their floor).  ``welfare`` is producer surplus plus quota rent;
    ``sales`` the change in export receipts against free trade.
    """

    welfare: dict[str, np.ndarray]
    sales: dict[str, np.ndarray]
    currently_relieved: np.ndarray  # bool: relief already granted and kept while compliant
    in_deal: np.ndarray  # bool: in a lifting deal, kept while the partner neither retaliates nor hedges
    requires_cap: np.ndarray  # bool: relief for this partner needs the export cap
    tariffed_now: np.ndarray  # bool: facing tariffs with no deal on offer (tariffed, or its grace ends this round)
    retaliation_value: np.ndarray  # $bn of U.S. goods a retaliation would cover
    demand_cost: np.ndarray  # [n, d] $bn/yr, what accepting each demand costs from the trade data (mechanism_costs)
    stake: np.ndarray  # $bn, utility scale

    @property
    def harm(self) -> np.ndarray:
        """[n] the share of export sales at stake the announced tariffs cost (0..1): domestic pressure."""
        return np.clip(-self.sales["tariff"] / np.maximum(self.stake, 1e-9), 0.0, 1.0)


# The terms of a country's utility, in the order they are summed (see :func:`us_game_terms`).
UTILITY_TERMS = {
    "trade": "expected exporter welfare next round under the U.S. reply this option invites (relief, tariffs, escalation, a deal)",
    "exporters' sales": "the exporters' expected lost sales under that reply, weighted politically (political_weight; Grossman-Helpman)",
    "own counter-tariffs": "what the country's own counter-tariffs cost its consumers, net of terms-of-trade gains",
    "China": "China's expected punishment of anti-China alignment, or its inducement to hedge",
    "cost of demands": "cost of pledges, market access, linked talks, and of transshipment and absorption rules",
    "security cooperation": "value of the security cooperation accepted, net of its cost",
    "political gain": "domestic gain from standing firm while tariffed with no deal on offer (political_gain x the harm)",
    "security linkage": "what retaliating puts at risk in the security relationship (security_linkage x dependence)",
    "WTO case": "expected value of a WTO case while facing tariffs",
    "audience cost": "cost of conceding after a public commitment to answer (audience_cost x share of the package accepted)",
}


def us_game_terms(world, options: OptionTable, outlook: TradeOutlook, beliefs: Beliefs,
                  committed: np.ndarray, params: dict, china_active: bool,
                  rounds_per_year: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Each term of every option's utility [n, K] in percent of stake (keys of :data:`UTILITY_TERMS`),
    and the mask [n, K] of valid options (a demand that does not apply cannot be accepted).

    ``committed`` [n] bool: the government has publicly committed to answer the tariffs.
    The utility is their sum; :func:`us_game_utilities` adds them up.
    """
    acc = options.accept[None, :, :]  # [1, K, D]
    applicable = world.applicable[:, None, :]  # [n, 1, D]
    valid = ~(acc & ~applicable).any(axis=2)
    compliance = us_rule.package_share(world, acc)  # [n, K] share of the package each option accepts
    stance = options.stance[None, :]
    if world.cap_index >= 0:
        cap_accepted = options.accept[None, :, world.cap_index] & world.applicable[:, world.cap_index][:, None]
    else:
        cap_accepted = np.zeros((1, options.size), dtype=bool)
    eligible = us_rule.relief_eligible(world, params, stance, acc)

    col = lambda a: a[:, None]  # noqa: E731 - broadcast a per-country vector over options
    p_relief = np.where(outlook.currently_relieved, 1.0, Beliefs.mean(beliefs.relief))
    p_esc = Beliefs.mean(beliefs.escalation)
    rule_settle = expected_settlement(world, outlook.retaliation_value, outlook.stake, params, rounds_per_year)
    p_settle = np.minimum(np.maximum(Beliefs.mean(beliefs.settlement), rule_settle), 1 - p_esc)

    def expected(by_reply: dict[str, np.ndarray]) -> np.ndarray:
        """[n, K] the expectation over the U.S. reply each option invites."""
        tariff, escalated, exempt = by_reply["tariff"], by_reply["escalated"], by_reply["exempt"]
        relief = np.where(cap_accepted, col(by_reply["quota"]), col(exempt))
        value = np.where(eligible, col(p_relief) * relief + col(1 - p_relief) * col(tariff), col(tariff))
        value = np.where(col(outlook.in_deal) & (stance == Stance.WAIT), col(exempt), value)  # the deal holds
        value = np.where(stance == Stance.RETALIATE,
                         col(p_esc * escalated + p_settle * exempt + (1 - p_esc - p_settle) * tariff), value)
        return np.where(stance == Stance.HEDGE, col(p_esc * escalated + (1 - p_esc) * tariff), value)

    pct = col(outlook.stake / 100.0)  # $bn per utility point
    self_effect = retaliation_self_effect(world, outlook.retaliation_value, params)["importer_welfare"]
    china_on = 1.0 if china_active else 0.0
    punish = Beliefs.mean(beliefs.china_punishment) * params["china_punishment"] * world.china_trade * china_on
    alignment_cost = (acc * applicable * world.china_exposure[None, None, :]).sum(axis=2) * col(punish)
    inducement = np.where(stance == Stance.HEDGE, col(params["china_inducement"] * world.china_trade * china_on), 0.0)
    security_kind = np.array([kind == "security" for kind in world.demand_kind], dtype=bool)
    accepted_security = (acc * applicable * security_kind[None, None, :]).any(axis=2)
    tariffed = outlook.tariffed_now.astype(float)
    retaliating = stance == Stance.RETALIATE
    # a WTO case needs a measure to challenge: only a country facing tariffs can file one
    valid = valid & ~((stance == Stance.WTO) & ~col(outlook.tariffed_now))
    dollars = {  # $bn per year
        "trade": col(world.patience) * expected(outlook.welfare),
        "exporters' sales": params["political_weight"] * col(world.patience) * expected(outlook.sales),
        "own counter-tariffs": np.where(retaliating, col(self_effect), 0.0),
        "China": inducement - alignment_cost,
        "cost of demands": -((acc * applicable * world.cost_share[None, None, :]).sum(axis=2) * col(outlook.stake)
                             + (acc * applicable * outlook.demand_cost[:, None, :]).sum(axis=2)),
    }
    terms = {name: value / pct for name, value in dollars.items()}
    terms["security cooperation"] = accepted_security * col(world.security * params["security_value"] - params["security_cost"])
    terms["political gain"] = np.where(retaliating, col(params["political_gain"] * outlook.harm * tariffed), 0.0)
    terms["security linkage"] = np.where(retaliating, col(-params["security_linkage"] * world.security), 0.0)
    terms["WTO case"] = np.where(stance == Stance.WTO, col(params["wto_value"] * tariffed), 0.0)
    terms["audience cost"] = -compliance * col(params["audience_cost"] * committed)
    return terms, valid


def us_game_utilities(world, options: OptionTable, outlook: TradeOutlook, beliefs: Beliefs,
                      committed: np.ndarray, params: dict, china_active: bool,
                      rounds_per_year: float, terms_out: dict | None = None) -> np.ndarray:
    """Utility [n, K] of every option for every country (percent of stake); -inf where invalid.

    The sum of :func:`us_game_terms`; pass a dict as ``terms_out`` to receive the terms too.
    """
    terms, valid = us_game_terms(world, options, outlook, beliefs, committed, params, china_active, rounds_per_year)
    points = sum(terms.values())
    if terms_out is not None:
        terms_out.update(terms)
    return np.where(valid, points, -np.inf)
