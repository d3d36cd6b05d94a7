"""tradesim in the browser: `tradesim app` or `solara run app.py --production`.

The page layout only.  Each browser tab gets its own game: a :class:`ui.actions.PageActions`
(holding a :class:`ui.session.Session`) created inside ``Page`` with ``solara.use_memo``
(never at module level), and freed when the tab closes.  What the page shows is prepared
in the ``ui`` package.

The page is split so that a round redraws only what a round changes: ``Main`` reads the
game's ``version``; the sidebar's controls read only their own values; the busy bar, the
address and the Play loop are components of their own.
"""

from __future__ import annotations

import solara
import solara.lab

from ui.actions import PLAY_SPEEDS, PageActions, admit, current_render_context, places, release
from ui.classgame import class_query
from ui.classpages import ClassLobby, ClassPage, classroom_front_page, serve_class_games
from ui.components import (
    ACTION,
    Address,
    BusyBar,
    ClassFull,
    EventLog,
    ExercisePanel,
    Figure,
    Inspector,
    PlayPanel,
    esc,
    opaque,
)
from ui.reconnect import IN_ADDRESS, WAITING, ServerWatch
from ui.session import round_view
from ui.settings import (
    ALL_COUNTRIES,
    APP_STRATEGIES,
    LABELS,
    SLIDERS,
    controls_for,
    country_names,
    scenario_names,
)
from ui.texts import ABOUT_HTML

TABS = ("Simulation", "Play a country", "Exercises", "Class game", "About this model")
serve_class_games()  # once, when the server loads this page: the class games saved on disk come back


@solara.component
def Page():
    solara.Title("tradesim: trade negotiations under U.S. tariffs")
    router = solara.use_router()
    first = solara.use_memo(admit, [])
    admitted = solara.use_reactive(first)

    def give_back():  # the tab closed: its place is free again
        return lambda: release() if admitted.value else None

    solara.use_effect(give_back, [])
    if not admitted.value:
        ClassFull(*places(), on_retry=lambda: admitted.set(admit()))
        return
    query = class_query(router.search)
    if query is not None:  # a class game's page: ?class=CODE (&seat=..., &teacher=..., &view=projector)
        ClassPage(query)  # with its own ServerWatch: it knows whether the game is saved
    elif classroom_front_page() and not router.search:  # tradesim app --classroom: host or join first
        ServerWatch(WAITING)
        ClassLobby()
    else:
        ServerWatch(IN_ADDRESS)
        Game()


@solara.component
def Game():
    router = solara.use_router()
    actions = solara.use_memo(lambda: PageActions(router.search), [])
    actions.render_context = current_render_context()
    solara.use_effect(lambda: actions.close, [])
    Address(actions.address)
    BusyBar(actions.version)
    Player(actions)
    with solara.Sidebar():
        Buttons(actions)
        Controls(actions)
    Main(actions)
    solara.Style(".tradesim-table td, .tradesim-table th {padding: 1px 10px 1px 0; text-align: left}")


@solara.component
def Player(actions: PageActions):
    """Runs rounds on a timer while Play is on."""
    solara.lab.use_task(actions.play_loop, dependencies=[actions.playing.value], prefer_threaded=True)


@solara.component
def Buttons(actions: PageActions):
    _, country, finished = actions.mode.value
    playing = actions.playing.value
    solara.HTML(tag="h3", unsafe_innerHTML="Controls")
    with solara.Row(gap="6px"):
        solara.Button("Step", on_click=lambda: actions.step(1), color="primary",
                      disabled=playing or bool(country), classes=ACTION)
        solara.Button("Pause" if playing else "Play", on_click=lambda: actions.playing.set(not playing),
                      color="success" if not playing else "warning", disabled=bool(country))
        solara.Button("Reset", on_click=actions.reset, color="error", outlined=True, classes=ACTION)
    solara.Button("+10 rounds", on_click=lambda: actions.step(10), text=True,
                  disabled=playing or bool(country), classes=ACTION)
    if country and finished:
        solara.Info(f"Your game as {country} is over: see the debrief under 'Play a country'.", dense=True)
    elif country:
        solara.Info(f"You are playing {country}: make your move under 'Play a country'.", dense=True)
    solara.Select("Play speed", values=list(PLAY_SPEEDS), value=actions.speed, dense=True)


@solara.component
def Controls(actions: PageActions):
    actions.mode.value  # noqa: B018 - redraw when a new game starts (for the 'settings changed' note)
    scenario, params, strategies, target = actions.scenario, actions.params, actions.strategies, actions.target
    if actions.pending():
        solara.Info("Settings changed: press Reset to start a new game with them.", dense=True)
    # keys: the controls shown depend on the scenario, and each must keep its own state
    solara.Select("Scenario", values=scenario_names(), value=scenario.value,
                  on_value=actions.on_scenario).key("scenario")
    solara.InputText("Seed (whole number)", value=actions.seed, continuous_update=True).key("seed")
    shown = controls_for(scenario.value)
    for key, (low, high, step) in SLIDERS.items():
        if key not in shown:
            continue
        value = params.value.get(key)

        def update(new, key=key, step=step):
            old = params.value.get(key)
            if old is not None and abs(new - old) < step / 2:
                return  # the slider snapping an off-grid value (us_toughness 0.143 on a 0.05 grid), not a change
            params.value = {**params.value, key: new}

        if isinstance(step, int) and isinstance(low, int):
            solara.SliderInt(f"{LABELS[key]}: {int(value)}", value=int(value), min=low, max=high, step=step,
                             on_value=update).key(key)
        else:
            solara.SliderFloat(f"{LABELS[key]}: {float(value):g}", value=float(value), min=low, max=high, step=step,
                               on_value=update).key(key)
    if "china_active" in shown:
        solara.Checkbox(label=LABELS["china_active"], value=bool(params.value.get("china_active", True)),
                        on_value=lambda v: params.set({**params.value, "china_active": bool(v)})).key("china")
    solara.HTML(tag="div", unsafe_innerHTML="<b>Strategy</b>", style="margin:8px 0 10px 0")
    names = solara.use_memo(lambda: country_names(scenario.value), [scenario.value])
    targets = [ALL_COUNTRIES] + names
    if target.value not in targets:
        target.value = ALL_COUNTRIES
    solara.Select("Strategy for", values=targets, value=target, dense=True).key("strategy-for")
    chosen = strategies.value.get(target.value, strategies.value.get(ALL_COUNTRIES, "expected_utility"))
    solara.Select("Decision rule", values=list(APP_STRATEGIES), value=chosen, dense=True,
                  on_value=lambda s: strategies.set({**strategies.value, target.value: s})).key("decision-rule")
    own = [f"{k}: {v.replace('_', ' ')}" for k, v in strategies.value.items() if k != ALL_COUNTRIES and k in names]
    if own:
        solara.Text("Own rules: " + "; ".join(own))
        solara.Button("Clear own rules", text=True,
                      on_click=lambda: strategies.set({ALL_COUNTRIES: strategies.value.get(ALL_COUNTRIES)}))
    solara.InputText("Other settings (name=value, ...)", value=actions.extra, continuous_update=True,
                     placeholder="e.g. escalation_ceiling=0.5, Canada.security_dependence=0.3").key("extra")


@solara.component
def Main(actions: PageActions):
    version = actions.version.value

    def render_view():
        with actions.lock:
            return round_view(actions.session)

    view = solara.use_memo(render_view, [version])
    with solara.Column(style={"padding": "8px"}):
        solara.HTML(tag="h2", unsafe_innerHTML=esc(view["status"]), classes=["tradesim-status"],
                    style="margin:0 0 4px 0;font-size:22px")
        if actions.error.value:
            solara.Error(actions.error.value, classes=["tradesim-error"])
        solara.Text(view["description"], style={"color": "#555"})
        with solara.lab.Tabs(value=actions.tab, align="left", lazy=True):
            with solara.lab.Tab(TABS[0]):
                with solara.Columns([3, 2]):
                    Figure(view["tariffs"], "tariffs")
                    Figure(view["counts"], "counts")
                with solara.Columns([3, 2]):
                    Figure(view["network"], "network")
                    Figure(view["welfare"], "welfare")
                with solara.Columns([1, 1]):
                    with solara.Card("Country inspector"):
                        Inspector(actions.session, version, actions.lock)
                    EventLog(view["events"])
            with solara.lab.Tab(TABS[1]):
                if view["play"] is None:
                    StartPlaying(actions)
                else:
                    PlayPanel(opaque(view["play"]), actions.play_round, actions.finish, actions.play_again,
                              actions.stop_playing)
                    with solara.Columns([3, 2]):
                        Figure(view["tariffs"], "tariffs")
                        Figure(view["welfare"], "welfare")
            with solara.lab.Tab(TABS[2]):
                with solara.Card("Exercises"):
                    ExercisePanel(actions.load_exercise, actions.exercise)
            with solara.lab.Tab(TABS[3]):
                ClassLobby()
            with solara.lab.Tab(TABS[4]):
                with solara.Card("About this model"):
                    solara.HTML(tag="div", unsafe_innerHTML=ABOUT_HTML, classes=["tradesim-about"],
                                style="font-size:14px;max-width:900px")


@solara.component
def StartPlaying(actions: PageActions):
    with solara.Card("Play a country"):
        solara.HTML(tag="p", unsafe_innerHTML=(
            "Take one country's seat; every other country stays an agent. Each round you see "
            "the U.S. demands, your tariffs, China's stance and what each option is worth, "
            "then you choose. At the end a debrief compares your result with the agent's "
            "(same scenario, settings and seed) and with history."))
        names = country_names(actions.scenario.value)
        if actions.play_country.value not in names:
            actions.play_country.value = "Canada" if "Canada" in names else names[0]
        solara.Select("Country to play", values=names, value=actions.play_country)
        solara.InputText("Rounds to play (0 = the history horizon or the scenario's length)",
                         value=actions.play_rounds, continuous_update=True)
        solara.Button("Start playing", on_click=actions.start_playing, color="primary", classes=ACTION)
