"""Decision rules for country agents, one small class each (axelrod-style).

Every rule is a class with one decision method, :meth:`Strategy.choose`: given a
:class:`Decision` (the countries that follow it, their history, the value of every
option this round), it returns the option each of them plays.  It decides for a
*group* of countries at once (numpy arrays indexed by country), so a thousand
countries cost one call, not a thousand.  A rule sees only the previous round:
moves in the same round are simultaneous.

The repeated-game rules (:class:`RepeatedGameRule`) play the binary game of the
literature:

* cooperate (C) = comply: accept every demand that applies and stay open;
* defect (D)    = retaliate: refuse the package and impose counter-tariffs.

"The opponent" is the U.S. where there is one: it defected if the country is
under tariffs after the U.S. resolved last round.  In symmetric classroom games
without a U.S., it is the partners: they defected if most of them retaliated.

All rules are registered in :data:`STRATEGIES` (keyed by their
:class:`~sim.world.vocabulary.StrategyName`) so the model, app, docs and tests
find them in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from agents.choice import logit_choice, nested_choice
from sim.world.vocabulary import StrategyName

COOPERATE = True
DEFECT = False


@dataclass
class History:
    """What a rule may know about the previous rounds, for the countries it decides for."""

    round: int  # the round being decided, 1-based
    own_cooperated: np.ndarray  # bool, own move last round (True at round 1)
    opponent_cooperated: np.ndarray  # bool, the opponent's move last round (True at round 1)
    opponent_ever_defected: np.ndarray  # bool, any defection by the opponent so far


def _no_log(country: int, kind: str, text: str) -> None:
    return None


@dataclass
class Decision:
    """What a rule sees when it chooses for the countries that follow it, this round."""

    countries: np.ndarray  # indices of the deciding countries
    history: History  # their repeated-game history
    utilities: np.ndarray  # [n, K] utility of every option for every country (-inf: not open to it)
    comply: np.ndarray  # [len(countries)] the option "wait and accept every demand that applies"
    retaliate: int  # the option "retaliate"
    refuse_all: int  # the option "wait and accept nothing"
    rng: np.random.Generator
    noise: float = 0.0  # logit decision noise of classroom games (``decision_noise``)
    option_stance: np.ndarray | None = None  # [K] the stance of each option
    shocks: np.ndarray | None = None  # [len(countries), stances] persistent stance preferences (U.S. games)
    tremble: float = 0.0  # chance a repeated-game move comes out flipped (``execution_noise``)
    log: Callable[[int, str, str], None] = field(default=_no_log)  # an event line (country, kind, text)

    @property
    def group_utilities(self) -> np.ndarray:
        """The deciding countries' rows of ``utilities`` (no copy when every country decides)."""
        return self.utilities if len(self.countries) == len(self.utilities) else self.utilities[self.countries]


class Strategy:
    """Base class: a documented decision rule with one decision method, :meth:`choose`."""

    name: ClassVar[StrategyName]
    label: ClassVar[str] = ""
    classifier: ClassVar[dict] = {}
    follows_utilities: ClassVar[bool] = False  # its choice follows the option utilities (the inspector says so)
    played_by_person: ClassVar[bool] = False  # a person chooses its moves (the browser's play panel)
    how: ClassVar[str] = ""  # what the rule does, in plain words, after "it" (the inspector shows it)
    pools_in_bloc: ClassVar[bool] = False  # members of a bloc with this rule choose together

    def __init__(self, params: dict | None = None):
        self.params = params or {}

    def choose(self, decision: Decision) -> np.ndarray:
        """The option index each deciding country plays this round."""
        raise NotImplementedError


class RepeatedGameRule(Strategy):
    """A rule of the repeated-game literature: cooperate (comply) or defect (retaliate).

    Subclasses implement :meth:`cooperate`; with execution noise (Selten's trembling
    hand) a move comes out flipped with probability ``execution_noise``.
    """

    def cooperate(self, history: History, rng: np.random.Generator) -> np.ndarray:
        """Return a bool array: True where the country cooperates (complies) this round."""
        raise NotImplementedError

    def choose(self, decision: Decision) -> np.ndarray:
        cooperate = self.cooperate(decision.history, decision.rng)
        if decision.tremble > 0:
            flip = decision.rng.random(len(decision.countries)) < decision.tremble
            cooperate = np.where(flip, ~cooperate, cooperate)
        return np.where(cooperate, decision.comply, decision.retaliate)


class Unconditional(RepeatedGameRule):
    """Plays the same move whatever happened (``move``)."""

    move: ClassVar[bool]
    classifier = {"memory_depth": 0, "stochastic": False}

    def cooperate(self, history, rng):
        return np.full(history.own_cooperated.shape, self.move)


class AlwaysComply(Unconditional):
    """Always cooperates: accepts the package and never retaliates.

    The unconditional cooperator of Axelrod (1984), "The Evolution of Cooperation".
    """

    name = StrategyName.ALWAYS_COMPLY
    label = "always comply"
    how = "accepts the whole package every round, whatever happened before"
    move = COOPERATE


class AlwaysRetaliate(Unconditional):
    """Always defects: refuses the package and retaliates every round.

    The unconditional defector of Axelrod (1984).
    """

    name = StrategyName.ALWAYS_RETALIATE
    label = "always retaliate"
    how = "retaliates every round, whatever happened before"
    move = DEFECT


class Reactive(RepeatedGameRule):
    """Cooperates in the first round, then answers what happened in the last one (:meth:`respond`)."""

    def cooperate(self, history, rng):
        if history.round <= 1:
            return np.ones_like(history.own_cooperated, dtype=bool)
        return self.respond(history, rng)

    def respond(self, history: History, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError


class TitForTat(Reactive):
    """Cooperates first, then copies the opponent's last move.

    Rapoport's entry that won Axelrod's tournaments (Axelrod 1984).  Under noise it
    echoes a mistaken retaliation back and forth (Molander 1985).
    """

    name = StrategyName.TIT_FOR_TAT
    label = "tit-for-tat"
    how = "repeats what the other side did last round"
    classifier = {"memory_depth": 1, "stochastic": False}

    def respond(self, history, rng):
        return history.opponent_cooperated.copy()


class Grim(RepeatedGameRule):
    """Cooperates until the opponent defects once, then defects for ever.

    The grim trigger of Friedman (1971): sustains cooperation iff the discount
    factor is at least (T-R)/(T-P).  axelrod calls it ``Grudger``.
    """

    name = StrategyName.GRIM
    label = "grim trigger"
    how = "cooperates until the other side defects once, then retaliates for good"
    classifier = {"memory_depth": float("inf"), "stochastic": False}

    def cooperate(self, history, rng):
        return ~history.opponent_ever_defected


class GenerousTitForTat(Reactive):
    """Tit-for-tat that forgives a defection with probability ``generosity``.

    Nowak & Sigmund (1992), "Tit for tat in heterogeneous populations", Nature 355:
    generosity ``min(1 - (T-R)/(R-S), (R-P)/(T-P))`` (1/3 for 3,0,5,1) recovers
    cooperation after mistakes.
    """

    name = StrategyName.GENEROUS_TIT_FOR_TAT
    label = "generous tit-for-tat"
    how = "repeats what the other side did last round, but sometimes forgives a defection"
    classifier = {"memory_depth": 1, "stochastic": True}

    def respond(self, history, rng):
        generosity = float(self.params.get("generosity", 1.0 / 3.0))
        forgive = rng.random(history.opponent_cooperated.shape) < generosity
        return history.opponent_cooperated | forgive


class WinStayLoseShift(Reactive):
    """Repeats its last move after a good outcome (opponent cooperated), switches otherwise.

    Nowak & Sigmund (1993), "A strategy of win-stay, lose-shift that outperforms
    tit-for-tat", Nature 364 (also "Pavlov").  It cooperates iff both players made
    the same move last round.
    """

    name = StrategyName.WIN_STAY_LOSE_SHIFT
    label = "win-stay, lose-shift"
    how = "keeps its move after a good round and switches after a bad one"
    classifier = {"memory_depth": 1, "stochastic": False}

    def respond(self, history, rng):
        return history.own_cooperated == history.opponent_cooperated


class ExpectedUtility(Strategy):
    """Expected value of each option under the rules it expects, with random-utility noise.

    In U.S. games a nested logit (McFadden 1978; Train 2009, ch. 4): the stance (talk with a
    package, retaliate, WTO case, hedge toward China) with the largest value plus the government's
    persistent preference for it (Gumbel, scale ``decision_noise`` basis points of GDP, drawn once
    per run), then the best package within it (:func:`agents.choice.nested_choice`).  In classroom
    games the logit quantal response of McKelvey & Palfrey (1995), drawn afresh each round
    (:func:`agents.choice.logit_choice`).  The values come from :mod:`agents.utility` (or
    :mod:`agents.classroom`).
    """

    name = StrategyName.EXPECTED_UTILITY
    label = "expected utility (logit)"
    how = "weighs every option by its expected utility and picks the best one most of the time"
    classifier = {"memory_depth": float("inf"), "stochastic": True}
    follows_utilities = True
    pools_in_bloc = True

    def choose(self, decision: Decision) -> np.ndarray:
        if decision.shocks is None:
            return logit_choice(decision.group_utilities, decision.noise, decision.rng)
        return nested_choice(decision.group_utilities, decision.option_stance, decision.shocks)


class Human(Strategy):
    """A person chooses the move in the browser (or through ``model.set_human_choice``).

    Without a choice for the round the country waits and refuses the package.
    """

    name = StrategyName.HUMAN
    label = "human player"
    how = "plays the moves a person chooses in the browser"
    played_by_person = True
    classifier = {"memory_depth": float("inf"), "stochastic": False}

    def __init__(self, params: dict | None = None):
        super().__init__(params)
        self.moves: dict[int, int] = {}  # country index -> option index, for the next round

    def submit(self, country: int, option: int) -> None:
        """A person's move for ``country`` in the next round."""
        self.moves[country] = option

    def choose(self, decision: Decision) -> np.ndarray:
        chosen = []
        for i in decision.countries:
            if i in self.moves:
                chosen.append(self.moves.pop(i))
            else:
                decision.log(i, "human", "no move given, so it waits")
                chosen.append(decision.refuse_all)
        return np.array(chosen, dtype=int)


STRATEGIES: dict[str, type[Strategy]] = {
    cls.name.value: cls
    for cls in (
        ExpectedUtility,
        TitForTat,
        Grim,
        GenerousTitForTat,
        WinStayLoseShift,
        AlwaysComply,
        AlwaysRetaliate,
        Human,
    )
}
