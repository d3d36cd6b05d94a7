"""The options a country chooses among, and their labels (the one vocabulary of moves).

An *option* is a stance (wait, retaliate, WTO case, hedge toward China) plus the set
of demands accepted.  Only "wait" can be combined with accepting demands: waiting
while accepting some demands is partial compliance, accepting all is full
compliance.  So each demand can be accepted or refused on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np

from sim.world.vocabulary import STANCE_NAMES, Stance

# The stances open to a country in each kind of game.
CLASSROOM_STANCES = (Stance.WAIT, Stance.RETALIATE)
US_STANCES = (Stance.WAIT, Stance.RETALIATE, Stance.WTO, Stance.HEDGE)


def describe_move(stance: str, accepted: Sequence[str], asked: Sequence[str]) -> str:
    """The label of a move: ``"retaliate"``, ``"wait (refuse all)"``, ``"accept export_cap, security"``,
    ``"comply (accept all)"``.  ``accepted`` lists the demand ids accepted (in scenario order),
    ``asked`` the ids of the demands put to the country."""
    if stance != Stance.WAIT.label:
        return stance
    if not accepted:
        return "wait (refuse all)"
    if set(asked) <= set(accepted):
        return "comply (accept all)"
    return "accept " + ", ".join(accepted)


@dataclass(frozen=True)
class OptionTable:
    accept: np.ndarray  # [K, D] bool
    stance: np.ndarray  # [K] int

    @property
    def size(self) -> int:
        return len(self.stance)

    def label(self, k: int, demand_ids: list[str], asked: np.ndarray | None = None) -> str:
        """Option ``k`` in words, for a country asked the demands in ``asked`` ([D] bool; default: all)."""
        accepted = [demand_ids[j] for j in np.flatnonzero(self.accept[k])]
        asked_ids = demand_ids if asked is None else [demand_ids[j] for j in np.flatnonzero(asked)]
        return describe_move(STANCE_NAMES[self.stance[k]], accepted, asked_ids)

    def index(self, stance: int, accepted: np.ndarray) -> int:
        """The option with this stance and exactly these demands ([D] bool) accepted."""
        match = (self.stance == stance) & (self.accept == accepted).all(axis=1)
        return int(np.flatnonzero(match)[0])

    def refuse_all(self) -> int:
        """Wait and accept nothing."""
        return self.index(Stance.WAIT, np.zeros(self.accept.shape[1], dtype=bool))

    def comply_options(self, applicable: np.ndarray) -> np.ndarray:
        """Per country, the option "wait and accept every demand that applies" ([n, D] -> [n])."""
        return np.array([self.index(Stance.WAIT, row) for row in applicable], dtype=int).reshape(len(applicable))


def build_options(n_demands: int, stances: tuple[int, ...]) -> OptionTable:
    """Every subset of demands with "wait", then each other stance refusing all."""
    rows, stance = [], []
    for subset in product((False, True), repeat=n_demands):
        rows.append(subset)
        stance.append(Stance.WAIT)
    for st in stances:
        if st != Stance.WAIT:
            rows.append((False,) * n_demands)
            stance.append(st)
    accept = np.array(rows, dtype=bool).reshape(len(rows), n_demands)
    return OptionTable(accept=accept, stance=np.array(stance, dtype=int))
