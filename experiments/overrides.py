"""Sweep-level override names on top of the model's own (``sim.params`` and ``COUNTRY.FIELD``).

* ``all.FIELD = v``   sets ``COUNTRY.FIELD = v`` for every country of the scenario,
  e.g. ``all.security_dependence = 0.8``.
* ``scale.FIELD = k`` multiplies every country's own ``FIELD`` by ``k`` (clipped to
  the field's range), e.g. ``scale.security_dependence = 0.5`` halves each
  country's sourced value and keeps the differences between countries.

Both are expanded by :func:`sim.scenario.expand_overrides` (so they also work with
``tradesim run --set`` and in the app); this module adds the value types a sweep
spec needs.
"""

from __future__ import annotations

from sim.world import params as param_registry
from sim.world.overrides import PREFIXES, expand_overrides  # noqa: F401 - re-exported for sweeps


def param_kind(name: str) -> type | None:
    """The value type of a sweep parameter name (float for country fields and scales)."""
    prefix, dot, field_name = name.partition(".")
    if not dot:
        spec = param_registry.PARAMS.get(name)
        return spec.kind if spec else None
    if field_name == "strategy" or field_name == "initial_treatment":
        return str
    return float
