"""History tables: what each economy actually did, the target of back-tests and debriefs.

A scenario ``NAME`` may ship ``NAME_history.toml`` beside it (the scenario loader
ignores such files): a ``[history]`` table with ``horizon_rounds`` (the round the
coding refers to), ``horizon``, ``source``, and one ``[[economies]]`` entry per
economy with ``name``, ``retaliated`` and ``settled`` (true/false), ``source`` and optionally
``settlement`` (its type) and ``tariff_end`` (U.S. rates by sector at the horizon); and an
optional ``[alternatives]`` table of other codings scored beside the main one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.world.errors import UserError
from sim.world.loader import builtin_dir, read_toml
from sim.world.schema import HISTORY_ECONOMY, HISTORY_HEAD, read_table, unknown_key

CATEGORIES = ("retaliated", "settled")


def history_path(scenario: str) -> Path:
    text = str(scenario)
    if text.endswith(".toml"):
        return Path(text[: -len(".toml")] + "_history.toml")
    return builtin_dir() / f"{text}_history.toml"


def display_path(path: Path) -> str:
    """A history file as people should read it: ``sim/scenarios/NAME_history.toml`` for a
    built-in (not the install folder), else the path as the user gave it."""
    if path.parent == builtin_dir():
        return f"sim/scenarios/{path.name}"
    return str(path)


def load_history(scenario: str) -> dict[str, Any]:
    """The validated history table of ``scenario``; a missing or bad file raises UserError.

    Returns ``{"path", "file" (the path to show), "horizon_rounds", "horizon", "description", "source",
    "economies": [{name, retaliated, settled, source, note, description}]}``; the
    fields are declared in :data:`sim.world.schema.HISTORY_HEAD` and
    :data:`~sim.world.schema.HISTORY_ECONOMY` and checked like a scenario file's.
    """
    path = history_path(scenario)
    if not path.exists():
        raise UserError(f"no history table for scenario '{scenario}' (looked for {path}); "
                        "the back-test needs a <scenario>_history.toml file")
    raw = read_toml(path, UserError)
    for key in raw:
        if key not in ("history", "economies", "alternatives"):
            raise unknown_key(f"{path}: top level", key, ("history", "economies", "alternatives"), UserError, what="table")
    head = read_table(raw.get("history", {}), HISTORY_HEAD, f"{path}: history", UserError)
    economies = raw.get("economies")
    if not isinstance(economies, list) or not economies:
        raise UserError(f"{path}: missing [[economies]] entries")
    rows = [read_table(row, HISTORY_ECONOMY, f"{path}: economies[{i}]", UserError) for i, row in enumerate(economies)]
    names = [row["name"] for row in rows]
    if len(set(names)) != len(names):
        raise UserError(f"{path}: economies: names must be unique")
    for i, row in enumerate(rows):
        _check_settlement(path, i, row)
    return {"path": str(path), "file": display_path(path), "horizon_rounds": head["horizon_rounds"], "horizon": head["horizon"],
            "description": head["description"], "source": head["source"], "economies": rows,
            "alternatives": _alternatives(path, raw, rows)}


def _check_settlement(path: Path, i: int, row: dict) -> None:
    """The type of settlement, when given, must agree with ``settled``."""
    kind = row["settlement"]
    if kind is not None and (kind != "none") != row["settled"]:
        raise UserError(f"{path}: economies[{i}].settlement = {kind!r} contradicts settled = {row['settled']}")


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
