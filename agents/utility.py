"""A government's objective and the value of every option, term by term, for all countries at once.

**The objective** (Grossman & Helpman 1994, 1995) is on one absolute scale, $bn a year:

    G = (1 + political_weight) PS + CT + China - concessions - security - audience

* ``PS``: the producer surplus (and quota rent) of its exporters to the U.S. at the rates they
  face (:mod:`sim.world.economics`); the Grossman-Helpman weight ``political_weight`` counts the
  organised exporters in the sectors hit once more (the estimates put it small: Goldberg & Maggi
  1999; Gawande & Bandyopadhyay 2000);
* ``CT``: its own counter-tariffs, consumers' loss net of revenue and terms-of-trade gain (a
  small buyer gains nothing: Johnson 1953-54), plus the political weight on the surplus they give
  the organised domestic producers of the listed goods: in a trade war each government reverts to
  its non-cooperative, politically optimal tariff (Grossman & Helpman 1995; the WTO's rebalancing,
  Safeguards Art. 8, restores the balance of concessions: Bagwell & Staiger 1999);
* China's expected punishment of alignment, or its inducement to hedge;
* the cost of the concessions a deal buys: from the data (pledges, market access, transshipment
  and absorption rules, linked negotiations) and, for security cooperation, ``security_linkage``
  x (1 - dependence) basis points of GDP (little for a partner that depends on the U.S., most for a rival);
* ``security_linkage`` x dependence basis points of GDP put at risk while retaliating (issue
  linkage: Maggi 2016; Long & Leeds 2006);
* ``audience_cost`` basis points of GDP x the share of the package conceded, once it has
  publicly announced a retaliation list (Fearon 1994).

Nothing in it grows with the harm by itself: a harder-hit exporter loses more surplus whatever it
does, and retaliating pays only through what it changes: the bargaining (its counter-tariffs
enter the U.S. side of :func:`agents.us_rule.nash_relief`), its own counter-tariffs, and the
escalation it risks on everything the U.S. can reach (:meth:`sim.world.arrays.World.threat_scope`).

**Options** are valued as annual flows of a simple dynamic programme (discount factor
``patience``, talks concluding with probability ``p`` a round): talking with package ``c`` while the
war path pays ``W`` and the deal ``D(c)`` is worth ``A(W, D, p) = ((1 - delta) W + delta p D) /
(1 - delta + delta p)``; retaliating now is a round of ``W`` and then the war path with
counter-tariffs in force and the best lifting deal; filing a WTO case or hedging toward China
are flows.  Each option's value is a sum of named terms (:data:`UTILITY_TERMS`), kept for
``tradesim explain``.  The formulas are written out in docs/model.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents import us_rule
from agents.us_rule import ENLARGE, rates_under
from agents.beliefs import Beliefs
from agents.options import OptionTable
from sim.world import economics
from sim.world.vocabulary import CounterTariffs, Stance

BP = 1e-4  # a basis point of GDP, as a fraction

# The terms of a government's objective, in the order they are summed (each $bn a year).
UTILITY_TERMS = {
    "exporters' surplus": "producer surplus and quota rent of its exporters to the U.S. under the rates the option leads to "
                          "(with the chance of escalation and of a deal), against free trade",
    "organised exporters": "the Grossman-Helpman political weight on that surplus (political_weight): organised "
                           "exporters in the sectors hit count more than their welfare",
    "own counter-tariffs": "what its own counter-tariffs cost its consumers, net of revenue and terms-of-trade gain",
    "organised import-competers": "the Grossman-Helpman political weight on the surplus its counter-tariffs give the domestic "
                                  "producers of the goods on its list (their domestic sales taken equal to the imports "
                                  "listed [est.]): the political gain of reverting to the non-cooperative tariff",
    "China": "China's expected punishment of anti-China alignment, or its inducement to hedge",
    "cost of demands": "what the concessions a deal buys cost from the data: pledges, market access, "
                       "transshipment and absorption rules, linked negotiations",
    "security": "security cooperation conceded (security_linkage x (1 - dependence)) and the security relationship "
                "put at risk while retaliating (security_linkage x dependence), basis points of GDP",
    "WTO case": "expected value of a WTO case while facing tariffs (wto_value x the harm of the tariffs)",
    "audience cost": "cost of conceding after publicly announcing a retaliation list (audience_cost x share of the "
                     "package conceded, basis points of GDP)",
}

TERM = {name: t for t, name in enumerate(UTILITY_TERMS)}
Terms = np.ndarray  # [terms, ...]: one slice per term of UTILITY_TERMS, in that order


def _terms(**values) -> Terms:
    """The named terms stacked (zero where not given), all of one shape."""
    shape = np.broadcast_shapes(*(np.shape(v) for v in values.values()))
    out = np.zeros((len(UTILITY_TERMS),) + shape)
    for name, value in values.items():
        out[TERM[name]] = value
    return out


def _mix(*weighted: tuple) -> Terms:
    """Sum of ``weight * terms`` over ``(weight, terms)`` pairs (weights broadcast over the terms)."""
    return sum(np.asarray(w)[None, ...] * t for w, t in weighted)


def total(terms: Terms) -> np.ndarray:
    return terms.sum(axis=0)


def named(terms: Terms) -> dict[str, np.ndarray]:
    """The terms as a dict, term name -> array."""
    return dict(zip(UTILITY_TERMS, terms))


def stance_noise(world, params: dict) -> np.ndarray:
    """[n] $bn/yr: the spread of each government's persistent preference for each stance (the nested
    logit's Gumbel scale), ``decision_noise`` basis points of its GDP."""
    return params["decision_noise"] * world.gdp * BP


def talk_weights(patience: np.ndarray, chance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The weights of the war flow and of the deal flow in ``A(W, D, p)`` (see the module docstring)."""
    denominator = 1.0 - patience + patience * chance
    return (1.0 - patience) / denominator, patience * chance / denominator


# --------------------------------------------------------------------------- the economics the options price
def partner_surplus(world, rates: np.ndarray, price_index: np.ndarray, quota: np.ndarray | None = None,
                    by_sector: bool = False) -> np.ndarray:
    """Producer surplus and quota rent of each partner's exporters ($bn/yr) at U.S. ``rates`` [n, s] or
    [n, K, s] (one set per option), the U.S. price index [s] taken as given
    (:func:`sim.world.economics.supplier_outcome`); sectors flagged in ``quota`` trade under the cap.
    Summed over sectors, or kept by sector with ``by_sector``."""
    extra = rates.ndim == 3
    expand = (lambda a: a[:, None, :]) if extra else (lambda a: a)  # noqa: E731
    cap = None if quota is None or not np.any(quota) else np.where(quota, world.cap_share, np.inf)
    outcome = economics.supplier_outcome(
        expand(world.exports), rates, expand(world.supply_elasticity), price_index, sigma=world.sigma, eta=world.eta,
        duty_free=expand(world.duty_free), cap=cap, exporter_rent=world.exporter_rent)
    return outcome["welfare"] if by_sector else outcome["welfare"].sum(axis=-1)


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
    * ``absorption``: the partner guards against Chinese goods diverted from the U.S. market by
      putting China's average U.S. rate on the diverted part of its imports from China (the
      share of China's U.S. sales that China's U.S. tariff diverts, on half its trade with China
      [est.]): its importer welfare at that rate, a gain for a buyer large enough to move
      China's prices and a loss for a small one (Johnson 1953-54), counted with the sign of a cost.
    """
    cost = np.zeros((world.n, len(world.demand_ids)))
    china = np.flatnonzero(world.is_china)
    if not len(china) or not any(world.demand_mechanism):
        return cost
    china_rates = china_rates[china[0]]
    for j, mechanism in enumerate(world.demand_mechanism):
        if mechanism == "transshipment":
            lifted = rates + world.china_value_added[:, None] * np.maximum(china_rates[None, :] - rates, 0.0)
            cost[:, j] = partner_surplus(world, rates, price_index) - partner_surplus(world, lifted, price_index)
        elif mechanism == "absorption":
            weights = world.exports[china[0]]
            rate = float((weights * china_rates).sum() / max(weights.sum(), 1e-12))
            eta = params["demand_elasticity"]
            us_share = float(world.seller_share_us[china[0]])
            diverted = us_share * (1.0 - (1.0 + rate) ** -eta)  # China's sales the U.S. tariff turns elsewhere
            imports = 0.5 * world.china_trade * diverted
            share = imports / max(float(world.total_exports[china[0]]), 1e-9)  # of China's sales
            eps = economics.residual_supply_elasticity(params["supply_elasticity"], share, eta)
            cost[:, j] = -economics.tariff_outcome(imports, rate, eta, eps)["importer_welfare"]
    cost[china] = 0.0
    return cost


# --------------------------------------------------------------------------- what each partner faces
@dataclass
class Outlook:
    """What each partner faces this round, priced for its decision and for the U.S.'s bargaining.

    ``war`` holds the flows (terms [n], $bn/yr) of the war path if talks fail: ``now`` (the status
    quo, with its counter-tariffs if a list is in force), ``retaliating`` (a list in force: the one it
    announced, a new one or an enlarged one, with the chance of escalation) and ``hedging``.
    ``deal[s]`` the flow of a deal on each option's package [n, K] with counter-tariff status ``s``
    (0: none, 1: a list announced or in force), at the Nash relief ``relief[s]`` where
    ``feasible[s]``.  ``current_deal`` is the flow of the deal a partner holds (``state.relieved``), kept by
    an option whose package contains it (``keeps_deal``).
    """

    war: dict[str, Terms]
    deal: tuple[Terms, Terms]
    relief: np.ndarray  # [2, n, K]
    feasible: np.ndarray  # [2, n, K]
    status: np.ndarray  # [n] int 0/1: a list announced or in force
    list_value: np.ndarray  # [n] $bn of U.S. goods its list would cover if it retaliated now (new or enlarged)
    facing: np.ndarray  # [n] bool, facing tariffs above the floor now
    keeps_deal: np.ndarray  # [n, K] bool
    current_deal: Terms
    harm: np.ndarray  # [n] $bn/yr, the producer surplus the tariffs cost against the floor
    escalation_belief: np.ndarray  # [n] the chance it expects that a new challenge is answered by an escalation
    noise: np.ndarray  # [n] $bn/yr, the spread of its stance preferences (decision_noise x GDP)
    extras: dict = field(default_factory=dict)  # rates and figures for the inspector and the U.S.



def price_outlook(model) -> Outlook:
    """Price every reply and every package for every partner this round (before they choose)."""
    state, world, params = model.state, model.world, model.params
    rates = rates_under(model)
    sector_ps = _surplus_table(model, rates)
    ps = {name: value.sum(axis=1) for name, value in sector_ps.items()}
    looming = rates["looming"]  # [n] weight of the announced rates while a grace period lasts (1: none)

    def blended(name: str) -> np.ndarray:
        """Surplus at these rates, weighed toward the grace rates while a grace period lasts."""
        return looming * ps[name] + (1 - looming) * ps["grace"]

    surplus = {"now": blended("tariffed"), "escalated": blended("escalated"), "escalated_all": blended("escalated_all")}
    lists = _lists(model, rates)
    war = _war_paths(model, surplus, lists)
    package = _package_terms(model, rates)
    deals, reliefs, feasibles = _bargains(model, ps, sector_ps, war, lists, package)
    options, static = model.options, _packages(model)
    keeps = state.relieved[:, None] & ~(state.deal_accepted[:, None, :] & ~options.accept[None, :, :]).any(axis=2)
    weight = 1.0 + params["political_weight"]
    held_alignment = (state.deal_accepted * world.china_exposure[None, :]).sum(axis=1) * package["punish"]
    held = _terms(**{"exporters' surplus": ps["held"], "organised exporters": (weight - 1) * ps["held"],
                     "cost of demands": -(state.deal_accepted * package["data_cost"]).sum(axis=1),
                     "security": -(state.deal_accepted * static["security_cost"]).sum(axis=1), "China": -held_alignment})
    return Outlook(
        war=war, deal=(deals[0], deals[1]), relief=np.array(reliefs), feasible=np.array(feasibles),
        status=lists["status"], list_value=lists["new"], facing=rates["facing"], keeps_deal=keeps,
        current_deal=held, harm=np.maximum(ps["full"] - surplus["now"], 0.0),
        escalation_belief=lists["belief"], noise=stance_noise(world, params),
        extras={"rates": rates, "deal_cost": package["data_cost"], "security_cost": static["security_cost"],
                "open": static["open"]},
    )


def _surplus_table(model, rates: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each partner's producer surplus by sector [n, s] under every set of rates the options price, in one call
    (the round's main cost): the U.S. replies, the grace rates, a deal at no and at full relief (with and without
    a quota on the capped sectors), and the deal it holds."""
    state, world = model.state, model.world
    cap_sectors = np.broadcast_to(world.cap_sectors[None, :], state.schedule.shape)
    no_quota = np.zeros_like(cap_sectors)
    priced = {  # name: (rates, quota flags)
        "tariffed": (rates["tariffed"], no_quota), "escalated": (rates["escalated"], no_quota),
        "escalated_all": (rates["escalated_all"], no_quota), "grace": (rates["grace"], no_quota),
        "zero": (rates["deal_none"], no_quota), "full": (rates["deal_full"], no_quota),
        "zero_quota": (rates["deal_none"], cap_sectors), "full_quota": (rates["deal_full"], cap_sectors),
        "held": (rates["held"], state.quota),
    }
    by_sector = partner_surplus(world, np.stack([r for r, _ in priced.values()], axis=1), state.price_index,
                                np.stack([q for _, q in priced.values()], axis=1), by_sector=True)  # [n, M, s]
    return {name: by_sector[:, m] for m, name in enumerate(priced)}


def _lists(model, rates: dict[str, np.ndarray]) -> dict[str, Any]:
    """Its counter-tariffs: a list announced (a public threat: it counts in the bargaining, and conceding then costs
    an audience) or in force (its effects count too); the list retaliating now puts in force (the one announced, a new
    one, or the one it has enlarged to match the exports hit now); the chances of escalation each path runs; and
    each list's terms and sting on the U.S."""
    state, world, params = model.state, model.world, model.params
    status = (state.counter != CounterTariffs.NONE).astype(int)
    current = np.where(status > 0, state.counter_value, 0.0)
    enforced = np.where(state.counter == CounterTariffs.IN_FORCE, current, 0.0)
    new = np.maximum(us_rule.matched_list(world, params, rates["tariffed"]), current)
    grows = new > enforced * (1 + ENLARGE) + 1e-9  # a list coming into force, or enlarged: a new challenge
    belief = Beliefs.mean(model.beliefs.escalation)
    # the list in force, the new or enlarged one, and the one announced or in force, priced at once
    lists = np.stack([enforced, new, current])
    effect = retaliation_self_effect(world, lists, params)
    # organised import-competers: the listed goods' domestic price rises by (p - 1), on domestic sales taken
    # equal to the imports listed [est.]
    protection = params["political_weight"] * (effect["importer_price"] - 1.0) * lists
    at_risk = world.security * params["security_linkage"] * world.gdp * BP * (lists > 0)
    terms = [{"own counter-tariffs": effect["importer_welfare"][k], "organised import-competers": protection[k],
              "security": -at_risk[k]} for k in range(3)]
    stings = us_rule.us_war_cost(world, params, -effect["exporter_welfare"])
    return {"status": status, "new": new, "belief": belief, "terms": terms,
            "p_retaliating": belief * grows,  # retaliating now is answered by an escalation
            "p_pending": belief * (state.counter == CounterTariffs.ANNOUNCED),  # an announced list takes effect
            "p_hedge": belief * ~state.challenged,
            # what its list (announced or in force, or one it would announce) costs the U.S.
            "sting": np.where(status > 0, stings[2], stings[1])}


def _war_paths(model, surplus: dict[str, np.ndarray], lists: dict[str, Any]) -> dict[str, Terms]:
    """The flows of the war path if talks fail: the status quo (its list, pending or in force), with its list
    withdrawn (backing down), retaliating now, and hedging toward China."""
    world, params = model.world, model.params
    weight = 1.0 + params["political_weight"]
    china_on = 1.0 if (model.china is not None and model.china.active) else 0.0

    def path(p: np.ndarray, escalated: np.ndarray, extra: dict) -> Terms:
        ps = p * escalated + (1 - p) * surplus["now"]
        return _terms(**{"exporters' surplus": ps, "organised exporters": (weight - 1) * ps, **extra})

    audience = params["audience_cost"] * world.gdp * BP * lists["status"]
    inducement = params["china_inducement"] * world.china_trade * china_on
    return {
        "now": path(lists["p_pending"], surplus["escalated"], lists["terms"][2]),
        "withdrawn": path(np.zeros(world.n), surplus["escalated"], {"audience cost": -audience}),
        "retaliating": path(lists["p_retaliating"], surplus["escalated"], lists["terms"][1]),
        "hedging": path(lists["p_hedge"], surplus["escalated_all"], {**lists["terms"][0], "China": inducement}),
    }


def _package_terms(model, rates: dict[str, np.ndarray]) -> dict[str, Any]:
    """What each option's package costs the partner besides the rates ($bn/yr, [n, K]): the data and trade-rule
    costs of its demands, China's expected punishment of the alignment in it, the security cooperation it asks."""
    world, params = model.world, model.params
    static = _packages(model)
    acc = static["accepted"]
    data_cost = world.demand_cost_bn + mechanism_costs(world, rates["deal_full"], rates["tariffed"],
                                                       model.state.price_index, params)
    china_on = 1.0 if (model.china is not None and model.china.active) else 0.0
    punish = Beliefs.mean(model.beliefs.china_punishment) * params["china_punishment"] * world.china_trade * china_on
    return {
        "terms": {"cost of demands": -(acc * data_cost[:, None, :]).sum(axis=2),
                  "China": -(acc * world.china_exposure[None, None, :]).sum(axis=2) * punish[:, None],
                  "security": -(acc * static["security_cost"][:, None, :]).sum(axis=2)},
        "data_cost": data_cost, "punish": punish,
    }


def _bargains(model, ps: dict, sector_ps: dict, war: dict[str, Terms], lists: dict[str, Any],
              package: dict[str, Any]) -> tuple[list, list, list]:
    """The Nash bargain (:func:`agents.us_rule.nash_relief`) for every package, without (0) and with (1) a list
    announced or in force: each deal's flow (terms [n, K]), its relief x and whether it exists."""
    world, params = model.world, model.params
    static = _packages(model)
    share, required, cap_taken, q = static["share"], static["required"], static["cap_taken"], static["q"]
    weight = 1.0 + params["political_weight"]
    status = lists["status"]
    # the deal's surplus is linear in the relief x between its ends, as the bargaining takes it
    ps_zero = np.where(cap_taken, ps["zero_quota"][:, None], ps["zero"][:, None])
    ps_full = np.where(cap_taken, ps["full_quota"][:, None], ps["full"][:, None])
    value_of_relief = weight * (ps["full"] - ps["zero"])  # V: what the U.S. values the package at, in full
    # A package with the export cap puts the capped sectors under a quota (rate-free within it: Proclamation 9740):
    # that part of the relief is fixed, and costs the U.S. its share of V; x bargains over the other sectors.
    gain = np.maximum(sector_ps["full"] - sector_ps["zero"], 0.0)  # [n, s] the relief, sector by sector
    capped_share = np.where(gain.sum(axis=1) > 0, (gain * world.cap_sectors[None, :]).sum(axis=1)
                            / np.maximum(gain.sum(axis=1), 1e-300), 0.0)
    capped_relief = capped_share * value_of_relief
    fixed_cost = np.where(cap_taken, (q * capped_relief)[:, None], 0.0)
    variable_cost = np.where(cap_taken, (q * (value_of_relief - capped_relief))[:, None], (q * value_of_relief)[:, None])
    audience = params["audience_cost"] * world.gdp[:, None] * BP * share  # paid once a list is announced
    deals, reliefs, feasibles = [], [], []
    for s in (0, 1):
        flow_war = total(_status_war(war, status, s))
        conceded = {**package["terms"], "audience cost": -audience * s}
        a = weight * ps_zero + total(_terms(**conceded)) - flow_war[:, None]
        h = weight * (ps_full - ps_zero)
        b = value_of_relief[:, None] * share + (lists["sting"] * s)[:, None] - fixed_cost
        x, exists = us_rule.nash_relief(a, h, b, variable_cost, params["bargaining_power"])
        # a quota on every sector under dispute leaves nothing to bargain over: the deal is the quota itself
        quota_only = cap_taken & (h <= 1e-12)
        whole = quota_only & (a >= -1e-12) & (b >= -1e-12)
        x, exists = np.where(quota_only, np.where(whole, 1.0, 0.0), x), np.where(quota_only, whole, exists)
        ps_deal = ps_zero + x * (ps_full - ps_zero)
        deals.append(_terms(**{"exporters' surplus": ps_deal, "organised exporters": (weight - 1) * ps_deal, **conceded}))
        reliefs.append(x)
        feasibles.append(exists & required)
    return deals, reliefs, feasibles


def _packages(model) -> dict[str, np.ndarray]:
    """What each option's package is, per partner: the same every round of a run (computed once)."""
    cached = getattr(model, "_packages", None)
    if cached is not None:
        return cached
    world, options, params = model.world, model.options, model.params
    acc = options.accept[None, :, :] & world.applicable[:, None, :]  # [n, K, D]
    security_kind = np.array([k == "security" for k in world.demand_kind], dtype=bool)
    model._packages = {
        "accepted": acc,
        "share": us_rule.package_share(world, options.accept[None, :, :]),  # [n, K]
        "required": us_rule.required_accepted(world, options.accept[None, :, :]),
        "cap_taken": acc[:, :, world.cap_index] if world.cap_index >= 0 else np.zeros(acc.shape[:2], dtype=bool),
        "security_cost": np.where(security_kind[None, :], (1.0 - world.security[:, None]) * params["security_linkage"]
                                  * world.gdp[:, None] * BP, 0.0),
        "q": us_rule.required_compliance(world, params),
        "open": ~(options.accept[None, :, :] & ~world.applicable[:, None, :]).any(axis=2),  # [n, K]
    }
    return model._packages


def _status_war(war: dict[str, Terms], status: np.ndarray, s: int) -> Terms:
    """The war path of a partner bargaining with counter-tariff status ``s`` (0: none; 1: a list)."""
    return war["now"] if s == 0 else _mix((status, war["now"]), (1 - status, war["retaliating"]))


# --------------------------------------------------------------------------- every option's value
def option_terms(outlook: Outlook, options: OptionTable, world, params: dict) -> tuple[Terms, np.ndarray]:
    """Every option's value term by term, [terms, n, K] ($bn a year), and the mask [n, K] of options open
    to each partner."""
    status = outlook.status
    delta = world.patience
    chance = params["relief_probability"]
    stance = options.stance[None, :]
    valid = outlook.extras["open"]
    col = lambda a: a[:, None] if np.ndim(a) == 1 else a  # noqa: E731 - a per-country vector over options

    # talking with each package, at the current counter-tariff status
    now = outlook.war["now"]
    deal = np.where(col(status)[None] > 0, outlook.deal[1], outlook.deal[0])
    feasible = np.where(col(status) > 0, outlook.feasible[1], outlook.feasible[0])
    w_war, w_deal = talk_weights(col(delta), chance * feasible)
    # offering nothing while holding a list is backing down: the list is withdrawn, at the audience cost
    refuse = options.refuse_all()
    war_of_talk = np.repeat(now[:, :, None], options.size, axis=2)
    war_of_talk[:, :, refuse] = np.where(status[None, :] > 0, outlook.war["withdrawn"], now)
    talk = _mix((w_war, war_of_talk), (w_deal, deal))
    talk = np.where(outlook.keeps_deal[None], outlook.current_deal[:, :, None], talk)

    # retaliating: a round of the status quo, then the war path with a list in force and the best lifting deal
    lifting = outlook.deal[1]
    lifting_total = np.where(outlook.feasible[1] & valid, total(lifting), -np.inf)
    best = np.argmax(lifting_total, axis=1)
    rows = np.arange(world.n)
    any_lifting = np.isfinite(lifting_total[rows, best])
    after = _status_war(outlook.war, status, 1)
    w_war1, w_deal1 = talk_weights(delta, chance * any_lifting)
    later = _mix((w_war1, after), (w_deal1, lifting[:, rows, best]))
    retaliate = _mix((1 - delta, now), (delta, later))

    wto = now.copy()
    wto[TERM["WTO case"]] += params["wto_value"] * outlook.harm * outlook.facing
    hedge = outlook.war["hedging"]
    terms = np.where(stance[None] == Stance.RETALIATE, retaliate[:, :, None], talk)
    terms = np.where(stance[None] == Stance.WTO, wto[:, :, None], terms)
    terms = np.where(stance[None] == Stance.HEDGE, hedge[:, :, None], terms)
    # a WTO case needs a measure to challenge: only a country facing tariffs can file one
    valid = valid & ~((stance == Stance.WTO) & ~col(outlook.facing))
    return terms, valid


def us_game_utilities(outlook: Outlook, options: OptionTable, world, params: dict,
                      terms_out: dict | None = None) -> np.ndarray:
    """Value [n, K] of every option for every country ($bn a year); -inf where not open to it.

    The sum of :func:`option_terms`; pass a dict as ``terms_out`` to receive the terms too.
    """
    terms, valid = option_terms(outlook, options, world, params)
    if terms_out is not None:
        terms_out.update(named(terms))
    return np.where(valid, total(terms), -np.inf)
