"""Overrides on top of a scenario, as ``--set``, sweep specs and the app give them.

* ``PARAM = value``: a parameter (see :mod:`sim.world.params`);
* ``COUNTRY.FIELD = value``: one country's field (``Canada.security_dependence = 0.3``;
  ``South_Korea`` also finds "South Korea"), its strategy or initial treatment, or its
  exports of one sector (``Canada.exports_to_us_bn:steel = 5`` or ``Canada.steel = 5``);
* ``all.FIELD = value``: that field for every country;
* ``scale.FIELD = k``: every country's own value times ``k``, clipped to the field's range.

Every value is checked against the field's declaration in :mod:`sim.world.schema`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sim.world import params as param_registry
from sim.world.errors import ParameterError
from sim.world.scenario import Country, ScenarioData, generate_countries
from sim.world.schema import COUNTRY, COUNTRY_NUMBERS, EXPORT_VALUE, Field

PREFIXES = ("all", "scale")
SCALE_FACTOR = Field("scale", float, 1.0, 0.0, help="factor applied to every country's own value")
# Country fields a COUNTRY.FIELD override may set, besides the numbers and sector exports.
COUNTRY_CHOICES = ("strategy", "initial_treatment")


def parse_set_options(items: list[str] | None) -> dict[str, str]:
    """Parse ``["key=value", ...]`` from the command line."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--set expects KEY=VALUE, got '{item}'")
        out[key.strip()] = value.strip()
    return out


def apply_overrides(data: ScenarioData, overrides: dict[str, Any]) -> ScenarioData:
    """Return ``data`` with parameter, ``COUNTRY.FIELD``, ``all.FIELD`` and ``scale.FIELD`` overrides applied and validated."""
    if any(k.partition(".")[0] in PREFIXES and "." in k for k in overrides):
        overrides = expand_overrides(data, overrides)
    global_overrides = {k: v for k, v in overrides.items() if "." not in k}
    country_overrides = {k: v for k, v in overrides.items() if "." in k}
    params = param_registry.resolve(global_overrides, base=data.params)
    data = replace(data, params=params)
    if data.generated and ({"n_countries", "trade_per_partner_bn"} & set(global_overrides)):
        data = generate_countries(data)
    for key, value in country_overrides.items():
        country_key, _, field_name = key.rpartition(".")
        country = _find_country(data, country_key)
        data = _override_country(data, country, field_name, value)
    return data


def _find_country(data: ScenarioData, key: str) -> Country:
    wanted = key.replace("_", " ").strip().lower()
    for country in data.countries:
        if country.name.lower() == wanted:
            return country
    raise ParameterError(
        f"unknown country '{key}' in scenario '{data.name}'. Countries: {', '.join(c.name for c in data.countries)}"
    )


def _override_country(data: ScenarioData, country: Country, field_name: str, value: Any) -> ScenarioData:
    label = f"{country.name}.{field_name}"
    sectors = [s.name for s in data.sectors]
    if field_name in COUNTRY_CHOICES:
        new = replace(country, **{field_name: COUNTRY[field_name].coerce(value, label)})
    elif field_name.startswith("exports_to_us_bn:") or field_name in sectors:
        sector = field_name.split(":", 1)[-1]
        if sector not in sectors:
            raise ParameterError(f"{label}: unknown sector '{sector}'; sectors are {', '.join(sectors) or 'none'}")
        number = EXPORT_VALUE.coerce(value, label)
        new = replace(country, exports_to_us_bn={**country.exports_to_us_bn, sector: number})
    elif field_name in COUNTRY_NUMBERS:
        new = replace(country, **{field_name: COUNTRY[field_name].coerce(value, label)})
    else:
        fields = sorted(COUNTRY_NUMBERS) + list(COUNTRY_CHOICES) + sectors
        raise ParameterError(f"unknown country field '{field_name}' in '{label}'. Country fields: {', '.join(fields)}")
    countries = tuple(new if c.name == country.name else c for c in data.countries)
    return replace(data, countries=countries)


def expand_overrides(data: ScenarioData, overrides: dict[str, Any]) -> dict[str, Any]:
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
            continue
        if field_name not in COUNTRY_NUMBERS:
            raise ParameterError(f"'{key}': only numeric country fields can be scaled: {', '.join(sorted(COUNTRY_NUMBERS))}")
        factor = SCALE_FACTOR.coerce(value, f"'{key}'")
        spec = COUNTRY[field_name]
        for country in current.countries:
            own = getattr(country, field_name)
            if own is None:
                own = current.params.get(_param_of(field_name))
                if own is None:
                    continue
            scaled = float(own) * factor
            if spec.high is not None:
                scaled = min(scaled, spec.high)
            if spec.low is not None:
                scaled = max(scaled, spec.low)
            out[f"{country.name}.{field_name}"] = scaled
    # explicit COUNTRY.FIELD keys win over all./scale. expansions
    return {**out, **plain}


def _param_of(field_name: str) -> str:
    """The parameter a country field falls back to when the country has no value of its own."""
    return field_name
