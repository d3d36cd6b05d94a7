"""The dynamic state of a negotiation, one array row per country."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.world.arrays import DEAL, EXEMPT, HEDGE, RETALIATE, STANCE_NAMES, TARIFFED, WTO, World


@dataclass
class NegotiationState:
    schedule: np.ndarray  # [n, s] announced U.S. rates
    escalation: np.ndarray  # [n] tariff points added by escalation
    treatment: np.ndarray  # [n] TARIFFED / QUOTA / EXEMPT / DEAL
    temp_exempt: np.ndarray  # [n] bool, exempt only until the deadline
    relieved: np.ndarray  # [n] bool, relief granted by the U.S. and still held
    settled_ever: np.ndarray  # [n] bool, relief or deal granted at some round
    retaliated_ever: np.ndarray  # [n] bool
    cum_damage: np.ndarray  # [n] $bn, U.S. exporter losses from the country's retaliation
    pressure: np.ndarray  # [n] domestic pressure to retaliate
    tariffs: np.ndarray  # [n, s] effective U.S. rates
    quota: np.ndarray  # [n, s] bool, sector trades under the export cap
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
        zeros = np.zeros(n)
        false = np.zeros(n, dtype=bool)
        treatment = np.where(world.temp_exempt0, EXEMPT, TARIFFED)
        return cls(
            schedule=world.schedule0.copy(),
            escalation=zeros.copy(),
            treatment=treatment,
            temp_exempt=world.temp_exempt0.copy(),
            relieved=false.copy(),
            settled_ever=false.copy(),
            retaliated_ever=false.copy(),
            cum_damage=zeros.copy(),
            pressure=world.pressure0.copy(),
            tariffs=np.zeros((n, s)),
            quota=np.zeros((n, s), dtype=bool),
            option=np.zeros(n, dtype=int),
            accepted=np.zeros((n, d), dtype=bool),
            stance=np.zeros(n, dtype=int),
            utilities=np.zeros((n, n_options)),
            retaliation_value=zeros.copy(),
            exports_now=world.exports.sum(axis=1),
            avg_tariff=zeros.copy(),
            welfare=zeros.copy(),
            cum_welfare=zeros.copy(),
            compliance=zeros.copy(),
            alignment=zeros.copy(),
            escalated=false.copy(),
            china_punished=false.copy(),
            china_courted=false.copy(),
            own_cooperated=~false,
            opponent_cooperated=~false,
            opponent_ever_defected=false.copy(),
        )

    @property
    def retaliating(self) -> np.ndarray:
        return self.stance == RETALIATE

    @property
    def settled_now(self) -> np.ndarray:
        return self.relieved | (self.treatment == DEAL)

    def action_label(self, i: int) -> str:
        stance = self.stance[i]
        if stance in (RETALIATE, WTO, HEDGE):
            return STANCE_NAMES[stance]
        if self.compliance[i] >= 1 - 1e-9 and self.accepted[i].any():
            return "comply"
        if self.accepted[i].any():
            return "partial"
        return "wait"
