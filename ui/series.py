"""The per-round series the plots draw, appended once per round (a flat cost per round)."""

from __future__ import annotations

import numpy as np

from sim import records
from sim.world.vocabulary import Stance

MAX_PLOT_POINTS = 120  # time-series plots show the whole game, thinned to at most this many points

# What a country does in a round, one category each, so that the counts add up to all countries.
CATEGORIES = {
    "relief": "relief / deal",
    "waiting": "waiting",
    "wto": "WTO case",
    "hedging": "hedging (China)",
    "retaliating": "retaliating",
}
CLASSROOM_CATEGORIES = {"open": "open", "retaliating": "retaliating"}


def categorise(model) -> dict[str, int]:
    """How many countries are in each category this round (every country in exactly one)."""
    stance = model.state.stance
    retaliating = int(np.count_nonzero(stance == Stance.RETALIATE))
    if model.is_classroom:
        return {"open": len(stance) - retaliating, "retaliating": retaliating}
    waiting = stance == Stance.WAIT
    settled = np.asarray(model.state.settled_now, dtype=bool)
    return {
        "relief": int(np.count_nonzero(waiting & settled)),
        "waiting": int(np.count_nonzero(waiting & ~settled)),
        "wto": int(np.count_nonzero(stance == Stance.WTO)),
        "hedging": int(np.count_nonzero(stance == Stance.HEDGE)),
        "retaliating": retaliating,
    }


class RoundSeries:
    """Per-round series, appended once per round (constant cost per round).

    The tariffs are also kept in a matrix that grows by doubling, so a plot can take
    an evenly thinned sample of the whole game in time proportional to the sample.
    """

    def __init__(self, names: list[str]):
        self.names = list(names)
        self.rounds: list[int] = []
        self.tariffs: list[np.ndarray] = []
        self.deals: list[int] = []
        self.retaliators: list[int] = []
        self.waiters: list[int] = []
        self.categories: dict[str, list[int]] = {key: [] for key in (*CATEGORIES, *CLASSROOM_CATEGORIES)}
        self.stances: list[np.ndarray] = []  # each country's stance code, per round
        self._matrix = np.zeros((16, len(self.names)))

    def record(self, model) -> None:
        row = np.array(model.state.avg_tariff, dtype=float)
        count = len(self.rounds)
        if count == len(self._matrix):
            self._matrix = np.vstack([self._matrix, np.zeros_like(self._matrix)])
        self._matrix[count] = row
        self.rounds.append(model.round)
        self.tariffs.append(row)
        self.deals.append(records.deals(model))
        self.retaliators.append(records.retaliators(model))
        self.waiters.append(records.waiters(model))
        for key, value in categorise(model).items():
            self.categories[key].append(value)
        self.stances.append(np.array(model.state.stance, dtype=np.int8))

    def sample(self, limit: int = MAX_PLOT_POINTS) -> list[int]:
        """Row positions of an even sample of at most ``limit`` rounds, always with the latest."""
        count = len(self.rounds)
        stride = max(1, -(-count // limit))
        rows = list(range((count - 1) % stride, count, stride))
        return rows

    def tariff_rows(self, rows: list[int]) -> np.ndarray:
        return self._matrix[rows]
