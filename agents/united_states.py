"""The United States: announces tariffs and demands, then grants relief or escalates.

It applies the rule of :mod:`agents.us_rule` (the same functions countries use to
form their expectations), as the proclamations and executive orders wrote it.
Each round:

1. **announce**: dated rate changes (``[[schedule]]``); at a partner's deadline, a
   partner in talks (it accepted part of the package last round) gets its grace
   extended once by ``deadline_extension`` rounds (Proclamations 9758/9759 moved the
   2018 exemptions of Canada, Mexico and the EU from May 1 to June 1 while they
   negotiated);
2. **resolve**:

   * a partner that retaliates while exempt or paused loses its grace at once
     (EO 14257 sec. 4(b); EO 14266 kept the pause for partners that "have not
     retaliated");
   * a retaliator gets a mutual lifting deal with the chance
     :func:`~agents.us_rule.settlement_chance` (Canada and Mexico, May 2019);
   * escalation answers a *new* challenge, once: a partner that retaliates (or hedges
     toward China) for the first time in the dispute is escalated with probability
     ``us_toughness``, by ``escalation_step`` times its announced rate, at most
     ``escalation_ceiling`` times (Turkey's steel rate doubled in Aug 2018,
     Proclamation 9772, after it retaliated in June).  In 2018 the U.S. escalated
     against no other retaliator, and against Turkey once;
   * a partner that meets the relief condition (:func:`~agents.us_rule.relief_eligible`)
     gets relief with probability ``relief_probability``: its negotiable sectors go to
     their floor rate (the deal floor), as a quota on the capped sectors if it
     accepted the export cap (South Korea), otherwise as an exemption (Australia).
     Relief and deals are kept while the partner keeps its side;
   * everyone else is tariffed at the announced rates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents import us_rule
from agents.utility import TradeOutlook, exporter_outcome, mechanism_costs
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
            else:
                state.row_schedule[k] = change.rate  # countries outside the scenario too
            if change.exclude:
                rows &= ~np.isin(world.names, change.exclude)
            state.schedule[rows, k] = change.rate
            model.log(None, "announce", f"the U.S. sets {change.sector} tariffs to {change.rate:.0%}"
                      + (f" ({change.note})" if change.note else ""))
        self._extend_deadlines()
        due = state.temp_exempt & (state.deadline == model.round)
        if due.any():
            names = ", ".join(np.array(world.names)[due])
            model.log(None, "deadline", f"deadline: temporary exemptions end this round for {names} unless they settle")

    def _extend_deadlines(self) -> None:
        """A partner in talks when its deadline falls gets it moved, once."""
        model = self.model
        state, world = model.state, model.world
        extension = model.params["deadline_extension"]
        if not extension or model.round == 0:
            return
        in_talks = state.accepted.any(axis=1) & (state.stance == Stance.WAIT)
        moved = state.temp_exempt & (state.deadline == model.round) & in_talks & ~state.extended
        state.deadline = np.where(moved, state.deadline + extension, state.deadline)
        state.extended |= moved
        for i in np.flatnonzero(moved):
            model.log(i, "extend", f"talks go on: the U.S. extends {world.names[i]}'s exemption to "
                                   f"{model.scenario_data.round_label or 'round'} {state.deadline[i]}")

    def in_grace(self) -> np.ndarray:
        """Partners still exempt or paused this round (before it resolves)."""
        state = self.model.state
        return state.temp_exempt & ((state.deadline == 0) | (self.model.round < state.deadline))

    # 4. resolve ----------------------------------------------------------------
    def resolve(self, compliant: np.ndarray) -> None:
        """Grant relief, deals or escalation; ``compliant`` is :meth:`eligible_for_relief` for this round."""
        model = self.model
        state, world, params = model.state, model.world, model.params
        n = world.n
        draws = model.rng.random((n, 2))
        stance = state.stance
        retaliating = stance == Stance.RETALIATE
        hedging = stance == Stance.HEDGE
        new_challenge = (retaliating | hedging) & ~state.challenged
        stake = world.stake(state.schedule)
        settles = retaliating & (draws[:, 0] < us_rule.settlement_chance(world, params, state.cum_damage, stake))
        escalates = new_challenge & ~settles & (draws[:, 1] < params["us_toughness"])
        grants = compliant & ~state.relieved & (draws[:, 0] < params["relief_probability"])
        keeps = compliant & state.relieved
        in_deal = state.treatment == Treatment.DEAL
        keeps_deal = in_deal & ~retaliating & ~hedging
        grace = self.in_grace()
        forfeits = grace & retaliating  # retaliating during a pause ends it (EO 14257 sec. 4(b))
        grace &= ~forfeits

        for i in np.flatnonzero(settles):
            self.deals += 1
            model.log(i, "deal", f"the U.S. and {world.names[i]} settle: tariffs and counter-tariffs lifted")
        for i in np.flatnonzero(forfeits & ~settles):
            model.log(i, "forfeit", f"{world.names[i]} retaliated during its exemption: the U.S. tariffs it at once")
        self.escalations += int(escalates.sum())
        rates_before = self.tariff_rates().max(axis=1) if escalates.any() else None  # to log real rises only
        state.escalation = np.where(
            escalates, np.minimum(state.escalation + params["escalation_step"], params["escalation_ceiling"]),
            state.escalation)
        state.escalated = escalates

        new_treatment = np.full(n, Treatment.TARIFFED)
        new_treatment[grace] = Treatment.EXEMPT
        cap_taken = state.accepted[:, world.cap_index] if world.cap_index >= 0 else np.zeros(n, dtype=bool)
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
        ended_grace = state.temp_exempt & ~grace & ~forfeits & ~relief_now & ~settles
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
        state.challenged = (state.challenged | retaliating | hedging) & ~settles  # a deal ends the dispute
        self._log_escalations(escalates, rates_before)

    def _log_escalations(self, escalates: np.ndarray, rates_before: np.ndarray | None) -> None:
        if not escalates.any():
            return
        model = self.model
        state, world = model.state, model.world
        rates_after = self.tariff_rates().max(axis=1)
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
        return us_rule.relief_eligible(world, model.params, state.stance, state.accepted)

    # tariffs ---------------------------------------------------------------------
    def tariff_rates(self, escalation_extra: float = 0.0) -> np.ndarray:
        """Rates [n, s] a tariffed partner faces: its announced rates, raised by its escalations.

        An escalation adds a multiple of the announced rate on each ``escalable`` sector
        (at its floor: of the partner's highest announced rate), at most
        ``escalation_ceiling`` times in all.
        """
        model = self.model
        state, world = model.state, model.world
        above = state.schedule > world.floor[None, :] + 1e-12
        reference = np.where(above, state.schedule, state.schedule.max(axis=1, keepdims=True))
        multiple = np.minimum(state.escalation + escalation_extra, model.params["escalation_ceiling"])
        return state.schedule + world.escalable[None, :] * multiple[:, None] * reference

    def relieved_rates(self) -> np.ndarray:
        """Rates [n, s] under relief or a deal: negotiable sectors at their floor, the others as announced."""
        state, world = self.model.state, self.model.world
        return np.where(world.negotiable[None, :], np.broadcast_to(world.floor[None, :], state.schedule.shape),
                        state.schedule)

    def apply_treatment(self) -> None:
        """Set effective tariffs and quota flags from each partner's treatment."""
        model = self.model
        state, world = model.state, model.world
        tariffed = state.treatment == Treatment.TARIFFED
        state.tariffs = np.where(tariffed[:, None], self.tariff_rates(), self.relieved_rates())
        state.quota = (state.treatment == Treatment.QUOTA)[:, None] & world.cap_sectors[None, :]

    def outlook(self) -> TradeOutlook:
        """What each partner's exporters get under each possible reply (for their decisions)."""
        model = self.model
        state, world, params = model.state, model.world, model.params
        grace = self.in_grace()
        relieved = self.relieved_rates()
        if_tariffed = self.tariff_rates()
        quota = np.broadcast_to(world.cap_sectors[None, :], state.schedule.shape)
        covered = (world.exports * (if_tariffed > relieved + 1e-12)).sum(axis=1)
        retaliation_value = np.minimum(params["retaliation_match"] * covered, world.imports_from_us)
        in_deal = state.treatment == Treatment.DEAL
        # Without relief a partner pays the announced tariffs, or the deal floor while in a
        # grace period.  A partner in a grace period looks ahead to its deadline: the tariffs
        # that apply then count with weight patience ** (rounds left), so the pressure to
        # secure relief grows as the deadline nears (deadline effects; Rubinstein 1982).
        rounds_left = np.maximum(state.deadline - model.round, 0)
        looming = np.where(state.deadline > 0, world.patience ** rounds_left, 0.0)
        weight = np.where(grace, looming, 1.0)
        index = state.price_index
        replies = {"exempt": exporter_outcome(world, relieved, index),
                   "quota": exporter_outcome(world, relieved, index, quota=quota)}
        for reply, rates in (("tariff", if_tariffed), ("escalated", self.tariff_rates(params["escalation_step"]))):
            outcome = exporter_outcome(world, rates, index)
            replies[reply] = {key: weight * outcome[key] + (1 - weight) * replies["exempt"][key] for key in outcome}
        return TradeOutlook(
            welfare={reply: outcome["welfare"] for reply, outcome in replies.items()},
            sales={reply: outcome["sales"] for reply, outcome in replies.items()},
            currently_relieved=state.relieved | in_deal,
            in_deal=in_deal,
            requires_cap=us_rule.requires_cap(world),
            # facing tariffs: tariffed now, or losing a temporary exemption this round
            tariffed_now=~grace & (if_tariffed > relieved + 1e-12).any(axis=1) & ~in_deal & ~state.relieved,
            retaliation_value=retaliation_value,
            demand_cost=mechanism_costs(world, relieved, if_tariffed, state.price_index, params),
            stake=world.stake(if_tariffed),
        )
