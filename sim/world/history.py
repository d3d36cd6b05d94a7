"""History tables: what each economy actually did, the target of back-tests and debriefs.

A scenario ``NAME`` may ship ``NAME_history.toml`` beside it (the scenario loader
ignores such files): a ``[history]`` table with ``horizon_rounds`` (the round the
coding refers to), ``horizon``, ``source``, and one ``[[economies]]`` entry per
economy with ``name``, ``retaliated`` and ``settled`` (true/false) and ``source``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.world.errors import UserError
from sim.world.loader import builtin_dir, read_toml

CATEGORIES = ("retaliated", "settled")
SETTLEMENT_TYPES = ("exemption", "quota", "deal", "none")


def history_path(scenario: str) -> Path:
    text = str(scenario)
    if text.endswith(".toml"):
        return Path(text[: -len(".toml")] + "_history.toml")
    return builtin_dir() / f"{text}_history.toml"


def load_history(scenario: str) -> dict[str, Any]:
    """The validated history table of ``scenario``; a missing or bad file raises UserError.

    Returns ``{"path", "horizon_rounds", "horizon", "description", "source",
    "economies": [{name, retaliated, settled, source, ...}]}``.
    """
    path = history_path(scenario)
    if not path.exists():
        raise UserError(f"no history table for scenario '{scenario}' (looked for {path}); "
                        "the back-test needs a <scenario>_history.toml file")
    raw = read_toml(path, UserError)
    head = raw.get("history", {})
    if not isinstance(head, dict):
        raise UserError(f"{path}: [history] must be a table")
    horizon = head.get("horizon_rounds")
    if not isinstance(horizon, int) or horizon < 1:
        raise UserError(f"{path}: history.horizon_rounds: expected a whole number >= 1, got {horizon!r}")
    economies = raw.get("economies")
    if not isinstance(economies, list) or not economies:
        raise UserError(f"{path}: missing [[economies]] entries")
    for i, row in enumerate(economies):
        for key in ("name", "source"):
            if not isinstance(row.get(key), str):
                raise UserError(f"{path}: economies[{i}].{key}: expected a string")
        for key in CATEGORIES:
            if not isinstance(row.get(key), bool):
                raise UserError(f"{path}: economies[{i}].{key}: expected true or false")
        _check_settlement_and_tariffs(path, i, row)
    return {"path": str(path), "horizon_rounds": horizon, "horizon": str(head.get("horizon", "")),
            "description": str(head.get("description", "")), "source": str(head.get("source", "")),
            "economies": economies, "alternatives": _alternatives(path, raw, economies)}


def _check_settlement_and_tariffs(path: Path, i: int, row: dict) -> None:
    """The optional type of settlement (it must agree with ``settled``) and the rates at the horizon."""
    kind = row.get("settlement")
    if kind is not None:
        if kind not in SETTLEMENT_TYPES:
            raise UserError(f"{path}: economies[{i}].settlement: got {kind!r}; expected one of {', '.join(SETTLEMENT_TYPES)}")
        if (kind != "none") != row["settled"]:
            raise UserError(f"{path}: economies[{i}].settlement = {kind!r} contradicts settled = {row['settled']}")
    rates = row.get("tariff_end")
    if rates is not None:
        if not isinstance(rates, dict) or not all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 10 for v in rates.values()):
            raise UserError(f"{path}: economies[{i}].tariff_end: expected a table of sector = rate from 0 to 10")


def _alternatives(path: Path, raw: dict, economies: list[dict]) -> dict[str, dict[str, dict[str, bool]]]:
    """Alternative codings: name -> {economy: {category: value}}, scored beside the main coding."""
    table = raw.get("alternatives", {})
    names = {row["name"] for row in economies}
    if not isinstance(table, dict):
        raise UserError(f"{path}: [alternatives] must be a table of name = {{ ECONOMY = {{ retaliated = ... }} }}")
    for name, changes in table.items():
        if not isinstance(changes, dict):
            raise UserError(f"{path}: alternatives.{name}: expected a table of economy = {{ category = true/false }}")
        for economy, values in changes.items():
            if economy not in names or not isinstance(values, dict) or not all(
                    key in CATEGORIES and isinstance(v, bool) for key, v in values.items()):
                raise UserError(f"{path}: alternatives.{name}.{economy}: expected a known economy and "
                                f"{{ retaliated / settled = true or false }}")
    return table
