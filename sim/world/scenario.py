"""Scenario files: TOML data with a source for every figure, validated on load.

A scenario holds

* ``[scenario]``: name, title, description, default rounds, what a round is;
* ``[params]``: scenario defaults for registered parameters (see sim.world.params),
  with ``[params.sources]`` saying where calibrated values come from;
* ``[united_states]``: U.S. aggregates ($bn) with sources;
* ``[[sectors]]``: the U.S. tariff schedule per sector (``tariff``, ``floor_rate``);
* ``[[demands]]``: the demand package, each demand accepted or refused on its own;
* ``[[schedule]]``: dated changes to announced rates (optional);
* ``[[countries]]``: one entry per economy, each data field with a source in
  ``[countries.sources]``; or ``[generate]`` for N symmetric synthetic countries.

``load_scenario(name_or_path)`` returns a :class:`ScenarioData`.  Every error
names the file, the field and what was expected.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from sim.world import params as param_registry
from sim.world.errors import ParameterError, ScenarioError

TREATMENTS = ("tariffed", "quota", "exempt", "deal")
INITIAL_TREATMENTS = ("tariffed", "exempt")
DEMAND_KINDS = ("export_cap", "alignment", "security", "pledge", "market_access")
ROLES = ("partner", "china")
SOURCED_COUNTRY_FIELDS = (
    "gdp_bn",
    "total_exports_bn",
    "exports_to_us_bn",
    "imports_from_us_bn",
    "trade_with_china_bn",
    "security_dependence",
)


@dataclass(frozen=True)
class Sector:
    name: str
    label: str
    tariff: float
    floor_rate: float
    source: str
    escalable: bool = False


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


@dataclass(frozen=True)
class ScheduleChange:
    round: int
    sector: str
    rate: float
    countries: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
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
    retaliation_pressure: float | None = None
    patience: float | None = None
    strategy: str | None = None
    initial_treatment: str = "tariffed"
    tariffs: dict[str, float] = field(default_factory=dict)
    retaliation_targets: tuple[str, ...] = ()
    notes: str = ""
    bloc: str | None = None

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
    sectors: tuple[Sector, ...]
    demands: tuple[Demand, ...]
    schedule: tuple[ScheduleChange, ...]
    countries: tuple[Country, ...]
    has_united_states: bool
    generated: bool
    path: str
    generate: dict[str, Any] = field(default_factory=dict)

    def country(self, name: str) -> Country:
        for country in self.countries:
            if country.name == name:
                return country
        raise KeyError(name)


# --------------------------------------------------------------------------
# built-ins


def builtin_dir() -> Path:
    return Path(str(resources.files("sim") / "scenarios"))


def builtin_names() -> list[str]:
    return sorted(p.stem for p in builtin_dir().glob("*.toml") if not p.stem.endswith("_history"))


def builtin_summaries() -> list[tuple[str, str, int]]:
    """(name, title, number of countries) for every built-in scenario."""
    out = []
    for name in builtin_names():
        data = load_scenario(name)
        out.append((name, data.title, len(data.countries)))
    return out


def _resolve_path(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    candidate = Path(text)
    if text.endswith(".toml") or candidate.exists():
        if not candidate.exists():
            raise ScenarioError(f"scenario file '{text}' does not exist")
        return candidate
    path = builtin_dir() / f"{text}.toml"
    if not path.exists() or text.endswith("_history"):
        raise ScenarioError(
            f"unknown scenario '{text}'. Built-in scenarios: {', '.join(builtin_names())}; "
            "or give the path to a .toml scenario file"
        )
    return path


# --------------------------------------------------------------------------
# field readers with precise messages


class _Reader:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.path}: {where}: {message}")

    def table(self, data: dict, key: str, where: str, required: bool = True) -> dict:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(where, f"missing table [{key}]")
            return {}
        if not isinstance(value, dict):
            raise self.fail(f"{where}.{key}", f"expected a table, got {type(value).__name__}")
        return value

    def string(self, data: dict, key: str, where: str, default: str | None = None,
               choices: tuple[str, ...] | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{where}.{key}", "missing; expected a string")
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", f"expected a string, got {value!r}")
        if choices and value not in choices:
            raise self.fail(f"{where}.{key}", f"got '{value}'; expected one of {', '.join(choices)}")
        return value

    def number(self, data: dict, key: str, where: str, low: float | None = None, high: float | None = None,
               default: float | None = None, strict_low: bool = False) -> float:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{where}.{key}", f"missing; expected {_range_text(low, high, strict_low)}")
        return self.check_number(value, f"{where}.{key}", low, high, strict_low)

    def check_number(self, value: Any, where: str, low: float | None, high: float | None,
                     strict_low: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(where, f"expected {_range_text(low, high, strict_low)}, got {value!r}")
        if value != value or (low is not None and (value <= low if strict_low else value < low)) or (
            high is not None and value > high
        ):
            raise self.fail(where, f"got {value!r}; expected {_range_text(low, high, strict_low)}")
        return float(value)

    def string_list(self, data: dict, key: str, where: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{where}.{key}", f"expected a list of strings, got {value!r}")
        return tuple(value)


def _range_text(low, high, strict_low=False) -> str:
    if low is not None and high is not None:
        return f"a number from {low:g} to {high:g}"
    if low is not None:
        return f"a number {'>' if strict_low else '>='} {low:g}"
    return "a number"


# --------------------------------------------------------------------------
# loading


def read_toml(path: Path, error: type[Exception] = ScenarioError) -> dict:
    """Parse a TOML file; a syntax or read error raises ``error`` naming the file."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot be read: {exc}") from None


def load_scenario(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> ScenarioData:
    """Load and validate a built-in scenario by name, or a scenario file by path.

    ``overrides`` maps parameter names (see :mod:`sim.world.params`) or
    ``COUNTRY.FIELD`` keys to values; they are validated like the file.
    """
    path = _resolve_path(name_or_path)
    data = _parse(read_toml(path, ScenarioError), _Reader(path))
    if overrides:
        data = apply_overrides(data, overrides)
    return data


def _parse(raw: dict, r: _Reader) -> ScenarioData:
    head = r.table(raw, "scenario", "top level")
    name = r.string(head, "name", "scenario")
    rounds = int(r.number(head, "rounds", "scenario", 1, 100000, default=24))

    raw_params = dict(r.table(raw, "params", "top level", required=False))
    param_sources = raw_params.pop("sources", {})
    if not isinstance(param_sources, dict):
        raise r.fail("params.sources", "expected a table of parameter = source")
    try:
        params = param_registry.resolve(raw_params, where=f"{r.path}: [params]")
    except ParameterError as exc:
        raise ScenarioError(str(exc)) from None
    for key in param_sources:
        if key not in param_registry.PARAMS:
            raise r.fail("params.sources", f"'{key}' is not a parameter")

    generated = "generate" in raw
    sectors = tuple(_parse_sector(s, i, r) for i, s in enumerate(_array(raw, "sectors", r, required=not generated)))
    sector_names = [s.name for s in sectors]
    if len(set(sector_names)) != len(sector_names):
        raise r.fail("sectors", "sector names must be unique")
    demands = tuple(_parse_demand(d, i, r, sector_names) for i, d in enumerate(_array(raw, "demands", r, required=False)))
    if len({d.id for d in demands}) != len(demands):
        raise r.fail("demands", "demand ids must be unique")
    if sum(d.kind == "export_cap" for d in demands) > 1:
        raise r.fail("demands", "at most one demand of kind 'export_cap'")

    has_us = bool(sectors)
    us = r.table(raw, "united_states", "top level", required=has_us)
    us_sources = us.get("sources", {}) if us else {}
    us_gdp = r.number(us, "gdp_bn", "united_states", 0, strict_low=True) if has_us else 0.0
    us_exports = r.number(us, "total_exports_bn", "united_states", 0, strict_low=True) if has_us else 0.0
    if has_us:
        for key in ("gdp_bn", "total_exports_bn"):
            if not us_sources.get(key):
                raise r.fail(f"united_states.sources.{key}", "missing: every figure needs a source")

    generate = r.table(raw, "generate", "top level", required=False)
    if generate:
        countries: tuple[Country, ...] = ()
        if has_us:
            raise r.fail("generate", "generated symmetric countries are only supported without [[sectors]] (classroom games)")
    else:
        countries = tuple(_parse_country(c, i, r, sector_names) for i, c in enumerate(_array(raw, "countries", r)))
        names = [c.name for c in countries]
        if len(set(names)) != len(names):
            raise r.fail("countries", "country names must be unique")
        if sum(c.role == "china" for c in countries) > 1:
            raise r.fail("countries", "at most one country may have role = 'china'")

    country_names = {c.name for c in countries}
    for demand in demands:
        for country_name in demand.countries:
            if country_name not in country_names:
                raise r.fail(f"demands[{demand.id}].countries", f"unknown country '{country_name}'")
    schedule = tuple(
        _parse_schedule(s, i, r, sector_names, [c.name for c in countries])
        for i, s in enumerate(_array(raw, "schedule", r, required=False))
    )
    data = ScenarioData(
        name=name,
        title=r.string(head, "title", "scenario", default=name),
        description=r.string(head, "description", "scenario", default=""),
        rounds=rounds,
        round_label=r.string(head, "round_label", "scenario", default="round"),
        start=r.string(head, "start", "scenario", default=""),
        rounds_per_year=r.number(head, "rounds_per_year", "scenario", 0, 366, default=12.0, strict_low=True),
        params=params,
        param_sources={str(k): str(v) for k, v in param_sources.items()},
        us_gdp_bn=us_gdp,
        us_total_exports_bn=us_exports,
        us_sources={str(k): str(v) for k, v in us_sources.items()},
        sectors=sectors,
        demands=demands,
        schedule=schedule,
        countries=countries,
        has_united_states=has_us,
        generated=bool(generate),
        path=str(r.path),
        generate=dict(generate),
    )
    if data.generated:
        data = _generate_countries(data)
    return data


def _array(raw: dict, key: str, r: _Reader, required: bool = True) -> list[dict]:
    value = raw.get(key)
    if value is None:
        if required:
            raise r.fail("top level", f"missing [[{key}]] entries")
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise r.fail(key, f"expected an array of tables [[{key}]]")
    return value


def _parse_sector(raw: dict, index: int, r: _Reader) -> Sector:
    where = f"sectors[{index}]"
    name = r.string(raw, "name", where)
    where = f"sectors[{name}]"
    source = r.string(raw, "source", where)
    return Sector(
        name=name,
        label=r.string(raw, "label", where, default=name),
        tariff=r.number(raw, "tariff", where, 0, 10),
        floor_rate=r.number(raw, "floor_rate", where, 0, 10, default=0.0),
        source=source,
        escalable=_boolean(raw, "escalable", where, r),
    )


def _boolean(raw: dict, key: str, where: str, r: "_Reader", default: bool = False) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise r.fail(f"{where}.{key}", f"expected true or false, got {value!r}")
    return value


def _parse_demand(raw: dict, index: int, r: _Reader, sector_names: list[str]) -> Demand:
    where = f"demands[{index}]"
    demand_id = r.string(raw, "id", where)
    where = f"demands[{demand_id}]"
    kind = r.string(raw, "kind", where, choices=DEMAND_KINDS)
    sectors = r.string_list(raw, "sectors", where)
    for sector in sectors:
        if sector not in sector_names:
            raise r.fail(f"{where}.sectors", f"unknown sector '{sector}'; sectors are {', '.join(sector_names)}")
    if kind == "export_cap" and not sectors:
        raise r.fail(f"{where}.sectors", "an export_cap demand must name the sectors it caps")
    return Demand(
        id=demand_id,
        label=r.string(raw, "label", where, default=demand_id),
        kind=kind,
        weight=r.number(raw, "weight", where, 0, 100, default=1.0, strict_low=True),
        source=r.string(raw, "source", where),
        description=r.string(raw, "description", where, default=""),
        cap_share=r.number(raw, "cap_share", where, 0, 10, default=1.0, strict_low=True),
        sectors=sectors,
        china_exposure=r.number(raw, "china_exposure", where, 0, 1, default=0.0),
        cost_share=r.number(raw, "cost_share", where, 0, 100, default=0.0),
        countries=tuple(r.string_list(raw, "countries", where)),
    )


def _parse_schedule(raw: dict, index: int, r: _Reader, sector_names: list[str], country_names: list[str]) -> ScheduleChange:
    where = f"schedule[{index}]"
    sector = r.string(raw, "sector", where, choices=tuple(sector_names))
    countries = r.string_list(raw, "countries", where)
    exclude = r.string_list(raw, "exclude", where)
    for name in countries + exclude:
        if name not in country_names:
            raise r.fail(where, f"unknown country '{name}'")
    return ScheduleChange(
        round=int(r.number(raw, "round", where, 1, 100000)),
        sector=sector,
        rate=r.number(raw, "rate", where, 0, 10),
        countries=countries,
        exclude=exclude,
        note=r.string(raw, "note", where, default=""),
    )


def _parse_country(raw: dict, index: int, r: _Reader, sector_names: list[str]) -> Country:
    where = f"countries[{index}]"
    name = r.string(raw, "name", where)
    where = f"countries[{name}]"
    exports = raw.get("exports_to_us_bn")
    if not isinstance(exports, dict):
        raise r.fail(f"{where}.exports_to_us_bn", "expected a table of sector = $bn, e.g. { steel = 4.8, aluminium = 6.4 }")
    for sector, value in exports.items():
        if sector not in sector_names:
            raise r.fail(f"{where}.exports_to_us_bn.{sector}", f"unknown sector; sectors are {', '.join(sector_names)}")
        r.check_number(value, f"{where}.exports_to_us_bn.{sector}", 0, None)
    sources = raw.get("sources", {})
    if not isinstance(sources, dict):
        raise r.fail(f"{where}.sources", "expected a table of field = source")
    for key in SOURCED_COUNTRY_FIELDS:
        if not sources.get(key):
            raise r.fail(f"{where}.sources.{key}", "missing: every figure needs a source")
    tariffs = raw.get("tariffs", {})
    if not isinstance(tariffs, dict):
        raise r.fail(f"{where}.tariffs", "expected a table of sector = rate")
    for sector, value in tariffs.items():
        if sector not in sector_names:
            raise r.fail(f"{where}.tariffs.{sector}", f"unknown sector; sectors are {', '.join(sector_names)}")
        r.check_number(value, f"{where}.tariffs.{sector}", 0, 10)
    strategy = raw.get("strategy")
    if strategy is not None:
        r.string(raw, "strategy", where, choices=param_registry.STRATEGY_NAMES)
    optional = {}
    for key, high in (("retaliation_pressure", 1.0), ("patience", 0.999)):
        if key in raw:
            optional[key] = r.number(raw, key, where, 0, high)
    return Country(
        name=name,
        role=r.string(raw, "role", where, default="partner", choices=ROLES),
        gdp_bn=r.number(raw, "gdp_bn", where, 0, strict_low=True),
        total_exports_bn=r.number(raw, "total_exports_bn", where, 0, strict_low=True),
        exports_to_us_bn={str(k): float(v) for k, v in exports.items()},
        imports_from_us_bn=r.number(raw, "imports_from_us_bn", where, 0),
        trade_with_china_bn=r.number(raw, "trade_with_china_bn", where, 0),
        security_dependence=r.number(raw, "security_dependence", where, 0, 1),
        sources={str(k): str(v) for k, v in sources.items()},
        strategy=strategy,
        initial_treatment=r.string(raw, "initial_treatment", where, default="tariffed", choices=INITIAL_TREATMENTS),
        tariffs={str(k): float(v) for k, v in tariffs.items()},
        retaliation_targets=r.string_list(raw, "retaliation_targets", where),
        notes=r.string(raw, "notes", where, default=""),
        bloc=r.string(raw, "bloc", where) if "bloc" in raw else None,
        **optional,
    )


def _generate_countries(data: ScenarioData) -> ScenarioData:
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


# --------------------------------------------------------------------------
# overrides


COUNTRY_OVERRIDABLE = {
    "gdp_bn": (0.0, None),
    "total_exports_bn": (0.0, None),
    "imports_from_us_bn": (0.0, None),
    "trade_with_china_bn": (0.0, None),
    "security_dependence": (0.0, 1.0),
    "retaliation_pressure": (0.0, 1.0),
    "patience": (0.0, 0.999),
}


def _find_country(data: ScenarioData, key: str) -> Country:
    wanted = key.replace("_", " ").strip().lower()
    for country in data.countries:
        if country.name.lower() == wanted:
            return country
    raise ParameterError(
        f"unknown country '{key}' in scenario '{data.name}'. Countries: {', '.join(c.name for c in data.countries)}"
    )


PREFIXES = ("all", "scale")


def apply_overrides(data: ScenarioData, overrides: dict[str, Any]) -> ScenarioData:
    """Return ``data`` with parameter, ``COUNTRY.FIELD``, ``all.FIELD`` and ``scale.FIELD`` overrides applied and validated."""
    if any(k.partition(".")[0] in PREFIXES and "." in k for k in overrides):
        overrides = expand_overrides(data, overrides)
    global_overrides = {k: v for k, v in overrides.items() if "." not in k}
    country_overrides = {k: v for k, v in overrides.items() if "." in k}
    params = param_registry.resolve(global_overrides, base=data.params)
    data = replace(data, params=params)
    if data.generated and ({"n_countries", "trade_per_partner_bn"} & set(global_overrides)):
        data = _generate_countries(data)
    for key, value in country_overrides.items():
        country_key, _, field_name = key.rpartition(".")
        country = _find_country(data, country_key)
        data = _override_country(data, country, field_name, value)
    return data


def _override_country(data: ScenarioData, country: Country, field_name: str, value: Any) -> ScenarioData:
    label = f"{country.name}.{field_name}"
    if field_name == "strategy":
        value = param_registry.ParamSpec("strategy", None, str, "", choices=param_registry.STRATEGY_NAMES).coerce(value, label)
        new = replace(country, strategy=value)
    elif field_name == "initial_treatment":
        if value not in INITIAL_TREATMENTS:
            raise ParameterError(f"{label} = {value!r}; expected one of {', '.join(INITIAL_TREATMENTS)}")
        new = replace(country, initial_treatment=value)
    elif field_name.startswith("exports_to_us_bn:") or field_name in {s.name for s in data.sectors}:
        sector = field_name.split(":", 1)[-1]
        number = _coerce_number(value, label, 0.0, None)
        new = replace(country, exports_to_us_bn={**country.exports_to_us_bn, sector: number})
    elif field_name in COUNTRY_OVERRIDABLE:
        low, high = COUNTRY_OVERRIDABLE[field_name]
        new = replace(country, **{field_name: _coerce_number(value, label, low, high)})
    else:
        fields = sorted(COUNTRY_OVERRIDABLE) + ["strategy", "initial_treatment"] + [s.name for s in data.sectors]
        raise ParameterError(f"unknown country field '{field_name}' in '{label}'. Country fields: {', '.join(fields)}")
    countries = tuple(new if c.name == country.name else c for c in data.countries)
    return replace(data, countries=countries)


def _coerce_number(value: Any, label: str, low: float | None, high: float | None) -> float:
    expected = _range_text(low, high)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{label} got {value!r}; expected {expected}") from None
    if number != number or (low is not None and number < low) or (high is not None and number > high):
        raise ParameterError(f"{label} = {value!r} is out of range; expected {expected}")
    return number


def parse_set_options(items: list[str] | None) -> dict[str, str]:
    """Parse ``["key=value", ...]`` from the command line."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--set expects KEY=VALUE, got '{item}'")
        out[key.strip()] = value.strip()
    return out


def expand_overrides(data: "ScenarioData", overrides: dict[str, Any]) -> dict[str, Any]:
    """Turn ``all.X`` / ``scale.X`` keys into ``COUNTRY.X`` keys for the scenario ``data``.

    ``all.FIELD = v`` sets the field for every country; ``scale.FIELD = k`` multiplies each
    country's own value by ``k`` (clipped to the field's range), keeping their differences.

    Global parameters are applied first, so that ``n_countries`` in the same
    dict decides which countries ``all.X`` reaches in the classroom scenario.
    """
    plain = {k: v for k, v in overrides.items() if k.partition(".")[0] not in PREFIXES or "." not in k}
    special = {k: v for k, v in overrides.items() if k not in plain}
    if not special:
        return dict(plain)
    globals_only = {k: v for k, v in plain.items() if "." not in k}
    current = apply_overrides(data, globals_only) if globals_only else data
    out: dict[str, Any] = {}
    for key, value in special.items():
        prefix, _, field_name = key.partition(".")
        if prefix == "all":
            for country in current.countries:
                out[f"{country.name}.{field_name}"] = value
        else:
            if field_name not in COUNTRY_OVERRIDABLE:
                raise ParameterError(
                    f"'{key}': only numeric country fields can be scaled: {', '.join(sorted(COUNTRY_OVERRIDABLE))}")
            try:
                factor = float(value)
            except (TypeError, ValueError):
                raise ParameterError(f"'{key}' got {value!r}; expected a number >= 0") from None
            if not factor >= 0:
                raise ParameterError(f"'{key}' = {value!r} is out of range; expected a number >= 0")
            low, high = COUNTRY_OVERRIDABLE[field_name]
            for country in current.countries:
                own = getattr(country, field_name)
                if own is None:
                    own = current.params.get(field_name)
                    if own is None:
                        continue
                scaled = float(own) * factor
                if high is not None:
                    scaled = min(scaled, high)
                if low is not None:
                    scaled = max(scaled, low)
                out[f"{country.name}.{field_name}"] = scaled
    # explicit COUNTRY.FIELD keys win over all./scale. expansions
    return {**out, **plain}
