"""One browser tab's game: its model, its per-round series, its figures, the settings it came from.

Also the server's count of open games (:class:`SessionCount`), which caps how many a
server takes at once (``tradesim app --max-sessions``).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from sim.world.errors import ParameterError
from ui.figures import Plots
from ui.inspector import recent_events, status_line
from ui.links import MAX_LINK_ROUNDS, GameState
from ui.play import PlayGame, demand_words, play_view
from ui.series import RoundSeries
from ui.settings import Settings, build_model, default_settings

DEFAULT_MAX_SESSIONS = 40


class Session:
    """One browser tab's game: its model, its per-round series, its figures and the settings it was built from.

    When ``settings.country`` names a country, a person plays it (strategy "human") and
    :attr:`play` (a :class:`ui.play.PlayGame`) runs a shadow model in which the same
    country follows the default expected-utility rule, for the debrief.
    """

    def __init__(self, settings: Settings | None = None):
        self._install(settings or default_settings())

    def _install(self, settings: Settings) -> None:
        model = build_model(settings)
        play = PlayGame(settings, model, build_model(settings, human=False)) if settings.country else None
        self.settings = settings
        self.model = model
        self.play = play
        self.series = RoundSeries(model.world.names)
        self.series.record(model)
        self.plots = Plots(model, self.series)
        self.moves: list[tuple[str, tuple[str, ...]]] = []  # the played moves, for the page's address
        self.exercise: str | None = None

    def step(self, rounds: int = 1) -> None:
        if self.play is not None:
            raise ParameterError(f"You are playing {self.play.country}: choose its move and press "
                                 "'Play this round' (or Reset to watch the agents).")
        for _ in range(rounds):
            self.model.step()
            self.series.record(self.model)

    def play_round(self, accepted: list[str] | tuple[str, ...] = (), stance: str = "wait") -> None:
        """Play one round with the person's move for their country (and step the shadow model)."""
        if self.play is None:
            raise ParameterError("No country is being played: pick one under 'Play a country' first.")
        accepted = tuple(d for d in accepted if d in self.play.applicable_demands())
        self.play.play_round(accepted, stance)
        self.moves.append((stance, accepted))
        self.series.record(self.model)

    def finish(self) -> None:
        if self.play is not None:
            self.play.finish()

    def render(self) -> dict[str, str]:
        """The four figures as SVG (only what changed is rebuilt)."""
        return self.plots.render()

    def reset(self, settings: Settings, exercise: str | None = None) -> None:
        """Rebuild from ``settings``; on bad input raise UserError and keep the current game."""
        self._install(settings)
        self.exercise = exercise

    # ------------------------------------------------------------------ the page's address
    def state(self) -> GameState:
        """This game as a link holds it (see :mod:`ui.links`)."""
        finished = self.play is not None and self.play.finished and self.play.model.round < self.play.rounds_total
        return GameState(settings=self.settings, rounds_played=self.model.round if self.play is None else 0,
                         moves=list(self.moves), finished=finished, exercise=self.exercise)

    def restore(self, state: GameState) -> None:
        """Replay the game a link holds; on bad input raise UserError and keep the current game."""
        session = Session(state.settings)  # built aside, so that an error keeps this game
        if state.settings.country:
            for stance, accepted in state.moves:
                if session.play.finished:
                    break
                session.play_round(accepted, stance)
            if state.finished:
                session.finish()
        else:
            session.step(min(state.rounds_played, MAX_LINK_ROUNDS))
        self.__dict__.update(session.__dict__)
        self.exercise = state.exercise

    def close(self) -> None:
        """Drop the game (the tab closed): nothing of it stays referenced from here."""
        self.model = self.play = self.series = self.plots = None  # type: ignore[assignment]


def round_view(session: Session) -> dict[str, Any]:
    """What the page shows after a round (besides the inspector): figures, log, status, play panel."""
    model, series = session.model, session.series
    view = {
        **session.render(),
        "events": recent_events(model, series=series, words=demand_words(model)),
        "status": status_line(model, series),
        "round": model.round,
        "names": list(model.world.names),
        "scenario": model.scenario_name,
        "description": model.scenario_data.description,
        "play": None,
    }
    if session.play is not None:
        view["play"] = play_view(session.play)
    return view


class SessionCount:
    """How many games a server holds; a new tab is turned away when the class is full.

    The cap is ``TRADESIM_MAX_SESSIONS`` (``tradesim app --max-sessions``), default 40.
    """

    def __init__(self, limit: int | None = None):
        self._lock = threading.Lock()
        self._open = 0
        self._limit = limit

    @property
    def limit(self) -> int:
        if self._limit is not None:
            return self._limit
        try:
            return max(1, int(os.environ.get("TRADESIM_MAX_SESSIONS", DEFAULT_MAX_SESSIONS)))
        except ValueError:
            return DEFAULT_MAX_SESSIONS

    @property
    def open(self) -> int:
        return self._open

    def admit(self) -> bool:
        """Take a place if one is free."""
        with self._lock:
            if self._open >= self.limit:
                return False
            self._open += 1
            return True

    def release(self) -> None:
        with self._lock:
            self._open = max(0, self._open - 1)
        give_back_memory()


SESSIONS = SessionCount()

_TRIM_DELAY = 5.0  # seconds after a tab closed: Solara has torn its widgets down by then
_trim_timer: threading.Timer | None = None
_trim_lock = threading.Lock()


def _trim() -> None:
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc keeps freed heap pages unless asked to give them back
    except (OSError, AttributeError):  # not glibc (macOS, musl): the collection above is all we can do
        pass


def give_back_memory() -> None:
    """A few seconds after a tab closes, collect garbage and hand freed heap pages back to the
    system (once for a burst of closes), so a server's memory goes back down after a class."""
    global _trim_timer
    with _trim_lock:
        if _trim_timer is not None:
            _trim_timer.cancel()
        _trim_timer = threading.Timer(_TRIM_DELAY, _trim)
        _trim_timer.daemon = True
        _trim_timer.start()
