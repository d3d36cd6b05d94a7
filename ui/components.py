"""The Solara components ``app.py`` lays out: inspector, play panel, debrief, exercises.

Each shows data prepared in the other ``ui`` modules; none computes anything itself.
"""

from __future__ import annotations

import functools
import html
import threading

import solara

from agents.options import describe_move
from agents.utility import UTILITY_TERMS
from ui.classgame import BY_STUDENT
from ui.exercises import list_exercises, markdown_html
from ui.inspector import inspect_country
from ui.play import consequence
from ui.session import Session
from ui.texts import CLASSROOM_STAKE_HELP, EXERCISE_SECTIONS_SHOWN, STAKE_HELP, value_text


def esc(value) -> str:
    return html.escape(str(value))

def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"

def _money(x: float, per: str = "/yr") -> str:
    return f"{'-' if x < 0 else '+'}${abs(x):.2f}bn{per}"


def amount(x: float, unit: str) -> str:
    """A cumulative welfare in its unit: $bn, or the classroom game's payoff units."""
    return _money(x, per="") if unit == "$bn" else f"{x:+.2f} {unit}"


def Figure(svg: str, name: str):
    """One of the four plots (SVG text the browser draws)."""
    solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["tradesim-plot", f"tradesim-{name}"])


def EventLog(events: list[str], font_size: int = 14):
    with solara.Card("Event log (newest first)"):
        lines = "".join(f"<div>{esc(line)}</div>" for line in events) or "<div>No events yet.</div>"
        solara.HTML(tag="div", unsafe_innerHTML=lines, classes=["tradesim-events"],
                    style=f"max-height:520px;overflow-y:auto;font-size:{font_size}px;line-height:1.5")

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
        ("Strategy", info["strategy_label"]),
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
    table = "".join(f"<tr><td style='padding-right:1em;color:#555'>{esc(k)}</td><td><b>{esc(v)}</b></td></tr>"
                    for k, v in rows)
    if info["demands"]:
        demand_rows = "".join(
            f"<tr><td>{DEMAND_MARKS[d['status']]}</td>"
            f"<td><code>{esc(d['id'])}</code> {esc(d['label'])}</td></tr>"
            for d in info["demands"])
        demands = f"<h4 style='margin:0.6em 0 0.2em'>U.S. demands</h4><table>{demand_rows}</table>"
    else:
        demands = "<p style='color:#555'>No U.S. demands in this scenario.</p>"
    if info["utilities"]:
        util_rows = "".join(
            f"<tr><td>{'&#9654; ' if label == info['chosen'] else ''}{esc(label)}</td>"
            f"<td style='text-align:right;padding-left:1em'>{value_text(value, info['classroom'])}</td></tr>"
            for label, value in info["utilities"])
        unit = "% of trade" if info["classroom"] else "$ a year"
        why = (f"<h4 style='margin:0.6em 0 0.2em'>Why: what each option was worth ({unit}), best first</h4>"
               f"<p style='margin:0'>{esc(info['why'])}</p><table>{util_rows}</table>"
               f"<p style='color:#777;margin:0'>top {len(info['utilities'])} of {info['n_options']} options</p>"
               f"<p class='tradesim-help' style='color:#555;margin:2px 0'>{esc(stake_help(info))}</p>")
    else:
        why = f"<p>{esc(info['why'])}</p>"
    if info["breakdown"]:
        why += _breakdown_table(info["breakdown"])
    belief_rows = "".join(f"<tr><td style='padding-right:1em'>{esc(k)}</td><td>{_pct(v)}</td></tr>"
                          for k, v in info["beliefs"].items())
    beliefs = f"<h4 style='margin:0.6em 0 0.2em'>Its beliefs (chance that...)</h4><table>{belief_rows}</table>"
    if info["classroom"]:
        beliefs = ""
    solara.HTML(tag="div", unsafe_innerHTML=f"<table>{table}</table>{demands}{why}{beliefs}",
                classes=["tradesim-inspector"], style="font-size:14px")

DEMAND_MARKS = {"accepted": "&#10004; accepted", "refused": "&#10008; refused", "n/a": "n/a",
                "not decided yet": "&middot; not decided yet"}


def stake_help(info: dict) -> str:
    return CLASSROOM_STAKE_HELP if info["classroom"] else STAKE_HELP


def _breakdown_table(breakdown: dict) -> str:
    """Chosen option against the best option of each other stance, term by term ($ a year)."""
    head = "".join(f"<th style='text-align:right;padding-left:0.8em' title='{esc(o)}'>[{k + 1}]</th>"
                   for k, o in enumerate(breakdown["options"]))
    legend = "; ".join(f"[{k + 1}] {esc(o)}" + (" (chosen)" if k == 0 else "")
                       for k, o in enumerate(breakdown["options"]))

    def row(name, values, bold=False):
        tip = f" title='{esc(UTILITY_TERMS[name])}'" if name in UTILITY_TERMS else ""
        cells = "".join(f"<td style='text-align:right;padding-left:0.8em'>{value_text(v)}</td>" if abs(v) >= 5e-5
                        else "<td style='text-align:right;padding-left:0.8em;color:#999'>&middot;</td>" for v in values)
        style = " style='font-weight:bold;border-top:1px solid #ccc'" if bold else ""
        return f"<tr{style}><td{tip}>{esc(name)}</td>{cells}</tr>"

    body = "".join(row(name, values) for name, values in breakdown["terms"])
    body += row("total", breakdown["totals"], bold=True)
    glossary = "".join(f"<li><b>{esc(name)}</b>: {esc(UTILITY_TERMS[name])}</li>"
                       for name, _ in breakdown["terms"] if name in UTILITY_TERMS)
    return (f"<h4 style='margin:0.6em 0 0.2em'>What drove it, term by term ($ a year)</h4>"
            f"<p style='margin:0;color:#555'>{legend}</p>"
            f"<table class='tradesim-breakdown'><tr><th></th>{head}</tr>{body}</table>"
            f"<ul class='tradesim-glossary' style='margin:4px 0;padding-left:18px;color:#555;font-size:13px'>"
            f"{glossary}</ul>")

def move_text(move: dict) -> str:
    """A played move in words; in a class game, a move the agent made for the seat says so."""
    by = move.get("played_by", BY_STUDENT)
    return move["you"] if by == BY_STUDENT else f"{move['you']} ({by})"


def _yes(flag) -> str:
    return "n/a" if flag is None else ("yes" if flag else "no")

@solara.component
def Debrief(info: dict, on_again=None):
    you, agent, hist = info["you"], info["agent"], info["history"]
    unit = info["unit"]
    money = functools.partial(amount, unit=unit)
    odds = info.get("model")
    header = ("<th></th><th>You</th><th>The agent</th>"
              + (f"<th title='{esc(odds['note'])}'>The model, {odds['runs']} runs</th>" if odds else "")
              + ("<th>In reality</th>" if hist else ""))

    def share(key: str) -> str:
        low, high = odds[f"{key}_90"]
        return f"{odds[key]:.0%} of runs [{low:.0%}, {high:.0%}]"

    rows = [
        ("Cumulative welfare" + (" (each round adds its share of the yearly rate)" if unit == "$bn" else ""),
         money(you["cum_welfare_bn"]), money(agent["cum_welfare_bn"]), "", "-"),
        ("Treatment at the end", you["treatment"], agent["treatment"], "", "see below"),
        ("U.S. tariff at the end", f"{you['tariff_pct']:.1f}%", f"{agent['tariff_pct']:.1f}%", "", ""),
        ("Retaliated (counter-tariffs in force)", _yes(you["retaliated"]), _yes(agent["retaliated"]),
         share("retaliated") if odds else "", _yes(hist["retaliated"]) if hist else ""),
        ("Settled (a deal cut its rate)", _yes(you["settled"]), _yes(agent["settled"]),
         share("settled") if odds else "", _yes(hist["settled"]) if hist else ""),
    ]
    body = "".join(
        f"<tr><td style='color:#555;padding-right:1em'>{esc(r[0])}</td><td><b>{esc(r[1])}</b></td>"
        f"<td>{esc(r[2])}</td>" + (f"<td>{esc(r[3])}</td>" if odds else "")
        + (f"<td>{esc(r[4])}</td>" if hist else "") + "</tr>" for r in rows)
    notes = "".join(f"<li>{esc(n)}</li>" for n in info["notes"])
    if odds:
        notes += (f"<li>The model column: {odds['runs']} runs of the scenario as shipped, each with its own draw of the "
                  f"calibrated parameters ({esc(odds['note'])}), with 90% intervals.</li>")
    if hist:
        where = f" by {hist['horizon']}" if hist["horizon"] else ""
        history = (f"<p style='margin:6px 0 0 0'><b>What {esc(info['country'])} actually did{esc(where)}:</b> "
                   f"{esc(hist['description'] or hist['source'])}"
                   + (f" <i>({esc(hist['note'])})</i>" if hist["note"] else "") + "</p>")
    else:
        history = "<p style='color:#777'>History not available for this scenario and country.</p>"
    moves = "".join(
        f"<tr><td>{m['round']}</td><td>{esc(move_text(m))}</td><td>{esc(m['agent'])}</td>"
        f"<td style='text-align:right'>{m['you_welfare']:+.2f}</td><td style='text-align:right'>{m['agent_welfare']:+.2f}</td></tr>"
        for m in info["moves"])
    rate = "payoff units per round" if unit != "$bn" else "a yearly rate, $bn per year"
    html_text = (
        f"<h3 style='margin:0 0 6px 0'>Debrief: {esc(info['country'])} after {esc(info['played'])}</h3>"
        f"<p style='font-size:16px;margin:0 0 6px 0'><b>{esc(info['verdict'])}</b></p>"
        f"<table class='tradesim-table'><tr>{header}</tr>{body}</table>"
        f"<ul style='margin:6px 0'>{notes}</ul>{history}"
        f"<h4 style='margin:10px 0 2px 0'>{esc(info['round_label'].capitalize())} by {esc(info['round_label'])}: "
        f"your move and the agent's, and the welfare change it brought ({esc(rate)})</h4>"
        f"<table class='tradesim-table'><tr><th>{esc(info['round_label'].capitalize())}</th><th>You</th>"
        f"<th>The agent</th><th>Your welfare</th><th>The agent's</th></tr>"
        f"{moves}</table>")
    with solara.Card(classes=["tradesim-debrief"], style={"background": "#f6fbff"}):
        solara.HTML(tag="div", unsafe_innerHTML=html_text, style="font-size:14px")
        if on_again is not None:
            solara.Button("Play again", on_click=on_again, color="primary", outlined=True, classes=ACTION)

@solara.component
def PlayPanel(view: dict, on_play, on_finish, on_again, on_stop):
    if view["finished"]:
        Debrief(view["debrief"], on_again)
        return
    PlayRound(view, on_play, on_finish, on_stop)


class _RoundChoice:
    """The move being put together, for one round only: a new round starts with nothing ticked and Wait."""

    def __init__(self, choice: solara.Reactive, round_: int):
        self._choice, self._round = choice, round_

    def _get(self, name: str):
        value = self._choice.value
        return value[name] if value["round"] == self._round else {"accepted": [], "stance": "wait"}[name]

    def _set(self, **changes) -> None:
        current = {"round": self._round, "accepted": self._get("accepted"), "stance": self._get("stance")}
        self._choice.value = {**current, **changes}

    @property
    def accepted(self) -> list[str]:
        return self._get("accepted")

    @property
    def stance(self) -> str:
        return self._get("stance")

    def set_accepted(self, value: list[str]) -> None:
        self._set(accepted=value)

    def set_stance(self, value: str) -> None:
        self._set(stance=value)


@solara.component
def PlayRound(view: dict, on_play, on_finish=None, on_stop=None, play_label: str = "Play this round",
              can_play: bool = True):
    """A round's brief and the move being put together; ``on_play(accepted, stance)`` sends it.
    A class game's page leaves out Finish and Stop (``None``) and names its button itself."""
    choice = _RoundChoice(solara.use_reactive({"round": view["round"], "accepted": [], "stance": "wait"}),
                          view["round"])
    show_agent = solara.use_reactive(False)
    stances = {s["stance"]: s for s in view["stances"]}
    titles = {k: s["title"] for k, s in stances.items() if s["open"]}
    by_title = {v: k for k, v in titles.items()}
    label_of = view["round_label"]
    with solara.Card(classes=["tradesim-play"]):
        solara.HTML(tag="h3", unsafe_innerHTML=(
            f"You are {esc(view['country'])}: {esc(label_of)} {view['next_round']} of {view['rounds_total']}"),
            style="margin:0 0 4px 0")
        situation = (
            f"Treatment: <b>{esc(view['treatment'])}</b>; U.S. tariff on your exports: <b>{view['tariff_pct']:.1f}%</b>; "
            f"exports to the U.S.: ${view['exports_to_us_bn']:.1f}bn/yr; welfare change last round: "
            f"<b>{_money(view['welfare_change_bn'])}</b>; cumulative: <b>"
            + (f"{view['cum_welfare_bn']:+.2f}" if view["classroom"] else _money(view["cum_welfare_bn"], per=""))
            + "</b>.")
        if view["last_events"]:
            situation += "<br>Last round: " + "; ".join(esc(e) for e in view["last_events"]) + "."
        china = "".join(f"<div>{esc(line)}</div>" for line in view["china"])
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
                            current = [x for x in choice.accepted if x != did]
                            choice.set_accepted(current + [did] if value else current)
                            if value:
                                choice.set_stance("wait")  # accepting a demand is a waiting move
                        solara.Checkbox(label=d["label"] + (" (accepted last round)" if d["accepted_last"] else ""),
                                        value=d["id"] in choice.accepted and choice.stance == "wait", on_value=toggle)
                    solara.Text("Ticking a demand makes your stance Wait: only Wait combines with accepted demands.",
                                style={"color": "#555", "font-size": "13px"})
                else:
                    solara.HTML(tag="p", unsafe_innerHTML="No U.S. demands in this scenario.")
                solara.HTML(tag="h4", unsafe_innerHTML="Your stance", style="margin:10px 0 4px 0")
                solara.ToggleButtonsSingle(value=titles.get(choice.stance), values=list(titles.values()),
                                           on_value=lambda t: choice.set_stance(by_title[t]))
                for s in view["stances"]:
                    if not s["open"]:
                        solara.Text(f"{s['title']}: {s['closed_reason']}", classes=["tradesim-closed"],
                                    style={"color": "#a05a00", "font-size": "13px"})
            with solara.Column():
                rows = "".join(
                    f"<tr><td style='vertical-align:top;padding-right:8px'><b>{esc(s['title'])}</b></td>"
                    f"<td>{esc(s['help'])}"
                    + (f"<br><span style='color:#555'>Best version this round: {esc(s['best_option'])} "
                       f"({value_text(s['best_utility'], view['classroom'])})</span>" if s["best_option"] else "")
                    + "</td></tr>" for s in view["stances"])
                help_text = CLASSROOM_STAKE_HELP if view["classroom"] else STAKE_HELP
                solara.HTML(tag="div", unsafe_innerHTML=(
                    f"<h4 style='margin:8px 0 2px 0'>Options and their likely consequences</h4><table>{rows}</table>"
                    f"<p class='tradesim-help' style='color:#555;margin:4px 0'>{esc(help_text)}</p>"),
                    style="font-size:13px")
        stance = choice.stance
        chosen_accepted = choice.accepted if stance == "wait" else []
        ids = [d["id"] for d in view["demands"] if d["id"] in chosen_accepted]
        label = describe_move(stance, ids, view["demand_ids"])
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<b>Your move:</b> {esc(label)}. <span class='tradesim-consequence'>{esc(consequence(view, label))}</span>"),
            style="font-size:14px;margin:8px 0")
        solara.Switch(label="Show what the agent would do, and why", value=show_agent)
        if show_agent.value:
            top = "".join(f"<tr><td>{k + 1}.</td><td>{esc(name)}</td><td style='text-align:right;padding-left:1em'>"
                          f"{value_text(u, view['classroom'])}</td></tr>" for k, (name, u) in enumerate(view["utilities"][:5]))
            solara.HTML(tag="div", classes=["tradesim-advice"], unsafe_innerHTML=(
                "<p style='margin:0'>The agent weighs every option by what it is worth to its government this round "
                "(dollars a year: welfare plus the political terms), given the deal the U.S. would strike and how it "
                "expects the U.S. and China to respond, and picks the best stance, give or take its own preferences "
                f"(decision noise {view['noise']:g}). Its top options now:</p>"
                f"<table>{top}</table>"), style="font-size:13px")
        with solara.Row(gap="8px"):
            solara.Button(play_label, color="primary", classes=ACTION, disabled=not can_play,
                          on_click=lambda: on_play(list(chosen_accepted), stance))
            if on_finish is not None:
                solara.Button("Finish and debrief", color="secondary", outlined=True, on_click=on_finish,
                              classes=ACTION)
            if on_stop is not None:
                solara.Button("Stop playing (watch the agents)", text=True, on_click=on_stop, classes=ACTION)
        if view["moves"]:
            lines = "".join(f"<tr><td>{m['round']}</td><td>{esc(move_text(m))}</td><td>{esc(m['you_treatment'])}</td>"
                            f"<td style='text-align:right'>{m['you_welfare']:+.2f}</td></tr>" for m in reversed(view["moves"]))
            unit = "payoff" if view["classroom"] else "welfare change ($bn/yr)"
            solara.HTML(tag="div", unsafe_innerHTML=(
                "<h4 style='margin:8px 0 2px 0'>Your moves so far</h4><table class='tradesim-table'>"
                f"<tr><th>{esc(label_of.capitalize())}</th><th>Move</th><th>Treatment after</th><th>{unit}</th></tr>"
                f"{lines}</table>"), style="font-size:13px")

@solara.component
def ExercisePanel(on_load, selected: solara.Reactive):
    """The exercise picker; ``selected`` holds the loaded exercise's name (also set by a link)."""
    exercises = list_exercises()
    titles = {ex.title: ex for ex in exercises}
    by_name = {ex.name: ex for ex in exercises}
    current = by_name.get(selected.value)
    import reacton.ipyvuetify as rv

    # an ipyvuetify Select (not solara.Select) for its menu_props: picking an exercise loads it,
    # and the menu's class lets the busy bar show from that click (see BUSY_TEMPLATE)
    rv.Select(label="Exercise", items=list(titles), v_model=current.title if current else None,
              on_v_model=lambda t: on_load(titles[t]) if t in titles else None,
              menu_props={"contentClass": ACTION_MENU})
    if current is None:
        solara.Text("Pick an exercise: its scenario, settings, rounds and country to play are loaded, "
                    "and its instructions appear here.", style={"color": "#555"})
        return
    ex = current
    preset = (f"Scenario <code>{esc(ex.scenario)}</code>, {ex.rounds} rounds"
              + (f", you play <b>{esc(ex.country)}</b> (make your moves under 'Play a country')" if ex.country
                 else ", watch the agents (Step / Play)")
              + ("; settings: " + ", ".join(f"{esc(k)}={esc(v)}" for k, v in ex.params.items()) if ex.params else "")
              + ".")
    parts = [f"<h3 style='margin:4px 0'>{esc(ex.title)}</h3><p>{preset}</p>"
             f"<p style='color:#555'>A link that opens this exercise: <code>?exercise={esc(ex.name)}</code> "
             "after the address of this page.</p>"]
    for name in EXERCISE_SECTIONS_SHOWN:
        if ex.sections.get(name):
            parts.append(f"<h4 style='margin:10px 0 2px 0'>{esc(name)}</h4>{markdown_html(ex.sections[name])}")
    solara.HTML(tag="div", unsafe_innerHTML="".join(parts), classes=["tradesim-exercise"], style="font-size:14px")
    solara.Button("Reload this exercise", on_click=lambda: on_load(ex), text=True, classes=ACTION)


# ---------------------------------------------------------------------------- page furniture
BUSY_TEMPLATE = """
<template>
  <div v-if="pending" class="tradesim-busy"
       style="position:fixed;top:0;left:0;right:0;z-index:1000;pointer-events:none">
    <v-progress-linear indeterminate color="primary" height="5"></v-progress-linear>
    <div style="position:fixed;top:12px;right:16px;background:#1f77b4;color:white;padding:4px 12px;
                border-radius:12px;font-size:14px;box-shadow:0 1px 4px rgba(0,0,0,.3)">{{ pending }}&hellip;</div>
  </div>
</template>
<script>
module.exports = {
  data() { return { pending: "" }; },
  watch: { version() { this.pending = ""; } },
  mounted() {
    this.listener = (event) => {
      if (!event.target.closest) { return; }
      const button = event.target.closest(".tradesim-action");
      if (button && !button.disabled && !button.classList.contains("v-btn--disabled")) {
        this.pending = (button.innerText || "Working").trim();
      }
      const choice = event.target.closest(".tradesim-action-menu .v-list-item");
      if (choice && !choice.classList.contains("v-list-item--active")) {  // the same choice again does nothing
        this.pending = "Loading";
      }
    };
    document.addEventListener("click", this.listener, true);
  },
  destroyed() { document.removeEventListener("click", this.listener, true); }
};
</script>
"""

@functools.cache
def template_widget(name: str, template: str, trait: str, kind: str):
    """A Vue template widget (ipyvuetify's VuetifyTemplate) with one synced trait, made once per process.

    ``kind`` is "int" or "text"; the browser runs the template's script (no CDN, no build step).
    """
    import ipyvuetify as v
    import traitlets

    value = traitlets.Int(0) if kind == "int" else traitlets.Unicode(None, allow_none=True)
    return type(name, (v.VuetifyTemplate,), {"template": traitlets.Unicode(template).tag(sync=True),
                                             trait: value.tag(sync=True)})


@solara.component
def BusyBar(version: solara.Reactive):
    """Busy feedback for every action button (those with the class ``tradesim-action``): a bar and a
    note from the click until the server's answer (a new ``version``) arrives. Drawn in the browser,
    so it costs the server nothing."""
    template_widget("BusyWidget", BUSY_TEMPLATE, "version", "int").element(version=version.value)


ACTION = ["tradesim-action"]  # the class of the buttons whose click shows the busy bar
ACTION_MENU = "tradesim-action-menu"  # the class of a select's menu whose (new) choice is an action


@solara.component
def ClassFull(taken: int, limit: int, on_retry):
    """The page a tab gets when the server already holds as many games as it takes."""
    with solara.Column(style={"padding": "40px", "max-width": "720px"}, classes=["tradesim-full"]):
        solara.HTML(tag="h2", unsafe_innerHTML="The class is full")
        solara.HTML(tag="p", unsafe_innerHTML=(
            f"This tradesim server runs at most {limit} games at once, and {taken} are open now. "
            "A place frees up as soon as someone closes their tab (or, if a browser was closed without it, "
            "within a few minutes). Press <b>Try again</b> in a minute, or ask your teacher."))
        solara.Button("Try again", on_click=on_retry, color="primary")


ADDRESS_TEMPLATE = """
<template><span style="display:none"></span></template>
<script>
module.exports = {
  watch: { query() { this.schedule(); } },
  mounted() {
    this.apply();
    this.onLeave = () => this.apply();  // a reload right after a click still keeps the game
    window.addEventListener("beforeunload", this.onLeave);
  },
  beforeDestroy() {
    clearTimeout(this.timer);
    window.removeEventListener("beforeunload", this.onLeave);
  },
  methods: {
    schedule() {  // at most once a second: replaceState costs the browser ~30 ms each time
      if (this.timer) { return; }
      this.timer = setTimeout(() => { this.timer = null; this.apply(); }, 1000);
    },
    apply() {
      const value = this.query;
      if (value === null || value === undefined) { return; }
      const url = window.location.pathname + (value ? "?" + value : "");
      if (url !== window.location.pathname + window.location.search) {
        window.history.replaceState(window.history.state, "", url);
      }
    }
  }
};
</script>
"""


@solara.component
def Address(query: solara.Reactive):
    """The page's address follows the game (``?scenario=...&seed=...&round=...``), so a reload replays it."""
    template_widget("AddressWidget", ADDRESS_TEMPLATE, "query", "text").element(query=query.value)
