"""Scenario data turned into numpy arrays, one row per country.

The model keeps country state in these arrays so that the round math runs over
all countries at once; :class:`agents.country.CountryAgent` objects are views on
their row.  Derived quantities (market shares, the stake in the dispute) are
computed here, once, from the sourced scenario figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.world import economics
from sim.world.scenario import ScenarioData
from sim.world.vocabulary import COUNTER_TARIFF_STATES


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
    pivotal_weight: np.ndarray  # [n] its retaliation's political sting: the pivotal (farm) share of U.S. exports
    #                             to it, relative to the share in all U.S. exports (1 = average; 1 without data)
    counter0: np.ndarray  # [n] CounterTariffs code at the start (a list announced or in force before round 1)
    counter_value0: np.ndarray  # [n] $bn of U.S. goods on that list (nan: the matching rule)
    patience: np.ndarray  # [n] discount factor
    is_china: np.ndarray  # [n] bool
    total_exports: np.ndarray  # [n] $bn/yr, to all markets
    seller_share_us: np.ndarray  # [n] share of the country's exports sold to the U.S.
    buyer_share_us: np.ndarray  # [n] the country's share of U.S. exports
    schedule0: np.ndarray  # [n, s] announced U.S. rates at round 1
    floor: np.ndarray  # [s] lowest rate (baseline tariff) per sector
    escalable: np.ndarray  # [s] bool, escalation reaches the sector
    disputed: np.ndarray  # [s] bool, sectors the dispute covers (reported tariffs average over them)
    temp_exempt0: np.ndarray  # [n] bool, starts temporarily exempt
    applicable: np.ndarray  # [n, d] bool, demand d is put to country i
    demand_weight: np.ndarray  # [d]
    demand_kind: list[str]
    cap_index: int  # index of the export_cap demand, -1 if none
    cap_sectors: np.ndarray  # [s] bool, sectors the cap covers
    cap_share: float
    china_exposure: np.ndarray  # [d] share of trade with China at stake (alignment demands)
    cost_share: np.ndarray  # [d] annual cost of accepting, as a share of the exports at stake (see demand_costs)
    us_gain_share: np.ndarray  # [d] annual U.S. gain from it, as a share of the partner's exports at stake
    demand_cost_bn: np.ndarray  # [n, d] $bn/yr, what accepting each demand costs from the data (pledges, access, links)
    required_demand: np.ndarray  # [d] bool, relief only with this demand accepted
    exporter_rent: float  # share of a quota's scarcity rent the exporter keeps (1: VER; 0: U.S. customs fills it)
    supply_elasticity: np.ndarray  # [n, s] residual export supply elasticity toward the U.S.
    sigma: np.ndarray  # [s] elasticity of substitution between suppliers in U.S. imports
    eta: np.ndarray  # [s] elasticity of total U.S. import demand in the sector
    row_value: np.ndarray  # [s] U.S. imports of the sector from countries outside the scenario, $bn/yr
    row_schedule0: np.ndarray  # [s] the rate those countries face at round 1
    duty_free: np.ndarray  # [n, s] share of a flow that enters free whatever the rate (USMCA)
    negotiable: np.ndarray  # [s] bool, deals can lower the sector toward its floor
    grace: np.ndarray  # [s] bool, a temporary exemption or pause covers the sector
    china_value_added: np.ndarray  # [n] China's value added in the country's exports (TiVA)
    demand_mechanism: list[str]  # [d] "", "transshipment" or "absorption"
    us_balance: np.ndarray  # [n] U.S. goods balance with the country, $bn (positive = U.S. surplus)
    strategies: list[str]
    retaliation_targets: list[tuple[str, ...]]
    has_united_states: bool
    blocs: dict[str, np.ndarray]  # bloc name -> member indices (blocs with two or more members)
    threats: tuple = ()  # (round, countries [n] bool, coverage [s]) of each dated threat (see threat_scope)

    @property
    def n(self) -> int:
        return len(self.names)

    def threat_scope(self, round_: int) -> np.ndarray:
        """[n, s] the share of each sector's exports an escalation would reach at ``round_``: the escalable
        sectors in full, and the sectors of every threat on record by then that names the partner."""
        scope = np.broadcast_to(self.escalable[None, :].astype(float), self.exports.shape).copy()
        for start, countries, coverage in self.threats:
            if start <= round_:
                scope = np.where(countries[:, None], np.maximum(scope, coverage[None, :]), scope)
        return scope

    def stake(self, schedule: np.ndarray) -> np.ndarray:
        """Value of the country's exports covered by U.S. tariffs ($bn), the baseline included.

        Only a data unit: what the scenario's ``cost_share`` of a demand (a pledge, market access)
        is a share of.  Decisions are valued in $bn a year and weighed against GDP, never as a
        share of this stake (a $44bn and a $2,000bn dispute are on one scale).
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
        applicable[:, j] = [dem.put_to(c) for c in countries]
    cap_index = next((j for j, dem in enumerate(demands) if dem.kind == "export_cap"), -1)
    cap_sectors = np.zeros(s, dtype=bool)
    cap_share = 1.0
    if cap_index >= 0:
        for name in demands[cap_index].sectors:
            cap_sectors[sector_index[name]] = True
        cap_share = demands[cap_index].cap_share
    us_exports = data.us_total_exports_bn or 1.0
    duty_free = np.zeros((n, s))
    for i, c in enumerate(countries):
        for name, value in c.duty_free_share.items():
            duty_free[i, sector_index[name]] = value
    seller_share_us = np.clip(exports.sum(axis=1) / total_exports, 1e-6, 1.0)
    eta = np.full(s, float(params["demand_elasticity"]))
    sector_eps = np.array([sec.supply_elasticity or params["supply_elasticity"] for sec in sectors], dtype=float)
    us_imports = np.array([data.us_imports_bn.get(sec.name, 0.0) for sec in sectors], dtype=float)
    floor = np.array([sec.floor_rate for sec in sectors])
    above_floor = (schedule > floor[None, :] + 1e-12).any(axis=0) if n else np.zeros(s, dtype=bool)
    escalable = np.array([above_floor[k] if sec.escalable is None else sec.escalable for k, sec in enumerate(sectors)],
                         dtype=bool)
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
        pivotal_weight=np.array([
            1.0 if not data.us_pivotal_export_share or c.pivotal_export_share is None
            else c.pivotal_export_share / data.us_pivotal_export_share for c in countries], dtype=float),
        counter0=np.array([COUNTER_TARIFF_STATES.index(c.counter_tariffs) for c in countries], dtype=int),
        counter_value0=np.array([np.nan if c.counter_tariffs_bn is None else c.counter_tariffs_bn for c in countries]),
        patience=np.array([c.patience if c.patience is not None else params["patience"] for c in countries]),
        is_china=is_china,
        total_exports=total_exports,
        seller_share_us=seller_share_us,
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
        cost_share=demand_costs(demands, params)[0],
        us_gain_share=demand_costs(demands, params)[1],
        demand_cost_bn=_demand_cost_bn(demands, params, exports, schedule, applicable),
        required_demand=np.array([dem.required for dem in demands], dtype=bool),
        exporter_rent=1.0 if cap_index < 0 or demands[cap_index].administration == "exporter" else 0.0,
        supply_elasticity=economics.residual_supply_elasticity(sector_eps[None, :], seller_share_us[:, None], eta[None, :]),
        sigma=np.array([sec.substitution_elasticity or params["substitution_elasticity"] for sec in sectors], dtype=float),
        eta=eta,
        row_value=np.maximum(us_imports - exports.sum(axis=0), 0.0),
        row_schedule0=np.array([sec.tariff for sec in sectors], dtype=float),
        duty_free=duty_free,
        negotiable=np.array([sec.negotiable for sec in sectors], dtype=bool),
        grace=np.array([sec.grace for sec in sectors], dtype=bool),
        china_value_added=np.array([c.china_value_added for c in countries], dtype=float),
        demand_mechanism=[dem.mechanism for dem in demands],
        us_balance=imports_from_us - exports.sum(axis=1),
        strategies=[c.strategy or params["strategy"] for c in countries],
        retaliation_targets=[c.retaliation_targets for c in countries],
        has_united_states=data.has_united_states,
        blocs=_blocs(countries),
        threats=_threats(data, countries, sector_index, s),
    )


def _threats(data: ScenarioData, countries, sector_index: dict[str, int], s: int) -> tuple:
    names = [c.name for c in countries]
    out = []
    for threat in data.threats:
        mask = np.isin(names, threat.countries) if threat.countries else np.ones(len(names), dtype=bool)
        coverage = np.zeros(s)
        for sector in threat.sectors:
            coverage[sector_index[sector]] = threat.coverage
        out.append((threat.round, mask, coverage))
    return tuple(out)


def _demand_cost_bn(demands, params: dict, exports: np.ndarray, schedule: np.ndarray,
                    applicable: np.ndarray) -> np.ndarray:
    """[n, d] the annual cost of each demand to each partner from the data, $bn: ``cost_share`` of its
    exports at stake (see :func:`demand_costs`), and for a linked negotiation ``linkage_cost`` of its
    exports to the U.S. (the linked agreement covers the whole relationship)."""
    stake = (exports * (schedule > 1e-12)).sum(axis=1)
    share, _ = demand_costs(demands, params)
    cost = stake[:, None] * share[None, :]
    linked = np.array([dem.kind == "linked" for dem in demands], dtype=bool)
    cost = cost + np.where(linked[None, :], params["linkage_cost"] * exports.sum(axis=1)[:, None], 0.0)
    return np.where(applicable, cost, 0.0)


def _blocs(countries) -> dict[str, np.ndarray]:
    names = sorted({c.bloc for c in countries if c.bloc})
    members = {name: np.array([i for i, c in enumerate(countries) if c.bloc == name]) for name in names}
    return {name: idx for name, idx in members.items() if len(idx) >= 2}


def demand_costs(demands, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per demand, the partner's annual cost of accepting it and the U.S.'s annual gain, as shares of the stake.

    * a **pledge** of investment (``cost_share`` = investment per year as a share of the
      stake) is not a transfer: it relocates plants, and the wages they pay move to the
      U.S. (``pledge_output_share`` = output-capital ratio x labour share per dollar);
    * **market access** (``cost_share``) hands the partner's tariff revenue and protection
      rents to U.S. exporters, dollar for dollar;
    * a **linked** negotiation costs what its ``cost_share`` says, plus ``linkage_cost`` of the
      partner's exports to the U.S. (:func:`_demand_cost_bn`; the U.S. gain there is not trade welfare);
    * other demands cost what their ``cost_share`` says (zero unless given).
    """
    cost, gain = [], []
    for dem in demands:
        if dem.kind == "pledge":
            moved = dem.cost_share * params["pledge_output_share"]
            cost.append(moved)
            gain.append(moved)
        elif dem.kind == "market_access":
            cost.append(dem.cost_share)
            gain.append(dem.cost_share)
        elif dem.kind == "linked":
            cost.append(dem.cost_share)
            gain.append(0.0)
        else:
            cost.append(dem.cost_share)
            gain.append(0.0)
    return np.array(cost, dtype=float), np.array(gain, dtype=float)
