"""tradesim in the browser: `tradesim app` or `solara run app.py --production`.

Each browser tab gets its own game: the model lives in a :class:`sim.presentation.Session`
created inside ``Page`` with ``solara.use_memo`` (never at module level).  All data
preparation is in :mod:`sim.presentation`; this file only lays out the page.
"""

from __future__ import annotations

import html
import threading
import time

import solara
import solara.lab

from sim.errors import UserError
from sim.presentation import (
    ALL_COUNTRIES,
    APP_STRATEGIES,
    LABELS,
    SLIDERS,
    Session,
    Settings,
    counts_figure,
    default_settings,
    figure_png,
    inspect_country,
    network_figure,
    recent_events,
    scenario_defaults,
    status_line,
    tariff_figure,
    welfare_figure,
)
from sim.scenario import builtin_names, load_scenario

PLAY_SPEEDS = {"slow (1 s)": 1.0, "normal (0.4 s)": 0.4, "fast": 0.05}


def _esc(value) -> str:
    return html.escape(str(value))


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _money(x: float) -> str:
    return f"{'-' if x < 0 else '+'}${abs(x):.2f}bn/yr"


@solara.component
def Inspector(session: Session, version: int, lock: threading.RLock):
    model = session.model
    names = model.world.names
    country = solara.use_reactive(names[0])
    if country.value not in names:
        country.value = names[0]

    def gather():
        with lock:
            return inspect_country(session.model, country.value)

    info = solara.use_memo(gather, [version, country.value, id(model)])
    solara.Select("Inspect a country", values=list(names), value=country)
    rows = [
        ("Treatment", info["treatment"]),
        ("U.S. tariff on its exports", f"{info['tariff_pct']:.1f}%"),
        ("Strategy", info["strategy"].replace("_", " ")),
        ("Last move", info["chosen"] or "none yet"),
        ("Exports to the U.S.", f"${info['exports_to_us_bn']:.1f}bn/yr"),
        ("Retaliation on U.S. goods", f"${info['retaliation_bn']:.1f}bn/yr"),
        ("Alignment with the U.S.", _pct(info["alignment"])),
        ("Welfare change", _money(info["welfare_change_bn"])),
        ("Domestic pressure to retaliate", _pct(info["pressure"])),
        ("Security dependence on the U.S.", _pct(info["security_dependence"])),
    ]
    table = "".join(f"<tr><td style='padding-right:1em;color:#555'>{_esc(k)}</td><td><b>{_esc(v)}</b></td></tr>"
                    for k, v in rows)
    if info["demands"]:
        demand_rows = "".join(
            f"<tr><td>{'&#10004; accepted' if d['accepted'] else ('&#10008; refused' if d['applies'] else 'n/a')}</td>"
            f"<td><code>{_esc(d['id'])}</code> {_esc(d['label'])}</td></tr>"
            for d in info["demands"])
        demands = f"<h4 style='margin:0.6em 0 0.2em'>U.S. demands</h4><table>{demand_rows}</table>"
    else:
        demands = "<p style='color:#555'>No U.S. demands in this scenario.</p>"
    if info["utilities"]:
        util_rows = "".join(
            f"<tr><td>{'&#9654; ' if label == info['chosen'] else ''}{_esc(label)}</td>"
            f"<td style='text-align:right;padding-left:1em'>{value:+.2f}</td></tr>"
            for label, value in info["utilities"])
        why = (f"<h4 style='margin:0.6em 0 0.2em'>Why: what each option was worth (% of stake), best first</h4>"
               f"<p style='margin:0'>{_esc(info['why'])}</p><table>{util_rows}</table>"
               f"<p style='color:#777;margin:0'>top {len(info['utilities'])} of {info['n_options']} options</p>")
    else:
        why = f"<p>{_esc(info['why'])}</p>"
    belief_rows = "".join(f"<tr><td style='padding-right:1em'>{_esc(k)}</td><td>{_pct(v)}</td></tr>"
                          for k, v in info["beliefs"].items())
    beliefs = f"<h4 style='margin:0.6em 0 0.2em'>Its beliefs (chance that...)</h4><table>{belief_rows}</table>"
    solara.HTML(tag="div", unsafe_innerHTML=f"<table>{table}</table>{demands}{why}{beliefs}",
                classes=["tradesim-inspector"], style="font-size:14px")


@solara.component
def Page():
    solara.Title("tradesim: trade negotiations under U.S. tariffs")
    # ---- per-session state: one game per browser tab ---------------------------------
    session = solara.use_memo(lambda: Session(default_settings()), [])
    lock = solara.use_memo(threading.RLock, [])
    version = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    error = solara.use_reactive("")
    speed = solara.use_reactive("normal (0.4 s)")

    first = session.settings
    scenario = solara.use_reactive(first.scenario)
    seed = solara.use_reactive(str(first.seed))
    params = solara.use_reactive(dict(first.params))
    strategies = solara.use_reactive(dict(first.strategies))
    target = solara.use_reactive(ALL_COUNTRIES)
    extra = solara.use_reactive("")

    def current_settings() -> Settings:
        return Settings(scenario=scenario.value, seed=seed.value, params=dict(params.value),
                        strategies=dict(strategies.value), extra=extra.value)

    # ---- actions ------------------------------------------------------------------------
    def do_step(rounds: int = 1):
        try:
            with lock:
                session.step(rounds)
        except UserError as exc:
            error.value = str(exc)
            playing.value = False
        version.value += 1

    def do_reset():
        playing.value = False
        try:
            with lock:
                session.reset(current_settings())
        except UserError as exc:
            error.value = f"Could not start a new game: {exc} The current game is unchanged."
            return
        error.value = ""
        version.value += 1

    def on_scenario(name: str):
        scenario.value = name
        values = scenario_defaults(name)
        strategy = values.pop("strategy")
        params.value = values
        strategies.value = {ALL_COUNTRIES: strategy}
        target.value = ALL_COUNTRIES

    def play_loop():
        while playing.value:
            time.sleep(PLAY_SPEEDS.get(speed.value, 0.4))
            if not playing.value:
                break
            do_step()

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    # ---- what the page shows: recomputed once per round, not on every widget change ----
    def render_plots():
        with lock:
            model, history = session.model, session.history
            return {
                "tariffs": figure_png(tariff_figure(model, history)),
                "counts": figure_png(counts_figure(model, history)),
                "welfare": figure_png(welfare_figure(model)),
                "network": figure_png(network_figure(model)),
                "events": recent_events(model),
                "status": status_line(model, history),
                "round": model.round,
                "names": list(model.world.names),
                "scenario": model.scenario_name,
                "description": model.scenario_data.description,
            }

    view = solara.use_memo(render_plots, [version.value])
    scenario_countries = solara.use_memo(lambda: [c.name for c in load_scenario(scenario.value).countries],
                                         [scenario.value])
    pending = current_settings() != session.settings

    # ---- sidebar: controls ----------------------------------------------------------------
    with solara.Sidebar():
        solara.HTML(tag="h3", unsafe_innerHTML="Controls")
        with solara.Row(gap="6px"):
            solara.Button("Step", on_click=lambda: do_step(1), color="primary", disabled=playing.value)
            solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                          color="success" if not playing.value else "warning")
            solara.Button("Reset", on_click=do_reset, color="error", outlined=True)
        solara.Button("+10 rounds", on_click=lambda: do_step(10), text=True, disabled=playing.value)
        solara.Select("Play speed", values=list(PLAY_SPEEDS), value=speed, dense=True)
        if pending:
            solara.Info("Settings changed: press Reset to start a new game with them.", dense=True)
        solara.Select("Scenario", values=builtin_names(), value=scenario.value, on_value=on_scenario)
        solara.InputText("Seed (whole number)", value=seed, continuous_update=True)
        for key, (low, high, step) in SLIDERS.items():
            value = params.value.get(key)

            def update(new, key=key):
                params.value = {**params.value, key: new}

            if isinstance(step, int) and isinstance(low, int):
                solara.SliderInt(f"{LABELS[key]}: {int(value)}", value=int(value), min=low, max=high, step=step, on_value=update)
            else:
                solara.SliderFloat(f"{LABELS[key]}: {float(value):g}", value=float(value), min=low, max=high, step=step, on_value=update)
        solara.Checkbox(label=LABELS["china_active"], value=bool(params.value.get("china_active", True)),
                        on_value=lambda v: params.set({**params.value, "china_active": bool(v)}))
        solara.HTML(tag="div", unsafe_innerHTML="<b>Strategy</b>", style="margin:8px 0 10px 0")
        targets = [ALL_COUNTRIES] + scenario_countries
        if target.value not in targets:
            target.value = ALL_COUNTRIES
        solara.Select("Strategy for", values=targets, value=target, dense=True)
        chosen = strategies.value.get(target.value, strategies.value.get(ALL_COUNTRIES, "expected_utility"))
        solara.Select("Decision rule", values=list(APP_STRATEGIES), value=chosen, dense=True,
                      on_value=lambda s: strategies.set({**strategies.value, target.value: s}))
        own = [f"{k}: {v.replace('_', ' ')}" for k, v in strategies.value.items()
               if k != ALL_COUNTRIES and k in scenario_countries]
        if own:
            solara.Text("Own rules: " + "; ".join(own))
            solara.Button("Clear own rules", text=True,
                          on_click=lambda: strategies.set({ALL_COUNTRIES: strategies.value.get(ALL_COUNTRIES)}))
        solara.InputText("Other settings (name=value, ...)", value=extra, continuous_update=True,
                         placeholder="e.g. tariff_ceiling=0.5, relief_threshold=0.6")

    # ---- main panel -------------------------------------------------------------------------
    with solara.Column(style={"padding": "8px"}):
        solara.HTML(tag="h2", unsafe_innerHTML=_esc(view["status"]), classes=["tradesim-status"],
                    style="margin:0 0 4px 0;font-size:22px")
        if error.value:
            solara.Error(error.value, classes=["tradesim-error"])
        solara.Text(view["description"], style={"color": "#555"})
        with solara.Columns([3, 2]):
            solara.Image(view["tariffs"], width="100%")
            solara.Image(view["counts"], width="100%")
        with solara.Columns([3, 2]):
            solara.Image(view["network"], width="100%")
            solara.Image(view["welfare"], width="100%")
        with solara.Columns([1, 1]):
            with solara.Card("Country inspector"):
                Inspector(session, version.value, lock)
            with solara.Card("Event log (newest first)"):
                lines = "".join(f"<div>{_esc(line)}</div>" for line in view["events"]) or "<div>No events yet.</div>"
                solara.HTML(tag="div", unsafe_innerHTML=lines, classes=["tradesim-events"],
                            style="max-height:520px;overflow-y:auto;font-size:14px;line-height:1.5")
