"""The Solara components ``app.py`` lays out: inspector, play panel, debrief, exercises.

Each shows data prepared in the other ``ui`` modules; none computes anything itself.
"""

from __future__ import annotations

import html
import threading

import solara

from agents.options import describe_move
from ui.exercises import list_exercises, markdown_html
from ui.inspector import inspect_country
from ui.play import consequence
from ui.session import Session
from ui.texts import EXERCISE_SECTIONS_SHOWN


def esc(value) -> str:
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
    table = "".join(f"<tr><td style='padding-right:1em;color:#555'>{esc(k)}</td><td><b>{esc(v)}</b></td></tr>"
                    for k, v in rows)
    if info["demands"]:
        demand_rows = "".join(
            f"<tr><td>{'&#10004; accepted' if d['accepted'] else ('&#10008; refused' if d['applies'] else 'n/a')}</td>"
            f"<td><code>{esc(d['id'])}</code> {esc(d['label'])}</td></tr>"
            for d in info["demands"])
        demands = f"<h4 style='margin:0.6em 0 0.2em'>U.S. demands</h4><table>{demand_rows}</table>"
    else:
        demands = "<p style='color:#555'>No U.S. demands in this scenario.</p>"
    if info["utilities"]:
        util_rows = "".join(
            f"<tr><td>{'&#9654; ' if label == info['chosen'] else ''}{esc(label)}</td>"
            f"<td style='text-align:right;padding-left:1em'>{value:+.2f}</td></tr>"
            for label, value in info["utilities"])
        why = (f"<h4 style='margin:0.6em 0 0.2em'>Why: what each option was worth (% of stake), best first</h4>"
               f"<p style='margin:0'>{esc(info['why'])}</p><table>{util_rows}</table>"
               f"<p style='color:#777;margin:0'>top {len(info['utilities'])} of {info['n_options']} options</p>")
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

def _breakdown_table(breakdown: dict) -> str:
    """Chosen option against the best option of each other stance, term by term (% of stake)."""
    head = "".join(f"<th style='text-align:right;padding-left:0.8em' title='{esc(o)}'>[{k + 1}]</th>"
                   for k, o in enumerate(breakdown["options"]))
    legend = "; ".join(f"[{k + 1}] {esc(o)}" + (" (chosen)" if k == 0 else "")
                       for k, o in enumerate(breakdown["options"]))

    def row(name, values, bold=False):
        cells = "".join(f"<td style='text-align:right;padding-left:0.8em'>{v:+.2f}</td>" if abs(v) >= 0.005
                        else "<td style='text-align:right;padding-left:0.8em;color:#999'>&middot;</td>" for v in values)
        style = " style='font-weight:bold;border-top:1px solid #ccc'" if bold else ""
        return f"<tr{style}><td>{esc(name)}</td>{cells}</tr>"

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
        f"<tr><td style='color:#555;padding-right:1em'>{esc(r[0])}</td><td><b>{esc(r[1])}</b></td>"
        f"<td>{esc(r[2])}</td>" + (f"<td>{esc(r[3])}</td>" if hist else "") + "</tr>" for r in rows)
    notes = "".join(f"<li>{esc(n)}</li>" for n in info["notes"])
    if hist:
        where = f" by {hist['horizon']}" if hist["horizon"] else ""
        history = (f"<p style='margin:6px 0 0 0'><b>What {esc(info['country'])} actually did{esc(where)}:</b> "
                   f"{esc(hist['description'] or hist['source'])}"
                   + (f" <i>({esc(hist['note'])})</i>" if hist["note"] else "") + "</p>")
    else:
        history = "<p style='color:#777'>History not available for this scenario and country.</p>"
    moves = "".join(
        f"<tr><td>{m['round']}</td><td>{esc(m['you'])}</td><td>{esc(m['agent'])}</td>"
        f"<td style='text-align:right'>{m['you_welfare']:+.2f}</td><td style='text-align:right'>{m['agent_welfare']:+.2f}</td></tr>"
        for m in info["moves"])
    html_text = (
        f"<h3 style='margin:0 0 6px 0'>Debrief: {esc(info['country'])} after {info['rounds']} rounds</h3>"
        f"<p style='font-size:16px;margin:0 0 6px 0'><b>{esc(info['verdict'])}</b></p>"
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
                    f"<tr><td style='vertical-align:top;padding-right:8px'><b>{esc(s['title'])}</b></td>"
                    f"<td>{esc(s['help'])}"
                    + (f"<br><span style='color:#555'>Best version this round: {esc(s['best_option'])} "
                       f"({s['best_utility']:+.2f}% of stake)</span>" if s["best_option"] else "")
                    + "</td></tr>" for s in view["stances"])
                solara.HTML(tag="div", unsafe_innerHTML=f"<h4 style='margin:8px 0 2px 0'>Options and their likely consequences</h4><table>{rows}</table>",
                            style="font-size:13px")
        chosen_accepted = accepted.value if stance.value == "wait" else []
        ids = [d["id"] for d in view["demands"] if d["id"] in chosen_accepted]
        label = describe_move(stance.value, ids, view["demand_ids"])
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<b>Your move:</b> {esc(label)}. <span class='tradesim-consequence'>{esc(consequence(view, label))}</span>"),
            style="font-size:14px;margin:8px 0")
        solara.Switch(label="Show what the agent would do, and why", value=show_agent)
        if show_agent.value:
            top = "".join(f"<tr><td>{k + 1}.</td><td>{esc(name)}</td><td style='text-align:right;padding-left:1em'>{u:+.2f}</td></tr>"
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
            lines = "".join(f"<tr><td>{m['round']}</td><td>{esc(m['you'])}</td><td>{esc(m['you_treatment'])}</td>"
                            f"<td style='text-align:right'>{m['you_welfare']:+.2f}</td></tr>" for m in reversed(view["moves"]))
            solara.HTML(tag="div", unsafe_innerHTML=(
                "<h4 style='margin:8px 0 2px 0'>Your moves so far</h4><table class='tradesim-table'>"
                f"<tr><th>Round</th><th>Move</th><th>Treatment after</th><th>Welfare</th></tr>{lines}</table>"),
                style="font-size:13px")

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
    preset = (f"Scenario <code>{esc(ex.scenario)}</code>, {ex.rounds} rounds"
              + (f", you play <b>{esc(ex.country)}</b> (make your moves under 'Play a country')" if ex.country
                 else ", watch the agents (Step / Play)")
              + ("; settings: " + ", ".join(f"{esc(k)}={esc(v)}" for k, v in ex.params.items()) if ex.params else "")
              + ".")
    parts = [f"<h3 style='margin:4px 0'>{esc(ex.title)}</h3><p>{preset}</p>"]
    for name in EXERCISE_SECTIONS_SHOWN:
        if ex.sections.get(name):
            parts.append(f"<h4 style='margin:10px 0 2px 0'>{esc(name)}</h4>{markdown_html(ex.sections[name])}")
    solara.HTML(tag="div", unsafe_innerHTML="".join(parts), classes=["tradesim-exercise"], style="font-size:14px")
    solara.Button("Reload this exercise", on_click=lambda: on_load(ex), text=True)
