"""One tab's page state and what its buttons do: the game, the controls, busy feedback, the address.

:class:`PageActions` holds one browser tab's :class:`~ui.session.Session` and the
reactive values the page shows.  Every action that changes the game runs in one batch
of reactive changes, so the page redraws once per action; the browser shows a busy bar
from the click until the redraw arrives (:func:`ui.components.BusyBar`).  After each action the page's
address is set to the game's link (:mod:`ui.links`), so a reload replays the game.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

import solara

from sim.world.errors import UserError
from ui.exercises import Exercise, exercise_settings, get_exercise
from ui.links import from_query, to_query
from ui.session import SESSIONS, Session
from ui.settings import (
    ALL_COUNTRIES,
    Settings,
    country_names,
    default_settings,
    parse_rounds,
    scenario_defaults,
)

PLAY_SPEEDS = {"slow (1 s)": 1.0, "normal (0.4 s)": 0.4, "fast": 0.05}


def _link_settings(name: str) -> Settings:
    return exercise_settings(get_exercise(name))


class PageActions:
    """One tab's game and controls.  ``version`` changes once per action (the main panel
    redraws then); ``mode`` only when the kind of game changes (the sidebar redraws then)."""

    def __init__(self, query: str | None = None):
        self.lock = threading.RLock()
        self.version = solara.reactive(0)
        self.playing = solara.reactive(False)
        self.error = solara.reactive("")
        self.tab = solara.reactive(0)
        self.speed = solara.reactive("normal (0.4 s)")
        self.address = solara.reactive("")
        self.render_context = None  # the page's reacton render context: changes made in one batch redraw once
        self.session = Session(default_settings())
        try:
            state = from_query(query, _link_settings)
            if state is not None:
                self.session.restore(state)
        except UserError as exc:
            self.error.value = f"This link could not be opened: {exc} A new game started instead."
        first = self.session.settings
        self.scenario = solara.reactive(first.scenario)
        self.seed = solara.reactive(str(first.seed))
        self.params = solara.reactive(dict(first.params))
        self.strategies = solara.reactive(dict(first.strategies))
        self.target = solara.reactive(ALL_COUNTRIES)
        self.extra = solara.reactive(first.extra)
        self.play_country = solara.reactive(first.country or "")
        self.play_rounds = solara.reactive(str(first.rounds or 0))
        self.exercise = solara.reactive(self.session.exercise)
        self.mode = solara.reactive(self._mode())
        if self.session.play is not None:
            self.tab.value = 1
        self.address.value = to_query(self.session.state())

    # ------------------------------------------------------------------ state
    def _mode(self) -> tuple:
        play = self.session.play
        return (id(self.session.model), play.country if play else None, bool(play and play.finished))

    def current_settings(self, country=None, rounds=None) -> Settings:
        return Settings(scenario=self.scenario.value, seed=self.seed.value, params=dict(self.params.value),
                        strategies=dict(self.strategies.value), extra=self.extra.value,
                        country=country, rounds=rounds)

    def pending(self) -> bool:
        """The sidebar's settings differ from the running game's."""
        s = self.session.settings
        return self.current_settings(s.country, s.rounds) != s

    def close(self) -> None:
        """The tab is gone: stop playing, drop the game."""
        self.playing.value = False
        with self.lock:
            self.session.close()

    # ------------------------------------------------------------------ running an action
    def run(self, work: Callable[[], None]) -> None:
        """Do ``work`` and publish its result in one batch: the page redraws once per action.

        The browser shows the busy bar from the click until ``version`` changes
        (:func:`ui.components.BusyBar`), so no extra redraw is spent on it.
        """
        with self.batch():
            try:
                with self.lock:
                    if self.session.model is None:  # the tab closed meanwhile
                        return
                    work()
            except UserError as exc:
                self.error.value = str(exc)
            self._publish()

    def batch(self):
        """Reactive changes inside redraw the page once, not once per change."""
        return self.render_context if self.render_context is not None else contextlib.nullcontext()

    def _publish(self) -> None:
        self.address.value = to_query(self.session.state())
        self.mode.value = self._mode()
        self.version.value += 1

    def _start(self, settings: Settings, exercise: str | None = None,
               message: str = "The current game is unchanged.") -> bool:
        self.playing.value = False
        try:
            self.session.reset(settings, exercise)
        except UserError as exc:
            self.error.value = f"Could not start a new game: {exc} {message}"
            return False
        self.error.value = ""
        return True

    # ------------------------------------------------------------------ the buttons
    def step(self, rounds: int = 1) -> None:
        def work():
            self.error.value = ""
            self.session.step(rounds)
        self.run(work)

    def step_now(self) -> None:
        """One round from the Play loop (on its own thread)."""
        with self.batch():
            try:
                with self.lock:
                    if self.session.model is None:
                        return
                    self.session.step(1)
            except UserError as exc:
                self.error.value = str(exc)
                self.playing.value = False
            self._publish()

    def reset(self) -> None:
        """A new game with the sidebar's settings; a played country stays played."""
        self.error.value = ""
        def work():
            country = self.session.settings.country
            if country and country not in set(country_names(self.scenario.value)):
                country = None  # the new scenario has no such country: watch the agents instead
            same = self.current_settings(country, self.session.settings.rounds if country else None)
            self._start(same, self.session.exercise if same == self.session.settings else None)
        self.run(work)

    def on_scenario(self, name: str) -> None:
        self.scenario.value = name
        values = scenario_defaults(name)
        strategy = values.pop("strategy")
        self.params.value = values
        self.strategies.value = {ALL_COUNTRIES: strategy}
        self.target.value = ALL_COUNTRIES

    def start_playing(self) -> None:
        def work():
            try:
                rounds = parse_rounds(self.play_rounds.value)
            except UserError as exc:
                self.error.value = f"Could not start playing: {exc}"
                return
            names = country_names(self.scenario.value)
            country = self.play_country.value if self.play_country.value in names else names[0]
            if self._start(self.current_settings(country, rounds or None)):
                self.tab.value = 1
        self.run(work)

    def stop_playing(self) -> None:
        self.run(lambda: self._start(self.current_settings(None, None)))

    def play_round(self, accepted: list[str], stance: str) -> None:
        def work():
            self.error.value = ""
            self.session.play_round(accepted, stance)
        self.run(work)

    def finish(self) -> None:
        self.run(self.session.finish)

    def play_again(self) -> None:
        self.run(lambda: self._start(self.session.settings, self.session.exercise))

    def load_exercise(self, ex: Exercise) -> None:
        settings = exercise_settings(ex)
        self.scenario.value = settings.scenario
        self.seed.value = str(settings.seed)
        self.params.value = dict(settings.params)
        self.strategies.value = dict(settings.strategies)
        self.target.value = ALL_COUNTRIES
        self.extra.value = ""
        self.exercise.value = ex.name
        if ex.country:
            self.play_country.value = ex.country
        self.play_rounds.value = str(ex.rounds or 0)
        self.run(lambda: self._start(settings, ex.name))

    def play_loop(self) -> None:
        """Rounds on a timer while ``playing`` (runs on the Play button's own thread)."""
        while self.playing.value:
            time.sleep(PLAY_SPEEDS.get(self.speed.value, 0.4))
            if not self.playing.value or self.session.model is None:
                break
            self.step_now()


def current_render_context():
    """The render context of the component being rendered (for :meth:`PageActions.batch`)."""
    import reacton.core

    return reacton.core.get_render_context(required=False)


def admit() -> bool:
    """Take a place on this server for a new tab (False: the class is full)."""
    return SESSIONS.admit()


def release() -> None:
    SESSIONS.release()


def places() -> tuple[int, int]:
    """Places taken and the cap."""
    return SESSIONS.open, SESSIONS.limit
