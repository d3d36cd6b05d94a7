"""Classroom exercises: markdown files in docs/exercises with a TOML preset on top.

Each file starts with a ``+++`` block (name, title, scenario, rounds, optional
``country`` to play, and ``[params]``), followed by the NetLogo-style sections
listed in :data:`SECTIONS`.  The preset opens from the app's exercise picker and
from the CLI (``tradesim run --exercise NAME``).
"""

from __future__ import annotations

import functools
import html
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sim.world.errors import UserError
from ui.resources import packaged

if TYPE_CHECKING:
    from ui.settings import Settings

SECTIONS = (
    "WHAT IS IT",
    "LEARNING GOALS",
    "HOW TO RUN",
    "THINGS TO NOTICE",
    "THINGS TO TRY",
    "QUESTIONS",
    "EXTENDING",
    "REFERENCES",
)



@dataclass(frozen=True)
class Exercise:
    name: str
    title: str
    scenario: str
    rounds: int
    params: dict
    country: str | None
    sections: dict[str, str] = field(default_factory=dict)
    path: str = ""

    def preset(self) -> dict:
        return {"scenario": self.scenario, "rounds": self.rounds, "params": dict(self.params), "country": self.country}


def _parse(path: Path) -> Exercise:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"\+\+\+\n(.*?)\n\+\+\+\n(.*)", text, flags=re.S)
    if not match:
        raise UserError(f"{path}: must start with a +++ TOML preset block")
    try:
        head = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: preset is not valid TOML: {exc}") from None
    for key in ("name", "title", "scenario"):
        if not isinstance(head.get(key), str):
            raise UserError(f"{path}: preset field '{key}' is missing; expected a string")
    sections: dict[str, str] = {}
    for block in re.split(r"^## ", match.group(2), flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        sections[heading.strip()] = body.strip()
    return Exercise(
        name=head["name"],
        title=head["title"],
        scenario=head["scenario"],
        rounds=int(head.get("rounds", 20)),
        params=dict(head.get("params", {})),
        country=head.get("country") or None,
        sections=sections,
        path=str(path),
    )


@functools.cache
def _all_exercises() -> tuple[Exercise, ...]:
    return tuple(_parse(path) for path in sorted(packaged("exercises").glob("*.md")))


def list_exercises() -> list[Exercise]:
    """The exercises (parsed once per process: every tab shows the same files)."""
    return list(_all_exercises())


def exercise_names() -> list[str]:
    """The exercises' names, as `tradesim run --exercise NAME` takes them (read from the presets only)."""
    names = []
    for path in sorted(packaged("exercises").glob("*.md")):
        match = re.search(r'^name\s*=\s*"([^"]+)"', path.read_text(encoding="utf-8")[:2000], flags=re.M)
        names.append(match.group(1) if match else path.stem)
    return sorted(names)


def get_exercise(name: str) -> Exercise:
    exercises = {ex.name: ex for ex in list_exercises()}
    if name not in exercises:
        raise UserError(f"unknown exercise '{name}'. Exercises: {', '.join(sorted(exercises))}")
    return exercises[name]


def exercise_preset(name: str) -> dict:
    """The scenario, rounds, parameters and country to play for an exercise."""
    return get_exercise(name).preset()


# ---------------------------------------------------------------------------- exercises
def exercise_settings(exercise: Exercise) -> "Settings":
    """The app settings an exercise's preset stands for (scenario, parameters, rounds, country)."""
    from ui.settings import ALL_COUNTRIES, default_settings

    settings = default_settings(exercise.scenario)
    settings.seed = "0"  # the seed `tradesim run --exercise NAME` uses, so both show the same game
    params = dict(exercise.params)
    strategy = params.pop("strategy", None)
    settings.params.update(params)
    if strategy:
        settings.strategies = {ALL_COUNTRIES: str(strategy)}
    settings.country = exercise.country
    settings.rounds = int(exercise.rounds) if exercise.rounds else None
    return settings


@functools.lru_cache(maxsize=256)
def markdown_html(text: str) -> str:
    """Markdown to HTML for the exercise panel (escaped when the markdown package is missing)."""
    try:
        import markdown
    except ImportError:  # pragma: no cover - solara depends on markdown
        return "<pre style='white-space:pre-wrap'>" + html.escape(text) + "</pre>"
    return markdown.markdown(text, extensions=["tables"])
