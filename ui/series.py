"""The per-round series the plots draw, appended once per round (a flat cost per round)."""

from __future__ import annotations

import numpy as np

from sim import records

MAX_PLOT_POINTS = 120  # time-series plots show the whole game, thinned to at most this many points


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

    def sample(self, limit: int = MAX_PLOT_POINTS) -> list[int]:
        """Row positions of an even sample of at most ``limit`` rounds, always with the latest."""
        count = len(self.rounds)
        stride = max(1, -(-count // limit))
        rows = list(range((count - 1) % stride, count, stride))
        return rows

    def tariff_rows(self, rows: list[int]) -> np.ndarray:
        return self._matrix[rows]
