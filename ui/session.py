"""One browser tab's game: its model, its per-round series, its figures, the settings it came from."""

from __future__ import annotations

from typing import Any

from sim.world.errors import ParameterError
from ui.figures import Plots
from ui.inspector import recent_events, status_line
from ui.play import PlayGame, play_view
from ui.series import RoundSeries
from ui.settings import Settings, build_model, default_settings


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
        self._plots: Plots | None = None

    @property
    def plots(self) -> "Plots":
        if self._plots is None or self._plots.model is not self.model:
            self._plots = Plots(self.model, self.series)
        return self._plots

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
        self.play.play_round(accepted, stance)
        self.series.record(self.model)

    def render(self) -> dict[str, bytes]:
        """The four figures as PNG bytes (only what changed is redrawn)."""
        return self.plots.render()

    def reset(self, settings: Settings) -> None:
        """Rebuild from ``settings``; on bad input raise UserError and keep the current game."""
        self._install(settings)


def round_view(session: Session) -> dict[str, Any]:
    """What the page shows after a round (besides the inspector): figures, log, status, play panel."""
    model, series = session.model, session.series
    view = {
        **session.render(),
        "events": recent_events(model),
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
