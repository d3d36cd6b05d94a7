"""The dynamic state of a negotiation, one array row per country."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.world.arrays import World
from sim.world.vocabulary import Action, CounterTariffs, Stance, Treatment


@dataclass
class NegotiationState:
    schedule: np.ndarray  # [n, s] announced U.S. rates
    row_schedule: np.ndarray  # [s] the rates countries outside the scenario face
    escalation: np.ndarray  # [n] escalation, as a multiple of the announced rate
    hedge_answered: np.ndarray  # [n] bool, its escalation answered a hedge: it reaches all it sells the U.S.
    treatment: np.ndarray  # [n] a Treatment code
    temp_exempt: np.ndarray  # [n] bool, exempt only until the deadline
    deadline: np.ndarray  # [n] round at which a partner's grace ends (0 = none)
    extended: np.ndarray  # [n] bool, its deadline was moved once already
    relieved: np.ndarray  # [n] bool, in a deal with the U.S. (any type), kept while it keeps its side
    deal_relief: np.ndarray  # [n] the deal's relief x (0..1): rates at floor + (1 - x)(announced - floor)
    deal_accepted: np.ndarray  # [n, d] bool, the concessions the deal bought
    settled_ever: np.ndarray  # [n] bool, a deal lowered the rate it faces at some round
    retaliated_ever: np.ndarray  # [n] bool, its counter-tariffs were in force at some round
    counter: np.ndarray  # [n] CounterTariffs code: none, a list announced, or in force
    counter_value: np.ndarray  # [n] $bn of U.S. goods on its announced or enacted list
    pressure: np.ndarray  # [n] domestic pressure: the share of export sales at stake the tariffs cost (0..1)
    tariffs: np.ndarray  # [n, s] effective U.S. rates
    quota: np.ndarray  # [n, s] bool, sector trades under the export cap
    price_index: np.ndarray  # [s] U.S. import price index per sector after the last round (1 = free trade)
    challenged: np.ndarray  # [n] bool, it has hedged toward China since its last deal (the U.S. answers the first hedge)
    shocks: np.ndarray  # [n, stances] each government's persistent preference for each stance, $bn/yr
    # choices of the current round
    option: np.ndarray
    accepted: np.ndarray  # [n, d] bool
    stance: np.ndarray  # [n]
    utilities: np.ndarray  # [n, K]
    # outcomes of the current round
    retaliation_value: np.ndarray  # [n] $bn of U.S. goods under counter-tariffs in force this round
    exports_now: np.ndarray  # [n] $bn, exports to the U.S. (volume at baseline prices)
    avg_tariff: np.ndarray  # [n] trade-weighted effective U.S. tariff
    welfare: np.ndarray  # [n] $bn/yr, against free trade
    cum_welfare: np.ndarray  # [n] $bn, summed over rounds
    compliance: np.ndarray  # [n] weighted share of the package accepted
    alignment: np.ndarray  # [n] weighted share of alignment demands accepted
    escalated: np.ndarray  # [n] bool, escalated this round
    china_punished: np.ndarray  # [n] bool, punished by China this round
    china_courted: np.ndarray  # [n] bool
    # repeated-game history for rule-based strategies
    own_cooperated: np.ndarray
    opponent_cooperated: np.ndarray
    opponent_ever_defected: np.ndarray
    us_welfare: float = 0.0

    @classmethod
    def initial(cls, world: World, n_options: int) -> "NegotiationState":
        n, s, d = world.n, len(world.sector_names), len(world.demand_ids)
        per_country_zeros = ("escalation", "pressure", "retaliation_value", "avg_tariff", "welfare",
                             "cum_welfare", "compliance", "alignment", "deal_relief")
        per_country_false = ("extended", "relieved", "settled_ever", "escalated", "china_punished", "hedge_answered",
                             "china_courted", "opponent_ever_defected", "challenged")
        return cls(
            **{name: np.zeros(n) for name in per_country_zeros},
            **{name: np.zeros(n, dtype=bool) for name in per_country_false},
            schedule=world.schedule0.copy(),
            row_schedule=world.row_schedule0.copy(),
            treatment=np.where(world.temp_exempt0, Treatment.EXEMPT, Treatment.TARIFFED),
            temp_exempt=world.temp_exempt0.copy(),
            deadline=np.zeros(n, dtype=int),
            tariffs=np.zeros((n, s)),
            quota=np.zeros((n, s), dtype=bool),
            price_index=np.ones(s),
            option=np.zeros(n, dtype=int),
            accepted=np.zeros((n, d), dtype=bool),
            deal_accepted=np.zeros((n, d), dtype=bool),
            counter=world.counter0.copy(),
            counter_value=np.zeros(n),
            retaliated_ever=world.counter0 == CounterTariffs.IN_FORCE,
            shocks=np.zeros((n, len(Stance))),
            stance=np.zeros(n, dtype=int),
            utilities=np.zeros((n, n_options)),
            exports_now=world.exports.sum(axis=1),
            own_cooperated=np.ones(n, dtype=bool),
            opponent_cooperated=np.ones(n, dtype=bool),
        )

    @property
    def retaliating(self) -> np.ndarray:
        return self.stance == Stance.RETALIATE

    @property
    def settled_now(self) -> np.ndarray:
        """In a deal with the U.S. now (an exemption, quota, rate or lifting deal; not a grace period)."""
        return self.relieved.copy()

    def action_codes(self) -> np.ndarray:
        """Each country's move as an :class:`~sim.world.vocabulary.Action` code: its stance, with
        "wait" split into wait (nothing accepted), partial and comply (the whole package)."""
        any_accepted = self.accepted.any(axis=1) if self.accepted.shape[1] else np.zeros(len(self.stance), dtype=bool)
        waiting = np.where(any_accepted, np.where(self.compliance >= 1 - 1e-9, Action.COMPLY, Action.PARTIAL),
                           Action.WAIT)
        return np.where(self.stance != Stance.WAIT, self.stance + (Action.RETALIATE - Stance.RETALIATE), waiting)

    def action_label(self, i: int) -> str:
        """Country ``i``'s move in words: wait, comply, partial, retaliate, wto or hedge."""
        return Action(int(self.action_codes()[i])).label
