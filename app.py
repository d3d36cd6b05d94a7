"""tradesim in the browser: `tradesim app` or `solara run app.py --production`.

The page layout only.  Each browser tab gets its own game: the model lives in a
:class:`ui.session.Session` created inside ``Page`` with ``solara.use_memo`` (never at
module level).  What the page shows is prepared in the ``ui`` package.
"""

from __future__ import annotations

import threading
import time

import solara
import solara.lab

from ui.components import ExercisePanel, Inspector, PlayPanel, esc
from ui.exercises import exercise_settings
from ui.session import Session, round_view
from ui.settings import (
    ALL_COUNTRIES,
    APP_STRATEGIES,
    LABELS,
    SLIDERS,
    Settings,
    UserError,
    country_names,
    default_settings,
    scenario_defaults,
    scenario_names,
)
from ui.texts import ABOUT_HTML

PLAY_SPEEDS = {"slow (1 s)": 1.0, "normal (0.4 s)": 0.4, "fast": 0.05}

TABS = ("Simulation", "Play a country", "Exercises", "About this model")

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
    tab = solara.use_reactive(0)

    first = session.settings
    scenario = solara.use_reactive(first.scenario)
    seed = solara.use_reactive(str(first.seed))
    params = solara.use_reactive(dict(first.params))
    strategies = solara.use_reactive(dict(first.strategies))
    target = solara.use_reactive(ALL_COUNTRIES)
    extra = solara.use_reactive("")
    play_country = solara.use_reactive("")
    play_rounds = solara.use_reactive(0)  # 0: the history horizon or the scenario's length

    def current_settings(country=None, rounds=None) -> Settings:
        return Settings(scenario=scenario.value, seed=seed.value, params=dict(params.value),
                        strategies=dict(strategies.value), extra=extra.value,
                        country=country, rounds=rounds)

    # ---- actions ------------------------------------------------------------------------
    def do_step(rounds: int = 1):
        try:
            with lock:
                session.step(rounds)
        except UserError as exc:
            error.value = str(exc)
            playing.value = False
        version.value += 1

    def start(settings: Settings, message: str = "The current game is unchanged.") -> bool:
        playing.value = False
        try:
            with lock:
                session.reset(settings)
        except UserError as exc:
            error.value = f"Could not start a new game: {exc} {message}"
            return False
        error.value = ""
        version.value += 1
        return True

    def do_reset():  # a new game with the sidebar's settings; a played country stays played
        country = session.settings.country
        if country and country not in set(country_names(scenario.value)):
            country = None  # the new scenario has no such country: watch the agents instead
        start(current_settings(country, session.settings.rounds if country else None))

    def on_scenario(name: str):
        scenario.value = name
        values = scenario_defaults(name)
        strategy = values.pop("strategy")
        params.value = values
        strategies.value = {ALL_COUNTRIES: strategy}
        target.value = ALL_COUNTRIES

    def start_playing():
        names = country_names(scenario.value)
        country = play_country.value if play_country.value in names else names[0]
        if start(current_settings(country, play_rounds.value or None)):
            tab.value = 1

    def stop_playing():
        start(current_settings(None, None))

    def play_round(accepted: list[str], stance: str):
        try:
            with lock:
                session.play_round(accepted, stance)
            error.value = ""
        except UserError as exc:
            error.value = str(exc)
        version.value += 1

    def finish():
        with lock:
            if session.play is not None:
                session.play.finish()
        version.value += 1

    def play_again():
        start(session.settings)

    def load_exercise(ex):
        settings = exercise_settings(ex)
        scenario.value = settings.scenario
        seed.value = str(settings.seed)
        params.value = dict(settings.params)
        strategies.value = dict(settings.strategies)
        target.value = ALL_COUNTRIES
        if ex.country:
            play_country.value = ex.country
        play_rounds.value = ex.rounds or 0
        start(settings)

    def play_loop():
        while playing.value:
            time.sleep(PLAY_SPEEDS.get(speed.value, 0.4))
            if not playing.value:
                break
            do_step()

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    # ---- what the page shows: recomputed once per round, not on every widget change ----
    def render_view():
        with lock:
            return round_view(session)

    view = solara.use_memo(render_view, [version.value])
    scenario_countries = solara.use_memo(lambda: country_names(scenario.value),
                                         [scenario.value])
    pending = current_settings(session.settings.country, session.settings.rounds) != session.settings
    in_play = view["play"] is not None

    # ---- sidebar: controls ----------------------------------------------------------------
    with solara.Sidebar():
        solara.HTML(tag="h3", unsafe_innerHTML="Controls")
        with solara.Row(gap="6px"):
            solara.Button("Step", on_click=lambda: do_step(1), color="primary", disabled=playing.value or in_play)
            solara.Button("Pause" if playing.value else "Play", on_click=lambda: playing.set(not playing.value),
                          color="success" if not playing.value else "warning", disabled=in_play)
            solara.Button("Reset", on_click=do_reset, color="error", outlined=True)
        solara.Button("+10 rounds", on_click=lambda: do_step(10), text=True, disabled=playing.value or in_play)
        if in_play and view["play"]["finished"]:
            solara.Info(f"Your game as {view['play']['country']} is over: see the debrief under 'Play a country'.",
                        dense=True)
        elif in_play:
            solara.Info(f"You are playing {view['play']['country']}: make your move under 'Play a country'.",
                        dense=True)
        solara.Select("Play speed", values=list(PLAY_SPEEDS), value=speed, dense=True)
        if pending:
            solara.Info("Settings changed: press Reset to start a new game with them.", dense=True)
        solara.Select("Scenario", values=scenario_names(), value=scenario.value, on_value=on_scenario)
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
                         placeholder="e.g. escalation_ceiling=0.5, Canada.security_dependence=0.3")

    # ---- main panel -------------------------------------------------------------------------
    with solara.Column(style={"padding": "8px"}):
        solara.HTML(tag="h2", unsafe_innerHTML=esc(view["status"]), classes=["tradesim-status"],
                    style="margin:0 0 4px 0;font-size:22px")
        if error.value:
            solara.Error(error.value, classes=["tradesim-error"])
        solara.Text(view["description"], style={"color": "#555"})
        with solara.lab.Tabs(value=tab, align="left"):
            with solara.lab.Tab(TABS[0]):
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
                        lines = "".join(f"<div>{esc(line)}</div>" for line in view["events"]) or "<div>No events yet.</div>"
                        solara.HTML(tag="div", unsafe_innerHTML=lines, classes=["tradesim-events"],
                                    style="max-height:520px;overflow-y:auto;font-size:14px;line-height:1.5")
            with solara.lab.Tab(TABS[1]):
                if view["play"] is None:
                    with solara.Card("Play a country"):
                        solara.HTML(tag="p", unsafe_innerHTML=(
                            "Take one country's seat; every other country stays an agent. Each round you see "
                            "the U.S. demands, your tariffs, China's stance and what each option is worth, "
                            "then you choose. At the end a debrief compares your result with the agent's "
                            "(same scenario, settings and seed) and with history."))
                        names = scenario_countries
                        if play_country.value not in names:
                            play_country.value = "Canada" if "Canada" in names else names[0]
                        solara.Select("Country to play", values=names, value=play_country)
                        solara.InputInt("Rounds to play (0 = the history horizon or the scenario's length)",
                                        value=play_rounds)
                        solara.Button("Start playing", on_click=start_playing, color="primary")
                else:
                    PlayPanel(view["play"], play_round, finish, play_again, stop_playing)
                    with solara.Columns([3, 2]):
                        solara.Image(view["tariffs"], width="100%")
                        solara.Image(view["welfare"], width="100%")
            with solara.lab.Tab(TABS[2]):
                with solara.Card("Exercises"):
                    ExercisePanel(load_exercise)
            with solara.lab.Tab(TABS[3]):
                with solara.Card("About this model"):
                    solara.HTML(tag="div", unsafe_innerHTML=ABOUT_HTML, classes=["tradesim-about"],
                                style="font-size:14px;max-width:900px")
        solara.Style(".tradesim-table td, .tradesim-table th {padding: 1px 10px 1px 0; text-align: left}")
