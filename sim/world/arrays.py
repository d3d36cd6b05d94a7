"""Scenario data turned into numpy arrays, one row per country.

The model keeps country state in these arrays so that the round math runs over
all countries at once; :class:`agents.country.CountryAgent` objects are views on
their row.  Derived quantities (market shares, the stake in the dispute) are
computed here, once, from the sourced scenario figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.world.scenario import ScenarioData



@dataclass
class World:
    """Static, per-country data (index i) and per-sector data (index s), demands (index d)."""

    names: list[str]
    sector_names: list[str]
    demand_ids: list[str]
    exports: np.ndarray  # [n, s] baseline exports to the U.S., $bn/yr
    imports_from_us: np.ndarray  # [n] $bn/yr
    china_trade: np.ndarray  # [n] $bn/yr
    gdp: np.ndarray  # [n] $bn
    security: np.ndarray  # [n] 0..1
    pressure0: np.ndarray  # [n] 0..1
    patience: np.ndarray  # [n] discount factor
    is_china: np.ndarray  # [n] bool
    seller_share_us: np.ndarray  # [n] share of the country's exports sold to the U.S.
    buyer_share_us: np.ndarray  # [n] the country's share of U.S. exports
    schedule0: np.ndarray  # [n, s] announced U.S. rates at round 1
    floor: np.ndarray  # [s] lowest rate (baseline tariff) per sector
    escalable: np.ndarray  # [s] bool, escalation may reach the sector even at the floor rate
    disputed: np.ndarray  # [s] bool, sectors the dispute covers (reported tariffs average over them)
    temp_exempt0: np.ndarray  # [n] bool, starts temporarily exempt
    applicable: np.ndarray  # [n, d] bool, demand d is put to country i
    demand_weight: np.ndarray  # [d]
    demand_kind: list[str]
    cap_index: int  # index of the export_cap demand, -1 if none
    cap_sectors: np.ndarray  # [s] bool, sectors the cap covers
    cap_share: float
    china_exposure: np.ndarray  # [d] share of trade with China at stake (alignment demands)
    cost_share: np.ndarray  # [d] cost as a share of the stake (pledge / market access)
    us_balance: np.ndarray  # [n] U.S. goods balance with the country, $bn (positive = U.S. surplus)
    strategies: list[str]
    retaliation_targets: list[tuple[str, ...]]
    has_united_states: bool
    blocs: dict[str, np.ndarray]  # bloc name -> member indices (blocs with two or more members)

    @property
    def n(self) -> int:
        return len(self.names)

    def stake(self, schedule: np.ndarray) -> np.ndarray:
        """Value of the country's exports covered by U.S. tariffs ($bn), the baseline included.

        Utilities are expressed in percent of this stake, so that the same decision
        noise means the same thing for Argentina and for China.  (Counting only
        tariffs above a baseline would leave partners that pay just the baseline
        with a near-zero stake, so that pennies would drive their choices.)
        """
        covered = (self.exports * (schedule > 1e-12)).sum(axis=1)
        return np.maximum(covered, np.maximum(0.01 * self.exports.sum(axis=1), 1e-3))


def build_world(data: ScenarioData) -> World:
    params = data.params
    countries = data.countries
    sectors = data.sectors
    n, s = len(countries), len(sectors)
    sector_index = {sec.name: k for k, sec in enumerate(sectors)}
    exports = np.zeros((n, s))
    schedule = np.zeros((n, s))
    for i, c in enumerate(countries):
        for name, value in c.exports_to_us_bn.items():
            exports[i, sector_index[name]] = value
        for k, sec in enumerate(sectors):
            schedule[i, k] = c.tariffs.get(sec.name, sec.tariff)
    total_exports = np.array([c.total_exports_bn for c in countries])
    imports_from_us = np.array([c.imports_from_us_bn for c in countries])
    is_china = np.array([c.role == "china" for c in countries], dtype=bool)

    demands = data.demands
    d = len(demands)
    applicable = np.ones((n, d), dtype=bool)
    for j, dem in enumerate(demands):
        if dem.kind == "alignment":  # China is not asked to align against itself
            applicable[:, j] = ~is_china
        if dem.countries:  # a demand put only to some partners
            applicable[:, j] &= np.isin([c.name for c in countries], dem.countries)
    cap_index = next((j for j, dem in enumerate(demands) if dem.kind == "export_cap"), -1)
    cap_sectors = np.zeros(s, dtype=bool)
    cap_share = 1.0
    if cap_index >= 0:
        for name in demands[cap_index].sectors:
            cap_sectors[sector_index[name]] = True
        cap_share = demands[cap_index].cap_share
    us_exports = data.us_total_exports_bn or 1.0
    floor = np.array([sec.floor_rate for sec in sectors])
    escalable = np.array([sec.escalable for sec in sectors], dtype=bool)
    disputed = escalable | (schedule > floor[None, :] + 1e-12).any(axis=0)
    if not disputed.any():
        disputed = np.ones(s, dtype=bool)
    return World(
        names=[c.name for c in countries],
        sector_names=[sec.name for sec in sectors],
        demand_ids=[dem.id for dem in demands],
        exports=exports,
        imports_from_us=imports_from_us,
        china_trade=np.array([c.trade_with_china_bn for c in countries]),
        gdp=np.array([c.gdp_bn for c in countries]),
        security=np.array([c.security_dependence for c in countries]),
        pressure0=np.array([
            c.retaliation_pressure if c.retaliation_pressure is not None else params["pressure"] for c in countries
        ]),
        patience=np.array([c.patience if c.patience is not None else params["patience"] for c in countries]),
        is_china=is_china,
        seller_share_us=np.clip(exports.sum(axis=1) / total_exports, 1e-6, 1.0),
        buyer_share_us=np.clip(imports_from_us / us_exports, 1e-6, 1.0),
        schedule0=schedule,
        floor=floor,
        escalable=escalable,
        disputed=disputed,
        temp_exempt0=np.array([c.initial_treatment == "exempt" for c in countries], dtype=bool),
        applicable=applicable,
        demand_weight=np.array([dem.weight for dem in demands]),
        demand_kind=[dem.kind for dem in demands],
        cap_index=cap_index,
        cap_sectors=cap_sectors,
        cap_share=cap_share,
        china_exposure=np.array([dem.china_exposure for dem in demands]),
        cost_share=np.array([dem.cost_share for dem in demands]),
        us_balance=imports_from_us - exports.sum(axis=1),
        strategies=[c.strategy or params["strategy"] for c in countries],
        retaliation_targets=[c.retaliation_targets for c in countries],
        has_united_states=data.has_united_states,
        blocs=_blocs(countries),
    )


def _blocs(countries) -> dict[str, np.ndarray]:
    names = sorted({c.bloc for c in countries if c.bloc})
    members = {name: np.array([i for i, c in enumerate(countries) if c.bloc == name]) for name in names}
    return {name: idx for name, idx in members.items() if len(idx) >= 2}
