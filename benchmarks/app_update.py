"""The app's server-side cost of one update: a round, every figure, the inspector, the log.

:func:`measure_update_time` is the "App" row of ``python -m benchmarks``.
"""

from __future__ import annotations

import time
from typing import Any

from ui.inspector import inspect_country
from ui.session import Session, round_view
from ui.settings import Settings, default_settings


def full_update(session: Session, country: str | None = None) -> dict[str, Any]:
    """Everything the server computes for one round in the app: the round itself (Step, or
    'Play this round' with a default move when a country is played), the figures as PNG,
    the inspector, the event log, the status line and the play panel."""
    if session.play is not None and not session.play.finished:
        session.play_round((), "wait")
    elif session.play is None:
        session.step()
    view = round_view(session)
    view["inspector"] = inspect_country(session.model, country or session.model.world.names[0])
    return view

def measure_update_time(at_rounds: tuple[int, ...] = (10, 300), repeats: int = 5,
                        settings: Settings | None = None, details: bool = False) -> dict[int, Any]:
    """Seconds for one full server-side update (step + every component + figures) at each round.

    The session is built and its figures drawn once (not timed: that happens when a game
    starts); every round up to the target is updated as the app would, then the *mean* of
    ``repeats`` consecutive updates from the target round on is reported (so the rounds
    where axes are redrawn in full are counted).  With ``details`` each value is a dict
    with the mean, the max and the per-update timings.
    """
    session = Session(settings or default_settings())
    round_view(session)
    out: dict[int, Any] = {}
    for target in sorted(at_rounds):
        while session.model.round < target - 1:
            full_update(session)
        timings = []
        for _ in range(max(1, int(repeats))):
            start = time.perf_counter()
            full_update(session)
            timings.append(time.perf_counter() - start)
        mean = sum(timings) / len(timings)
        out[target] = {"mean": mean, "max": max(timings), "timings": timings} if details else mean
    return out
