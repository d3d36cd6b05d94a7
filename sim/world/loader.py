"""Scenario files: read a TOML file, check it against the schema, build :class:`ScenarioData`.

``load_scenario(name_or_path, overrides)`` loads a built-in scenario by name or a
file by path, and applies ``--set`` style overrides.  Each table is checked by
:func:`sim.world.schema.read_table` (unknown keys, missing fields, ranges), so every
error names the file, the field and what was expected; the checks across tables
(a demand's sectors exist, names are unique, ...) are here.

Parsed files are cached (keyed by path and content): the app's Reset and a
back-test's thirty runs parse a file once.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from sim.world import params as param_registry
from sim.world.errors import ScenarioError
from sim.world.overrides import apply_overrides
from sim.world.paths import check_name
from sim.world.scenario import Country, Demand, ScenarioData, ScheduleChange, Sector, Threat, generate_countries
from sim.world.schema import (
    COUNTRY,
    DEMAND,
    GENERATE,
    SCENARIO_HEAD,
    SCENARIO_TABLES,
    MAX_FILE_BYTES,
    MAX_NESTING,
    NAME,
    SCHEDULE,
    SECTOR,
    THREAT,
    SOURCED_COUNTRY_FIELDS,
    UNITED_STATES,
    read_table,
    security_score,
    unknown_key,
)


# --------------------------------------------------------------------------- built-ins
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
    candidate = check_name(text, "scenario")
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


def read_text(path: Path, error: type[Exception] = ScenarioError) -> str:
    """A TOML file's text; a missing, unreadable, huge or non-UTF-8 file raises ``error`` naming it."""
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise error(f"{path}: the file is {size:,} bytes; expected at most {MAX_FILE_BYTES:,}")
        return Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: cannot be read: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        from sim.world.paths import os_error_text

        raise error(f"{path}: cannot be read: {os_error_text(exc)}") from None


def parse_toml(text: str, path: str | Path, error: type[Exception] = ScenarioError) -> dict:
    """Parse TOML text; a syntax error or deep nesting raises ``error`` naming the file."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise error(f"{path}: tables or arrays are nested too deeply (at most {MAX_NESTING} levels)") from None
    if _depth(raw) > MAX_NESTING:
        raise error(f"{path}: tables or arrays are nested too deeply (at most {MAX_NESTING} levels)")
    return raw


def read_toml(path: Path, error: type[Exception] = ScenarioError) -> dict:
    """Read and parse a TOML file; every problem raises ``error`` naming the file."""
    return parse_toml(read_text(path, error), path, error)


def _depth(value: Any) -> int:
    """How deep tables and arrays nest (iterative: no recursion on a hostile file)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_NESTING:
            break
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


# --------------------------------------------------------------------------- loading
def load_scenario(name_or_path: str | Path, overrides: dict[str, Any] | None = None) -> ScenarioData:
    """Load and validate a built-in scenario by name, or a scenario file by path.

    ``overrides`` maps parameter names (see :mod:`sim.world.params`) or
    ``COUNTRY.FIELD`` keys to values; they are validated like the file.
    """
    path = _resolve_path(name_or_path)
    data = _load_file(str(path), read_text(path, ScenarioError))
    if overrides:
        data = apply_overrides(data, overrides)
    return data


@lru_cache(maxsize=32)
def _load_file(path: str, text: str) -> ScenarioData:
    """One parse per file content (the text is part of the key: an edit is re-read, however quick)."""
    return _parse(parse_toml(text, path, ScenarioError), path)


class _File:
    """Checks against the schema, with messages that start with the file's path."""

    def __init__(self, path: str):
        self.path = path

    def fail(self, where: str, message: str) -> ScenarioError:
        return ScenarioError(f"{self.path}: {where}: {message}")

    def table(self, raw: Any, fields, where: str, allow: tuple[str, ...] = ()) -> dict[str, Any]:
        return read_table(raw, fields, f"{self.path}: {where}", ScenarioError, allow=allow)

    def array(self, raw: dict, key: str, required: bool = True) -> list[dict]:
        value = raw.get(key)
        if value is None:
            if required:
                raise self.fail("top level", f"missing [[{key}]] entries")
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(key, f"expected an array of tables [[{key}]]")
        return value

    def sources(self, values: dict, needed, where: str) -> dict[str, str]:
        for key in needed:
            if not values.get(key):
                raise self.fail(f"{where}.sources.{key}", "missing: every figure needs a source")
        return {str(k): str(v) for k, v in values.items()}


def _parse(raw: dict, path: str) -> ScenarioData:
    f = _File(path)
    for key in raw:
        if key not in SCENARIO_TABLES:
            raise unknown_key(f"{path}: top level", key, SCENARIO_TABLES, ScenarioError, what="table")
    if "scenario" not in raw:
        raise f.fail("top level", "missing table [scenario]")
    head = f.table(raw["scenario"], SCENARIO_HEAD, "scenario")
    params, param_sources = _parse_params(raw.get("params", {}), f)

    generated = "generate" in raw
    sectors = tuple(_sector(s, i, f) for i, s in enumerate(f.array(raw, "sectors", required=not generated)))
    sector_names = [s.name for s in sectors]
    if len(set(sector_names)) != len(sector_names):
        raise f.fail("sectors", "sector names must be unique")
    demands = tuple(_demand(d, i, f, sector_names) for i, d in enumerate(f.array(raw, "demands", required=False)))
    if len({d.id for d in demands}) != len(demands):
        raise f.fail("demands", "demand ids must be unique")
    if sum(d.kind == "export_cap" for d in demands) > 1:
        raise f.fail("demands", "at most one demand of kind 'export_cap'")

    has_us = bool(sectors)
    us = {"gdp_bn": 0.0, "total_exports_bn": 0.0, "imports_bn": {}, "pivotal_export_share": None, "sources": {}}
    if has_us:
        if "united_states" not in raw:
            raise f.fail("top level", "missing table [united_states]")
        us = f.table(raw["united_states"], UNITED_STATES, "united_states")
        optional = tuple(k for k in ("imports_bn", "pivotal_export_share") if us[k])
        f.sources(us["sources"], ("gdp_bn", "total_exports_bn") + optional, "united_states")
        for sector in us["imports_bn"]:
            if sector not in sector_names:
                raise f.fail(f"united_states.imports_bn.{sector}", f"unknown sector; sectors are {', '.join(sector_names)}")
    elif "united_states" in raw:
        us = {**us, "sources": f.table(raw["united_states"], UNITED_STATES, "united_states")["sources"]}

    generate: dict[str, Any] = {}
    if generated:
        generate = f.table(raw["generate"], GENERATE, "generate")
        countries: tuple[Country, ...] = ()
        if has_us:
            raise f.fail("generate", "generated symmetric countries are only supported without [[sectors]] (classroom games)")
    else:
        countries = tuple(_country(c, i, f, sector_names) for i, c in enumerate(f.array(raw, "countries")))
        names = [c.name for c in countries]
        if not countries:
            raise f.fail("countries", "no countries; a scenario needs at least one [[countries]] entry")
        if len(set(names)) != len(names):
            raise f.fail("countries", "country names must be unique")
        if sum(c.role == "china" for c in countries) > 1:
            raise f.fail("countries", "at most one country may have role = 'china'")
        if not has_us and len(countries) < 2:
            raise f.fail("countries", "a game without [[sectors]] (a classroom game) needs at least two countries")
        if not has_us and any(c.role == "china" for c in countries):
            raise f.fail("countries", "role = 'china' needs the United States: add [[sectors]] and [united_states]")

    country_names = [c.name for c in countries]
    for demand in demands:
        for country_name in demand.countries:
            if country_name not in country_names:
                raise f.fail(f"demands[{demand.id}].countries", f"unknown country '{country_name}'")
        if countries and not any(demand.put_to(c) for c in countries):  # e.g. China the only country
            why = " (an alignment demand is never put to China, role = 'china')" if demand.kind == "alignment" else ""
            raise f.fail(f"demands[{demand.id}]", f"is put to no country{why}; add a partner it applies to, "
                                                  "or remove the demand")
    schedule = tuple(_schedule(s, i, f, sector_names, country_names)
                     for i, s in enumerate(f.array(raw, "schedule", required=False)))
    threats = tuple(_threat(t, i, f, sector_names, country_names)
                    for i, t in enumerate(f.array(raw, "threats", required=False)))
    data = ScenarioData(
        **{**head, "title": head["title"] if head["title"] is not None else head["name"]},
        params=params,
        param_sources=param_sources,
        us_gdp_bn=us["gdp_bn"],
        us_total_exports_bn=us["total_exports_bn"],
        us_sources={str(k): str(v) for k, v in us["sources"].items()},
        us_imports_bn=us["imports_bn"],
        us_pivotal_export_share=us["pivotal_export_share"],
        sectors=sectors,
        demands=demands,
        schedule=schedule,
        countries=countries,
        has_united_states=has_us,
        generated=generated,
        path=path,
        generate=generate,
        threats=threats,
    )
    if data.generated:
        data = generate_countries(data)
    return data


def _parse_params(raw: Any, f: _File) -> tuple[dict[str, Any], dict[str, str]]:
    if not isinstance(raw, dict):
        raise f.fail("params", f"expected a table, got {raw!r}")
    values = dict(raw)
    sources = values.pop("sources", {})
    if not isinstance(sources, dict):
        raise f.fail("params.sources", "expected a table of parameter = source")
    params = param_registry.resolve(values, where=f"{f.path}: [params]", from_text=False, error=ScenarioError)
    for key in sources:
        if key not in param_registry.PARAMS:
            raise f.fail("params.sources", f"'{key}' is not a parameter")
    return params, {str(k): str(v) for k, v in sources.items()}


def _named(raw: Any, key: str, index: int, kind: str, f: _File) -> str:
    """The entry's name for messages: ``countries[Canada]`` rather than ``countries[0]``."""
    where = f"{kind}[{index}]"
    if not isinstance(raw, dict):
        raise f.fail(where, "expected a table")
    name = raw.get(key)
    if not isinstance(name, str):
        raise f.fail(f"{where}.{key}", "is missing; expected a string")
    return f"{kind}[{name}]" if NAME.matches(name) else where  # a bad name is named by its index


def _sector(raw: dict, index: int, f: _File) -> Sector:
    v = f.table(raw, SECTOR, _named(raw, "name", index, "sectors", f))
    return Sector(**{**v, "label": v["label"] if v["label"] is not None else v["name"]})


def _demand(raw: dict, index: int, f: _File, sector_names: list[str]) -> Demand:
    where = _named(raw, "id", index, "demands", f)
    v = f.table(raw, DEMAND, where)
    for sector in v["sectors"]:
        if sector not in sector_names:
            raise f.fail(f"{where}.sectors", f"unknown sector '{sector}'; sectors are {', '.join(sector_names)}")
    if v["kind"] == "export_cap" and not v["sectors"]:
        raise f.fail(f"{where}.sectors", "an export_cap demand must name the sectors it caps")
    if v["kind"] == "linked" and not v["linked_to"]:
        raise f.fail(f"{where}.linked_to", "a linked demand must name the negotiation it is linked to")
    return Demand(**{**v, "label": v["label"] if v["label"] is not None else v["id"]})


def _schedule(raw: dict, index: int, f: _File, sector_names: list[str], country_names: list[str]) -> ScheduleChange:
    where = f"schedule[{index}]"
    v = f.table(raw, SCHEDULE, where)
    if v["sector"] not in sector_names:
        raise f.fail(f"{where}.sector", f"got '{v['sector']}'; expected one of {', '.join(sector_names)}")
    for name in v["countries"] + v["exclude"]:
        if name not in country_names:
            raise f.fail(where, f"unknown country '{name}'")
    return ScheduleChange(**v)


def _threat(raw: dict, index: int, f: _File, sector_names: list[str], country_names: list[str]) -> Threat:
    where = f"threats[{index}]"
    v = f.table(raw, THREAT, where)
    for sector in v["sectors"]:
        if sector not in sector_names:
            raise f.fail(f"{where}.sectors", f"unknown sector '{sector}'; sectors are {', '.join(sector_names)}")
    for name in v["countries"]:
        if name not in country_names:
            raise f.fail(f"{where}.countries", f"unknown country '{name}'")
    return Threat(**v)


def _country(raw: dict, index: int, f: _File, sector_names: list[str]) -> Country:
    where = _named(raw, "name", index, "countries", f)
    v = f.table(raw, COUNTRY, where)
    for table in ("exports_to_us_bn", "tariffs", "duty_free_share"):
        for sector in v[table]:
            if sector not in sector_names:
                raise f.fail(f"{where}.{table}.{sector}", f"unknown sector; sectors are {', '.join(sector_names)}")
    # the fields are the schema's; no patience (None) means the shared parameter
    if v["security_ties"]:
        try:
            score = security_score(v["security_ties"])
        except ValueError as exc:
            raise f.fail(f"{where}.security_ties", str(exc)) from None
        if v["security_dependence"] is not None and abs(v["security_dependence"] - score) > 1e-9:
            raise f.fail(f"{where}.security_dependence", f"is {v['security_dependence']:g} but the rubric scores its "
                                                         f"ties {score:g}; give one of the two")
        v["security_dependence"] = score
    elif v["security_dependence"] is None:
        raise f.fail(f"{where}.security_dependence", "is missing; give it, or the security_ties the rubric scores")
    given = tuple(name for name in ("china_value_added", "duty_free_share", "pivotal_export_share",
                                    "security_ties", "counter_tariffs_bn") if v[name])
    given += ("counter_tariffs",) if v["counter_tariffs"] != "none" else ()
    needed = tuple(k for k in SOURCED_COUNTRY_FIELDS if not (k == "security_dependence" and v["security_ties"]))
    return Country(**{**v, "sources": f.sources(v["sources"], needed + given, where)})
