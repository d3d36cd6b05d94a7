"""Play a country in the browser: the round brief, the move, the debrief.

A person plays one country (strategy "human"); every other country stays an agent.
:class:`PlayGame` holds the played model and a *shadow* model built from the same
scenario, parameters and seed in which the same country follows the default
expected-utility rule.  Both advance one round per "Play this round".  At the end,
:func:`debrief` compares the person's result with the agent's and, where the
scenario has a history table (``section232_2018``), with what the country actually did.
"""

from __future__ import annotations

import copy
import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.options import describe_move
from sim.world import history
from sim.world.errors import ParameterError, UserError
from sim.world.vocabulary import StrategyName
from ui.inspector import event_words
from ui.texts import CLASSROOM_HELP, CLASSROOM_TITLES, STANCE_HELP, STANCE_TITLES, value_text

if TYPE_CHECKING:
    from sim.model import NegotiationModel
    from ui.settings import Settings


class _NullCollector:
    """Stands in for the DataCollector in a preview copy (nothing is recorded)."""

    def collect(self, model) -> None:  # noqa: D401
        return None

# ---------------------------------------------------------------------------- history
@functools.cache
def load_history(scenario: str) -> dict[str, Any] | None:
    """The scenario's history table with economies keyed by name, or None when there is none (read once
    per process: a class table asks for it for every seat at every round; do not change the result)."""
    try:
        table = history.load_history(scenario)
    except UserError:
        return None
    return {**table, "economies": {row["name"]: row for row in table["economies"]}}

def history_of(scenario: str, country: str) -> dict[str, Any] | None:
    """What ``country`` actually did in the scenario's history, or None."""
    table = load_history(scenario)
    if table is None or country not in table["economies"]:
        return None
    row = table["economies"][country]
    out = {
        "retaliated": row.get("retaliated") if isinstance(row.get("retaliated"), bool) else None,
        "settled": row.get("settled") if isinstance(row.get("settled"), bool) else None,
        "source": str(row.get("source", "")),
        "note": str(row.get("note", "")),
        "description": str(row.get("description", "")),
        "horizon": table["horizon"],
        "horizon_rounds": table["horizon_rounds"],
    }
    return out

# ---------------------------------------------------------------------------- the game
def option_label(model: "NegotiationModel", country: str, accepted, stance: str) -> str:
    """The composite option's label (as in ``option_utilities``) for a move."""
    world = model.world
    i = world.names.index(country)
    wanted = [d for j, d in enumerate(world.demand_ids) if d in set(accepted) and world.applicable[i, j]]
    return describe_move(stance, wanted, [d for j, d in enumerate(world.demand_ids) if world.applicable[i, j]])


class RoundPreview:
    """What every option is worth to every country *this* round ($bn a year), best first, and
    what the agent would choose in each played seat.

    A throw-away copy of the model plays the round: the utilities a country's decision is
    based on depend only on the state before the round, so they are exactly those the real
    round will use (what an agent in that seat weighs now).  One copy per round serves
    every country, so a class game with many played countries pays for one.  In the copy,
    every country played by a person follows its agent rule (``stand_ins``: country name ->
    strategy), so that :meth:`agent_move` is the agent's choice *in the same situation*: the
    same world the person moves in, not the agents' own game.
    """

    def __init__(self, model: "NegotiationModel", stand_ins: dict[str, str] | None = None):
        self.model = model
        self.stand_ins = dict(stand_ins or {})
        self._round = -1
        self._trial: NegotiationModel | None = None
        self._by_country: dict[int, dict[str, float]] = {}

    def _play_trial(self) -> "NegotiationModel":
        if self._round != self.model.round:
            model = self.model
            memo = {id(model.datacollector): _NullCollector(), id(model.events): []}
            trial = copy.deepcopy(model, memo)
            for name, rule in self.stand_ins.items():
                if trial.countries[trial.world.names.index(name)].strategy == StrategyName.HUMAN:
                    trial.set_strategy(name, rule)
            trial.step()
            self._trial, self._round, self._by_country = trial, model.round, {}
        return self._trial

    def of(self, index: int) -> dict[str, float]:
        trial = self._play_trial()
        if index not in self._by_country:
            self._by_country[index] = trial.countries[index].option_utilities()
        return self._by_country[index]

    def agent_move(self, index: int) -> str:
        """The move the country's agent rule makes this round in this world (its decision noise included)."""
        trial = self._play_trial()
        return trial.options.label(int(trial.state.option[index]), trial.world.demand_ids,
                                   trial.world.applicable[index])


BY_STUDENT = "student"  # who played a recorded move: the person (a class game adds the agent's cases)


def default_rounds(scenario: str, length: int) -> int:
    """Rounds of a played game when none is given: the history horizon, else the scenario's ``length``."""
    history = load_history(scenario)
    if history and history["horizon_rounds"]:
        return int(history["horizon_rounds"])
    return int(length)


class PlayGame:
    """A person's game as one country, with the agent's shadow game for comparison.

    A class game (:mod:`ui.classgame`) holds one PlayGame per country over one shared model,
    shadow and :class:`RoundPreview`, and steps them itself (:meth:`check_move`, :meth:`record_round`).
    """

    def __init__(self, settings: "Settings", model: "NegotiationModel", shadow: "NegotiationModel",
                 preview: RoundPreview | None = None):
        self.country = settings.country
        if self.country not in model.world.names:
            raise ParameterError(f"{self.country!r} is not a country of scenario '{model.scenario_name}'")
        self.index = model.world.names.index(self.country)
        self.model = model
        self.shadow = shadow
        total = int(settings.rounds) if settings.rounds else default_rounds(model.scenario_name, model.scenario_data.rounds)
        if total < 1:
            raise ParameterError(f"Rounds to play must be 1 or more, got {total}.")
        self.rounds_total = total
        self.moves: list[dict[str, Any]] = []
        self.finished = False
        # on its own, the person's seat falls back to the rule it follows in the shadow game
        self._preview = preview or RoundPreview(model, {self.country: shadow.world.strategies[self.index]})

    @property
    def stances(self) -> list[str]:
        return ["wait", "retaliate"] if self.model.is_classroom else ["wait", "retaliate", "wto", "hedge"]

    def applicable_demands(self) -> list[str]:
        world = self.model.world
        return [d for j, d in enumerate(world.demand_ids) if world.applicable[self.index, j]]

    def preview(self) -> dict[str, float]:
        """Value ($bn a year) of every option *this* round, best first (see :class:`RoundPreview`)."""
        return self._preview.of(self.index)

    def options_by_stance(self) -> dict[str, list[tuple[str, float]]]:
        """This round's options (label, utility; best first) under each stance; an empty list means
        the stance is closed now (e.g. a WTO case while you face no U.S. tariffs, as for the agents)."""
        ranked = list(self.preview().items())
        return {stance: [(label, value) for label, value in ranked if stance_of(label) == stance]
                for stance in self.stances}

    def check_move(self, accepted=(), stance: str = "wait") -> tuple[str, ...]:
        """The move's accepted demands (those put to the country); ParameterError for a move not open now."""
        if self.finished:
            raise ParameterError("The game is over: read the debrief, or press Reset to play again.")
        if not isinstance(stance, str) or stance not in self.stances:
            raise ParameterError(f"Stance must be one of {', '.join(self.stances)}, got {str(stance)[:40]!r}.")
        accepted = tuple(d for d in accepted if d in self.applicable_demands())
        if stance != "wait" and accepted:
            raise ParameterError(f"Demands can only be accepted with the stance 'wait', not '{stance}'. "
                                 "Untick the demands or choose Wait.")
        if not self.options_by_stance()[stance]:
            raise ParameterError(closed_reason(stance))
        return accepted

    def agent_move(self) -> str:
        """What the agent would choose in this seat this round, in this world (see :class:`RoundPreview`)."""
        return self._preview.agent_move(self.index)

    def play_round(self, accepted=(), stance: str = "wait") -> None:
        accepted = self.check_move(accepted, stance)
        utilities, agent = self.preview(), self.agent_move()
        self.model.set_human_choice(self.country, accepted, stance)
        self.model.step()
        self.shadow.step()
        self.record_round(utilities, agent)

    def record_round(self, utilities: dict[str, float], agent_move: str, **extra: Any) -> dict[str, Any]:
        """Record the round just played (the model and the shadow have stepped); ``utilities`` are
        the option values before it (:meth:`preview`), ``agent_move`` the agent's choice in the same
        situation (:meth:`agent_move`).  ``extra`` is kept with the move (a class game notes who
        played it: when the agent played the seat, its own move is "the agent's")."""
        model, shadow, i = self.model, self.shadow, self.index
        label = model.options.label(int(model.state.option[i]), model.world.demand_ids, model.world.applicable[i])
        ranked = list(utilities)
        by_person = extra.get("played_by", BY_STUDENT) == BY_STUDENT
        move = {
            "round": model.round,
            "you": label,
            "you_rank": ranked.index(label) + 1 if label in ranked else None,
            "you_value": utilities.get(label),
            "agent": agent_move if by_person else label,
            "you_welfare": float(model.state.welfare[i]),
            "agent_welfare": float(shadow.state.welfare[i]),
            "you_treatment": model.countries[i].treatment,
            "agent_treatment": shadow.countries[i].treatment,
            **extra,
        }
        self.moves.append(move)
        if model.round >= self.rounds_total:
            self.finished = True
        return move

    def finish(self) -> None:
        """End the game early ("Finish and debrief")."""
        self.finished = True

# ---------------------------------------------------------------------------- views
def stance_of(label: str) -> str:
    """The stance of an option label ("accept export_cap" and "comply" are waiting moves)."""
    return "wait" if label.startswith(("wait", "accept", "comply")) else label.split(" ")[0]


def closed_reason(stance: str) -> str:
    """Why a stance cannot be chosen this round."""
    if stance == "wto":
        return ("A WTO case needs a measure to challenge: you face no U.S. tariffs now (an exemption, a quota or "
                "a deal), so you cannot file one this round. The agents follow the same rule.")
    return f"'{stance}' is not open to you this round."


def money(x: float, per: str = "") -> str:
    """An amount in $bn as people read it: "-$1.25bn", "+$70.9m", "$0" (never "-$0.00bn").

    Below $1bn it is in $m with one decimal: a four-month class game's welfare is a few $m, and
    at $0.01bn every result would read the same."""
    if abs(x) >= 1:
        text = f"${abs(x):.2f}bn"
    else:
        text = f"${abs(x) * 1000:.1f}m"
    if text in ("$0.0m",):
        return "$0" + per
    return ("-" if x < 0 else "+") + text + per


def money_resolution_bn(x: float) -> float:
    """The smallest difference :func:`money` shows near ``x`` ($bn)."""
    return 0.01 if abs(x) >= 1 else 0.0001


def demand_words(model: "NegotiationModel") -> dict[str, str]:
    """Each demand id as a student reads it (the checkbox's wording)."""
    return {d.id: d.label for d in model.scenario_data.demands}


def move_words(label: str, words: dict[str, str]) -> str:
    """A move's label with the demands in words: "accept export_cap, wto_cases" ->
    "accept: cap steel and aluminium exports at 2017 levels; join WTO cases against Chinese practices"."""
    if not label.startswith("accept "):
        return label
    ids = label.removeprefix("accept ").split(", ")
    return "accept: " + "; ".join(words.get(d, d) for d in ids)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _result(model: "NegotiationModel", i: int) -> dict[str, Any]:
    state, agent = model.state, model.countries[i]
    return {
        "cum_welfare_bn": float(state.cum_welfare[i]),
        "treatment": agent.treatment,
        "tariff_pct": 100.0 * agent.tariff,
        "retaliated": bool(state.retaliated_ever[i]),
        "settled": bool(state.settled_ever[i]),
        "accepted": agent.accepted_demands,
        "last_move": state.action_label(i) if model.round > 0 else "none",
    }

def china_lines(model: "NegotiationModel", i: int) -> list[str]:
    """China's stance toward the played country, in plain words."""
    china = model.china
    if china is None:
        return ["There is no China agent in this scenario."]
    params, state, world = model.params, model.state, model.world
    if not china.active:
        lines = ["China stays out of it this game (it neither punishes nor courts third countries)."]
    else:
        lines = [f"China punishes partners that accept anti-China (alignment) demands: each round it hits an "
                 f"aligned partner with probability {params['china_punish_probability']:.0%}, costing a share "
                 f"of its trade with China (${world.china_trade[i]:.0f}bn a year for you). "
                 "It courts partners that hedge toward it with trade concessions."]
        if model.round > 0 and state.china_punished[i]:
            lines.append("Last round China punished you for aligning with the U.S.")
        elif model.round > 0 and state.china_courted[i]:
            lines.append("Last round China courted you with trade concessions.")
    china_idx = np.flatnonzero(world.is_china)
    if model.round > 0 and len(china_idx) and int(china_idx[0]) != i:
        lines.append(f"China's own move toward the U.S. last round: {state.action_label(int(china_idx[0]))}.")
    return lines

def play_view(game: PlayGame, student: str | None = None) -> dict[str, Any]:
    """Everything the play panel shows this round, as plain data (``student``: whose debrief, in a class game)."""
    model, i = game.model, game.index
    world, state = model.world, model.state
    agent = model.countries[i]
    classroom = model.is_classroom
    demands = []
    for j, demand in enumerate(model.scenario_data.demands):
        if not world.applicable[i, j]:
            continue
        demands.append({"id": demand.id, "label": demand.label, "kind": demand.kind,
                        "description": getattr(demand, "description", "") or "",
                        "accepted_last": bool(state.accepted[i, j]) if model.round > 0 else False})
    utilities = {} if game.finished else game.preview()
    ranked = list(utilities.items())
    by_stance = {} if game.finished else game.options_by_stance()
    per_stance = []
    for stance in game.stances:
        options = by_stance.get(stance, [])
        best = options[0] if options else (None, None)
        per_stance.append({
            "stance": stance,
            "title": (CLASSROOM_TITLES if classroom else STANCE_TITLES)[stance],
            "help": (CLASSROOM_HELP if classroom else STANCE_HELP)[stance],
            "best_option": best[0], "best_utility": best[1],
            "open": bool(options) or game.finished,
            "closed_reason": "" if options or game.finished else closed_reason(stance),
        })
    words = demand_words(model)
    last_events = [event_words(e, words) for e in model.events
                   if e["round"] == model.round and e["country"] == game.country and model.round > 0]
    return {
        "country": game.country,
        "round": model.round,
        "next_round": model.round + 1,
        "rounds_total": game.rounds_total,
        "round_label": model.scenario_data.round_label or "round",
        "finished": game.finished,
        "classroom": classroom,
        "treatment": agent.treatment,
        "tariff_pct": 100.0 * agent.tariff,
        "exports_to_us_bn": agent.exports_to_us_bn,
        "welfare_change_bn": agent.welfare_change_bn if model.round > 0 else None,  # no last round yet
        "cum_welfare_bn": float(state.cum_welfare[i]),
        "last_move": state.action_label(i) if model.round > 0 else None,
        "last_events": last_events,
        "demands": demands,
        "demand_ids": [d for j, d in enumerate(world.demand_ids) if world.applicable[i, j]],
        "words": words,
        "china": china_lines(model, i),
        "stances": per_stance,
        "utilities": ranked,
        "noise": float(model.params.get("decision_noise", 0.0)),
        "moves": list(game.moves),
        "debrief": debrief(game, student) if game.finished else None,
        "_cache": {},  # what the pages build from this view, once (ui.components.round_brief_json)
    }

CONSEQUENCE_BEST = "Your move is the model's best option this round ({value} a year)."
CONSEQUENCE_OTHER = "Your move is worth {value} a year this round, rank {rank} of {n}; {best}."
NO_ESTIMATE = "No estimate for this option."


def consequence_parts(view: dict[str, Any]) -> tuple[dict[str, tuple[str, int]], str]:
    """Each option's value (as shown, "+$12m") and rank this round, and the words about the best one
    ("the best is '...' (+$15m)"): the pieces of :func:`consequence` (the round panel's template
    puts them together in the browser, with :data:`CONSEQUENCE_BEST` and :data:`CONSEQUENCE_OTHER`)."""
    ranked = view["utilities"]
    classroom = view.get("classroom", False)
    values = {label: (value_text(value, classroom), k + 1) for k, (label, value) in enumerate(ranked)}
    if not ranked:
        return values, ""
    best_label, best_value = ranked[0]
    return values, f"the best is '{move_words(best_label, view.get('words', {}))}' ({value_text(best_value, classroom)})"


def consequence(view: dict[str, Any], label: str) -> str:
    """One line on the chosen option: its value this round and its rank."""
    values, best = consequence_parts(view)
    if label not in values:
        return NO_ESTIMATE
    value, rank = values[label]
    if rank == 1:
        return CONSEQUENCE_BEST.format(value=value)
    return CONSEQUENCE_OTHER.format(value=value, rank=rank, n=len(values), best=best)


def own_moves(game: PlayGame, student: str | None = None) -> list[dict[str, Any]]:
    """The moves the person sent (in a class game: this student), not those the agent made for the seat."""
    return [m for m in game.moves if m.get("played_by", BY_STUDENT) == BY_STUDENT
            and (student is None or m.get("student") == student)]


MODEL_RUNS = 30  # posterior-predictive runs behind the debrief's "the model" column


@functools.lru_cache(maxsize=8)
def _predictive(scenario: str, rounds: int, runs: int) -> tuple[dict[str, Any], str, tuple[str, ...]]:
    from sim import predictive
    from sim.world.loader import load_scenario

    data = load_scenario(scenario)
    predicted, note = predictive.predictive(data, rounds, runs)
    return predicted, note, tuple(c.name for c in data.countries)


def model_odds(scenario: str, country: str, rounds: int, runs: int = MODEL_RUNS) -> dict[str, Any] | None:
    """How often the model's country retaliated and settled in ``runs`` posterior-predictive runs of the scenario
    as shipped (parameters drawn from the calibrated posterior, one per run), with 90% intervals; None for a
    scenario without a history table (it is computed once per scenario and length, for every country)."""
    from sim import predictive

    if load_history(scenario) is None:
        return None
    predicted, note, names = _predictive(scenario, rounds, runs)
    i = names.index(country)
    out: dict[str, Any] = {"runs": runs, "note": note}
    for key in ("retaliated", "settled"):
        share = float(predicted[key][i])
        out[key], out[f"{key}_90"] = share, predictive.interval(share, runs)
    return out


def debrief(game: PlayGame, student: str | None = None) -> dict[str, Any]:
    """Compare the person's game with the agent's (shadow game), with the model's odds over its posterior
    predictive, and with history.

    In a class game ``student`` names whose debrief it is: "you retaliated" (counter-tariffs in force) counts
    only if that student chose to retaliate, not a month the agent played for the seat (no move in time, or
    before the student took it, or another student's)."""
    i = game.index
    you = _result(game.model, i)
    mine = own_moves(game, student)
    others = [m for m in game.moves if m not in mine]
    you["retaliated"] = you["retaliated"] and any(stance_of(m["you"]) == "retaliate" for m in mine)
    agent = _result(game.shadow, i)
    history = history_of(game.model.scenario_name, game.country)
    odds = model_odds(game.model.scenario_name, game.country, game.model.round) if history is not None else None
    classroom = game.model.is_classroom
    label = game.model.scenario_data.round_label or "round"

    def amount(x: float) -> str:
        return f"{x:.2f} payoff units" if classroom else money(x).lstrip("+")

    diff = you["cum_welfare_bn"] - agent["cum_welfare_bn"]
    if (abs(diff) < 0.005) if classroom else money(diff) == "$0":
        verdict = "You ended level with the agent."
    elif diff > 0:
        verdict = f"You did better than the agent by {amount(diff)} of cumulative welfare."
    else:
        verdict = f"The agent did better than you by {amount(-diff)} of cumulative welfare."
    notes = []
    if others:
        rounds = ", ".join(str(m["round"]) for m in others)
        notes.append(f"The agent played {game.country} in {label}{'s' if len(others) > 1 else ''} {rounds} "
                     f"(no move from you); {'those moves are' if len(others) > 1 else 'that move is'} not "
                     "counted as yours.")
    if history is not None and mine:
        for key, word in (("retaliated", "retaliate"), ("settled", "settle")):
            if history[key] is None:
                continue
            if you[key] == history[key]:
                notes.append(f"Like {game.country} in reality, you {'did' if you[key] else 'did not'} {word}.")
            else:
                notes.append(f"Unlike {game.country} in reality (which {'did' if history[key] else 'did not'} "
                             f"{word}), you {'did' if you[key] else 'did not'}.")
    if history is not None and history["horizon_rounds"] and history["horizon_rounds"] != game.model.round:
        notes.append(f"History is coded at {label} {history['horizon_rounds']} ({history['horizon']}); "
                     f"you played {plural(game.model.round, label)}.")
    return {
        "country": game.country,
        "rounds": game.model.round,
        "played": plural(game.model.round, label),
        "round_label": label,
        "unit": "payoff units" if classroom else "$bn",
        "you": you,
        "agent": agent,
        "history": history,
        "history_available": history is not None,
        "history_compared": history is not None and bool(mine),
        "model": odds,
        "verdict": verdict,
        "notes": notes,
        "moves": list(game.moves),
        "words": demand_words(game.model),
    }
