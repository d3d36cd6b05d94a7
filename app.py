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

from sim.world.errors import UserError
from sim.exercises import list_exercises
from sim.play import (
    ABOUT_HTML,
    EXERCISE_SECTIONS_SHOWN,
    consequence,
    exercise_settings,
    markdown_html,
)
from sim.presentation import (
    ALL_COUNTRIES,
    APP_STRATEGIES,
    LABELS,
    SLIDERS,
    Session,
    Settings,
    default_settings,
    inspect_country,
    round_view,
    scenario_defaults,
)
from sim.world.loader import builtin_names, load_scenario

PLAY_SPEEDS = {"slow (1 s)": 1.0, "normal (0.4 s)": 0.4, "fast": 0.05}


def _esc(value) -> str:
    return html.escape(str(value))


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _money(x: float, per: str = "/yr") -> str:
    return f"{'-' if x < 0 else '+'}${abs(x):.2f}bn{per}"


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
        ("Strategy", info["strategy"].replace("_", " ")),
        ("Last move", info["chosen"] or "none yet"),
    ]
    if info["classroom"]:  # no U.S., no China: a symmetric tariff game between the countries
        rows.append(("Payoff this round", f"{info['welfare_change_bn']:+.2f}"))
    else:
        rows = [
            ("Treatment", info["treatment"]),
            ("U.S. tariff on its exports", f"{info['tariff_pct']:.1f}%"),
            *rows,
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
    if info["breakdown"]:
        why += _breakdown_table(info["breakdown"])
    belief_rows = "".join(f"<tr><td style='padding-right:1em'>{_esc(k)}</td><td>{_pct(v)}</td></tr>"
                          for k, v in info["beliefs"].items())
    beliefs = f"<h4 style='margin:0.6em 0 0.2em'>Its beliefs (chance that...)</h4><table>{belief_rows}</table>"
    if info["classroom"]:
        beliefs = ""
    solara.HTML(tag="div", unsafe_innerHTML=f"<table>{table}</table>{demands}{why}{beliefs}",
                classes=["tradesim-inspector"], style="font-size:14px")


def _breakdown_table(breakdown: dict) -> str:
    """Chosen option against the best option of each other stance, term by term (% of stake)."""
    head = "".join(f"<th style='text-align:right;padding-left:0.8em' title='{_esc(o)}'>[{k + 1}]</th>"
                   for k, o in enumerate(breakdown["options"]))
    legend = "; ".join(f"[{k + 1}] {_esc(o)}" + (" (chosen)" if k == 0 else "")
                       for k, o in enumerate(breakdown["options"]))

    def row(name, values, bold=False):
        cells = "".join(f"<td style='text-align:right;padding-left:0.8em'>{v:+.2f}</td>" if abs(v) >= 0.005
                        else "<td style='text-align:right;padding-left:0.8em;color:#999'>&middot;</td>" for v in values)
        style = " style='font-weight:bold;border-top:1px solid #ccc'" if bold else ""
        return f"<tr{style}><td>{_esc(name)}</td>{cells}</tr>"

    body = "".join(row(name, values) for name, values in breakdown["terms"])
    body += row("total", breakdown["totals"], bold=True)
    return (f"<h4 style='margin:0.6em 0 0.2em'>What drove it, term by term (% of stake)</h4>"
            f"<p style='margin:0;color:#555'>{legend}</p>"
            f"<table class='tradesim-breakdown'><tr><th></th>{head}</tr>{body}</table>")


def _yes(flag) -> str:
    return "n/a" if flag is None else ("yes" if flag else "no")


@solara.component
def Debrief(info: dict, on_again):
    you, agent, hist = info["you"], info["agent"], info["history"]
    unit = info["unit"]
    money = (lambda x: f"{x:+.2f} {unit}") if unit != "$bn" else (lambda x: _money(x, per=""))
    header = "<th></th><th>You</th><th>The agent</th>" + ("<th>2018-19 in reality</th>" if hist else "")
    rows = [
        ("Cumulative welfare" + (" (each round adds its share of the yearly rate)" if unit == "$bn" else ""),
         money(you["cum_welfare_bn"]), money(agent["cum_welfare_bn"]), "-"),
        ("Treatment at the end", you["treatment"], agent["treatment"], "see below"),
        ("U.S. tariff at the end", f"{you['tariff_pct']:.1f}%", f"{agent['tariff_pct']:.1f}%", ""),
        ("Retaliated", _yes(you["retaliated"]), _yes(agent["retaliated"]), _yes(hist["retaliated"]) if hist else ""),
        ("Settled (exemption, quota or deal)", _yes(you["settled"]), _yes(agent["settled"]),
         _yes(hist["settled"]) if hist else ""),
    ]
    body = "".join(
        f"<tr><td style='color:#555;padding-right:1em'>{_esc(r[0])}</td><td><b>{_esc(r[1])}</b></td>"
        f"<td>{_esc(r[2])}</td>" + (f"<td>{_esc(r[3])}</td>" if hist else "") + "</tr>" for r in rows)
    notes = "".join(f"<li>{_esc(n)}</li>" for n in info["notes"])
    if hist:
        where = f" by {hist['horizon']}" if hist["horizon"] else ""
        history = (f"<p style='margin:6px 0 0 0'><b>What {_esc(info['country'])} actually did{_esc(where)}:</b> "
                   f"{_esc(hist['description'] or hist['source'])}"
                   + (f" <i>({_esc(hist['note'])})</i>" if hist["note"] else "") + "</p>")
    else:
        history = "<p style='color:#777'>History not available for this scenario and country.</p>"
    moves = "".join(
        f"<tr><td>{m['round']}</td><td>{_esc(m['you'])}</td><td>{_esc(m['agent'])}</td>"
        f"<td style='text-align:right'>{m['you_welfare']:+.2f}</td><td style='text-align:right'>{m['agent_welfare']:+.2f}</td></tr>"
        for m in info["moves"])
    html_text = (
        f"<h3 style='margin:0 0 6px 0'>Debrief: {_esc(info['country'])} after {info['rounds']} rounds</h3>"
        f"<p style='font-size:16px;margin:0 0 6px 0'><b>{_esc(info['verdict'])}</b></p>"
        f"<table class='tradesim-table'><tr>{header}</tr>{body}</table>"
        f"<ul style='margin:6px 0'>{notes}</ul>{history}"
        f"<h4 style='margin:10px 0 2px 0'>Round by round: your move and the agent's (welfare change per round)</h4>"
        f"<table class='tradesim-table'><tr><th>Round</th><th>You</th><th>The agent</th><th>You</th><th>Agent</th></tr>"
        f"{moves}</table>")
    with solara.Card(classes=["tradesim-debrief"], style={"background": "#f6fbff"}):
        solara.HTML(tag="div", unsafe_innerHTML=html_text, style="font-size:14px")
        solara.Button("Play again", on_click=on_again, color="primary", outlined=True)


@solara.component
def PlayPanel(view: dict, on_play, on_finish, on_again, on_stop):
    accepted = solara.use_reactive([])
    stance = solara.use_reactive("wait")
    show_agent = solara.use_reactive(False)
    titles = {s["stance"]: s["title"] for s in view["stances"]}
    by_title = {v: k for k, v in titles.items()}
    label_of = view["round_label"]
    if view["finished"]:
        Debrief(view["debrief"], on_again)
        return
    with solara.Card(classes=["tradesim-play"]):
        solara.HTML(tag="h3", unsafe_innerHTML=(
            f"You are {_esc(view['country'])}: {_esc(label_of)} {view['next_round']} of {view['rounds_total']}"),
            style="margin:0 0 4px 0")
        situation = (
            f"Treatment: <b>{_esc(view['treatment'])}</b>; U.S. tariff on your exports: <b>{view['tariff_pct']:.1f}%</b>; "
            f"exports to the U.S.: ${view['exports_to_us_bn']:.1f}bn/yr; welfare change last round: "
            f"<b>{_money(view['welfare_change_bn'])}</b>; cumulative: <b>"
            + (f"{view['cum_welfare_bn']:+.2f}" if view["classroom"] else _money(view["cum_welfare_bn"], per=""))
            + "</b>.")
        if view["last_events"]:
            situation += "<br>Last round: " + "; ".join(_esc(e) for e in view["last_events"]) + "."
        china = "".join(f"<div>{_esc(line)}</div>" for line in view["china"])
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<p style='margin:0 0 6px 0'>{situation}</p>"
            f"<div style='background:#fff4f2;padding:6px 8px;border-radius:4px'><b>China's stance.</b> {china}</div>"),
            style="font-size:14px")
        with solara.Columns([1, 1]):
            with solara.Column():
                if view["demands"]:
                    solara.HTML(tag="h4", unsafe_innerHTML="The U.S. demands: tick those you accept",
                                style="margin:8px 0 0 0")
                    for d in view["demands"]:
                        def toggle(value, did=d["id"]):
                            current = [x for x in accepted.value if x != did]
                            accepted.value = current + [did] if value else current
                            if value:
                                stance.value = "wait"
                        solara.Checkbox(label=d["label"] + (" (accepted last round)" if d["accepted_last"] else ""),
                                        value=d["id"] in accepted.value, on_value=toggle,
                                        disabled=stance.value != "wait")
                else:
                    solara.HTML(tag="p", unsafe_innerHTML="No U.S. demands in this scenario.")
                solara.HTML(tag="h4", unsafe_innerHTML="Your stance", style="margin:10px 0 4px 0")
                solara.ToggleButtonsSingle(value=titles[stance.value], values=list(titles.values()),
                                           on_value=lambda t: stance.set(by_title[t]))
                if stance.value != "wait" and accepted.value:
                    solara.Text("Only 'Wait' can be combined with accepted demands: they are unticked for this move.",
                                style={"color": "#a05a00"})
            with solara.Column():
                rows = "".join(
                    f"<tr><td style='vertical-align:top;padding-right:8px'><b>{_esc(s['title'])}</b></td>"
                    f"<td>{_esc(s['help'])}"
                    + (f"<br><span style='color:#555'>Best version this round: {_esc(s['best_option'])} "
                       f"({s['best_utility']:+.2f}% of stake)</span>" if s["best_option"] else "")
                    + "</td></tr>" for s in view["stances"])
                solara.HTML(tag="div", unsafe_innerHTML=f"<h4 style='margin:8px 0 2px 0'>Options and their likely consequences</h4><table>{rows}</table>",
                            style="font-size:13px")
        chosen_accepted = accepted.value if stance.value == "wait" else []
        label = _option_text(view, chosen_accepted, stance.value)
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<b>Your move:</b> {_esc(label)}. <span class='tradesim-consequence'>{_esc(consequence(view, label))}</span>"),
            style="font-size:14px;margin:8px 0")
        solara.Switch(label="Show what the agent would do, and why", value=show_agent)
        if show_agent.value:
            top = "".join(f"<tr><td>{k + 1}.</td><td>{_esc(name)}</td><td style='text-align:right;padding-left:1em'>{u:+.2f}</td></tr>"
                          for k, (name, u) in enumerate(view["utilities"][:5]))
            solara.HTML(tag="div", classes=["tradesim-advice"], unsafe_innerHTML=(
                "<p style='margin:0'>The agent weighs every option by its expected value this round (percent of its "
                "stake in U.S. trade), given its beliefs about how the U.S. and China will respond, and picks the best "
                f"one most of the time (decision noise {view['noise']:g}). Its top options now:</p>"
                f"<table>{top}</table>"), style="font-size:13px")
        with solara.Row(gap="8px"):
            solara.Button("Play this round", color="primary",
                          on_click=lambda: on_play(list(chosen_accepted), stance.value))
            solara.Button("Finish and debrief", color="secondary", outlined=True, on_click=on_finish)
            solara.Button("Stop playing (watch the agents)", text=True, on_click=on_stop)
        if view["moves"]:
            lines = "".join(f"<tr><td>{m['round']}</td><td>{_esc(m['you'])}</td><td>{_esc(m['you_treatment'])}</td>"
                            f"<td style='text-align:right'>{m['you_welfare']:+.2f}</td></tr>" for m in reversed(view["moves"]))
            solara.HTML(tag="div", unsafe_innerHTML=(
                "<h4 style='margin:8px 0 2px 0'>Your moves so far</h4><table class='tradesim-table'>"
                f"<tr><th>Round</th><th>Move</th><th>Treatment after</th><th>Welfare</th></tr>{lines}</table>"),
                style="font-size:13px")


def _option_text(view: dict, accepted: list[str], stance: str) -> str:
    if stance != "wait":
        return stance
    ids = [d["id"] for d in view["demands"] if d["id"] in accepted]
    if not ids:
        return "wait (refuse all)"
    if len(ids) == view["n_demands"]:
        return "comply (accept all)"
    return "accept " + ", ".join(ids)


@solara.component
def ExercisePanel(on_load):
    exercises = solara.use_memo(list_exercises, [])
    titles = {ex.title: ex for ex in exercises}
    chosen = solara.use_reactive(None)
    solara.Select("Exercise", values=list(titles), value=chosen.value,
                  on_value=lambda t: (chosen.set(t), on_load(titles[t])))
    if chosen.value is None:
        solara.Text("Pick an exercise: its scenario, settings, rounds and country to play are loaded, "
                    "and its instructions appear here.", style={"color": "#555"})
        return
    ex = titles[chosen.value]
    preset = (f"Scenario <code>{_esc(ex.scenario)}</code>, {ex.rounds} rounds"
              + (f", you play <b>{_esc(ex.country)}</b> (make your moves under 'Play a country')" if ex.country
                 else ", watch the agents (Step / Play)")
              + ("; settings: " + ", ".join(f"{_esc(k)}={_esc(v)}" for k, v in ex.params.items()) if ex.params else "")
              + ".")
    parts = [f"<h3 style='margin:4px 0'>{_esc(ex.title)}</h3><p>{preset}</p>"]
    for name in EXERCISE_SECTIONS_SHOWN:
        if ex.sections.get(name):
            parts.append(f"<h4 style='margin:10px 0 2px 0'>{_esc(name)}</h4>{markdown_html(ex.sections[name])}")
    solara.HTML(tag="div", unsafe_innerHTML="".join(parts), classes=["tradesim-exercise"], style="font-size:14px")
    solara.Button("Reload this exercise", on_click=lambda: on_load(ex), text=True)


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
        if country and country not in {c.name for c in load_scenario(scenario.value).countries}:
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
        names = [c.name for c in load_scenario(scenario.value).countries]
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
    scenario_countries = solara.use_memo(lambda: [c.name for c in load_scenario(scenario.value).countries],
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
                         placeholder="e.g. tariff_ceiling=0.5, Canada.security_dependence=0.3")

    # ---- main panel -------------------------------------------------------------------------
    with solara.Column(style={"padding": "8px"}):
        solara.HTML(tag="h2", unsafe_innerHTML=_esc(view["status"]), classes=["tradesim-status"],
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
                        lines = "".join(f"<div>{_esc(line)}</div>" for line in view["events"]) or "<div>No events yet.</div>"
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
