"""Data preparation for the browser app: pure functions of the model, plus a session.

``app.py`` only lays out widgets; everything it shows comes from here:

* :class:`Settings` and :func:`build_model` turn what a person typed or picked into a
  :class:`~sim.model.NegotiationModel`, raising :class:`~sim.errors.UserError` with a
  readable message for bad input (so the page shows it and keeps the old game);
* :class:`Session` holds one browser tab's model and its per-round history, appended
  once per round (never re-derived from the DataCollector, so the cost of an update
  stays flat as rounds grow);
* ``*_figure`` functions build :class:`matplotlib.figure.Figure` objects (not pyplot,
  so nothing is kept in a global registry) and :func:`figure_png` renders them;
* :func:`inspect_country` and :func:`recent_events` give the inspector and event log;
* :func:`measure_update_time` times one full server-side update at a given round.
"""

from __future__ import annotations

import io
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from sim import records
from sim.world.errors import ParameterError, UserError
from sim.model import NegotiationModel
from sim.world.params import PARAMS, STRATEGY_NAMES
from sim.world.params import coerce as param_coerce
from sim.world.loader import builtin_names, load_scenario

# Parameters the app offers as controls, with the slider range a student needs
# (the full valid range of each is in sim.params; "Other settings" reaches the rest).
SLIDERS: dict[str, tuple[float, float, float]] = {
    "us_toughness": (0.0, 1.0, 0.05),
    "escalation_step": (0.0, 1.0, 0.05),
    "deadline_round": (0, 30, 1),
    "demand_elasticity": (0.5, 10.0, 0.25),
    "decision_noise": (0.0, 10.0, 0.25),
    "patience": (0.0, 0.99, 0.01),
}
LABELS = {
    "us_toughness": "U.S. toughness",
    "escalation_step": "Escalation step (0.25 = +25 tariff points)",
    "deadline_round": "Deadline round (0 = none)",
    "demand_elasticity": "Import demand elasticity",
    "decision_noise": "Decision noise",
    "patience": "Patience (discount factor)",
    "china_active": "China acts (punishes aligners, courts hedgers)",
}
# Strategies a student can pick here ("human" needs the play-a-country panel).
APP_STRATEGIES = tuple(s for s in STRATEGY_NAMES if s != "human")
ALL_COUNTRIES = "All countries"

MAX_PLOT_POINTS = 120  # time-series plots show the whole game, thinned to at most this many points
MAX_LINES = 16  # at most this many countries in the tariff plot
MAX_EVENTS = 60  # event lines shown
MAX_NETWORK_NODES = 24

RELATION_COLORS = {
    "aligned": "#1f77b4",
    "retaliating": "#d62728",
    "hedging": "#ff7f0e",
    "neutral": "#b0b0b0",
}
TREATMENT_COLORS = {"tariffed": "#e377c2", "quota": "#bcbd22", "exempt": "#2ca02c", "deal": "#17becf"}
DPI = 100


# ---------------------------------------------------------------------------- settings
@dataclass
class Settings:
    """What the controls hold; every field may come straight from a widget."""

    scenario: str = "section232_2018"
    seed: Any = "7"
    params: dict[str, Any] = field(default_factory=dict)
    strategies: dict[str, str] = field(default_factory=dict)  # ALL_COUNTRIES or country -> strategy
    extra: str = ""  # "name=value, name=value" for any other parameter
    country: str | None = None  # the country a person plays (strategy "human"), or None to watch
    rounds: int | None = None  # rounds of a played game (None: the history horizon or the scenario's length)


def scenario_defaults(name: str) -> dict[str, Any]:
    """Values of the app's controls for a scenario (its file may change the defaults)."""
    params = load_scenario(name).params
    out = {key: params[key] for key in SLIDERS}
    out["china_active"] = bool(params["china_active"])
    out["strategy"] = params["strategy"] if params["strategy"] in APP_STRATEGIES else "expected_utility"
    return out


def default_settings(scenario: str = "section232_2018") -> Settings:
    values = scenario_defaults(scenario)
    strategy = values.pop("strategy")
    return Settings(scenario=scenario, seed="7", params=values, strategies={ALL_COUNTRIES: strategy})


def parse_seed(text: Any) -> int:
    """A seed from a text box: a whole number >= 0; anything else raises ParameterError.

    Unlike the model (where no seed means a random one), the app needs a seed, so
    that a game can be replayed.
    """
    from sim.world.params import coerce_seed

    if text is None or (isinstance(text, str) and not text.strip()):
        raise ParameterError("Seed is empty: type a whole number such as 7 (the same seed replays the same game).")
    try:
        return int(coerce_seed(text))
    except ParameterError as exc:
        message = str(exc)
        raise ParameterError(f"{message[0].upper()}{message[1:]} (for example 7).") from None


def parse_extra(text: str) -> dict[str, Any]:
    """Parse "name=value, name=value" into validated settings (ParameterError naming every bad one).

    Names are model parameters, or country fields as on the command line:
    ``Canada.security_dependence=0.3``, ``all.patience=0.5``, ``scale.security_dependence=0.5``
    (those are checked against the scenario when the game is built).
    """
    out: dict[str, Any] = {}
    problems: list[str] = []
    for chunk in (text or "").replace(";", ",").replace("\n", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        if "=" not in chunk:
            problems.append(f"{chunk!r} is not of the form name=value (e.g. tariff_ceiling=0.5)")
            continue
        key, value = (part.strip() for part in chunk.split("=", 1))
        if "." in key:
            out[key] = value
        elif key not in PARAMS:
            problems.append(f"unknown parameter {key!r}")
        else:
            try:
                out[key] = param_coerce(key, value, where="Other settings")
            except ParameterError as exc:
                problems.append(str(exc).removeprefix("Other settings: "))
    if problems:
        known = "" if all("unknown" not in p for p in problems) else f" Known parameters: {', '.join(PARAMS)}."
        raise ParameterError("Other settings: " + "; ".join(problems) + "." + known)
    return out


def build_model(settings: Settings, human: bool = True) -> NegotiationModel:
    """A new model from the controls; raises UserError with a readable message on bad input.

    With ``settings.country`` set, that country is played by a person (``human=True``) or,
    for the debrief's shadow game, follows the default expected-utility rule (``human=False``).
    """
    if settings.scenario not in builtin_names():
        raise ParameterError(f"Unknown scenario {settings.scenario!r}; pick one of {', '.join(builtin_names())}.")
    seed = parse_seed(settings.seed)
    params: dict[str, Any] = {}
    for key, value in settings.params.items():
        if key not in PARAMS:
            raise ParameterError(f"Unknown parameter {key!r}.")
        params[key] = param_coerce(key, value, where=LABELS.get(key, key))
    extra = parse_extra(settings.extra)
    params.update({k: v for k, v in extra.items() if "." not in k})
    names = {c.name for c in load_scenario(settings.scenario).countries}
    overrides: dict[str, Any] = {}
    for target, strategy in settings.strategies.items():
        if strategy not in STRATEGY_NAMES:
            raise ParameterError(f"Unknown strategy {strategy!r}; pick one of {', '.join(APP_STRATEGIES)}.")
        if target == ALL_COUNTRIES:
            params["strategy"] = strategy
        elif target in names:  # choices made for another scenario's countries are dropped
            overrides[f"{target}.strategy"] = strategy
    if settings.country:
        if settings.country not in names:
            raise ParameterError(f"Country to play: {settings.country!r} is not in scenario "
                                 f"'{settings.scenario}'; pick one of {', '.join(sorted(names))}.")
        overrides[f"{settings.country}.strategy"] = "human" if human else "expected_utility"
    overrides = {**{k: v for k, v in extra.items() if "." in k}, **overrides}
    return NegotiationModel(scenario_name=settings.scenario, rng=seed, overrides=overrides, **params)


# ---------------------------------------------------------------------------- session
class History:
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

    def record(self, model: NegotiationModel) -> None:
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


class Session:
    """One browser tab's game: its model, its history, its figures and the settings it was built from.

    When ``settings.country`` names a country, a person plays it (strategy "human") and
    :attr:`play` (a :class:`sim.play.PlayGame`) runs a shadow model in which the same
    country follows the default expected-utility rule, for the debrief.
    """

    def __init__(self, settings: Settings | None = None):
        self._install(settings or default_settings())

    def _install(self, settings: Settings) -> None:
        from sim.play import PlayGame

        model = build_model(settings)
        play = PlayGame(settings, model, build_model(settings, human=False)) if settings.country else None
        self.settings = settings
        self.model = model
        self.play = play
        self.history = History(model.world.names)
        self.history.record(model)
        self._plots: Plots | None = None

    @property
    def plots(self) -> "Plots":
        if self._plots is None or self._plots.model is not self.model:
            self._plots = Plots(self.model, self.history)
        return self._plots

    def step(self, rounds: int = 1) -> None:
        if self.play is not None:
            raise ParameterError(f"You are playing {self.play.country}: choose its move and press "
                                 "'Play this round' (or Reset to watch the agents).")
        for _ in range(rounds):
            self.model.step()
            self.history.record(self.model)

    def play_round(self, accepted: list[str] | tuple[str, ...] = (), stance: str = "wait") -> None:
        """Play one round with the person's move for their country (and step the shadow model)."""
        if self.play is None:
            raise ParameterError("No country is being played: pick one under 'Play a country' first.")
        self.play.play_round(accepted, stance)
        self.history.record(self.model)

    def render(self) -> dict[str, bytes]:
        """The four figures as PNG bytes (only what changed is redrawn)."""
        return self.plots.render()

    def reset(self, settings: Settings) -> None:
        """Rebuild from ``settings``; on bad input raise UserError and keep the current game."""
        self._install(settings)


# ---------------------------------------------------------------------------- figures
# Figures are built once per game and then updated in place: the static part (axes,
# ticks, labels, legend) is drawn only when its limits change and kept as a bitmap;
# each round restores it, draws the artists that move (lines, bars, edges, nodes)
# and encodes the PNG.  No pyplot, no networkx drawing, no layout pass per frame.
RENDER_LOCK = threading.Lock()  # matplotlib's font and text caches are shared by sessions
NICE = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 40, 50, 60, 80, 100, 150, 200, 300, 500, 1000, 2000, 5000)


def _shown_countries(model: NegotiationModel, limit: int = MAX_LINES) -> list[int]:
    """Indices of the countries to draw: all, or the largest exporters to the U.S."""
    n = model.world.n
    if n <= limit:
        return list(range(n))
    size = model.world.exports.sum(axis=1) if model.world.exports.size else np.zeros(n)
    return sorted(np.argsort(-size, kind="stable")[:limit].tolist())


def _colors(count: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    return [cmap(i % 20) for i in range(count)]


def _nice_ceiling(value: float) -> float:
    value = abs(float(value))
    for nice in NICE:
        if value <= nice:
            return nice
    return float(math.ceil(value / 1000.0) * 1000)


def _x_limits(last: int) -> tuple[int, int]:
    """The x range 0-20, 0-40, 0-80, 0-160, ...: it doubles, so the axes are redrawn in full
    only at rounds 21, 41, 81, 161, 321, ... (ever more rarely)."""
    high = 20
    while last > high:
        high *= 2
    return 0, high


def _sticky_ceiling(current: float | None, value: float) -> float:
    """A nice upper limit for ``value`` that only moves when the data leave [current/3, current]."""
    if current is not None and current / 3.0 <= value <= current:
        return current
    return _nice_ceiling(value)


def _round_axis_label(model: NegotiationModel) -> str:
    label = model.scenario_data.round_label
    return label.capitalize() if label else "Round"


def _freeze_layout(fig: Figure, right_pad: float = 0.0) -> None:
    """Run the constrained layout once (with wide placeholder limits), then keep it fixed;
    ``right_pad`` (figure fraction) leaves room for a tick label at the right edge."""
    FigureCanvasAgg(fig).draw()
    fig.set_layout_engine("none")
    if right_pad:
        for ax in fig.axes:
            box = ax.get_position()
            ax.set_position([box.x0, box.y0, box.width - right_pad, box.height])


def _encode_png(canvas: FigureCanvasAgg) -> bytes:
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


class FastFigure:
    """A figure whose static part is cached as a bitmap; only ``dynamic`` artists are redrawn.

    ``render(static_key, dynamic_key)`` redraws everything when ``static_key`` changed,
    otherwise restores the cached background and draws the dynamic artists; when
    ``dynamic_key`` is given and unchanged too, the previous PNG is returned as is.
    """

    def __init__(self, fig: Figure, dynamic: list):
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.dynamic = list(dynamic)
        for artist in self.dynamic:
            artist.set_animated(True)
        self.static_key: Any = object()
        self.dynamic_key: Any = object()
        self.background = None
        self.png = b""
        self.full_draws = 0
        self.cache_hits = 0

    def render(self, static_key: Any, dynamic_key: Any = None) -> bytes:
        with RENDER_LOCK:
            if (dynamic_key is not None and static_key == self.static_key and dynamic_key == self.dynamic_key
                    and self.png):
                self.cache_hits += 1
                return self.png
            if static_key != self.static_key or self.background is None:
                self.canvas.draw()
                self.background = self.canvas.copy_from_bbox(self.fig.bbox)
                self.static_key = static_key
                self.full_draws += 1
            else:
                self.canvas.restore_region(self.background)
            for artist in self.dynamic:
                self.fig.draw_artist(artist)
            self.dynamic_key = dynamic_key
            self.png = _encode_png(self.canvas)
            return self.png


class TariffPlot:
    """Tariff level per country over the latest rounds."""

    def __init__(self, model: NegotiationModel, history: History):
        self.model, self.history = model, history
        self.shown = _shown_countries(model)
        fig = Figure(figsize=(6.4, 3.4), dpi=DPI, layout="constrained")
        ax = self.ax = fig.add_subplot()
        self.lines = [ax.plot([], [], label=history.names[i], color=color, lw=1.8, ms=3)[0]
                      for color, i in zip(_colors(len(self.shown)), self.shown)]
        ax.set_title("Tariff level per country")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.set_xlabel(_round_axis_label(model))
        ax.set_ylabel("Tariff on a country's exports (%)" if model.world.has_united_states
                      else "Partners' tariff on it (%)")
        ax.grid(alpha=0.3)
        if self.shown:
            ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                      ncol=1 if len(self.shown) <= 14 else 2)
        ax.set_xlim(0, 1000)
        ax.set_ylim(0, 1000)
        _freeze_layout(fig)
        self.fast = FastFigure(fig, self.lines)

    def render(self) -> bytes:
        history = self.history
        rows = history.sample()
        rounds = [history.rounds[r] for r in rows]
        matrix = history.tariff_rows(rows) * 100.0
        marker = "o" if len(rounds) <= 30 else "None"
        top = 0.0
        for line, i in zip(self.lines, self.shown):
            line.set_data(rounds, matrix[:, i])
            line.set_marker(marker)
        if self.shown and len(rounds):
            top = float(matrix[:, self.shown].max())
        current = self.fast.static_key[1] if isinstance(self.fast.static_key, tuple) else None
        key = (_x_limits(history.rounds[-1]), _sticky_ceiling(current, max(1.0, 1.08 * top)))
        if key != self.fast.static_key:
            self.ax.set_xlim(*key[0])
            self.ax.set_ylim(0, key[1])
        return self.fast.render(key)


class CountsPlot:
    """Number of deals, retaliators and waiters over the latest rounds."""

    def __init__(self, model: NegotiationModel, history: History):
        self.model, self.history = model, history
        fig = Figure(figsize=(5.2, 3.4), dpi=DPI, layout="constrained")
        ax = self.ax = fig.add_subplot()
        self.series = [("deals", "Deals / relief", RELATION_COLORS["aligned"]),
                       ("retaliators", "Retaliators", RELATION_COLORS["retaliating"]),
                       ("waiters", "Waiters", "#7f7f7f")]
        self.lines = [ax.plot([], [], label=label, color=color, lw=2, ms=3)[0] for _, label, color in self.series]
        ax.set_title("Deals, retaliators and waiters")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.set_xlabel(_round_axis_label(model))
        ax.set_ylabel("Number of countries")
        ax.set_ylim(-0.2, model.world.n + 0.5)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9, loc="upper left", frameon=False)
        ax.set_xlim(0, 1000)
        _freeze_layout(fig, right_pad=0.02)
        self.fast = FastFigure(fig, self.lines)

    def render(self) -> bytes:
        history = self.history
        rows = history.sample()
        rounds = [history.rounds[r] for r in rows]
        marker = "o" if len(rounds) <= 30 else "None"
        for line, (attr, _, _) in zip(self.lines, self.series):
            series = getattr(history, attr)
            line.set_data(rounds, [series[r] for r in rows])
            line.set_marker(marker)
        key = _x_limits(history.rounds[-1])
        if key != self.fast.static_key:
            self.ax.set_xlim(*key)
        return self.fast.render(key)


class WelfarePlot:
    """This round's welfare change per country (horizontal bars)."""

    def __init__(self, model: NegotiationModel):
        self.model = model
        self.shown = _shown_countries(model, limit=30)
        names = [model.world.names[i] for i in self.shown]
        height = max(2.6, 0.26 * len(self.shown) + 1.0)
        fig = Figure(figsize=(5.2, height), dpi=DPI, layout="constrained")
        ax = self.ax = fig.add_subplot()
        y = np.arange(len(self.shown))
        self.bars = list(ax.barh(y, np.zeros(len(self.shown)), color="#2ca02c"))
        ax.set_yticks(y, names, fontsize=9)
        ax.set_ylim(len(self.shown) - 0.5, -0.5)  # first country on top
        ax.axvline(0, color="black", lw=0.8)
        unit = "$bn per year" if model.world.has_united_states else "payoff units"
        ax.set_xlabel(f"Welfare change against free trade ({unit})")
        ax.set_title("Welfare change per country, this round")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlim(-1000, 1000)
        _freeze_layout(fig, right_pad=0.035)
        self.fast = FastFigure(fig, self.bars)

    def render(self) -> bytes:
        values = np.asarray(self.model.state.welfare, dtype=float)[self.shown]
        low = float(min(values.min(), 0.0)) if len(values) else 0.0
        high = float(max(values.max(), 0.0)) if len(values) else 0.0
        span = max(high - low, 1e-9)
        old = self.fast.static_key if isinstance(self.fast.static_key, tuple) else (None, None)
        left = -_sticky_ceiling(None if old[0] is None else -old[0], max(-low, 0.08 * span, 0.05) * 1.05)
        right = _sticky_ceiling(old[1], max(high, 0.08 * span, 0.05) * 1.05)
        for bar, value in zip(self.bars, values):
            bar.set_width(value)
            bar.set_facecolor("#2ca02c" if value >= 0 else "#d62728")
        key = (left, right)
        if key != self.fast.static_key:
            self.ax.set_xlim(left, right)
        return self.fast.render(key, tuple(np.round(values, 4).tolist()))


def relation(model: NegotiationModel, i: int) -> str:
    """A country's relation this round: aligned, retaliating, hedging or neutral."""
    state = model.state
    stance = model.countries[i].stance
    if stance == "retaliate":
        return "retaliating"
    if stance == "hedge":
        return "hedging"
    if model.round > 0 and (state.alignment[i] > 0 or model.countries[i].treatment in ("quota", "exempt", "deal")
                            and state.accepted[i].any()):
        return "aligned"
    return "neutral"


def alignment_graph(model: NegotiationModel) -> nx.Graph:
    """U.S., China and partners; each partner linked to the side it leans to, by relation.

    (The app draws the same picture with plain matplotlib artists: :class:`NetworkPlot`.)
    """
    world = model.world
    graph = nx.Graph()
    shown = _shown_countries(model, limit=MAX_NETWORK_NODES)
    if not world.has_united_states:  # classroom: countries play each other
        for i in shown:
            graph.add_node(world.names[i], kind="partner", relation=relation(model, i))
        for a in range(len(shown)):
            for b in range(a + 1, len(shown)):
                i, j = shown[a], shown[b]
                rel = "retaliating" if "retaliating" in (relation(model, i), relation(model, j)) else "aligned"
                graph.add_edge(world.names[i], world.names[j], relation=rel)
        return graph
    us = "United States"
    china_index = [i for i in range(world.n) if world.is_china[i]]
    china = world.names[china_index[0]] if china_index else "China"
    graph.add_node(us, kind="us", relation="neutral")
    graph.add_node(china, kind="china", relation=relation(model, china_index[0]) if china_index else "neutral")
    for i in shown:
        name = world.names[i]
        if world.is_china[i]:
            rel = relation(model, i)
            graph.add_edge(name, us, relation="retaliating" if rel == "retaliating" else "neutral")
            continue
        rel = relation(model, i)
        graph.add_node(name, kind="partner", relation=rel, treatment=model.countries[i].treatment)
        if rel == "hedging":
            graph.add_edge(name, china, relation=rel)
        else:
            graph.add_edge(name, us, relation=rel)
    return graph


def network_positions(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Deterministic layout: U.S. left of centre, China right, partners on a ring."""
    partners = [n for n, d in graph.nodes(data=True) if d.get("kind") == "partner"]
    return _layout(partners, has_centre=True) | {
        name: ((-0.5, 0.0) if data.get("kind") == "us" else (0.5, 0.0))
        for name, data in graph.nodes(data=True) if data.get("kind") in ("us", "china")}


def _layout(partners: list[str], has_centre: bool = True) -> dict[str, tuple[float, float]]:
    pos: dict[str, tuple[float, float]] = {}
    for k, name in enumerate(partners):
        angle = math.pi / 2 - 2 * math.pi * k / max(len(partners), 1)
        pos[name] = (1.6 * math.cos(angle), 1.15 * math.sin(angle))
    return pos


class NetworkPlot:
    """The alignment network drawn with a LineCollection (edges) and a scatter (nodes)."""

    US_XY, CHINA_XY = (-0.5, 0.0), (0.5, 0.0)

    def __init__(self, model: NegotiationModel):
        from matplotlib.collections import LineCollection

        self.model = model
        world = model.world
        self.classroom = not world.has_united_states
        shown = _shown_countries(model, limit=MAX_NETWORK_NODES)
        china = [i for i in range(world.n) if world.is_china[i]]
        self.china_index = china[0] if china else None
        self.partners = [i for i in shown if not world.is_china[i]]
        self.china_shown = self.china_index is not None and self.china_index in shown
        names = [world.names[i] for i in self.partners]
        ring = _layout(names)
        self.xy = np.array([ring[name] for name in names]).reshape(-1, 2)
        fig = Figure(figsize=(6.4, 4.6), dpi=DPI, layout="constrained")
        ax = self.ax = fig.add_subplot()
        if self.classroom:
            self.pairs = [(a, b) for a in range(len(self.partners)) for b in range(a + 1, len(self.partners))]
            segments = [[self.xy[a], self.xy[b]] for a, b in self.pairs]
            node_xy = self.xy
            sizes = [650] * len(self.partners)
        else:
            segments = [[xy, self.US_XY] for xy in self.xy] + ([[self.CHINA_XY, self.US_XY]] if self.china_shown else [])
            node_xy = np.vstack([self.xy, [self.US_XY, self.CHINA_XY]]) if len(self.xy) else np.array([self.US_XY, self.CHINA_XY])
            sizes = [650] * len(self.partners) + [1300, 1300]
        self.edges = LineCollection(segments or np.zeros((0, 2, 2)), zorder=1)
        ax.add_collection(self.edges)
        self.nodes = ax.scatter(node_xy[:, 0], node_xy[:, 1], s=sizes, c="#dddddd", edgecolors="black",
                                linewidths=0.6, zorder=2)
        for (x, y), name in zip(self.xy, names):
            ax.text(x, y - 0.21, name, ha="center", va="center", fontsize=9, zorder=3)
        self.centre_labels = []
        if not self.classroom:
            china_name = world.names[self.china_index] if self.china_index is not None else "China"
            self.centre_labels = [ax.text(*self.US_XY, "U.S.", ha="center", va="center", fontsize=9, zorder=3),
                                  ax.text(*self.CHINA_XY, china_name, ha="center", va="center", fontsize=9, zorder=3)]
        ax.set_title("Alignment network, this round")
        ax.set_xlim(-2.2, 2.2)
        ax.set_ylim(-1.45, 1.4)
        ax.axis("off")
        handles = [Line2D([0], [0], color=c, lw=2.5, ls="--" if r == "neutral" else "-",
                          label=r.replace("neutral", "waiting / WTO")) for r, c in RELATION_COLORS.items()]
        if not self.classroom:
            handles += [Patch(facecolor=c, edgecolor="black", label=t) for t, c in TREATMENT_COLORS.items()]
        ax.legend(handles=handles, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, -0.14), ncol=4, frameon=False)
        _freeze_layout(fig)
        self.fast = FastFigure(fig, [self.edges, self.nodes, *self.centre_labels])

    def render(self) -> bytes:
        model = self.model
        relations = [relation(model, i) for i in self.partners]
        if self.classroom:
            edge_rel = ["retaliating" if "retaliating" in (relations[a], relations[b]) else "aligned"
                        for a, b in self.pairs]
            node_colors = [RELATION_COLORS["retaliating"] if r == "retaliating" else "#dddddd" for r in relations]
            treatments: list[str] = []
        else:
            treatments = [model.countries[i].treatment for i in self.partners]
            segments = [[xy, self.CHINA_XY if r == "hedging" else self.US_XY] for xy, r in zip(self.xy, relations)]
            edge_rel = list(relations)
            if self.china_shown:
                china_rel = relation(model, self.china_index)
                segments.append([self.CHINA_XY, self.US_XY])
                edge_rel.append("retaliating" if china_rel == "retaliating" else "neutral")
            if segments:
                self.edges.set_segments(segments)
            node_colors = [TREATMENT_COLORS.get(t, "#dddddd") for t in treatments] + ["#1a3d7c", "#c0392b"]
        key = (tuple(edge_rel), tuple(treatments), tuple(node_colors))
        if key != self.fast.dynamic_key:
            self.edges.set_colors([RELATION_COLORS[r] for r in edge_rel])
            self.edges.set_linewidths([1.2 if r == "neutral" else 2.6 for r in edge_rel])
            self.edges.set_linestyles(["--" if r == "neutral" else "-" for r in edge_rel])
            self.nodes.set_facecolors(node_colors)
            for label in self.centre_labels:
                label.set_color("white")
        return self.fast.render("static", key)


class Plots:
    """One game's four figures, built once and updated each round."""

    def __init__(self, model: NegotiationModel, history: History):
        self.model = model
        with RENDER_LOCK:
            self.tariffs = TariffPlot(model, history)
            self.counts = CountsPlot(model, history)
            self.welfare = WelfarePlot(model)
            self.network = NetworkPlot(model)

    def render(self) -> dict[str, bytes]:
        return {"tariffs": self.tariffs.render(), "counts": self.counts.render(),
                "welfare": self.welfare.render(), "network": self.network.render()}


def tariff_figure(model: NegotiationModel, history: History) -> Figure:
    plot = TariffPlot(model, history)
    plot.render()
    return plot.fast.fig


def counts_figure(model: NegotiationModel, history: History) -> Figure:
    plot = CountsPlot(model, history)
    plot.render()
    return plot.fast.fig


def welfare_figure(model: NegotiationModel) -> Figure:
    plot = WelfarePlot(model)
    plot.render()
    return plot.fast.fig


def network_figure(model: NegotiationModel) -> Figure:
    plot = NetworkPlot(model)
    plot.render()
    return plot.fast.fig


def figure_png(fig: Figure) -> bytes:
    """Render a whole figure to PNG bytes (for one-off figures; the app uses :class:`Plots`)."""
    buffer = io.BytesIO()
    with RENDER_LOCK:
        for artist in fig.findobj(lambda a: a.get_animated()):
            artist.set_animated(False)
        fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


# ---------------------------------------------------------------------------- inspector / log
def inspect_country(model: NegotiationModel, name: str, top: int = 6) -> dict[str, Any]:
    """Everything the inspector shows for one country, as plain data."""
    i = model.world.names.index(name)
    agent = model.countries[i]
    world, state = model.world, model.state
    demands = []
    for j, demand in enumerate(model.scenario_data.demands):
        applies = bool(world.applicable[i, j]) if world.applicable.size else True
        demands.append({
            "id": demand.id, "label": demand.label, "kind": demand.kind, "applies": applies,
            "accepted": bool(state.accepted[i, j]) if model.round > 0 else False,
        })
    utilities = agent.option_utilities() if model.round > 0 else {}
    chosen = model.options.label(int(state.option[i]), world.demand_ids) if model.round > 0 else None
    ranked = list(utilities.items())
    rank = next((k + 1 for k, (label, _) in enumerate(ranked) if label == chosen), None)
    if model.round == 0:
        why = "No decision yet: press Step to play the first round."
    elif agent.strategy not in ("expected_utility",):
        why = (f"{name} follows the rule '{agent.strategy.replace('_', ' ')}', which looks at what happened last round; "
               f"the utilities below are what the economics would say.")
    elif rank == 1:
        why = f"{name} chose the option with the highest expected utility."
    else:
        why = (f"{name} chose the option ranked {rank} of {len(ranked)}: decision noise "
               f"({model.params['decision_noise']:g}) makes choices random around the best one.")
    return {
        "name": name,
        "classroom": model.is_classroom,
        "strategy": agent.strategy,
        "treatment": agent.treatment,
        "tariff_pct": 100.0 * agent.tariff,
        "action": agent.action,
        "stance": agent.stance,
        "chosen": chosen,
        "why": why,
        "exports_to_us_bn": agent.exports_to_us_bn,
        "retaliation_bn": agent.retaliation_bn,
        "alignment": agent.alignment,
        "welfare_change_bn": agent.welfare_change_bn,
        "pressure": agent.pressure,
        "security_dependence": agent.security_dependence,
        "demands": demands,
        "utilities": ranked[:top],
        "n_options": len(ranked),
        "breakdown": _breakdown(agent.explain()),
        "beliefs": agent.beliefs(),
    }


def _breakdown(explanation: dict) -> dict | None:
    """The inspector's term-by-term table: terms that are zero for every option shown are left out."""
    if not explanation:
        return None
    terms = [(name, values) for name, values in explanation["terms"] if any(abs(v) >= 0.005 for v in values)]
    return {"options": explanation["options"], "terms": terms, "totals": explanation["totals"]}


def recent_events(model: NegotiationModel, limit: int = MAX_EVENTS) -> list[str]:
    """The latest event lines, newest first (only the tail is formatted: flat cost)."""
    tail = model.events[-limit:]
    return [f"Round {e['round']}: {e['text']}" for e in reversed(tail)]


def status_line(model: NegotiationModel, history: History) -> str:
    label = model.scenario_data.round_label or "round"
    return (f"{model.scenario_data.title}, {label} {model.round}: {history.deals[-1]} deals, "
            f"{history.retaliators[-1]} retaliating, {history.waiters[-1]} waiting")


# ---------------------------------------------------------------------------- measurement
def round_view(session: Session) -> dict[str, Any]:
    """What the page shows after a round (besides the inspector): figures, log, status, play panel."""
    model, history = session.model, session.history
    view = {
        **session.render(),
        "events": recent_events(model),
        "status": status_line(model, history),
        "round": model.round,
        "names": list(model.world.names),
        "scenario": model.scenario_name,
        "description": model.scenario_data.description,
        "play": None,
    }
    if session.play is not None:
        from sim.play import play_view

        view["play"] = play_view(session.play)
    return view


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


__all__ = [
    "ALL_COUNTRIES", "APP_STRATEGIES", "LABELS", "SLIDERS", "History", "Session", "Settings",
    "UserError", "alignment_graph", "build_model", "counts_figure", "default_settings", "figure_png",
    "Plots", "full_update", "inspect_country", "round_view", "measure_update_time", "network_figure", "parse_extra", "parse_seed",
    "recent_events", "relation", "scenario_defaults", "status_line", "tariff_figure", "welfare_figure",
]
