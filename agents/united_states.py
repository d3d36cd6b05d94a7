"""The United States: announces tariffs, demands and threats, then bargains, escalates or holds.

It applies the rule of :mod:`agents.us_rule` (the same functions countries use to form
their expectations), as the proclamations and executive orders wrote it.  Each round:

1. **announce**: dated rate changes (``[[schedule]]``) and threats (``[[threats]]``); at a
   partner's deadline, a partner in talks (it offered part of the package last round) gets its
   grace extended once by ``deadline_extension`` rounds (Proclamations 9758/9759 moved the 2018
   exemptions of Canada, Mexico and the EU from May 1 to June 1 while they negotiated);
2. **resolve**, after the partners chose:

   * talks: a partner that offers a package for which a Nash bargain exists
     (:func:`agents.us_rule.nash_relief`) gets that deal with probability ``relief_probability``:
     its negotiable rates fall to ``floor + (1 - x)(announced - floor)``, under a quota on the
     capped sectors if the package holds the export cap, and any counter-tariffs it has are
     lifted with them (a lifting deal, as with Canada and Mexico in May 2019).  A deal is kept
     while the partner keeps offering what it bought, and neither retaliates nor hedges;
   * counter-tariffs: a list announced in an earlier round takes effect once the partner faces the
     tariffs (the default it committed to), and stays in force until a deal lifts it or the partner
     withdraws it (offering nothing while holding a list: backing down, at the audience cost); a list
     taking effect during a pause ends the pause (EO 14257 sec. 4(b); EO 14266 kept the pause for
     partners that "have not retaliated");
   * escalation answers each new challenge (:func:`agents.us_rule.escalates_on`):
     with probability ``us_toughness`` the partner's rates rise by ``escalation_step`` times its
     announced rate, at most ``escalation_ceiling`` times, over the escalable sectors and whatever
     a threat on record names (Turkey's steel rate doubled in Aug 2018, Proclamation 9772); the
     answer to a hedge toward China reaches all the partner sells the U.S.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents import us_rule
from agents.us_rule import ENLARGE, in_grace, rates_under
from sim.world.units import money
from sim.world.vocabulary import CounterTariffs, Stance, Treatment

if TYPE_CHECKING:
    from sim.model import NegotiationModel


class UnitedStatesAgent(mesa.Agent):
    """The U.S.: its tariff schedule per partner and sector, its demands, and the rule of :mod:`agents.us_rule`."""

    name = "United States"

    def __init__(self, model: "NegotiationModel"):
        super().__init__(model)
        self.challenged_now = np.zeros(0, dtype=bool)  # the new challenges it answered (or not) this round

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
        for threat in model.scenario_data.threats:
            if threat.round == model.round:
                who = ", ".join(threat.countries) if threat.countries else "every partner"
                reach = f" (reaching {', '.join(threat.sectors)})" if threat.sectors else ""
                model.log(None, "threat", f"the U.S. warns {who} that retaliation will be met with higher duties"
                          + reach + (f": {threat.note}" if threat.note else ""))
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

    # 4. resolve ----------------------------------------------------------------
    def resolve(self, outlook) -> None:
        """Conclude deals, put announced lists in force, escalate; ``outlook`` is this round's
        :class:`agents.utility.Outlook` (the bargains every package would strike)."""
        model = self.model
        state, world, params = model.state, model.world, model.params
        n = world.n
        rows = np.arange(n)
        draws = model.rng.random((n, 2))
        stance, option = state.stance, state.option
        talking = stance == Stance.WAIT
        status = outlook.status

        keeps = state.relieved & talking & outlook.keeps_deal[rows, option]
        relief = outlook.relief[status, rows, option]
        concluded = talking & ~keeps & outlook.feasible[status, rows, option] & (draws[:, 0] < params["relief_probability"])
        lost = state.relieved & ~keeps & ~concluded
        for i in np.flatnonzero(lost):
            model.log(i, "withdraw", f"the U.S. withdraws {world.names[i]}'s deal: it no longer keeps its side")

        lifting = concluded & (state.counter != CounterTariffs.NONE)
        cap_taken = state.accepted[:, world.cap_index] if world.cap_index >= 0 else np.zeros(n, dtype=bool)
        kind = np.where(lifting, Treatment.DEAL, np.where(cap_taken, Treatment.QUOTA,
                        np.where(relief >= 1 - 1e-9, Treatment.EXEMPT, Treatment.RATE_DEAL)))
        state.relieved = keeps | concluded
        state.deal_relief = np.where(concluded, relief, np.where(keeps, state.deal_relief, 0.0))
        state.deal_accepted = np.where(concluded[:, None], state.accepted, np.where(keeps[:, None], state.deal_accepted, False))
        state.treatment = np.where(concluded, kind, np.where(keeps, state.treatment, Treatment.TARIFFED))
        state.escalation = np.where(concluded, 0.0, state.escalation)
        state.challenged = np.where(concluded, False, state.challenged)  # a deal ends the dispute
        self._log_deals(concluded, lifting, relief, kind)
        state.settled_ever |= concluded
        state.counter = np.where(concluded, CounterTariffs.NONE, state.counter)
        state.counter_value = np.where(concluded, 0.0, state.counter_value)

        # grace periods: exempt until the deadline, unless a deal came first
        grace = in_grace(model) & ~concluded
        challenge = self._counter_tariffs(outlook, grace, concluded)
        forfeits = grace & challenge
        for i in np.flatnonzero(forfeits):
            model.log(i, "forfeit", f"{world.names[i]}'s counter-tariffs take effect during its pause: "
                                    "the U.S. tariffs it at once")
        grace &= ~forfeits
        state.treatment = np.where(grace, Treatment.EXEMPT, state.treatment)
        ended = state.temp_exempt & ~grace & ~concluded & ~forfeits
        for i in np.flatnonzero(ended):
            model.log(i, "tariffed", f"{world.names[i]}'s temporary exemption ends: tariffs apply")
        state.temp_exempt = state.temp_exempt & grace
        self.challenged_now = us_rule.escalates_on(stance, challenge, state.challenged) & ~concluded
        self._escalate(self.challenged_now, draws[:, 1])

    def _counter_tariffs(self, outlook, grace: np.ndarray, concluded: np.ndarray) -> np.ndarray:
        """Announce new lists; put lists announced earlier in force where the partner, facing the tariffs, retaliates.
        Returns whose list took effect or grew this round (a new challenge)."""
        model = self.model
        state, world = model.state, model.world
        announced_before = state.counter == CounterTariffs.ANNOUNCED
        covers_all = (world.grace[None, :] | ~(state.schedule > world.floor[None, :] + 1e-12)).all(axis=1)
        facing = ~state.relieved & ~(grace & covers_all)
        # a list that is withdrawn (refusing everything while holding one: backing down) is gone; an announced list
        # takes effect once the partner faces the tariffs: the default it committed to
        withdrawn = (state.counter != CounterTariffs.NONE) & (state.option == model.refuse_all_option) & ~concluded
        for i in np.flatnonzero(withdrawn):
            model.log(i, "counter", f"{world.names[i]} withdraws its counter-tariffs")
        state.counter = np.where(withdrawn, CounterTariffs.NONE, state.counter)
        state.counter_value = np.where(withdrawn, 0.0, state.counter_value)
        takes_effect = announced_before & facing & ~withdrawn & ~concluded
        state.counter = np.where(takes_effect, CounterTariffs.IN_FORCE, state.counter)
        state.retaliated_ever |= state.counter == CounterTariffs.IN_FORCE
        for i in np.flatnonzero(takes_effect):
            model.log(i, "counter", f"{world.names[i]}'s counter-tariffs on {money(state.counter_value[i])} of U.S. goods "
                                    "take effect" + _targets(world, i))
        enlarged = ((state.stance == Stance.RETALIATE) & (state.counter == CounterTariffs.IN_FORCE) & ~takes_effect
                    & (outlook.list_value > state.counter_value * (1 + ENLARGE) + 1e-9) & ~concluded)
        for i in np.flatnonzero(enlarged):
            model.log(i, "counter", f"{world.names[i]} enlarges its counter-tariffs to {money(outlook.list_value[i])} "
                                    "of U.S. goods, matching the exports the U.S. now hits")
        state.counter_value = np.where(enlarged, outlook.list_value, state.counter_value)
        new = (state.stance == Stance.RETALIATE) & (state.counter == CounterTariffs.NONE) & ~concluded
        state.counter = np.where(new, CounterTariffs.ANNOUNCED, state.counter)
        state.counter_value = np.where(new, outlook.list_value, state.counter_value)
        for i in np.flatnonzero(new):
            model.log(i, "announce_list", f"{world.names[i]} announces counter-tariffs on {money(outlook.list_value[i])} "
                                          "of U.S. goods" + _targets(world, i))
        return takes_effect | enlarged

    def _escalate(self, challenge: np.ndarray, draws: np.ndarray) -> None:
        model = self.model
        state, world, params = model.state, model.world, model.params
        escalates = challenge & (draws < params["us_toughness"])
        before = rates_under(model)["tariffed"].max(axis=1) if escalates.any() else None
        # hedging toward China is the opposite of the alignment EO 14257 sec. 4(c) asks for: its answer
        # reaches everything the partner sells the U.S.
        state.hedge_answered |= escalates & (state.stance == Stance.HEDGE)
        state.escalation = np.where(escalates, np.minimum(state.escalation + params["escalation_step"],
                                                          params["escalation_ceiling"]), state.escalation)
        state.escalated = escalates
        state.challenged |= state.stance == Stance.HEDGE
        if before is None:
            return
        after = rates_under(model)["tariffed"].max(axis=1)
        for i in np.flatnonzero(escalates & (after > before + 1e-12)):
            if state.treatment[i] == Treatment.EXEMPT:
                model.log(i, "escalate", f"the U.S. threatens {world.names[i]}: tariffs of up to {after[i]:.0%} once its "
                                         "exemption ends")
            else:
                model.log(i, "escalate", f"the U.S. escalates against {world.names[i]}: tariffs up to {after[i]:.0%}")

    def _log_deals(self, concluded: np.ndarray, lifting: np.ndarray, relief: np.ndarray, kind: np.ndarray) -> None:
        model = self.model
        world, state = model.world, model.state
        for i in np.flatnonzero(concluded):
            name = world.names[i]
            if lifting[i]:
                text = f"the U.S. and {name} settle: its counter-tariffs lifted, U.S. rates cut by {relief[i]:.0%}"
            elif kind[i] == Treatment.QUOTA:
                text = f"the U.S. grants {name} a quota (rates cut by {relief[i]:.0%})"
            elif kind[i] == Treatment.EXEMPT:
                text = f"the U.S. grants {name} an exemption"
            else:
                text = f"the U.S. and {name} agree a rate cut of {relief[i]:.0%} of the way to the floor"
            accepted = [world.demand_ids[j] for j in np.flatnonzero(state.accepted[i])]
            model.log(i, "deal", text + (f" for {', '.join(accepted)}" if accepted else ""), deal=text,
                      bought_with=accepted)

    # tariffs ---------------------------------------------------------------------
    def apply_treatment(self) -> None:
        """Set effective tariffs and quota flags from each partner's treatment."""
        model = self.model
        state, world = model.state, model.world
        rates = rates_under(model)
        grace = state.temp_exempt & (state.treatment == Treatment.EXEMPT) & ~state.relieved
        tariffs = np.where(state.relieved[:, None], rates["held"], rates["tariffed"])
        state.tariffs = np.where(grace[:, None], rates["grace"], tariffs)
        cap_held = state.deal_accepted[:, world.cap_index] if world.cap_index >= 0 else np.zeros(world.n, dtype=bool)
        state.quota = (state.relieved & cap_held)[:, None] & world.cap_sectors[None, :]


def _targets(world, i: int) -> str:
    goods = world.retaliation_targets[i][:3]
    return f" ({', '.join(goods)})" if goods else ""
