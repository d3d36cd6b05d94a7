"""The app's four figures as SVG markup, drawn by the browser.

Measured on the 2-core machine (see docs/app.md, "Speed"): the matplotlib figures
this module used to build cost about 0.32 s of server CPU per game (four figures
with a constrained layout) and 38 ms per round even with blitting; written as SVG
text they cost about 1-2 ms per round and nothing to build, and they hold no
canvas buffers per session.  The browser rasterises them.

* :func:`tariff_svg`: the U.S. tariff on each country, round by round, as a heat map
  (one labelled row per country; readable at any game length);
* :func:`stance_svg`: what the countries do each round, stacked so that every country
  is counted (relief or deal, waiting, WTO case, hedging, retaliating);
* :func:`network_svg`: the alignment network this round;
* :func:`welfare_svg`: this round's welfare change per country.

Every mark carries a ``<title>``: hovering shows the country and the value.
"""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

import numpy as np

from ui.series import CATEGORIES, CLASSROOM_CATEGORIES, RoundSeries

if TYPE_CHECKING:
    from sim.model import NegotiationModel

MAX_ROWS = 30  # at most this many countries in the heat map and the welfare bars
MAX_NETWORK_NODES = 24

RELATION_COLORS = {
    "aligned": "#1f77b4",
    "retaliating": "#d62728",
    "hedging": "#ff7f0e",
    "neutral": "#b0b0b0",
}
RELATION_WORDS = {"aligned": "aligned with the U.S.", "retaliating": "retaliating", "hedging": "hedging toward China",
                  "neutral": "waiting / WTO"}

TREATMENT_COLORS = {"tariffed": "#e377c2", "quota": "#bcbd22", "exempt": "#2ca02c", "deal": "#17becf"}

CATEGORY_COLORS = {"relief": "#1f77b4", "waiting": "#c7c7c7", "wto": "#9467bd", "hedging": "#ff7f0e",
                   "retaliating": "#d62728", "open": "#2ca02c"}

FONT = "font-family='DejaVu Sans, Arial, sans-serif'"

NICE = (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 40, 50, 60, 80, 100, 150, 200, 300, 500, 1000, 2000, 5000)


# ---------------------------------------------------------------------------- helpers
def shown_countries(model: "NegotiationModel", limit: int = MAX_ROWS) -> list[int]:
    """Indices of the countries to draw: all, or the largest exporters to the U.S."""
    n = model.world.n
    if n <= limit:
        return list(range(n))
    size = model.world.exports.sum(axis=1) if model.world.exports.size else np.zeros(n)
    return sorted(np.argsort(-size, kind="stable")[:limit].tolist())


def nice_ceiling(value: float) -> float:
    value = abs(float(value))
    for nice in NICE:
        if value <= nice:
            return nice
    return float(math.ceil(value / 1000.0) * 1000)


def x_limit(last: int) -> int:
    """The x range 0-20, 0-40, 0-80, ...: it doubles, so the picture does not jump every round."""
    high = 20
    while last > high:
        high *= 2
    return high


def ticks(high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values from 0 to ``high``."""
    if high <= 0:
        return [0.0]
    raw = high / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [k * step for k in range(int(high / step + 1e-9) + 1)]


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' width='100%' role='img' "
            f"aria-label='{escape(label)}' {FONT} font-size='12'>"
            f"<rect width='{width}' height='{height}' fill='white'/>{''.join(body)}</svg>")


def _title(text: str, width: int) -> str:
    return f"<text x='{width / 2:.0f}' y='18' text-anchor='middle' font-size='15'>{escape(text)}</text>"


def _round_word(model: "NegotiationModel") -> str:
    return (model.scenario_data.round_label or "round").capitalize()


def _palette() -> list[str]:
    start, end = (254, 224, 210), (153, 0, 13)
    colors = ["#f7f7f7"]
    for level in range(1, 13):
        t = level / 12
        r, g, b = (round(s + (e - s) * t) for s, e in zip(start, end))
        colors.append(f"#{r:02x}{g:02x}{b:02x}")
    return colors


PALETTE = _palette()  # white (no tariff) to dark red, 13 steps: a level reads as a colour


def tariff_levels(values, top: float) -> np.ndarray:
    """The colour step (0..12) of each tariff value, on a scale from 0 to ``top``."""
    if top <= 0:
        return np.zeros(np.shape(values), dtype=int)
    return np.clip(np.rint(12 * np.asarray(values, dtype=float) / top), 0, 12).astype(int)


def tariff_color(share: float, top: float) -> str:
    return PALETTE[int(tariff_levels(share, top))]


# ---------------------------------------------------------------------------- tariffs
def tariff_svg(model: "NegotiationModel", series: RoundSeries, horizon: int | None = None) -> str:
    """The tariff on each country, round by round: one row per country, colour = level.
    ``horizon``: the x axis ends there (a class game's last round), else it doubles as rounds go by."""
    shown = shown_countries(model)
    names = [series.names[i] for i in shown]
    rows = series.sample()
    rounds = [series.rounds[r] for r in rows]
    matrix = series.tariff_rows(rows)[:, shown] * 100.0 if shown else np.zeros((len(rows), 0))
    top = nice_ceiling(max(1.0, float(matrix.max()) if matrix.size else 1.0))
    width, left, right, top_pad, row_h = 640, 110, 24, 30, 16
    height = top_pad + row_h * len(shown) + 70
    plot_w = width - left - right
    x_high = horizon or x_limit(rounds[-1] if rounds else 0)

    def x_of(r: float) -> float:
        return left + plot_w * r / x_high

    word = _round_word(model)
    subject = "U.S. tariff on its exports" if model.world.has_united_states else "partners' tariff on it"
    body = [_title(f"Tariff on each country ({subject}, %)", width)]
    for k, name in enumerate(names):
        y = top_pad + k * row_h
        body.append(f"<text x='{left - 6}' y='{y + row_h - 4}' text-anchor='end'>{escape(name)}</text>")
        column = matrix[:, k]
        levels = tariff_levels(column, top)
        # one rectangle per run of equal colour (tariffs change rarely: a handful per row)
        starts = [0, *(np.flatnonzero(np.diff(levels)) + 1).tolist()]
        ends = [*starts[1:], len(rounds)]
        for start, end in zip(starts, ends):
            x0 = x_of(rounds[start] - 0.5 if start else 0)
            x1 = x_of(rounds[end] - 0.5) if end < len(rounds) else x_of(rounds[-1] + 0.5)
            span = (f"{word.lower()} {rounds[start]}" if end - start == 1
                    else f"{word.lower()}s {rounds[start]}-{rounds[end - 1]}")
            body.append(f"<rect x='{x0:.1f}' y='{y}' width='{max(x1 - x0, 0.5):.1f}' height='{row_h - 2}' "
                        f"fill='{PALETTE[levels[start]]}'><title>{escape(name)}, {span}: "
                        f"{column[start]:.1f}%</title></rect>")
    axis_y = top_pad + row_h * len(shown) + 2
    body.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{axis_y}' y2='{axis_y}' stroke='#333'/>")
    for t in ticks(x_high, 5):
        body.append(f"<text x='{x_of(t):.1f}' y='{axis_y + 14}' text-anchor='middle'>{_num(t)}</text>")
    body.append(f"<text x='{left + plot_w / 2:.0f}' y='{axis_y + 30}' text-anchor='middle'>{escape(word)}</text>")
    # the colour key
    key_y, key_w = axis_y + 40, 200
    body.append(f"<text x='{left - 6}' y='{key_y + 11}' text-anchor='end'>Tariff</text>")
    for s in range(13):
        body.append(f"<rect x='{left + s * key_w / 13:.1f}' y='{key_y}' width='{key_w / 13 + 0.5:.1f}' height='12' "
                    f"fill='{PALETTE[min(s, 12)]}'/>")
    for value in (0, top / 2, top):
        body.append(f"<text x='{left + key_w * (value / top) * 12 / 13 + key_w / 26:.1f}' y='{key_y + 25}' "
                    f"text-anchor='middle' font-size='11'>{_num(value)}%</text>")
    return _svg(width, height + 4, "Tariff on each country, round by round", body)


# ---------------------------------------------------------------------------- stances
def stance_svg(model: "NegotiationModel", series: RoundSeries, horizon: int | None = None) -> str:
    """How many countries do what, each round, stacked: every country is counted (``horizon``: see tariff_svg)."""
    categories = CLASSROOM_CATEGORIES if model.is_classroom else CATEGORIES
    rows = series.sample()
    rounds = [series.rounds[r] for r in rows]
    n = model.world.n
    # text at 14-16 units in a 560-unit picture: on a projector's 1280-pixel page (about 500 pixels for
    # this plot) the labels stay about 13 pixels or more, not 10
    width, height, left, right, top_pad, bottom = 560, 340, 48, 200, 32, 46
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    x_high = horizon or x_limit(rounds[-1] if rounds else 0)

    def x_of(r: float) -> float:
        return left + plot_w * r / x_high

    def y_of(c: float) -> float:
        return top_pad + plot_h * (1 - c / max(n, 1))

    body = [f"<text x='{width / 2:.0f}' y='20' text-anchor='middle' font-size='17'>What the countries do, each round</text>"]
    base = np.zeros(len(rows))
    xs = [x_of(r) for r in rounds]
    if len(xs) == 1:  # one round: a thin band, so the picture is not empty
        xs = [xs[0], xs[0] + 3]
    for key, label in categories.items():
        values = np.array([series.categories[key][r] for r in rows], dtype=float)
        upper = base + values
        if len(rows) == 1:
            lo, hi = [base[0]] * 2, [upper[0]] * 2
        else:
            lo, hi = base, upper
        points = [f"{x:.1f},{y_of(c):.1f}" for x, c in zip(xs, hi)] + \
                 [f"{x:.1f},{y_of(c):.1f}" for x, c in zip(reversed(xs), list(reversed(list(lo))))]
        latest = int(values[-1]) if len(values) else 0
        body.append(f"<polygon points='{' '.join(points)}' fill='{CATEGORY_COLORS[key]}' stroke='white' "
                    f"stroke-width='0.5'><title>{escape(label)}: {latest} now</title></polygon>")
        base = upper
    for c in ticks(n, min(5, max(n, 1))):
        if c != int(c):
            continue
        y = y_of(c)
        body.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{y:.1f}' y2='{y:.1f}' stroke='#000' "
                    f"stroke-opacity='0.12'/><text x='{left - 6}' y='{y + 5:.1f}' text-anchor='end' font-size='15'>{int(c)}</text>")
    axis_y = top_pad + plot_h
    body.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{axis_y}' y2='{axis_y}' stroke='#333'/>")
    for t in ticks(x_high, 5):
        body.append(f"<text x='{x_of(t):.1f}' y='{axis_y + 17}' text-anchor='middle' font-size='15'>{_num(t)}</text>")
    body.append(f"<text x='{left + plot_w / 2:.0f}' y='{axis_y + 38}' text-anchor='middle' font-size='15'>"
                f"{escape(_round_word(model))}</text>")
    body.append(f"<text transform='translate(14 {top_pad + plot_h / 2:.0f}) rotate(-90)' text-anchor='middle' "
                f"font-size='15'>Countries (all {n})</text>")
    for k, (key, label) in enumerate(reversed(list(categories.items()))):
        y = top_pad + 10 + k * 24
        latest = series.categories[key][-1] if series.categories[key] else 0
        body.append(f"<rect x='{left + plot_w + 10}' y='{y - 11}' width='14' height='14' fill='{CATEGORY_COLORS[key]}'/>"
                    f"<text x='{left + plot_w + 29}' y='{y + 1}' font-size='15'>{escape(label)} ({latest})</text>")
    return _svg(width, height, "What the countries do, each round", body)


# ---------------------------------------------------------------------------- welfare
def welfare_svg(model: "NegotiationModel") -> str:
    """This round's welfare change per country, as horizontal bars."""
    shown = shown_countries(model)
    names = [model.world.names[i] for i in shown]
    values = np.asarray(model.state.welfare, dtype=float)[shown] if shown else np.zeros(0)
    classroom = not model.world.has_united_states
    unit = "payoff units" if classroom else "$bn per year"
    width, left, right, top_pad, row_h = 520, 110, 30, 30, 18
    height = top_pad + row_h * max(len(shown), 1) + 44
    plot_w = width - left - right
    low = min(float(values.min()) if len(values) else 0.0, 0.0)
    high = max(float(values.max()) if len(values) else 0.0, 0.0)
    span = max(high - low, 1e-9)
    lo = -nice_ceiling(max(-low, 0.08 * span, 0.05) * 1.05)
    hi = nice_ceiling(max(high, 0.08 * span, 0.05) * 1.05)

    def x_of(v: float) -> float:
        return left + plot_w * (v - lo) / (hi - lo)

    body = [_title("Welfare change per country, this round", width)]
    scale = ticks(max(-lo, hi), 3)
    step = scale[1] - scale[0] if len(scale) > 1 else max(hi, -lo, 1e-9)
    for t in [k * step for k in range(-int(-lo / step + 1e-9), int(hi / step + 1e-9) + 1)]:
        if lo <= t <= hi:
            body.append(f"<line x1='{x_of(t):.1f}' x2='{x_of(t):.1f}' y1='{top_pad}' "
                        f"y2='{top_pad + row_h * len(shown)}' stroke='#000' stroke-opacity='0.12'/>"
                        f"<text x='{x_of(t):.1f}' y='{top_pad + row_h * len(shown) + 14}' text-anchor='middle'"
                        f" font-size='11'>{f'{t:+g}' if abs(t) > 1e-12 else '0'}</text>")
    zero = x_of(0.0)
    for k, (name, value) in enumerate(zip(names, values)):
        y = top_pad + k * row_h
        x0, x1 = sorted((zero, x_of(float(value))))
        amount = f"{value:+.2f}" + ("" if classroom else " $bn/yr")
        body.append(f"<text x='{left - 6}' y='{y + row_h - 5}' text-anchor='end'>{escape(name)}</text>"
                    f"<rect x='{x0:.1f}' y='{y + 2}' width='{max(x1 - x0, 0.5):.1f}' height='{row_h - 4}' "
                    f"fill='{'#2ca02c' if value >= 0 else '#d62728'}'><title>{escape(name)}: {amount}</title></rect>")
    body.append(f"<line x1='{zero:.1f}' x2='{zero:.1f}' y1='{top_pad - 2}' y2='{top_pad + row_h * len(shown)}' "
                f"stroke='black'/>")
    body.append(f"<text x='{left + plot_w / 2:.0f}' y='{height - 8}' text-anchor='middle'>"
                f"Welfare change against free trade ({unit})</text>")
    return _svg(width, height, "Welfare change per country, this round", body)


# ---------------------------------------------------------------------------- network
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


def ring_layout(count: int) -> np.ndarray:
    """Partners on an ellipse, the first at the top, clockwise (the same places every round)."""
    angles = [math.pi / 2 - 2 * math.pi * k / max(count, 1) for k in range(count)]
    return np.array([(1.6 * math.cos(a), 1.15 * math.sin(a)) for a in angles]).reshape(-1, 2)


def network_svg(model: "NegotiationModel") -> str:
    """The U.S. and China in the middle, partners on a ring, an edge to where each leans."""
    world = model.world
    classroom = not world.has_united_states
    shown = shown_countries(model, limit=MAX_NETWORK_NODES)
    china = next((i for i in range(world.n) if world.is_china[i]), None)
    partners = [i for i in shown if not world.is_china[i]]
    xy = ring_layout(len(partners))
    width, height = 640, 440

    def px(p) -> tuple[float, float]:
        return 320 + 150 * p[0], 205 - 135 * p[1]

    us_xy, china_xy = px((-0.5, 0.0)), px((0.5, 0.0))
    relations = [relation(model, i) for i in partners]
    body = [_title("Alignment network, this round", width)]

    def edge(a, b, rel: str, tip: str) -> str:
        dash = " stroke-dasharray='5 4'" if rel == "neutral" else ""
        return (f"<line x1='{a[0]:.1f}' y1='{a[1]:.1f}' x2='{b[0]:.1f}' y2='{b[1]:.1f}' stroke='{RELATION_COLORS[rel]}' "
                f"stroke-width='{1.4 if rel == 'neutral' else 3}'{dash}><title>{escape(tip)}</title></line>")

    points = [px(p) for p in xy]
    if classroom:
        for a in range(len(partners)):
            for b in range(a + 1, len(partners)):
                rel = "retaliating" if "retaliating" in (relations[a], relations[b]) else "aligned"
                body.append(edge(points[a], points[b], rel, f"{world.names[partners[a]]} - {world.names[partners[b]]}"))
    else:
        for i, p, rel in zip(partners, points, relations):
            body.append(edge(p, china_xy if rel == "hedging" else us_xy, rel,
                             f"{world.names[i]}: {RELATION_WORDS[rel]}"))
        if china is not None and china in shown:
            rel = "retaliating" if relation(model, china) == "retaliating" else "neutral"
            body.append(edge(china_xy, us_xy, rel, f"China and the U.S.: {RELATION_WORDS[rel]}"))
    for i, (x, y), rel in zip(partners, points, relations):
        if classroom:
            fill, what = (RELATION_COLORS["retaliating"] if rel == "retaliating" else "#dddddd"), RELATION_WORDS[rel]
        else:
            treatment = model.countries[i].treatment
            fill, what = TREATMENT_COLORS.get(treatment, "#dddddd"), f"{treatment}, {RELATION_WORDS[rel]}"
        name = escape(world.names[i])
        body.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='13' fill='{fill}' stroke='black' stroke-width='0.6'>"
                    f"<title>{name}: {escape(what)}</title></circle>"
                    f"<text x='{x:.1f}' y='{y + 27:.1f}' text-anchor='middle' font-size='11'>{name}</text>")
    if not classroom:
        china_name = world.names[china] if china is not None else "China"
        for (x, y), fill, name in ((us_xy, "#1a3d7c", "U.S."), (china_xy, "#c0392b", china_name)):
            body.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='20' fill='{fill}' stroke='black' stroke-width='0.6'/>"
                        f"<text x='{x:.1f}' y='{y + 4:.1f}' text-anchor='middle' fill='white' font-size='11'>"
                        f"{escape(name)}</text>")
    legend = [(RELATION_COLORS[r], RELATION_WORDS[r], r == "neutral") for r in RELATION_COLORS]
    if classroom:
        legend = [(RELATION_COLORS["aligned"], "both open", False), (RELATION_COLORS["retaliating"], "a tariff war", False)]
    for k, (color, label, dashed) in enumerate(legend):
        x, y = 20 + (k % 4) * 155, 392 + (k // 4) * 20
        dash = " stroke-dasharray='5 4'" if dashed else ""
        body.append(f"<line x1='{x}' x2='{x + 22}' y1='{y}' y2='{y}' stroke='{color}' stroke-width='3'{dash}/>"
                    f"<text x='{x + 27}' y='{y + 4}' font-size='11'>{escape(label)}</text>")
    if not classroom:
        for k, (treatment, color) in enumerate(TREATMENT_COLORS.items()):
            x, y = 20 + k * 155, 414
            body.append(f"<circle cx='{x + 11}' cy='{y}' r='6' fill='{color}' stroke='black' stroke-width='0.6'/>"
                        f"<text x='{x + 27}' y='{y + 4}' font-size='11'>{treatment}</text>")
    return _svg(width, height, "Alignment network, this round", body)


class Plots:
    """One game's four figures as SVG text; only what changed is rebuilt."""

    def __init__(self, model: "NegotiationModel", series: RoundSeries, horizon: int | None = None):
        self.model, self.series, self.horizon = model, series, horizon
        self._last: dict[str, tuple] = {}
        self._svg: dict[str, str] = {}

    def _cached(self, name: str, key: tuple, build) -> str:
        if self._last.get(name) != key:
            self._svg[name] = build()
            self._last[name] = key
        return self._svg[name]

    def render(self) -> dict[str, str]:
        model, series = self.model, self.series
        count = len(series.rounds)
        return {
            "tariffs": self._cached("tariffs", (count,), lambda: tariff_svg(model, series, self.horizon)),
            "counts": self._cached("counts", (count,), lambda: stance_svg(model, series, self.horizon)),
            "welfare": self._cached("welfare", (count,), lambda: welfare_svg(model)),
            "network": self._cached("network", (count,), lambda: network_svg(model)),
        }
