"""Sweep-level override names on top of the model's own (``sim.params`` and ``COUNTRY.FIELD``).

* ``all.FIELD = v``   sets ``COUNTRY.FIELD = v`` for every country of the scenario,
  e.g. ``all.security_dependence = 0.8``.
* ``scale.FIELD = k`` multiplies every country's own ``FIELD`` by ``k`` (clipped to
  the field's range), e.g. ``scale.security_dependence = 0.5`` halves each
  country's sourced value and keeps the differences between countries.

Everything else is passed through to :func:`sim.scenario.apply_overrides`.
"""

from __future__ import annotations

from typing import Any

from sim import params as param_registry
from sim.errors import ParameterError

PREFIXES = ("all", "scale")


def param_kind(name: str) -> type | None:
    """The value type of a sweep parameter name (float for country fields and scales)."""
    prefix, dot, field_name = name.partition(".")
    if not dot:
        spec = param_registry.PARAMS.get(name)
        return spec.kind if spec else None
    if field_name == "strategy" or field_name == "initial_treatment":
        return str
    return float


def expand_overrides(data, overrides: dict[str, Any]) -> dict[str, Any]:
    """Turn ``all.X`` / ``scale.X`` keys into ``COUNTRY.X`` keys for the scenario ``data``.

    Global parameters are applied first, so that ``n_countries`` in the same
    dict decides which countries ``all.X`` reaches in the classroom scenario.
    """
    plain = {k: v for k, v in overrides.items() if k.partition(".")[0] not in PREFIXES or "." not in k}
    special = {k: v for k, v in overrides.items() if k not in plain}
    if not special:
        return dict(plain)
    from sim.scenario import COUNTRY_OVERRIDABLE, apply_overrides

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
