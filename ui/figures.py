"""The app's four figures, built once per game and then updated in place.

The static part (axes, ticks, labels, legend) is drawn only when its limits change
and kept as a bitmap; each round restores it, draws the artists that move (lines,
bars, edges, nodes) and encodes the PNG.  No pyplot (nothing is kept in a global
registry), no networkx drawing, no layout pass per frame.
"""

from __future__ import annotations

import io
import math
import threading
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ui.series import RoundSeries

if TYPE_CHECKING:
    from sim.model import NegotiationModel

MAX_LINES = 16  # at most this many countries in the tariff plot

MAX_NETWORK_NODES = 24

RELATION_COLORS = {
    "aligned": "#1f77b4",
    "retaliating": "#d62728",
    "hedging": "#ff7f0e",
    "neutral": "#b0b0b0",
}

TREATMENT_COLORS = {"tariffed": "#e377c2", "quota": "#bcbd22", "exempt": "#2ca02c", "deal": "#17becf"}

DPI = 100

# ---------------------------------------------------------------------------- figures
# Figures are built once per game and then updated in place: the static part (axes,
# ticks, labels, legend) is drawn only when its limits change and kept as a bitmap;
# each round restores it, draws the artists that move (lines, bars, edges, nodes)
# and encodes the PNG.  No pyplot, no networkx drawing, no layout pass per frame.
RENDER_LOCK = threading.Lock()  # matplotlib's font and text caches are shared by sessions

NICE = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 40, 50, 60, 80, 100, 150, 200, 300, 500, 1000, 2000, 5000)

def _shown_countries(model: "NegotiationModel", limit: int = MAX_LINES) -> list[int]:
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

def _round_axis_label(model: "NegotiationModel") -> str:
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

    def __init__(self, model: "NegotiationModel", series: RoundSeries):
        self.model, self.series = model, series
        self.shown = _shown_countries(model)
        fig = Figure(figsize=(6.4, 3.4), dpi=DPI, layout="constrained")
        ax = self.ax = fig.add_subplot()
        self.lines = [ax.plot([], [], label=series.names[i], color=color, lw=1.8, ms=3)[0]
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
        series = self.series
        rows = series.sample()
        rounds = [series.rounds[r] for r in rows]
        matrix = series.tariff_rows(rows) * 100.0
        marker = "o" if len(rounds) <= 30 else "None"
        top = 0.0
        for line, i in zip(self.lines, self.shown):
            line.set_data(rounds, matrix[:, i])
            line.set_marker(marker)
        if self.shown and len(rounds):
            top = float(matrix[:, self.shown].max())
        current = self.fast.static_key[1] if isinstance(self.fast.static_key, tuple) else None
        key = (_x_limits(series.rounds[-1]), _sticky_ceiling(current, max(1.0, 1.08 * top)))
        if key != self.fast.static_key:
            self.ax.set_xlim(*key[0])
            self.ax.set_ylim(0, key[1])
        return self.fast.render(key)

class CountsPlot:
    """Number of deals, retaliators and waiters over the latest rounds."""

    def __init__(self, model: "NegotiationModel", series: RoundSeries):
        self.model, self.series = model, series
        fig = Figure(figsize=(5.2, 3.4), dpi=DPI, layout="constrained")
        ax = self.ax = fig.add_subplot()
        self.curves = [("deals", "Deals / relief", RELATION_COLORS["aligned"]),
                       ("retaliators", "Retaliators", RELATION_COLORS["retaliating"]),
                       ("waiters", "Waiters", "#7f7f7f")]
        self.lines = [ax.plot([], [], label=label, color=color, lw=2, ms=3)[0] for _, label, color in self.curves]
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
        series = self.series
        rows = series.sample()
        rounds = [series.rounds[r] for r in rows]
        marker = "o" if len(rounds) <= 30 else "None"
        for line, (attr, _, _) in zip(self.lines, self.curves):
            values = getattr(series, attr)
            line.set_data(rounds, [values[r] for r in rows])
            line.set_marker(marker)
        key = _x_limits(series.rounds[-1])
        if key != self.fast.static_key:
            self.ax.set_xlim(*key)
        return self.fast.render(key)

class WelfarePlot:
    """This round's welfare change per country (horizontal bars)."""

    def __init__(self, model: "NegotiationModel"):
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

def relation(model: "NegotiationModel", i: int) -> str:
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

def _layout(partners: list[str], has_centre: bool = True) -> dict[str, tuple[float, float]]:
    pos: dict[str, tuple[float, float]] = {}
    for k, name in enumerate(partners):
        angle = math.pi / 2 - 2 * math.pi * k / max(len(partners), 1)
        pos[name] = (1.6 * math.cos(angle), 1.15 * math.sin(angle))
    return pos

class NetworkPlot:
    """The alignment network drawn with a LineCollection (edges) and a scatter (nodes)."""

    US_XY, CHINA_XY = (-0.5, 0.0), (0.5, 0.0)

    def __init__(self, model: "NegotiationModel"):
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

    def __init__(self, model: "NegotiationModel", series: RoundSeries):
        self.model = model
        with RENDER_LOCK:
            self.tariffs = TariffPlot(model, series)
            self.counts = CountsPlot(model, series)
            self.welfare = WelfarePlot(model)
            self.network = NetworkPlot(model)

    def render(self) -> dict[str, bytes]:
        return {"tariffs": self.tariffs.render(), "counts": self.counts.render(),
                "welfare": self.welfare.render(), "network": self.network.render()}
