"""Decision rules for country agents, one small class each (axelrod-style).

Every rule decides for a *group* of countries at once (numpy arrays indexed by
country), so a thousand countries cost one call, not a thousand.  A rule sees
only the previous round: moves in the same round are simultaneous.

The repeated-game rules play the binary game of the literature:

* cooperate (C) = comply: accept every demand that applies and stay open;
* defect (D)    = retaliate: refuse the package and impose counter-tariffs.

"The opponent" is the U.S. where there is one: it defected if the country is
under tariffs after the U.S. resolved last round.  In symmetric classroom games
without a U.S., it is the partners: they defected if most of them retaliated.

All rules are registered in :data:`STRATEGIES` so the model, app, docs and
tests find them in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

COOPERATE = True
DEFECT = False


@dataclass
class History:
    """What a rule may know about the previous rounds, for the countries it decides for."""

    round: int  # the round being decided, 1-based
    own_cooperated: np.ndarray  # bool, own move last round (True at round 1)
    opponent_cooperated: np.ndarray  # bool, the opponent's move last round (True at round 1)
    opponent_ever_defected: np.ndarray  # bool, any defection by the opponent so far


class Strategy:
    """Base class: a documented decision rule.

    Subclasses set ``name``, ``classifier`` and implement :meth:`cooperate`.
    """

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    classifier: ClassVar[dict] = {}

    def __init__(self, params: dict | None = None):
        self.params = params or {}

    def cooperate(self, history: History, rng: np.random.Generator) -> np.ndarray:
        """Return a bool array: True where the country cooperates (complies) this round."""
        raise NotImplementedError


class AlwaysComply(Strategy):
    """Always cooperates: accepts the package and never retaliates.

    The unconditional cooperator of Axelrod (1984), "The Evolution of Cooperation".
    """

    name = "always_comply"
    label = "always comply"
    classifier = {"memory_depth": 0, "stochastic": False}

    def cooperate(self, history, rng):
        return np.ones_like(history.own_cooperated, dtype=bool)


class AlwaysRetaliate(Strategy):
    """Always defects: refuses the package and retaliates every round.

    The unconditional defector of Axelrod (1984).
    """

    name = "always_retaliate"
    label = "always retaliate"
    classifier = {"memory_depth": 0, "stochastic": False}

    def cooperate(self, history, rng):
        return np.zeros_like(history.own_cooperated, dtype=bool)


class TitForTat(Strategy):
    """Cooperates first, then copies the opponent's last move.

    Rapoport's entry that won Axelrod's tournaments (Axelrod 1984).  Under noise it
    echoes a mistaken retaliation back and forth (Molander 1985).
    """

    name = "tit_for_tat"
    label = "tit-for-tat"
    classifier = {"memory_depth": 1, "stochastic": False}

    def cooperate(self, history, rng):
        if history.round <= 1:
            return np.ones_like(history.own_cooperated, dtype=bool)
        return history.opponent_cooperated.copy()


class Grim(Strategy):
    """Cooperates until the opponent defects once, then defects for ever.

    The grim trigger of Friedman (1971): sustains cooperation iff the discount
    factor is at least (T-R)/(T-P).  axelrod calls it ``Grudger``.
    """

    name = "grim"
    label = "grim trigger"
    classifier = {"memory_depth": float("inf"), "stochastic": False}

    def cooperate(self, history, rng):
        return ~history.opponent_ever_defected


class GenerousTitForTat(Strategy):
    """Tit-for-tat that forgives a defection with probability ``generosity``.

    Nowak & Sigmund (1992), "Tit for tat in heterogeneous populations", Nature 355:
    generosity ``min(1 - (T-R)/(R-S), (R-P)/(T-P))`` (1/3 for 3,0,5,1) recovers
    cooperation after mistakes.
    """

    name = "generous_tit_for_tat"
    label = "generous tit-for-tat"
    classifier = {"memory_depth": 1, "stochastic": True}

    def cooperate(self, history, rng):
        if history.round <= 1:
            return np.ones_like(history.own_cooperated, dtype=bool)
        generosity = float(self.params.get("generosity", 1.0 / 3.0))
        forgive = rng.random(history.opponent_cooperated.shape) < generosity
        return history.opponent_cooperated | forgive


class WinStayLoseShift(Strategy):
    """Repeats its last move after a good outcome (opponent cooperated), switches otherwise.

    Nowak & Sigmund (1993), "A strategy of win-stay, lose-shift that outperforms
    tit-for-tat", Nature 364 (also "Pavlov").  It cooperates iff both players made
    the same move last round.
    """

    name = "win_stay_lose_shift"
    label = "win-stay, lose-shift"
    classifier = {"memory_depth": 1, "stochastic": False}

    def cooperate(self, history, rng):
        if history.round <= 1:
            return np.ones_like(history.own_cooperated, dtype=bool)
        return history.own_cooperated == history.opponent_cooperated


class ExpectedUtility(Strategy):
    """Expected utility over beliefs about the reply, with logit (quantal-response) noise.

    McKelvey & Palfrey (1995), "Quantal response equilibria for normal form games".
    Chooses among every combination of accepted demands and a stance (wait,
    retaliate, WTO case, hedge toward China).  The utilities are computed in
    :mod:`agents.decision`; this class only marks the rule.
    """

    name = "expected_utility"
    label = "expected utility (logit)"
    classifier = {"memory_depth": float("inf"), "stochastic": True}


class Human(Strategy):
    """A person chooses the move in the browser (or through ``model.set_human_choice``).

    Without a choice for the round the country waits and refuses the package.
    """

    name = "human"
    label = "human player"
    classifier = {"memory_depth": float("inf"), "stochastic": False}


STRATEGIES: dict[str, type[Strategy]] = {
    cls.name: cls
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

RULE_BASED = tuple(name for name, cls in STRATEGIES.items() if cls not in (ExpectedUtility, Human))
