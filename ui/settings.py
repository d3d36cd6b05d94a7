"""What the app's controls hold, and the model they stand for.

:class:`Settings` holds what a person typed or picked; :func:`build_model` turns it
into a :class:`~sim.model.NegotiationModel`, raising :class:`~sim.world.errors.UserError`
with a readable message for bad input (so the page shows it and keeps the old game).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.model import NegotiationModel
from sim.world.errors import ParameterError, UserError  # noqa: F401 - UserError: what the page catches
from sim.world.loader import builtin_names, load_scenario
from sim.world.params import PARAMS, STRATEGY_NAMES, coerce_seed
from sim.world.params import coerce as param_coerce

# Parameters the app offers as controls, with the slider range a student needs
# (the full valid range of each is in sim.world.params; "Other settings" reaches the rest).
SLIDERS: dict[str, tuple[float, float, float]] = {
    "us_toughness": (0.0, 1.0, 0.05),
    "escalation_step": (0.0, 1.0, 0.05),
    "deadline_round": (0, 30, 1),
    "demand_elasticity": (0.5, 10.0, 0.25),
    "decision_noise": (0.0, 10.0, 0.25),
    "patience": (0.0, 0.99, 0.01),
}

LABELS = {
    "us_toughness": "U.S. toughness",
    "escalation_step": "Escalation step (1 = doubles the announced rate)",
    "deadline_round": "Deadline round (0 = none)",
    "demand_elasticity": "Import demand elasticity",
    "decision_noise": "Decision noise",
    "patience": "Patience (discount factor)",
    "china_active": "China acts (punishes aligners, courts hedgers)",
}

# Controls that mean nothing without a U.S. agent (the classroom game): hidden there.
US_ONLY = ("us_toughness", "escalation_step", "deadline_round", "china_active")

# Strategies a student can pick here ("human" needs the play-a-country panel).
APP_STRATEGIES = tuple(s for s in STRATEGY_NAMES if s != "human")

ALL_COUNTRIES = "All countries"


# ---------------------------------------------------------------------------- settings
@dataclass
class Settings:
    """What the controls hold; every field may come straight from a widget."""

    scenario: str = "section232_2018"
    seed: Any = "7"
    params: dict[str, Any] = field(default_factory=dict)
    strategies: dict[str, str] = field(default_factory=dict)  # ALL_COUNTRIES or country -> strategy
    extra: str = ""  # "name=value, name=value" for any other parameter
    country: str | None = None  # the country a person plays (strategy "human"), or None to watch
    rounds: int | None = None  # rounds of a played game (None: the history horizon or the scenario's length)

def scenario_defaults(name: str) -> dict[str, Any]:
    """Values of the app's controls for a scenario (its file may change the defaults)."""
    params = load_scenario(name).params
    out = {key: params[key] for key in SLIDERS}
    out["china_active"] = bool(params["china_active"])
    out["strategy"] = params["strategy"] if params["strategy"] in APP_STRATEGIES else "expected_utility"
    return out

def default_settings(scenario: str = "section232_2018") -> Settings:
    values = scenario_defaults(scenario)
    strategy = values.pop("strategy")
    return Settings(scenario=scenario, seed="7", params=values, strategies={ALL_COUNTRIES: strategy})

MAX_SEED_DIGITS = 30
MAX_PLAY_ROUNDS = 200  # rounds a person can play by hand in one game


def parse_seed(text: Any) -> int:
    """A seed from a text box: a whole number >= 0; anything else raises ParameterError.

    Unlike the model (where no seed means a random one), the app needs a seed, so
    that a game can be replayed.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        raise ParameterError("Seed is empty: type a whole number such as 7 (the same seed replays the same game).")
    digits = str(text).strip()
    if digits.isdigit() and len(digits) > MAX_SEED_DIGITS:
        raise ParameterError(f"Seed is too long ({len(digits):,} digits): use a whole number of at most "
                             f"{MAX_SEED_DIGITS} digits, for example 7.")
    if len(digits) > 40:
        digits = digits[:20] + "..."
    try:
        return int(coerce_seed(text))
    except ParameterError:
        raise ParameterError(f"Seed must be a whole number of 0 or more, got {digits!r} (for example 7).") from None


def parse_rounds(text: Any) -> int:
    """'Rounds to play' from a text box: 0 (the history horizon or the scenario's length) to MAX_PLAY_ROUNDS."""
    value = str(text if text is not None else "").strip().replace(",", "").replace("_", "")
    if value == "":
        return 0
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_PLAY_ROUNDS:  # '²' is a digit to isdigit()
        shown = value if len(value) <= 20 else value[:20] + "..."
        raise ParameterError(f"Rounds to play must be a whole number from 0 to {MAX_PLAY_ROUNDS}, got {shown!r} "
                             "(0 = the history horizon or the scenario's length).")
    return int(value)

def parse_extra(text: str) -> dict[str, Any]:
    """Parse "name=value, name=value" into validated settings (ParameterError naming every bad one).

    Names are model parameters, or country fields as on the command line:
    ``Canada.security_dependence=0.3``, ``all.patience=0.5``, ``scale.security_dependence=0.5``
    (those are checked against the scenario when the game is built).
    """
    out: dict[str, Any] = {}
    problems: list[str] = []
    for chunk in (text or "").replace(";", ",").replace("\n", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        if "=" not in chunk:
            problems.append(f"{chunk!r} is not of the form name=value (e.g. escalation_ceiling=0.5)")
            continue
        key, value = (part.strip() for part in chunk.split("=", 1))
        if "." in key:
            out[key] = value
        elif key not in PARAMS:
            problems.append(f"unknown parameter {key!r}")
        else:
            try:
                out[key] = param_coerce(key, value, where="Other settings")
            except ParameterError as exc:
                problems.append(str(exc).removeprefix("Other settings: "))
    if problems:
        known = "" if all("unknown" not in p for p in problems) else f" Known parameters: {', '.join(PARAMS)}."
        raise ParameterError("Other settings: " + "; ".join(problems) + "." + known)
    return out

def build_model(settings: Settings, human: bool = True) -> NegotiationModel:
    """A new model from the controls; raises UserError with a readable message on bad input.

    With ``settings.country`` set, that country is played by a person (``human=True``) or,
    for the debrief's shadow game, follows the default expected-utility rule (``human=False``).
    """
    if settings.scenario not in builtin_names():
        raise ParameterError(f"Unknown scenario {settings.scenario!r}; pick one of {', '.join(builtin_names())}.")
    seed = parse_seed(settings.seed)
    params: dict[str, Any] = {}
    for key, value in settings.params.items():
        if key not in PARAMS:
            raise ParameterError(f"Unknown parameter {key!r}.")
        params[key] = param_coerce(key, value, where=LABELS.get(key, key))
    extra = parse_extra(settings.extra)
    params.update({k: v for k, v in extra.items() if "." not in k})
    names = {c.name for c in load_scenario(settings.scenario).countries}
    overrides: dict[str, Any] = {}
    for target, strategy in settings.strategies.items():
        if strategy not in STRATEGY_NAMES:
            raise ParameterError(f"Unknown strategy {strategy!r}; pick one of {', '.join(APP_STRATEGIES)}.")
        if target == ALL_COUNTRIES:
            params["strategy"] = strategy
        elif target in names:  # choices made for another scenario's countries are dropped
            overrides[f"{target}.strategy"] = strategy
    if settings.country:
        if settings.country not in names:
            raise ParameterError(f"Country to play: {settings.country!r} is not in scenario "
                                 f"'{settings.scenario}'; pick one of {', '.join(sorted(names))}.")
        overrides[f"{settings.country}.strategy"] = "human" if human else "expected_utility"
    overrides = {**{k: v for k, v in extra.items() if "." in k}, **overrides}
    return NegotiationModel(scenario_name=settings.scenario, rng=seed, overrides=overrides, **params)


def scenario_names() -> list[str]:
    """The built-in scenarios a student can pick."""
    return builtin_names()


def controls_for(scenario: str) -> list[str]:
    """The sliders (and the China box) that act in a scenario: without a U.S. agent, the U.S. and China ones do not."""
    keys = [*SLIDERS, "china_active"]
    if load_scenario(scenario).has_united_states:
        return keys
    return [k for k in keys if k not in US_ONLY]


def country_names(scenario: str) -> list[str]:
    """The economies of a built-in scenario, in its order."""
    return [c.name for c in load_scenario(scenario).countries]
