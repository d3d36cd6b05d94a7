"""The dynamic state of a negotiation, one array row per country."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.world.arrays import World
from sim.world.vocabulary import Action, Stance, Treatment


@dataclass
class NegotiationState:
    schedule: np.ndarray  # [n, s] announced U.S. rates
    row_schedule: np.ndarray  # [s] the rates countries outside the scenario face
    escalation: np.ndarray  # [n] escalation, as a multiple of the announced rate
    treatment: np.ndarray  # [n] a Treatment code
    temp_exempt: np.ndarray  # [n] bool, exempt only until the deadline
    deadline: np.ndarray  # [n] round at which a partner's grace ends (0 = none)
    extended: np.ndarray  # [n] bool, its deadline was moved once already
    relieved: np.ndarray  # [n] bool, relief granted by the U.S. and still held
    settled_ever: np.ndarray  # [n] bool, relief or deal granted at some round
    retaliated_ever: np.ndarray  # [n] bool
    cum_damage: np.ndarray  # [n] $bn, U.S. exporter losses from the country's retaliation
    pressure: np.ndarray  # [n] domestic pressure: the share of export sales at stake the tariffs cost (0..1)
    tariffs: np.ndarray  # [n, s] effective U.S. rates
    quota: np.ndarray  # [n, s] bool, sector trades under the export cap
    price_index: np.ndarray  # [s] U.S. import price index per sector after the last round (1 = free trade)
    challenged: np.ndarray  # [n] bool, it has retaliated or hedged since its last deal (the U.S. answered once)
    committed: np.ndarray  # [n] bool, the government has publicly committed to answer the tariffs
    # choices of the current round
    option: np.ndarray
    accepted: np.ndarray  # [n, d] bool
    stance: np.ndarray  # [n]
    utilities: np.ndarray  # [n, K]
    # outcomes of the current round
    retaliation_value: np.ndarray  # [n] $bn of U.S. goods under counter-tariffs
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
        per_country_zeros = ("escalation", "cum_damage", "pressure", "retaliation_value", "avg_tariff", "welfare",
                             "cum_welfare", "compliance", "alignment")
        per_country_false = ("extended", "relieved", "settled_ever", "retaliated_ever", "escalated", "china_punished",
                             "china_courted", "opponent_ever_defected", "challenged", "committed")
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
        return self.relieved | (self.treatment == Treatment.DEAL)

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
