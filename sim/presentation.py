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
import time
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim import reporters
from sim.errors import ParameterError, UserError
from sim.model import NegotiationModel
from sim.params import PARAMS, STRATEGY_NAMES
from sim.scenario import builtin_names, load_scenario

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
    "escalation_step": "Escalation step (tariff points)",
    "deadline_round": "Deadline round (0 = none)",
    "demand_elasticity": "Import demand elasticity",
    "decision_noise": "Decision noise",
    "patience": "Patience (discount factor)",
    "china_active": "China acts (punishes aligners, courts hedgers)",
}
# Strategies a student can pick here ("human" needs the play-a-country panel).
APP_STRATEGIES = tuple(s for s in STRATEGY_NAMES if s != "human")
ALL_COUNTRIES = "All countries"

MAX_PLOT_ROUNDS = 120  # time-series plots show at most this many recent rounds
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
    """A seed from a text box: a whole number >= 0; anything else raises ParameterError."""
    if isinstance(text, (int, np.integer)) and not isinstance(text, bool):
        value = int(text)
    else:
        raw = "" if text is None else str(text).strip()
        if raw == "":
            raise ParameterError("Seed is empty: type a whole number such as 7 (the same seed replays the same game).")
        try:
            value = int(raw)
        except ValueError:
            raise ParameterError(f"Seed must be a whole number such as 7, got {raw!r}.") from None
    if value < 0:
        raise ParameterError(f"Seed must be 0 or more, got {value}.")
    return value


def parse_extra(text: str) -> dict[str, Any]:
    """Parse "name=value, name=value" into validated parameters (ParameterError if bad)."""
    out: dict[str, Any] = {}
    for chunk in (text or "").replace(";", ",").replace("\n", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        if "=" not in chunk:
            raise ParameterError(f"Other settings: {chunk!r} is not of the form name=value (e.g. tariff_ceiling=0.5).")
        key, value = (part.strip() for part in chunk.split("=", 1))
        if key not in PARAMS:
            raise ParameterError(f"Other settings: unknown parameter {key!r}. Known: {', '.join(PARAMS)}.")
        out[key] = PARAMS[key].coerce(value, where="Other settings")
    return out


def build_model(settings: Settings) -> NegotiationModel:
    """A new model from the controls; raises UserError with a readable message on bad input."""
    if settings.scenario not in builtin_names():
        raise ParameterError(f"Unknown scenario {settings.scenario!r}; pick one of {', '.join(builtin_names())}.")
    seed = parse_seed(settings.seed)
    params: dict[str, Any] = {}
    for key, value in settings.params.items():
        if key not in PARAMS:
            raise ParameterError(f"Unknown parameter {key!r}.")
        params[key] = PARAMS[key].coerce(value, where=LABELS.get(key, key))
    params.update(parse_extra(settings.extra))
    names = {c.name for c in load_scenario(settings.scenario).countries}
    overrides: dict[str, Any] = {}
    for target, strategy in settings.strategies.items():
        if strategy not in STRATEGY_NAMES:
            raise ParameterError(f"Unknown strategy {strategy!r}; pick one of {', '.join(APP_STRATEGIES)}.")
        if target == ALL_COUNTRIES:
            params["strategy"] = strategy
        elif target in names:  # choices made for another scenario's countries are dropped
            overrides[f"{target}.strategy"] = strategy
    return NegotiationModel(scenario_name=settings.scenario, rng=seed, overrides=overrides, **params)


# ---------------------------------------------------------------------------- session
class History:
    """Per-round series, appended once per round (constant cost per round)."""

    def __init__(self, names: list[str]):
        self.names = list(names)
        self.rounds: list[int] = []
        self.tariffs: list[np.ndarray] = []
        self.deals: list[int] = []
        self.retaliators: list[int] = []
        self.waiters: list[int] = []

    def record(self, model: NegotiationModel) -> None:
        self.rounds.append(model.round)
        self.tariffs.append(np.array(model.state.avg_tariff, dtype=float))
        self.deals.append(reporters.deals(model))
        self.retaliators.append(reporters.retaliators(model))
        self.waiters.append(reporters.waiters(model))

    def window(self, limit: int = MAX_PLOT_ROUNDS) -> slice:
        return slice(max(0, len(self.rounds) - limit), len(self.rounds))


class Session:
    """One browser tab's game: its model, its history and the settings it was built from."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or default_settings()
        self.model = build_model(self.settings)
        self.history = History(self.model.world.names)
        self.history.record(self.model)

    def step(self, rounds: int = 1) -> None:
        for _ in range(rounds):
            self.model.step()
            self.history.record(self.model)

    def reset(self, settings: Settings) -> None:
        """Rebuild from ``settings``; on bad input raise UserError and keep the current game."""
        model = build_model(settings)
        self.settings = settings
        self.model = model
        self.history = History(model.world.names)
        self.history.record(model)


# ---------------------------------------------------------------------------- figures
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


def tariff_figure(model: NegotiationModel, history: History) -> Figure:
    fig = Figure(figsize=(6.4, 3.4), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    window = history.window()
    rounds = history.rounds[window]
    shown = _shown_countries(model)
    if rounds:
        matrix = np.vstack(history.tariffs[window]) * 100.0
        colors = _colors(len(shown))
        for color, i in zip(colors, shown):
            ax.plot(rounds, matrix[:, i], label=history.names[i], color=color, lw=1.8,
                    marker="o" if len(rounds) <= 30 else None, ms=3)
    label = "Tariff on a country's exports (%)" if model.world.has_united_states else "Partners' tariff on it (%)"
    ax.set_title("Tariff level per country" + (" (latest rounds)" if len(history.rounds) > len(rounds) else ""))
    ax.set_xlabel(model.scenario_data.round_label.capitalize() if model.scenario_data.round_label else "Round")
    ax.set_ylabel(label)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if shown:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
                  ncol=1 if len(shown) <= 14 else 2)
    return fig


def counts_figure(model: NegotiationModel, history: History) -> Figure:
    fig = Figure(figsize=(5.2, 3.4), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    window = history.window()
    rounds = history.rounds[window]
    marker = "o" if len(rounds) <= 30 else None
    ax.plot(rounds, history.deals[window], label="Deals / relief", color=RELATION_COLORS["aligned"], lw=2, marker=marker, ms=3)
    ax.plot(rounds, history.retaliators[window], label="Retaliators", color=RELATION_COLORS["retaliating"], lw=2, marker=marker, ms=3)
    ax.plot(rounds, history.waiters[window], label="Waiters", color="#7f7f7f", lw=2, marker=marker, ms=3)
    ax.set_title("Deals, retaliators and waiters")
    ax.set_xlabel(model.scenario_data.round_label.capitalize() if model.scenario_data.round_label else "Round")
    ax.set_ylabel("Number of countries")
    ax.set_ylim(-0.2, model.world.n + 0.5)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="upper left", frameon=False)
    return fig


def welfare_figure(model: NegotiationModel) -> Figure:
    shown = _shown_countries(model, limit=30)
    names = [model.world.names[i] for i in shown]
    values = np.asarray(model.state.welfare, dtype=float)[shown]
    height = max(2.6, 0.26 * len(shown) + 1.0)
    fig = Figure(figsize=(5.2, height), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(shown))
    colors = ["#2ca02c" if v >= 0 else "#d62728" for v in values]
    ax.barh(y, values, color=colors)
    ax.set_yticks(y, names, fontsize=9)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    unit = "$bn per year" if model.world.has_united_states else "payoff units"
    ax.set_xlabel(f"Welfare change against free trade ({unit})")
    ax.set_title(f"Welfare change per country, round {model.round}")
    ax.grid(axis="x", alpha=0.3)
    return fig


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
    """U.S., China and partners; each partner linked to the side it leans to, by relation."""
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
    pos: dict[str, tuple[float, float]] = {}
    for k, name in enumerate(partners):
        angle = math.pi / 2 - 2 * math.pi * k / max(len(partners), 1)
        pos[name] = (1.6 * math.cos(angle), 1.15 * math.sin(angle))
    for name, data in graph.nodes(data=True):
        if data.get("kind") == "us":
            pos[name] = (-0.5, 0.0)
        elif data.get("kind") == "china":
            pos[name] = (0.5, 0.0)
    return pos


def network_figure(model: NegotiationModel) -> Figure:
    graph = alignment_graph(model)
    pos = network_positions(graph)
    fig = Figure(figsize=(6.4, 4.6), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    for rel, color in RELATION_COLORS.items():
        edges = [(a, b) for a, b, d in graph.edges(data=True) if d["relation"] == rel]
        if edges:
            nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, edge_color=color,
                                   width=1.2 if rel == "neutral" else 2.6,
                                   style="dashed" if rel == "neutral" else "solid")
    node_colors = []
    for name, data in graph.nodes(data=True):
        if data.get("kind") == "us":
            node_colors.append("#1a3d7c")
        elif data.get("kind") == "china":
            node_colors.append("#c0392b")
        else:
            node_colors.append(TREATMENT_COLORS.get(data.get("treatment", ""), "#dddddd"))
    sizes = [1300 if d.get("kind") in ("us", "china") else 650 for _, d in graph.nodes(data=True)]
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=node_colors, node_size=sizes, edgecolors="black", linewidths=0.6)
    labels = {n: ("U.S." if n == "United States" else n) for n in graph.nodes}
    label_pos = {n: (x, y - (0.0 if graph.nodes[n].get("kind") != "partner" else 0.21)) for n, (x, y) in pos.items()}
    nx.draw_networkx_labels(graph, label_pos, labels=labels, ax=ax, font_size=9)
    ax.set_title(f"Alignment network, round {model.round}")
    ax.set_xlim(-2.2, 2.2)
    ax.set_ylim(-1.45, 1.4)
    ax.axis("off")
    handles = [Line2D([0], [0], color=c, lw=2.5, ls="--" if r == "neutral" else "-", label=r.replace("neutral", "waiting / WTO"))
               for r, c in RELATION_COLORS.items()]
    if model.world.has_united_states:
        handles += [Patch(facecolor=c, edgecolor="black", label=t) for t, c in TREATMENT_COLORS.items()]
    ax.legend(handles=handles, fontsize=8, loc="lower center", bbox_to_anchor=(0.5, -0.14), ncol=4, frameon=False)
    return fig


def figure_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes (what the page shows)."""
    buffer = io.BytesIO()
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
        "beliefs": agent.beliefs(),
    }


def recent_events(model: NegotiationModel, limit: int = MAX_EVENTS) -> list[str]:
    """The latest event lines, newest first (only the tail is formatted: flat cost)."""
    tail = model.events[-limit:]
    return [f"Round {e['round']}: {e['text']}" for e in reversed(tail)]


def status_line(model: NegotiationModel, history: History) -> str:
    label = model.scenario_data.round_label or "round"
    return (f"{model.scenario_data.title}, {label} {model.round}: {history.deals[-1]} deals, "
            f"{history.retaliators[-1]} retaliating, {history.waiters[-1]} waiting")


# ---------------------------------------------------------------------------- measurement
def full_update(session: Session, country: str | None = None) -> dict[str, Any]:
    """Everything the page computes after one Step: the round, figures as PNG, inspector, log."""
    session.step()
    model, history = session.model, session.history
    country = country or model.world.names[0]
    return {
        "tariffs": figure_png(tariff_figure(model, history)),
        "counts": figure_png(counts_figure(model, history)),
        "welfare": figure_png(welfare_figure(model)),
        "network": figure_png(network_figure(model)),
        "inspector": inspect_country(model, country),
        "events": recent_events(model),
        "status": status_line(model, history),
    }


def measure_update_time(at_rounds: tuple[int, ...] = (10, 300), repeats: int = 3,
                        settings: Settings | None = None) -> dict[int, float]:
    """Seconds for one full server-side update (step + all components) at each round.

    The best of ``repeats`` updates right after the given round is reported.
    """
    session = Session(settings or default_settings())
    full_update(session)  # warm up matplotlib
    session.reset(session.settings)
    out: dict[int, float] = {}
    for target in sorted(at_rounds):
        while session.model.round < target - 1:
            session.step()
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            full_update(session)
            timings.append(time.perf_counter() - start)
        out[target] = min(timings)
    return out


__all__ = [
    "ALL_COUNTRIES", "APP_STRATEGIES", "LABELS", "SLIDERS", "History", "Session", "Settings",
    "UserError", "alignment_graph", "build_model", "counts_figure", "default_settings", "figure_png",
    "full_update", "inspect_country", "measure_update_time", "network_figure", "parse_extra", "parse_seed",
    "recent_events", "relation", "scenario_defaults", "status_line", "tariff_figure", "welfare_figure",
]
