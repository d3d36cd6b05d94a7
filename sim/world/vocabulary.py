"""The record vocabulary: stances, treatments, actions and the names of the strategies.

Each is an enum whose members are the codes stored in the model's arrays and
records (``state.stance == Stance.RETALIATE``) and whose ``label`` is the word shown
to people and written to files (``"retaliate"``).  The tuples of labels below are
what the record frames decode codes with.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Stance(IntEnum):
    """What a country does toward the U.S. this round, besides accepting demands."""

    WAIT = 0  # absorb the tariffs, possibly accepting some demands
    RETALIATE = 1  # counter-tariffs on U.S. goods
    WTO = 2  # file a WTO case
    HEDGE = 3  # lean toward China

    @property
    def label(self) -> str:
        return self.name.lower()


class Treatment(IntEnum):
    """How the U.S. treats a partner's exports after resolving the round."""

    TARIFFED = 0
    QUOTA = 1  # a deal with an export cap: the capped sectors trade under a quota
    EXEMPT = 2  # full relief to the floor rate (or a temporary exemption before a deadline)
    DEAL = 3  # a lifting deal: the partner's counter-tariffs lifted with the U.S. rate cut
    RATE_DEAL = 4  # a deal at a rate between the announced one and the floor

    @property
    def label(self) -> str:
        return self.name.lower()


class CounterTariffs(IntEnum):
    """Where a partner's counter-tariffs on U.S. goods stand: a list is announced, takes effect, and
    stays in force until a deal lifts it."""

    NONE = 0
    ANNOUNCED = 1  # a published list, in force once the partner faces the tariffs
    IN_FORCE = 2

    @property
    def label(self) -> str:
        return self.name.lower()


class Action(IntEnum):
    """A country's move as reported: its stance, with "wait" split by what it accepted."""

    WAIT = 0  # waits and accepts nothing
    COMPLY = 1  # waits and accepts the whole package
    PARTIAL = 2  # waits and accepts some demands
    RETALIATE = 3
    WTO = 4
    HEDGE = 5

    @property
    def label(self) -> str:
        return self.name.lower()


class StrategyName(StrEnum):
    """The decision rules a country can follow (the classes are in :mod:`agents.strategies`)."""

    EXPECTED_UTILITY = "expected_utility"
    TIT_FOR_TAT = "tit_for_tat"
    GRIM = "grim"
    GENEROUS_TIT_FOR_TAT = "generous_tit_for_tat"
    WIN_STAY_LOSE_SHIFT = "win_stay_lose_shift"
    ALWAYS_COMPLY = "always_comply"
    ALWAYS_RETALIATE = "always_retaliate"
    HUMAN = "human"


STANCE_NAMES = tuple(s.label for s in Stance)
TREATMENT_NAMES = tuple(t.label for t in Treatment)
ACTION_LABELS = tuple(a.label for a in Action)
STRATEGY_NAMES = tuple(s.value for s in StrategyName)

DEMAND_KINDS = ("export_cap", "alignment", "security", "pledge", "market_access", "linked")
QUOTA_ADMINISTRATION = ("exporter", "importer")
DEMAND_MECHANISMS = ("", "transshipment", "absorption")
ROLES = ("partner", "china")
INITIAL_TREATMENTS = (Treatment.TARIFFED.label, Treatment.EXEMPT.label)
COUNTER_TARIFF_STATES = tuple(c.label for c in CounterTariffs)
SETTLED_TREATMENTS = (Treatment.QUOTA, Treatment.EXEMPT, Treatment.DEAL, Treatment.RATE_DEAL)
