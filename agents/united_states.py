"""The United States: announces tariffs and demands, then grants relief or escalates.

It applies the rule of :mod:`agents.us_rule` (the same functions countries use to
form their expectations).  Concretely, each round:

1. a partner that retaliates is escalated with probability ``us_toughness``
   (``escalation_step`` more on its tariffed sectors, up to ``tariff_ceiling``),
   unless the damage it has done makes the U.S. offer a mutual lifting deal,
   with probability ``(1 - us_toughness) * g * damage / settlement_tolerance``,
   where ``g = clip(1 - balance_weight * d, 0, 1)`` and ``d`` is the U.S. bilateral
   deficit as a share of bilateral trade (negative for a U.S. surplus) (the U.S. objective weighs the balance);
2. a partner that hedges toward China is escalated like a retaliator;
3. a partner that accepts at least ``relief_threshold + balance_weight * d`` of the weighted package
   (including the export cap if the U.S. runs a deficit with it) is granted relief
   with probability ``relief_probability``: a quota if it accepted the cap,
   otherwise an exemption.  Relief and deals are kept while the partner keeps
   its side;
4. everyone else is tariffed at the announced rates; temporary exemptions end at
   ``deadline_round``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents import us_rule
from agents.utility import TradeOutlook, exporter_welfare
from sim.world.vocabulary import Stance, Treatment

if TYPE_CHECKING:
    from sim.model import NegotiationModel


class UnitedStatesAgent(mesa.Agent):
    """The U.S.: its tariff schedule per partner and sector, its demands, and the rule of :mod:`agents.us_rule`."""

    name = "United States"

    def __init__(self, model: "NegotiationModel"):
        super().__init__(model)
        self.escalations = 0
        self.reliefs = 0
        self.deals = 0

    # 1. announce ---------------------------------------------------------------
    def announce(self) -> None:
        model = self.model
        state, world = model.state, model.world
        for change in model.scenario_data.schedule:
            if change.round != model.round:
                continue
            k = world.sector_names.index(change.sector)
            rows = np.ones(world.n, dtype=bool)
            if change.countries:
                rows = np.isin(world.names, change.countries)
            if change.exclude:
                rows &= ~np.isin(world.names, change.exclude)
            state.schedule[rows, k] = change.rate
            model.log(None, "announce", f"the U.S. sets {change.sector} tariffs to {change.rate:.0%}"
                      + (f" ({change.note})" if change.note else ""))
        deadline = model.params["deadline_round"]
        if deadline and model.round == deadline and state.temp_exempt.any():
            names = ", ".join(np.array(world.names)[state.temp_exempt])
            model.log(None, "deadline", f"deadline: temporary exemptions end this round for {names} unless they settle")

    # 4. resolve ----------------------------------------------------------------
    def resolve(self, compliant: np.ndarray) -> None:
        """Grant relief, deals or escalation; ``compliant`` is :meth:`eligible_for_relief` for this round."""
        model = self.model
        state, world, params = model.state, model.world, model.params
        rng = model.rng
        n = world.n
        draws = rng.random((n, 2))
        stance = state.stance
        state.escalated = np.zeros(n, dtype=bool)

        retaliating = stance == Stance.RETALIATE
        settles = retaliating & (draws[:, 0] < us_rule.settlement_chance(world, params, state.cum_damage))
        escalates = (retaliating | (stance == Stance.HEDGE)) & ~settles & (draws[:, 1] < params["us_toughness"])
        grants = compliant & ~state.relieved & (draws[:, 0] < params["relief_probability"])
        keeps = compliant & state.relieved
        in_deal = state.treatment == Treatment.DEAL
        keeps_deal = in_deal & ~retaliating & (stance != Stance.HEDGE)
        deadline = params["deadline_round"]
        grace = state.temp_exempt & (deadline == 0 or model.round < deadline)

        for i in np.flatnonzero(settles):
            self.deals += 1
            model.log(i, "deal", f"the U.S. and {world.names[i]} settle: tariffs and counter-tariffs lifted")
        for i in np.flatnonzero(escalates):
            self.escalations += 1
        rates_before = self.tariff_rates().max(axis=1) if escalates.any() else None  # to log real rises only
        state.escalation = np.where(escalates, state.escalation + params["escalation_step"], state.escalation)
        state.escalated = escalates

        new_treatment = np.full(n, Treatment.TARIFFED)
        new_treatment[grace] = Treatment.EXEMPT
        cap_taken = np.zeros(n, dtype=bool)
        if world.cap_index >= 0:
            cap_taken = state.accepted[:, world.cap_index]
        relief_now = grants | keeps
        relief_kind = np.where(cap_taken, Treatment.QUOTA, Treatment.EXEMPT)
        new_treatment = np.where(relief_now, relief_kind, new_treatment)
        new_treatment = np.where(keeps_deal | settles, Treatment.DEAL, new_treatment)
        lost_relief = state.relieved & ~relief_now & ~settles
        for i in np.flatnonzero(grants):
            self.reliefs += 1
            kind = "a quota" if relief_kind[i] == Treatment.QUOTA else "an exemption"
            model.log(i, "relief", f"the U.S. grants {world.names[i]} {kind}")
        for i in np.flatnonzero(lost_relief & ~keeps_deal):
            model.log(i, "withdraw", f"the U.S. withdraws relief from {world.names[i]}")
        ended_grace = state.temp_exempt & ~grace & ~relief_now & ~settles
        for i in np.flatnonzero(ended_grace):
            model.log(i, "tariffed", f"{world.names[i]}'s temporary exemption ends: tariffs apply")
        state.temp_exempt = state.temp_exempt & grace
        state.relieved = relief_now & ~settles
        state.settled_ever |= relief_now | settles
        state.treatment = new_treatment
        # a deal lifts the counter-tariffs too
        state.stance = np.where(settles, Stance.WAIT, state.stance)
        state.cum_damage = np.where(settles, 0.0, state.cum_damage)
        state.escalation = np.where(settles, 0.0, state.escalation)
        rates_after = self.tariff_rates().max(axis=1) if escalates.any() else None
        for i in np.flatnonzero(escalates):
            rate = rates_after[i]
            if rate <= rates_before[i] + 1e-12:  # already at the ceiling: nothing new to report
                continue
            if state.treatment[i] == Treatment.EXEMPT:
                model.log(i, "escalate", f"the U.S. threatens {world.names[i]}: tariffs of up to {rate:.0%} once its exemption ends")
            else:
                model.log(i, "escalate", f"the U.S. escalates against {world.names[i]}: tariffs up to {rate:.0%}")

    def eligible_for_relief(self) -> np.ndarray:
        """Partners that meet the relief condition this round (bool per country)."""
        model = self.model
        state, world = model.state, model.world
        state.compliance = us_rule.package_share(world, state.accepted)
        cap_accepted = state.accepted[:, world.cap_index] if world.cap_index >= 0 else np.zeros(world.n, dtype=bool)
        return us_rule.relief_eligible(world, model.params, state.stance, state.compliance, cap_accepted)

    # tariffs ---------------------------------------------------------------------
    def tariff_rates(self, escalation_extra: float = 0.0) -> np.ndarray:
        """Rates [n, s] a tariffed partner faces: schedule plus escalation, capped."""
        model = self.model
        state, world = model.state, model.world
        floor = world.floor[None, :]
        escalable = (state.schedule > floor + 1e-12) | world.escalable[None, :]
        raised = state.schedule + escalable * (state.escalation + escalation_extra)[:, None]
        ceiling = np.maximum(model.params["tariff_ceiling"], state.schedule)
        return np.maximum(np.minimum(raised, ceiling), floor)

    def apply_treatment(self) -> None:
        """Set effective tariffs and quota flags from each partner's treatment."""
        model = self.model
        state, world = model.state, model.world
        tariffed = state.treatment == Treatment.TARIFFED
        floor = np.broadcast_to(world.floor[None, :], state.schedule.shape)
        state.tariffs = np.where(tariffed[:, None], self.tariff_rates(), floor)
        state.quota = (state.treatment == Treatment.QUOTA)[:, None] & world.cap_sectors[None, :]

    def outlook(self) -> TradeOutlook:
        """Exporter welfare of each partner under each possible reply (for their decisions)."""
        model = self.model
        state, world, params = model.state, model.world, model.params
        deadline = params["deadline_round"]
        floor = np.broadcast_to(world.floor[None, :], state.schedule.shape)
        grace = state.temp_exempt & (deadline == 0 or model.round < deadline)
        if_tariffed = self.tariff_rates()
        quota = np.broadcast_to(world.cap_sectors[None, :], state.schedule.shape)
        covered = (world.exports * (if_tariffed > floor + 1e-12)).sum(axis=1)
        retaliation_value = np.minimum(params["retaliation_match"] * covered, world.imports_from_us)
        in_deal = state.treatment == Treatment.DEAL
        # Without relief a partner pays the announced tariffs, or the floor while in a grace
        # period.  A partner in a grace period looks ahead to the deadline: the tariffs that
        # apply then count with weight patience ** (rounds left), so the pressure to secure
        # relief grows as the deadline nears (deadline effects; Rubinstein 1982).
        rounds_left = np.maximum(deadline - model.round, 0)
        looming = np.where(deadline > 0, world.patience ** rounds_left, 0.0)
        weight = np.where(grace, looming, 1.0)
        # exporter welfare is a sum over each partner's own sectors, so each reply is priced once
        exempt_welfare = exporter_welfare(world, floor, params)
        no_relief_welfare = weight * exporter_welfare(world, if_tariffed, params) + (1 - weight) * exempt_welfare
        escalated_welfare = (weight * exporter_welfare(world, self.tariff_rates(params["escalation_step"]), params)
                             + (1 - weight) * exempt_welfare)
        return TradeOutlook(
            tariff=np.where(in_deal, exempt_welfare, no_relief_welfare),
            escalated=escalated_welfare,
            quota=exporter_welfare(world, floor, params, quota=quota),
            exempt=exempt_welfare,
            currently_relieved=state.relieved | in_deal,
            requires_cap=us_rule.requires_cap(world),
            # facing tariffs: tariffed now, or losing a temporary exemption this round
            tariffed_now=~grace & (if_tariffed > floor + 1e-12).any(axis=1) & ~in_deal & ~state.relieved,
            retaliation_value=retaliation_value,
            stake=world.stake(if_tariffed),
        )
