"""A game as a link: the page's address holds the settings and the moves, so a reload replays it.

``?scenario=classroom&seed=3`` opens a scenario with a seed, ``?exercise=replay-2018`` an
exercise (its preset: scenario, parameters, rounds, country to play), and the page keeps
its address up to date as the game goes on (``round=12`` for a watched game; ``play``,
``rounds`` and ``moves`` for a played one), so a reload, a restarted server or a copied
link replays the same game: the model is deterministic for a scenario, settings and seed.

Fields (all optional): ``scenario``, ``seed``, ``exercise``, ``set`` (sliders and other
parameters as ``name=value;name=value``, only where they differ from the scenario's
defaults), ``rules`` (``all:grim;Canada:tit_for_tat``), ``play`` (the country played),
``rounds`` (rounds to play), ``round`` (rounds stepped in a watched game), ``moves``
(the played moves, ``wait.export_cap.security~retaliate~wto``), ``done=1`` (finished early).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from sim.world.errors import ParameterError
from sim.world.schema import WHOLE_TEXT
from ui.settings import ALL_COUNTRIES, Settings, default_settings, parse_rounds, scenario_defaults

MAX_LINK_ROUNDS = 2000  # a link replays at most this many rounds (a few seconds of server time)
FIELDS = ("scenario", "seed", "exercise", "set", "extra", "rules", "play", "rounds", "round", "moves", "done")


@dataclass
class GameState:
    """What a link holds: the settings, how far the game went, and how it was reached."""

    settings: Settings
    rounds_played: int = 0  # rounds stepped in a watched game
    moves: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (stance, accepted) per played round
    finished: bool = False  # a played game ended early with "Finish and debrief"
    exercise: str | None = None


def encode_move(stance: str, accepted) -> str:
    return ".".join([stance, *accepted])


def decode_move(text: str) -> tuple[str, tuple[str, ...]]:
    stance, *accepted = text.split(".")
    return stance, tuple(accepted)


def to_query(state: GameState) -> str:
    """The query string (without '?') for a game."""
    s = state.settings
    out: dict[str, Any] = {}
    if state.exercise:
        out["exercise"] = state.exercise
    out["scenario"] = s.scenario
    out["seed"] = str(s.seed).strip()
    defaults = scenario_defaults(s.scenario)
    changed = {k: v for k, v in s.params.items() if defaults.get(k) != v}
    if changed:
        out["set"] = ";".join(f"{k}={v}" for k, v in changed.items())
    if s.extra.strip():
        out["extra"] = s.extra.strip()
    rules = {k: v for k, v in s.strategies.items() if not (k == ALL_COUNTRIES and v == defaults["strategy"])}
    if rules:
        out["rules"] = ";".join(f"{'all' if k == ALL_COUNTRIES else k}:{v}" for k, v in rules.items())
    if s.country:
        out["play"] = s.country
        if s.rounds:
            out["rounds"] = str(s.rounds)
        if state.moves:
            out["moves"] = "~".join(encode_move(stance, accepted) for stance, accepted in state.moves)
        if state.finished:
            out["done"] = "1"
    elif state.rounds_played:
        out["round"] = str(state.rounds_played)
    return urlencode(out, safe=".~:;=,")


def _value(text: str) -> Any:
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        number = float(text)
    except ValueError:
        return text.strip()
    return int(text) if WHOLE_TEXT.fullmatch(text) else number  # 1e1 stays a float, refused where a count goes


def _whole(name: str, text: str, high: int) -> int:
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or int(value) > high:
        raise ParameterError(f"Link: '{name}' must be a whole number from 0 to {high}, got {value[:20]!r}.")
    return int(value)


def from_query(query: str | None, exercise_settings=None) -> GameState | None:
    """The game a query string stands for, or None when it names none.

    ``exercise_settings(name)`` turns an exercise name into its Settings (raising UserError
    for an unknown one).  Raises ParameterError for anything a link may not hold.
    """
    params = {k: v[-1] for k, v in parse_qs((query or "").lstrip("?"), keep_blank_values=True).items()}
    params = {k: v for k, v in params.items() if k in FIELDS}
    if not params:
        return None
    exercise = params.get("exercise") or None
    if exercise:
        if exercise_settings is None:
            raise ParameterError("Link: exercises cannot be opened here.")
        settings = exercise_settings(exercise)
        if "scenario" in params and params["scenario"] != settings.scenario:
            settings = default_settings(params["scenario"])
            exercise = None
    else:
        settings = default_settings(params.get("scenario", "section232_2018"))
    if "seed" in params:
        settings.seed = params["seed"]
    if params.get("set"):
        for chunk in params["set"].split(";"):
            if "=" not in chunk:
                raise ParameterError(f"Link: 'set' must hold name=value pairs, got {chunk!r}.")
            key, value = chunk.split("=", 1)
            settings.params[key.strip()] = _value(value)
    if params.get("extra"):
        settings.extra = params["extra"]
    if params.get("rules"):
        rules = dict(settings.strategies)
        for chunk in params["rules"].split(";"):
            target, _, rule = chunk.partition(":")
            rules[ALL_COUNTRIES if target == "all" else target] = rule
        settings.strategies = rules
    state = GameState(settings=settings, exercise=exercise)
    if params.get("play"):
        settings.country = params["play"]
        if "rounds" in params:
            settings.rounds = parse_rounds(params["rounds"]) or None
        if params.get("moves"):
            state.moves = [decode_move(m) for m in params["moves"].split("~")][:MAX_LINK_ROUNDS]
        state.finished = params.get("done") == "1"
    elif "play" in params:  # an empty play= means a watched game
        settings.country, settings.rounds = None, None
    if "round" in params and not settings.country:
        state.rounds_played = _whole("round", params["round"], MAX_LINK_ROUNDS)
    return state
