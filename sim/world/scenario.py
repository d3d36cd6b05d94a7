"""A scenario as data: frozen dataclasses built by :mod:`sim.world.loader`.

A scenario holds

* ``[scenario]``: name, title, description, default rounds, what a round is;
* ``[params]``: scenario defaults for registered parameters (see :mod:`sim.world.params`),
  with ``[params.sources]`` saying where calibrated values come from;
* ``[united_states]``: U.S. aggregates ($bn) with sources;
* ``[[sectors]]``: the U.S. tariff schedule per sector (``tariff``, ``floor_rate``);
* ``[[demands]]``: the demand package, each demand accepted or refused on its own;
* ``[[schedule]]``: dated changes to announced rates (optional);
* ``[[threats]]``: dated announcements that retaliation will be answered, and how far (optional);
* ``[[countries]]``: one entry per economy, each data field with a source in
  ``[countries.sources]``; or ``[generate]`` for N symmetric synthetic countries.

Every field, its range and its meaning are declared in :mod:`sim.world.schema`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sim.world.schema import SOURCED_COUNTRY_FIELDS


@dataclass(frozen=True)
class Sector:
    name: str
    label: str
    tariff: float
    floor_rate: float
    source: str
    escalable: bool | None = None
    negotiable: bool = True
    grace: bool = True
    supply_elasticity: float | None = None
    substitution_elasticity: float | None = None


@dataclass(frozen=True)
class Demand:
    id: str
    label: str
    kind: str
    weight: float
    source: str
    description: str = ""
    cap_share: float = 1.0
    sectors: tuple[str, ...] = ()
    china_exposure: float = 0.0
    cost_share: float = 0.0
    countries: tuple[str, ...] = ()  # put only to these partners (empty: to every partner)
    administration: str = "exporter"  # an export cap filled by the exporter (VER) or by U.S. customs
    required: bool = False  # relief only with this demand accepted
    linked_to: str = ""
    mechanism: str = ""  # "transshipment" or "absorption": what accepting costs, from the trade data

    def put_to(self, country: "Country") -> bool:
        """Whether the U.S. puts this demand to ``country``: to the partners it names (every partner if it
        names none), and an alignment demand never to China (role = 'china'), which is not asked to align
        against itself."""
        if self.kind == "alignment" and country.role == "china":
            return False
        return not self.countries or country.name in self.countries


@dataclass(frozen=True)
class ScheduleChange:
    round: int
    sector: str
    rate: float
    countries: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Threat:
    """A dated announcement that retaliation will be answered by duties reaching ``sectors`` (besides the
    escalable ones), for ``countries`` (empty: every partner), on ``coverage`` of those sectors' exports."""

    round: int
    source: str
    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    coverage: float = 1.0
    note: str = ""


@dataclass(frozen=True)
class Country:
    name: str
    role: str
    gdp_bn: float
    total_exports_bn: float
    exports_to_us_bn: dict[str, float]
    imports_from_us_bn: float
    trade_with_china_bn: float
    security_dependence: float
    sources: dict[str, str]
    patience: float | None = None
    strategy: str | None = None
    initial_treatment: str = "tariffed"
    tariffs: dict[str, float] = field(default_factory=dict)
    retaliation_targets: tuple[str, ...] = ()
    notes: str = ""
    bloc: str | None = None
    duty_free_share: dict[str, float] = field(default_factory=dict)
    china_value_added: float = 0.0
    security_ties: tuple[str, ...] = ()
    pivotal_export_share: float | None = None
    counter_tariffs: str = "none"  # none, announced or in_force when the scenario starts
    counter_tariffs_bn: float | None = None  # $bn of U.S. goods on that list (None: the matching rule)

    @property
    def exports_total_to_us_bn(self) -> float:
        return float(sum(self.exports_to_us_bn.values()))


@dataclass(frozen=True)
class ScenarioData:
    name: str
    title: str
    description: str
    rounds: int
    round_label: str
    start: str
    rounds_per_year: float
    params: dict[str, Any]
    param_sources: dict[str, str]
    us_gdp_bn: float
    us_total_exports_bn: float
    us_sources: dict[str, str]
    us_imports_bn: dict[str, float]
    us_pivotal_export_share: float | None
    sectors: tuple[Sector, ...]
    demands: tuple[Demand, ...]
    schedule: tuple[ScheduleChange, ...]
    countries: tuple[Country, ...]
    has_united_states: bool
    generated: bool
    path: str
    generate: dict[str, Any] = field(default_factory=dict)
    threats: tuple[Threat, ...] = ()

    def country(self, name: str) -> Country:
        for country in self.countries:
            if country.name == name:
                return country
        raise KeyError(name)


def generate_countries(data: ScenarioData) -> ScenarioData:
    """Build ``n_countries`` identical synthetic countries for classroom games."""
    n = int(data.params["n_countries"])
    trade = float(data.params["trade_per_partner_bn"]) * max(n - 1, 1)
    template = data.generate
    synthetic = "synthetic teaching economy (no real-world calibration)"
    countries = tuple(
        Country(
            name=f"{template.get('name_prefix', 'Country')} {i + 1}",
            role="partner",
            gdp_bn=float(template.get("gdp_bn", 1000.0)),
            total_exports_bn=trade,
            exports_to_us_bn={},
            imports_from_us_bn=0.0,
            trade_with_china_bn=0.0,
            security_dependence=0.0,
            sources={key: synthetic for key in SOURCED_COUNTRY_FIELDS},
        )
        for i in range(n)
    )
    return replace(data, countries=countries)
