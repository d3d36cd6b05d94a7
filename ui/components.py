"""The Solara components ``app.py`` lays out: inspector, play panel, debrief, exercises.

Each shows data prepared in the other ``ui`` modules; none computes anything itself.
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import threading
from collections.abc import Mapping
from types import MappingProxyType

import solara

from agents.options import describe_move
from agents.utility import UTILITY_TERMS
from ui.exercises import list_exercises, markdown_html
from ui.inspector import inspect_country
from ui.play import (
    BY_STUDENT,
    CONSEQUENCE_BEST,
    CONSEQUENCE_OTHER,
    NO_ESTIMATE,
    consequence_parts,
    money,
    move_words,
)
from ui.session import Session
from ui.texts import CLASSROOM_STAKE_HELP, EXERCISE_SECTIONS_SHOWN, STAKE_HELP, value_text


def esc(value) -> str:
    return html.escape(str(value))

def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"

def _money(x: float, per: str = "/yr") -> str:
    return money(x, per)


def amount(x: float, unit: str) -> str:
    """A cumulative welfare in its unit: $bn (in $m below $1bn), or the classroom game's payoff units."""
    return money(x) if unit == "$bn" else f"{x:+.2f} {unit}"


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

def move_text(move: dict, words: dict[str, str] | None = None) -> str:
    """A played move in words (the demands as the checkboxes word them); in a class game, a move the
    agent made for the seat says so."""
    by = move.get("played_by", BY_STUDENT)
    text = move_words(move["you"], words or {})
    return text if by == BY_STUDENT else f"{text} ({by})"


def _yes(flag) -> str:
    return "n/a" if flag is None else ("yes" if flag else "no")

@solara.component
def Debrief(info: dict, on_again=None):
    you, agent, hist = info["you"], info["agent"], info["history"]
    unit = info["unit"]
    words = info.get("words", {})
    money_ = functools.partial(amount, unit=unit)
    odds = info.get("model")
    header = ("<th></th><th>You</th><th>The agent (its own game)</th>"
              + (f"<th title='{esc(odds['note'])}'>The model, {odds['runs']} runs</th>" if odds else "")
              + ("<th>In reality</th>" if hist else ""))

    def share(key: str) -> str:
        low, high = odds[f"{key}_90"]
        return f"{odds[key]:.0%} of runs [{low:.0%}, {high:.0%}]"

    rows = [
        ("Cumulative welfare" + (" (each round adds its share of the yearly rate)" if unit == "$bn" else ""),
         money_(you["cum_welfare_bn"]), money_(agent["cum_welfare_bn"]), "", "-"),
        ("Treatment at the end", you["treatment"], agent["treatment"], "", "see below"),
        ("U.S. tariff at the end", f"{you['tariff_pct']:.1f}%", f"{agent['tariff_pct']:.1f}%", "", ""),
        ("Retaliated (counter-tariffs in force" + ("; your own moves)" if info.get("moves") and any(
            m.get("played_by", BY_STUDENT) != BY_STUDENT for m in info["moves"]) else ")"),
         _yes(you["retaliated"]), _yes(agent["retaliated"]), share("retaliated") if odds else "",
         _yes(hist["retaliated"]) if hist else ""),
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
    rate = (lambda x: f"{x:+.2f}") if unit != "$bn" else (lambda x: money(x, per="/yr"))
    moves = "".join(
        f"<tr><td>{m['round']}</td><td>{esc(move_text(m, words))}</td><td>{esc(move_words(m['agent'], words))}</td>"
        f"<td style='text-align:right'>{esc(rate(m['you_welfare']))}</td></tr>"
        for m in info["moves"])
    rate_words = "payoff units per round" if unit != "$bn" else "a yearly rate, $ per year"
    label = info["round_label"]
    html_text = (
        f"<h3 style='margin:0 0 6px 0'>Debrief: {esc(info['country'])} after {esc(info['played'])}</h3>"
        f"<p style='font-size:16px;margin:0 0 6px 0'><b>{esc(info['verdict'])}</b></p>"
        f"<table class='tradesim-table'><tr>{header}</tr>{body}</table>"
        "<p style='color:#555;margin:2px 0'>The agent's own game: the same scenario and seed, with this country "
        "played by its agent from the start.</p>"
        f"<ul style='margin:6px 0'>{notes}</ul>{history}"
        f"<h4 style='margin:10px 0 2px 0'>{esc(label.capitalize())} by {esc(label)}: your move, what the agent "
        f"would have chosen in your place (the same situation), and the welfare change your move brought "
        f"({esc(rate_words)})</h4>"
        f"<table class='tradesim-table tradesim-debrief-moves'><tr><th>{esc(label.capitalize())}</th><th>Your move</th>"
        f"<th>The agent in your place</th><th>Your welfare change</th></tr>"
        f"{moves}</table>")
    with solara.Card(classes=["tradesim-debrief"], style={"background": "#f6fbff"}):
        solara.HTML(tag="div", unsafe_innerHTML=html_text, style="font-size:14px")
        if on_again is not None:
            solara.Button("Play again", on_click=on_again, color="primary", outlined=True, classes=ACTION)

@solara.component
def PlayPanel(view: dict, on_play, on_finish, on_again, on_stop):
    if view["finished"]:
        Debrief(opaque(view["debrief"]), on_again)
        return
    PlayRound(view, on_play, on_finish, on_stop)


PLAY_TEMPLATE = r"""
<template>
  <div class="tradesim-play-body">
    <h3 style="margin:0 0 4px 0">{{ b.title }}</h3>
    <div style="font-size:14px" v-html="b.situation_html"></div>
    <div class="tradesim-play-grid">
      <div>
        <h4 v-if="b.demands.length" style="margin:8px 0 0 0">The U.S. demands: tick those you accept</h4>
        <p v-else style="margin:8px 0 0 0">No U.S. demands in this scenario.</p>
        <v-checkbox v-for="d in b.demands" :key="d.id" :label="d.text" dense hide-details
                    class="tradesim-demand" :input-value="stance === 'wait' && accepted.includes(d.id)"
                    @change="tick(d.id, $event)"></v-checkbox>
        <div v-if="b.demands.length" style="color:#555;font-size:13px;margin-top:4px">
          Ticking a demand makes your stance Wait: only Wait combines with accepted demands.</div>
        <h4 style="margin:10px 0 4px 0">Your stance</h4>
        <v-btn-toggle :value="stance" mandatory @change="pick">
          <v-btn v-for="s in b.stances" :key="s.stance" :value="s.stance">{{ s.title }}</v-btn>
        </v-btn-toggle>
        <div v-for="text in b.closed" :key="text" class="tradesim-closed"
             style="color:#a05a00;font-size:13px">{{ text }}</div>
      </div>
      <div style="font-size:13px" v-html="b.options_html"></div>
    </div>
    <div style="font-size:14px;margin:8px 0"><b>Your move:</b> {{ move.words }}{{ move.words.endsWith(".") ? "" : "." }}
      <span class="tradesim-consequence">{{ move.consequence }}</span></div>
    <v-switch v-model="advice" label="Show what the agent would do, and why" dense hide-details
              style="margin-top:0"></v-switch>
    <div v-if="advice" class="tradesim-advice" style="font-size:13px" v-html="b.advice_html"></div>
    <div class="tradesim-play-buttons" style="display:flex;gap:8px;flex-wrap:wrap;margin-top:8px">
      <v-btn color="primary" class="tradesim-action" :disabled="!b.can_play" @click="send">
        {{ b.play_label }}</v-btn>
      <v-btn v-if="b.can_finish" color="secondary" outlined class="tradesim-action" @click="finish()">
        Finish and debrief</v-btn>
      <v-btn v-if="b.can_stop" text class="tradesim-action" @click="stop()">
        Stop playing (watch the agents)</v-btn>
    </div>
    <div style="font-size:13px" v-html="b.moves_html"></div>
  </div>
</template>
<script>
module.exports = {
  data() { return { accepted: [], stance: "wait", advice: false, shownRound: null }; },
  created() { this.fresh(); },
  watch: { b() { this.fresh(); } },
  computed: {
    b() { return JSON.parse(this.brief); },
    move() {  // the option this choice is, looked up in the moves the server listed (no rule repeated here)
      const b = this.b, on = this.stance === "wait" ? b.demands.filter(d => this.accepted.includes(d.id)) : [];
      const found = b.options[this.stance + "|" + on.map(d => d.id).join(",")] || [this.stance, null, null];
      const words = found[0] === null ? "accept: " + on.map(d => d.label).join("; ") : found[0];
      const fill = (text, parts) => text.replace(/\{(\w+)\}/g, (m, k) => parts[k]);
      const consequence = found[1] === null ? b.sentences.none
        : fill(found[2] === 1 ? b.sentences.best : b.sentences.other,
               { value: found[1], rank: found[2], n: b.n_options, best: b.best });
      return { words: words, consequence: consequence };
    }
  },
  methods: {
    fresh() {  // a new round starts with nothing ticked and Wait
      if (this.shownRound === this.b.round) { return; }
      this.shownRound = this.b.round;
      this.accepted = [];
      this.stance = "wait";
    },
    tick(id, on) {
      this.accepted = this.accepted.filter(x => x !== id).concat(on ? [id] : []);
      if (on) { this.stance = "wait"; }  // accepting a demand is a waiting move
    },
    pick(value) { if (value) { this.stance = value; } },
    send() {
      const accepted = this.stance === "wait" ? this.accepted.slice() : [];
      this.play({ accepted: accepted, stance: this.stance });
    }
  }
};
</script>
"""

PLAY_CSS = """
.tradesim-play-grid {display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 20px}
@media (max-width: 700px) {.tradesim-play-grid {grid-template-columns: minmax(0, 1fr)}}
.tradesim-play .v-btn-toggle {flex-wrap: wrap}
"""


@functools.cache
def _play_widget():
    """The round panel as one Vue template: the brief is data, the ticks and the stance live in the
    browser, and only a sent move comes back.  A round redraws one widget per page, not forty."""
    import ipyvuetify as v
    import traitlets

    class PlayRoundWidget(v.VuetifyTemplate):
        template = traitlets.Unicode(PLAY_TEMPLATE).tag(sync=True)
        brief = traitlets.Unicode("{}").tag(sync=True)  # round_brief as JSON text
        handlers = traitlets.Any(None)  # (play(accepted, stance), finish(), stop()): not synced

        def _call(self, name: str, *args) -> None:
            handler = dict(zip(("play", "finish", "stop"), self.handlers or ())).get(name)
            if handler is not None:
                handler(*args)

        def vue_play(self, data) -> None:
            data = data if isinstance(data, dict) else {}
            accepted = data.get("accepted")
            self._call("play", list(accepted) if isinstance(accepted, list) else [], data.get("stance"))

        def vue_finish(self, _data=None) -> None:
            self._call("finish")

        def vue_stop(self, _data=None) -> None:
            self._call("stop")

    return PlayRoundWidget


def _advice_html(view: dict) -> str:
    words = view.get("words", {})
    top = "".join(f"<tr><td>{k + 1}.</td><td>{esc(move_words(name, words))}</td>"
                  f"<td style='text-align:right;padding-left:1em'>{esc(value_text(u, view['classroom']))}</td></tr>"
                  for k, (name, u) in enumerate(view["utilities"][:5]))
    return ("<p style='margin:0'>The agent weighs every option by what it is worth to its government this round "
            "(dollars a year: welfare plus the political terms), given the deal the U.S. would strike and how it "
            "expects the U.S. and China to respond, and picks the best stance, give or take its own preferences "
            f"(decision noise {view['noise']:g}). Its top options now:</p><table>{top}</table>")


def _situation_html(view: dict) -> str:
    welfare, label = view["welfare_change_bn"], esc(view["round_label"])
    situation = (f"Treatment: <b>{esc(view['treatment'])}</b>; U.S. tariff on your exports: "
                 f"<b>{view['tariff_pct']:.1f}%</b>; exports to the U.S.: ${view['exports_to_us_bn']:.1f}bn/yr; ")
    if welfare is None:  # before the first round there is no last round to report
        situation += f"welfare change last {label}: <b>none yet (no {label} played)</b>."
    else:
        cumulative = f"{view['cum_welfare_bn']:+.2f}" if view["classroom"] else money(view["cum_welfare_bn"])
        last = f"{welfare:+.2f}" if view["classroom"] else money(welfare, per="/yr")
        situation += f"welfare change last {label}: <b>{esc(last)}</b>; cumulative: <b>{esc(cumulative)}</b>."
    if view["last_events"]:
        situation += f"<br>Last {esc(view['round_label'])}: " + "; ".join(esc(e) for e in view["last_events"]) + "."
    china = "".join(f"<div>{esc(line)}</div>" for line in view["china"])
    return (f"<p style='margin:0 0 6px 0'>{situation}</p>"
            f"<div style='background:#fff4f2;padding:6px 8px;border-radius:4px'><b>China's stance.</b> {china}</div>")


def _options_html(view: dict) -> str:
    words = view.get("words", {})
    rows = "".join(
        f"<tr><td style='vertical-align:top;padding-right:8px'><b>{esc(s['title'])}</b></td>"
        f"<td>{esc(s['help'])}"
        + (f"<br><span style='color:#555'>Best version this round: {esc(move_words(s['best_option'], words))} "
           f"({esc(value_text(s['best_utility'], view['classroom']))})</span>" if s["best_option"] else "")
        + "</td></tr>" for s in view["stances"])
    help_text = CLASSROOM_STAKE_HELP if view["classroom"] else STAKE_HELP
    return (f"<h4 style='margin:8px 0 2px 0'>Options and their likely consequences</h4><table>{rows}</table>"
            f"<p class='tradesim-help' style='color:#555;margin:4px 0'>{esc(help_text)}</p>")


def _moves_html(view: dict) -> str:
    if not view["moves"]:
        return ""
    words = view.get("words", {})
    rate = (lambda x: f"{x:+.2f}") if view["classroom"] else (lambda x: money(x, per="/yr"))
    lines = "".join(f"<tr><td>{m['round']}</td><td>{esc(move_text(m, words))}</td><td>{esc(m['you_treatment'])}</td>"
                    f"<td style='text-align:right'>{esc(rate(m['you_welfare']))}</td></tr>"
                    for m in reversed(view["moves"]))
    unit = "payoff" if view["classroom"] else "welfare change (a yearly rate)"
    return ("<h4 style='margin:8px 0 2px 0'>Your moves so far</h4><table class='tradesim-table'>"
            f"<tr><th>{esc(view['round_label'].capitalize())}</th><th>Move</th><th>Treatment after</th>"
            f"<th>{unit}</th></tr>{lines}</table>")


def _option_lines(view: dict) -> dict[str, list]:
    """Every move this round by its key ("wait|export_cap,security"): [its words, or None for "accept: "
    and the demands' wording; its value as shown; its rank] (the template words the consequence)."""
    ids = view["demand_ids"]
    values, _ = consequence_parts(view)
    out = {}

    def entry(label: str) -> list:
        value, rank = values.get(label, (None, None))
        return [None if label.startswith("accept ") else label, value, rank]

    for size in range(len(ids) + 1):
        for subset in itertools.combinations(ids, size):
            out["wait|" + ",".join(subset)] = entry(describe_move("wait", list(subset), ids))
    for s in view["stances"]:
        if s["stance"] != "wait":
            out[s["stance"] + "|"] = entry(describe_move(s["stance"], [], ids))
    return out


def round_brief(view: Mapping, play_label: str = "Play this round", can_play: bool = True, can_finish: bool = False,
                can_stop: bool = False) -> dict:
    """What the round panel's template shows, as JSON-ready data."""
    titles = [s for s in view["stances"] if s["open"]]
    return {
        "round": view["round"],
        "title": f"You are {view['country']}: {view['round_label']} {view['next_round']} of {view['rounds_total']}",
        "situation_html": _situation_html(view),
        "demands": [{"id": d["id"], "label": d["label"],
                     "text": d["label"] + (" (accepted last round)" if d["accepted_last"] else "")}
                    for d in view["demands"]],
        "stances": [{"stance": s["stance"], "title": s["title"]} for s in titles],
        "closed": [f"{s['title']}: {s['closed_reason']}" for s in view["stances"] if not s["open"]],
        "options_html": _options_html(view),
        "options": _option_lines(view),
        "n_options": len(view["utilities"]),
        "best": consequence_parts(view)[1],
        "sentences": {"best": CONSEQUENCE_BEST, "other": CONSEQUENCE_OTHER, "none": NO_ESTIMATE},
        "advice_html": _advice_html(view),
        "moves_html": _moves_html(view),
        "play_label": play_label, "can_play": can_play, "can_finish": can_finish, "can_stop": can_stop,
    }


def round_brief_json(view: Mapping, *flags) -> str:
    """:func:`round_brief` as JSON text, built once per view and buttons (a class game builds a seat's view
    once per round, so the pages of a team share it), and sent as one string: a page's redraw neither walks
    nor copies it."""
    cache = view.get("_cache")
    if cache is None:
        return json.dumps(round_brief(view, *flags))
    if flags not in cache:
        cache[flags] = json.dumps(round_brief(view, *flags))
    return cache[flags]


def opaque(data):
    """A view handed to a component as one value.  Reacton walks, and copies, every list and dict in a
    component's arguments on each redraw (looking for elements): a page's view holds hundreds of values,
    and a round closing redraws every page of the class."""
    return MappingProxyType(data) if isinstance(data, dict) else data


@solara.component
def PlayRound(view: dict, on_play, on_finish=None, on_stop=None, play_label: str = "Play this round",
              can_play: bool = True):
    """A round's brief and the move being put together; ``on_play(accepted, stance)`` sends it.
    A class game's page leaves out Finish and Stop (``None``) and names its button itself."""
    solara.Style(PLAY_CSS)
    brief = round_brief_json(view, play_label, can_play, on_finish is not None, on_stop is not None)
    handlers = (on_play, on_finish, on_stop)
    with solara.Card(classes=["tradesim-play"]):
        _play_widget().element(brief=brief, handlers=handlers)


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
