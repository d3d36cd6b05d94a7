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
    return {"path": str(path), "horizon_rounds": horizon, "horizon": str(head.get("horizon", "")),
            "description": str(head.get("description", "")), "source": str(head.get("source", "")),
            "economies": economies}
