"""The class game's pages (Solara), thin over :mod:`ui.classgame`: host and join, student, teacher, projector.

A page's address says who it is: ``?class=CODE`` joins, ``&seat=TOKEN`` is a student's seat,
``&teacher=KEY`` the host's page, ``&view=projector`` the projector.  So a reload, or a
connection that comes back, finds the same seat.  Every page of a game follows it through a
:class:`ClassTab`: a thread per page waits on the game's change signal and sets the tab's
reactive values, so a round closed by anyone (or by the timer) redraws every page at once.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from urllib.parse import urlencode

import reacton.ipyvuetify as rv
import solara

from sim.world.errors import UserError
from ui.classgame import (
    COUNTRIES,
    FINISHED,
    LOBBY,
    OPEN,
    REGISTRY,
    TIMER,
    ClassGame,
    class_scenarios,
    parse_setup,
)
from ui.components import ACTION, BusyBar, Debrief, Figure, PlayRound, amount, esc, opaque, template_widget
from ui.play import move_words
from ui.reconnect import SAVED, UNSAVED, WAITING, ServerWatch

LESSON_ROUNDS = 6  # the host form's rounds: the lesson plan's 50 minutes (docs/instructor-guide.md)
NEW_GAME = "new"  # ?class=new: the host and join page, in either kind of server
CLASSROOM_ENV = "TRADESIM_CLASSROOM"  # set by `tradesim app --classroom`: the front page is the class game's
WATCH_TIMEOUT_S = 2.0  # a page's thread checks this often whether its tab is gone


_SERVING = []


def serve_class_games() -> None:
    """At server start (app.py): reopen the class games saved on disk and say where they are kept; on
    SIGTERM or Ctrl-C, say how many are saved, and where."""
    if _SERVING:
        return
    _SERVING.append(True)
    print(f"tradesim {REGISTRY.open_saved()}", flush=True)
    REGISTRY.log_on_stop(lambda line: print(line, flush=True))

# The class pages' own styles: tables; the student's header that stays in sight; a join link that never
# breaks inside the address; the projector's grid (1280x720: both plots and the event log above the fold);
# one column on a phone.
CLASS_CSS = """
.tradesim-table td, .tradesim-table th {padding: 1px 10px 1px 0; text-align: left}
.tradesim-sticky {position: sticky; top: 0; z-index: 5; background: white; padding: 4px 0;
                  box-shadow: 0 2px 3px -2px rgba(0,0,0,.25)}
.tradesim-joinlink {white-space: nowrap; overflow-wrap: normal; word-break: keep-all}
.tradesim-link-box {overflow-x: auto; max-width: 100%}
.tradesim-two {display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px 24px}
.tradesim-joinlink .tradesim-local {white-space: normal; font-family: sans-serif}
.tradesim-projector-grid {display: grid; grid-template-columns: minmax(0, 58fr) minmax(0, 42fr); gap: 4px 16px;
                          align-items: start}
.tradesim-projector-log {border: 1px solid #ddd; border-radius: 4px; padding: 4px 8px}
.tradesim-projector-log .tradesim-events {max-height: calc(100vh - 470px); min-height: 120px; overflow-y: auto;
                                          font-size: 16px; line-height: 1.45}
.tradesim-projector-lobby {display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 12px}
@media (max-width: 700px) {
  .tradesim-two, .tradesim-projector-grid, .tradesim-projector-lobby {grid-template-columns: minmax(0, 1fr)}
  .tradesim-join-code {font-size: 64px !important}
}
"""


def classroom_front_page() -> bool:
    """Whether the front page (no address) is the class game's host and join page (``tradesim app --classroom``)."""
    return os.environ.get(CLASSROOM_ENV, "") == "1"


def class_link(code: str, **more: str) -> str:
    return "/?" + urlencode({"class": code, **more})


class ClassTab:
    """One browser tab's link to a class game: who it is (teacher key, seat token or neither) and the
    reactive values its page redraws on: ``version`` (a round, a seat, the phase changed),
    ``submitted`` (a move came in) and ``acted`` (this tab's own action was answered)."""

    def __init__(self, game: ClassGame, key: str | None = None, token: str | None = None):
        self.game, self.key, self.token = game, key, token
        self.version = solara.reactive(game.version)
        self.submitted = solara.reactive(game.submitted_version)
        self.acted = solara.reactive(0)
        self.error = solara.reactive("")
        self.gone = threading.Event()
        # stable callables for the downloads (a new one each redraw would cancel a download under way)
        self.csv = functools.partial(game.moves_csv, key)
        self.parquet = functools.partial(game.moves_parquet, key)

    def follow(self) -> None:
        """Runs on the page's own thread: redraw when the game changes, until the tab is gone."""
        self.game.attach(self.token)
        try:
            seen = (self.version.value, self.submitted.value)
            while not self.gone.is_set():
                now = self.game.wait_for_change(seen, WATCH_TIMEOUT_S)
                if now[0] != seen[0]:
                    self.version.value = now[0]
                if now[1] != seen[1]:
                    self.submitted.value = now[1]
                seen = now
        finally:
            self.game.detach(self.token)

    def leave(self) -> None:
        self.gone.set()

    def act(self, action: Callable[[], object]) -> bool:
        """Do a student's or the teacher's action; a refusal is shown in words.  True when it went through."""
        try:
            action()
        except UserError as exc:
            self.error.value = str(exc)
            ok = False
        else:
            self.error.value = ""
            ok = True
        self.acted.value += 1
        return ok


def use_class_tab(game: ClassGame, key: str | None = None, token: str | None = None) -> ClassTab:
    """The tab's :class:`ClassTab`, following the game for as long as the page is open."""
    tab = solara.use_memo(lambda: ClassTab(game, key, token), [game.code, key, token])
    solara.lab.use_task(tab.follow, dependencies=[tab], prefer_threaded=True)
    solara.use_effect(lambda: tab.leave, [tab])
    return tab


# ---------------------------------------------------------------------------- page furniture
ROUND_TEMPLATE = """
<template>
  <span class="tradesim-round-line" style="display:inline-flex;align-items:baseline;gap:6px 18px;flex-wrap:wrap">
    <span class="tradesim-class-round" style="font-size:22px;font-weight:bold">{{ state.words }}</span>
    <span v-if="state.open" class="tradesim-timer">{{ shown }}</span>
    <span v-if="state.open" class="tradesim-moves-in">{{ state.moves }}</span>
    <span v-if="state.note">{{ state.note }}</span>
  </span>
</template>
<script>
module.exports = {
  data() { return { shown: "" }; },
  watch: { state() { this.restart(); } },
  mounted() { this.restart(); this.ticker = setInterval(() => this.tick(), 250); },
  destroyed() { clearInterval(this.ticker); },
  methods: {
    restart() {  // counted down from when the state arrived (no clock to agree on)
      this.left = this.state.left;
      this.paused = this.state.paused;
      this.end = performance.now() + (this.left || 0) * 1000;
      this.tick();
    },
    tick() {
      if (this.left === null || this.left === undefined) { this.shown = this.paused ? "paused" : "no timer"; return; }
      const s = this.paused ? this.left : Math.max(0, (this.end - performance.now()) / 1000);
      const whole = Math.ceil(s), m = Math.floor(whole / 60), r = whole % 60;
      this.shown = (this.paused ? "paused at " : "") + m + ":" + String(r).padStart(2, "0");
    }
  }
};
</script>
"""

JOIN_LINK_TEMPLATE = """
<template>
  <span class="tradesim-joinlink">{{ link }}<span v-if="local" class="tradesim-local"
    style="display:block;font-size:14px;color:#a05a00">
    This address works on this machine only: students need the machine's network address
    (serve with <code>tradesim app --host 0.0.0.0</code> and open this page at that address).</span></span>
</template>
<script>
module.exports = {
  computed: {
    link() { return window.location.origin + window.location.pathname + (this.query ? "?" + this.query : ""); },
    local() { return ["127.0.0.1", "localhost", "[::1]"].includes(window.location.hostname); }
  }
};
</script>
"""


PLAIN_LINK_TEMPLATE = JOIN_LINK_TEMPLATE.replace('<span v-if="local"', '<span v-if="false"')


@solara.component
def JoinLink(query: str, warn: bool = True):
    """The address that opens ``query`` on this server, as the browser reaches it (``warn``: say so when
    that address is this machine's own, which students cannot reach)."""
    if warn:
        template_widget("JoinLinkWidget", JOIN_LINK_TEMPLATE, "query", "text").element(query=query)
    else:
        template_widget("LinkWidget", PLAIN_LINK_TEMPLATE, "query", "text").element(query=query)


@functools.cache
def _round_widget():
    import ipyvuetify as v
    import traitlets

    return type("RoundLineWidget", (v.VuetifyTemplate,), {
        "template": traitlets.Unicode(ROUND_TEMPLATE).tag(sync=True),
        "state": traitlets.Dict({}).tag(sync=True)})


@solara.component
def RoundLine(tab: ClassTab, view: dict):
    """The round, the timer and '7 of 10 moves in', as one widget: a round closing, a move sent or a pause
    changes one value on each page (and a move sent redraws this alone, not the page)."""
    tab.submitted.value  # noqa: B018 - redraw on every move sent
    moved, seats = tab.game.counts()
    left = tab.game.remaining()  # now: the page's view may be older than this redraw
    label = view["round_label"]
    note = ("" if view["phase"] != LOBBY else
            f"{view['timer_s']} s per {label}" if view["timer_s"] else "no round timer")
    state = {"words": round_words(view), "open": view["phase"] == OPEN, "moves": f"{moved} of {seats} moves in",
             "left": None if left is None else round(left, 1),
             "paused": bool(view["paused"]), "note": note}
    _round_widget().element(state=state)


def round_words(view: dict) -> str:
    label = view["round_label"]
    if view["phase"] == LOBBY:
        return f"Waiting to start: {view['rounds_total']} {label}s"
    if view["phase"] == FINISHED:
        return f"Game over after {label} {view['round']} of {view['rounds_total']}"
    return f"{label.capitalize()} {view['round'] + 1} of {view['rounds_total']}" + (" (paused)" if view["paused"] else "")


@solara.component
def ClassHeader(tab: ClassTab, view: dict, who: str, sticky: bool = False):
    """The game, the round, the timer and the moves in; ``sticky``: it stays at the top while the page
    scrolls (a student on a laptop sees the timer next to "Send my move")."""
    # one root element: Solara wraps a component's several roots in a column of their own, and a sticky
    # header inside that short column would scroll away with it
    with solara.Column(gap="0px", classes=["tradesim-sticky"] if sticky else []):
        ServerWatch(UNSAVED if tab.game.storage_problem else SAVED)  # what the page says if the server goes away
        with solara.Row(style={"align-items": "baseline", "gap": "6px 18px", "flex-wrap": "wrap"},
                        classes=["tradesim-class-header"]):
            solara.HTML(tag="span", unsafe_innerHTML=f"Class game <b>{esc(view['code'])}</b>: {esc(view['title'])}",
                        style="font-size:16px")
            RoundLine(tab, view)
            if who:
                solara.HTML(tag="span", unsafe_innerHTML=esc(who), style="color:#555")
        if tab.error.value:
            solara.Error(tab.error.value, classes=["tradesim-error"])


# ---------------------------------------------------------------------------- the front: host or join
@solara.component
def ClassLobby():
    """Join a class game by its code, or host one."""
    router = solara.use_router()
    code, error = solara.use_reactive(""), solara.use_reactive("")

    def join():
        try:
            game = REGISTRY.get(code.value, typed=True)
        except UserError as exc:
            error.value = str(exc)
            return
        router.push(class_link(game.code))

    with solara.Column(style={"max-width": "900px", "padding": "12px"}, classes=["tradesim-class-lobby"]):
        with solara.Card("Join a class game"):
            solara.Text("Type the code your teacher shows on the projector, then press Enter or Join.")
            with solara.Row(style={"align-items": "center"}):
                field = rv.TextField(label="Join code", v_model=code.value, on_v_model=code.set)
                rv.use_event(field, "keyup.enter", lambda *_: join())  # Enter joins, as in any form
                solara.Button("Join", on_click=join, color="primary", classes=ACTION)
            if error.value:
                solara.Error(error.value, classes=["tradesim-error"])
        HostForm()


@solara.component
def HostForm():
    router = solara.use_router()
    scenario = solara.use_reactive("section232_2018")
    rounds = solara.use_reactive(str(LESSON_ROUNDS))
    timer = solara.use_reactive(str(TIMER.default))
    seed = solara.use_reactive("7")
    countries = solara.use_reactive(str(COUNTRIES.default))
    error = solara.use_reactive("")

    def pick(name: str):
        scenario.value = name

    def host():
        try:
            setup = parse_setup(scenario.value, rounds.value, timer.value, seed.value, countries.value)
            game, key = REGISTRY.create(setup)
        except UserError as exc:
            error.value = str(exc)
            return
        router.push(class_link(game.code, teacher=key))

    with solara.Card("Host a class game (teacher)"):
        solara.HTML(tag="p", unsafe_innerHTML=(
            "One shared game for the whole class: each student takes a country, agents play the others. "
            "You get a join code for the projector; each round closes when every student has moved, when the "
            "timer runs out, or when you close it."))
        solara.Select("Scenario", values=class_scenarios(), value=scenario.value, on_value=pick)
        if scenario.value == "classroom":
            solara.InputText(f"Countries ({COUNTRIES.low} to {COUNTRIES.high})", value=countries,
                             continuous_update=True)
        solara.InputText(f"Rounds ({LESSON_ROUNDS} fit a 50-minute lesson; 0 = the history horizon or the "
                         "scenario's length)", value=rounds, continuous_update=True)
        solara.InputText("Round timer in seconds (0 = no timer: you close each round)", value=timer,
                         continuous_update=True)
        solara.InputText("Seed (whole number)", value=seed, continuous_update=True)
        solara.Button("Start a class game", on_click=host, color="primary", classes=ACTION)
        if error.value:
            solara.Error(error.value, classes=["tradesim-error"])


# ---------------------------------------------------------------------------- one game's pages
@solara.component
def ClassPage(query: dict):
    """The page an address of a class game asks for (see the module's docstring)."""
    solara.Style(CLASS_CSS)
    if query["class"].strip().lower() == NEW_GAME:
        ClassLobby()
        return
    try:
        game = REGISTRY.get(query["class"])
    except UserError as exc:
        ServerWatch(WAITING)
        with solara.Column(style={"padding": "12px"}):
            solara.Error(str(exc), classes=["tradesim-error"])
        ClassLobby()
        return
    if "teacher" in query:
        TeacherPage(game, query["teacher"])
    elif "seat" in query:
        StudentPage(game, query["seat"])
    elif query.get("view") == "projector":
        ProjectorPage(game)
    else:
        JoinPage(game)


@solara.component
def JoinPage(game: ClassGame, note: str = ""):
    router = solara.use_router()
    tab = use_class_tab(game)
    name = solara.use_reactive("")
    tab.version.value  # noqa: B018 - redraw when a seat is taken
    view = opaque(game.public_view())

    def claim(country: str):
        seat = []
        if tab.act(lambda: seat.append(game.claim(name.value, country))):
            router.push(class_link(game.code, seat=seat[0].token))

    BusyBar(tab.acted)
    with solara.Column(style={"padding": "12px", "max-width": "1100px"}, classes=["tradesim-join"]):
        ClassHeader(tab, view, "")
        if note:
            solara.Warning(note, classes=["tradesim-notice"])
        if view["phase"] == FINISHED:
            solara.Info("This class game is over: no seats can be taken any more.")
            return
        solara.HTML(tag="h3", unsafe_innerHTML="Take a seat", style="margin:8px 0 0 0")
        solara.InputText("Your name (or your team's)", value=name, continuous_update=True)
        solara.Text("Then pick a free country (a team shares one seat: whoever took it can pass on the "
                    "seat's link). Agents play every country nobody takes.", style={"color": "#555"})
        with solara.Row(style={"flex-wrap": "wrap", "gap": "6px"}):
            for entry in view["countries"]:
                taken = entry["name"] is not None
                solara.Button(f"{entry['country']}: {entry['name']}" if taken else entry["country"],
                              disabled=taken, outlined=not taken, color="primary", classes=[*ACTION, "tradesim-seat"],
                              on_click=functools.partial(claim, entry["country"]))


@solara.component
def StudentPage(game: ClassGame, token: str):
    tab = use_class_tab(game, token=token)
    version, acted = tab.version.value, tab.acted.value

    def gather():
        try:
            return game.student_view(token)
        except UserError as exc:
            return {"refused": str(exc)}

    view = solara.use_memo(lambda: opaque(gather()), [version, acted, token])  # a seat taken again: new token
    if "refused" in view:
        JoinPage(game, note=view["refused"])
        return
    BusyBar(tab.acted)
    play = view["play"]
    words = play["words"]
    with solara.Column(style={"padding": "12px", "max-width": "1300px"}, classes=["tradesim-student"]):
        ClassHeader(tab, view, f"{view['name']} plays {view['country']}", sticky=True)
        # The notes live in a column of their own, so that the move panel keeps its place among the page's
        # children whatever notes show: a panel that moved would be rebuilt, and a click that reached its
        # old buttons (a new month, a move sent) would be lost.
        solara.HTML(tag="div", unsafe_innerHTML=student_notes(view, words), classes=["tradesim-notes"])
        if view["phase"] == FINISHED:
            Debrief(opaque(play["debrief"]))
            return
        PlayRound(opaque(play), lambda accepted, stance: tab.act(lambda: game.submit(token, accepted, stance)),
                  play_label="Send my move", can_play=view["phase"] != LOBBY)


NOTE_STYLE = {"warning": "background:#fff3e0;border-left:4px solid #fb8c00;color:#8a4b00",
              "info": "background:#e3f2fd;border-left:4px solid #1976d2;color:#0d3c61",
              "success": "background:#e8f5e9;border-left:4px solid #43a047;color:#1b5e20"}


def student_notes(view, words: dict[str, str]) -> str:
    """The notes above a student's round panel, as one block of HTML: a note that comes or goes changes
    one value on the page (no widget made or dropped), and the panel below keeps its place."""
    notes = []
    if view["timed_out"]:
        last = view["last"]
        notes.append(("warning", "tradesim-timed-out",
                      f"You sent no move in {view['round_label']} {last['round']}: the agent chose for "
                      f"{view['country']} ('{move_words(last['you'], words)}')."))
    if view["phase"] == LOBBY:
        notes.append(("info", "tradesim-waiting", "The teacher has not started the game yet. Here is your brief "
                      f"for the first {view['round_label']}: look at your options."))
    elif view["my_move"] and view["phase"] != FINISHED:
        notes.append(("success", "tradesim-sent",
                      f"Your move for {view['round_label']} {view['round'] + 1} is in: "
                      f"'{move_words(view['my_move'], words)}'. You can change it until the round closes."))
    return "".join(f"<div class='{cls}' role='status' style='{NOTE_STYLE[kind]};padding:10px 14px;margin:6px 0;"
                   f"border-radius:4px;font-size:15px'>{esc(text)}</div>" for kind, cls, text in notes)


@solara.component
def TeacherPage(game: ClassGame, key: str):
    if not game.is_teacher(key):
        JoinPage(game, note="This address does not hold this game's teacher key: you can take a seat instead.")
        return
    TeacherDesk(game, key)


@solara.component
def TeacherDesk(game: ClassGame, key: str):
    tab = use_class_tab(game, key=key)
    version, submitted, acted = tab.version.value, tab.submitted.value, tab.acted.value
    view = solara.use_memo(lambda: opaque(game.teacher_view(key)), [version, submitted, acted])
    BusyBar(tab.acted)
    with solara.Column(style={"padding": "12px"}, classes=["tradesim-teacher"]):
        ClassHeader(tab, view, "Teacher's page")
        StorageWarning(view)
        with solara.Div(classes=["tradesim-two"]):
            with solara.Column():
                JoinCode(view["code"])
                solara.HTML(tag="p", unsafe_innerHTML="For the projector, open the projector view:",
                            style="margin:6px 0 0 0")
                with solara.Div(classes=["tradesim-link-box"]):
                    JoinLink(f"class={view['code']}&view=projector", warn=False)
            with solara.Column():
                KeepThisPage()
                TeacherControls(tab, view)
        SeatTable(tab, view)
        solara.HTML(tag="p", unsafe_innerHTML=esc(view["status"]), style="color:#555")
        with solara.Card("Class table"):
            ClassTable(view)
            with solara.Row():
                solara.FileDownload(tab.csv, filename=f"tradesim-class-{view['code']}.csv",
                                    label="Download every move (CSV)")
                solara.FileDownload(tab.parquet, filename=f"tradesim-class-{view['code']}.parquet",
                                    label="Download every move (Parquet)")
        KeepOrDelete(tab, view)


@solara.component
def StorageWarning(view: dict):
    """The teacher's warning when the game is not on disk: it goes on in memory, and a stop would lose it."""
    problem = view["storage"]["problem"]
    if view["storage"]["other_model"]:
        solara.Warning("This game was saved by another version of tradesim, whose model differs from this one's. "
                       "It was rebuilt by replaying its moves with this version, so the agents' moves in the rounds "
                       "already played may differ from what the class saw. Finish class games before updating "
                       "tradesim.", classes=["tradesim-other-model"])
    if problem:
        solara.Error(f"This game is NOT being saved: {problem}. It goes on in this server's memory, but if the "
                     "server stops now, the game is lost. Free some space (or make the folder writable): the next "
                     "change saves the whole game again. Meanwhile, download the moves now and then.",
                     classes=["tradesim-storage-problem"])


@solara.component
def KeepOrDelete(tab: ClassTab, view: dict):
    """Where the game is kept and for how long; the teacher's Delete (asked twice)."""
    storage, router = view["storage"], solara.use_router()
    asked = solara.use_reactive(False)
    if storage["path"] is None:
        return

    def delete():
        if tab.act(lambda: REGISTRY.delete(view["code"], tab.key)):
            router.push(class_link(view["code"]))

    with solara.Card("This game on the server"):
        if storage["saved"]:
            solara.HTML(tag="p", unsafe_innerHTML=(
                f"Saved as it is played, in <code>{esc(storage['path'])}</code>: if the server stops, start it "
                "again (with the same <code>--db</code>) and every page comes back to this "
                f"{esc(view['round_label'])}, with the moves already sent. Kept until you delete it, or {storage['keep_days']:g} days after it "
                "ends."), classes=["tradesim-storage"], style="font-size:14px")
        if not asked.value:
            solara.Button("Delete this game from the server", text=True, color="error",
                          on_click=lambda: asked.set(True))
            return
        solara.Warning(f"Delete class game {view['code']}, its seats and every move, for good? Download the moves "
                       "first if you need them.", classes=["tradesim-delete-confirm"])
        with solara.Row():
            solara.Button("Delete for good", color="error", classes=ACTION, on_click=delete)
            solara.Button("Keep it", text=True, on_click=lambda: asked.set(False))


@solara.component
def KeepThisPage():
    """The teacher is told that this page is the only way to run the game, and how to host another."""
    solara.HTML(tag="div", classes=["tradesim-keep-page"], unsafe_innerHTML=(
        "<b>Keep this page open, or bookmark it:</b> its address holds your teacher key, and only this address "
        "can start, pause and close the rounds and download the moves. Do not project it or share it. "
        f"<a href='{class_link(NEW_GAME)}' target='_blank' rel='noopener' class='tradesim-host-new'>Host a new "
        "game</a> (opens in a new tab, so this one stays)."),
        style="background:#fff8e1;border-left:4px solid #a05a00;padding:6px 10px;font-size:14px;margin-bottom:8px")


@solara.component
def JoinCode(code: str):
    solara.HTML(tag="div", unsafe_innerHTML=(
        "<div style='font-size:18px'>Join code</div>"
        f"<div class='tradesim-join-code' style='font-size:96px;font-weight:bold;letter-spacing:12px;"
        f"font-family:monospace;line-height:1'>{esc(code)}</div>"
        "<div style='font-size:18px;margin-top:6px'>or open</div>"))
    with solara.Div(style={"font-size": "min(20px, 3.6vw)", "font-family": "monospace"},
                    classes=["tradesim-link-box"]):
        JoinLink(f"class={code}")


@solara.component
def TeacherControls(tab: ClassTab, view: dict):
    game, key, phase = tab.game, tab.key, view["phase"]
    confirming = solara.use_reactive(False)
    with solara.Row(style={"flex-wrap": "wrap", "gap": "8px"}):
        if phase == LOBBY:
            solara.Button("Start the game", color="primary", classes=ACTION, on_click=lambda: tab.act(lambda: game.start(key)))
        elif phase != FINISHED:
            solara.Button("Close the round now", color="primary", classes=ACTION,
                          on_click=lambda: tab.act(lambda: game.close_round(key)))
            if view["paused"]:
                solara.Button("Resume", color="success", classes=ACTION, on_click=lambda: tab.act(lambda: game.resume(key)))
            else:
                solara.Button("Pause", color="warning", classes=ACTION, on_click=lambda: tab.act(lambda: game.pause(key)))
        if phase != FINISHED and not confirming.value:
            solara.Button("End the game", color="error", outlined=True, on_click=lambda: confirming.set(True))
    if phase != FINISHED and confirming.value:
        ConfirmEnd(tab, view, confirming)
    timer = (f"{view['timer_s']} s per {view['round_label']}" if view["timer_s"]
             else f"no timer (you close each {view['round_label']})")
    solara.HTML(tag="p", unsafe_innerHTML=(
        f"{view['claimed']} students, {len(view['free'])} countries played by agents; {esc(timer)}. "
        "A round closes when every student has moved, when the timer runs out, or when you close it; "
        "a missing move is the agent's choice. Pause stops the clock and holds the round."),
        style="font-size:14px")


@solara.component
def ConfirmEnd(tab: ClassTab, view: dict, confirming: solara.Reactive):
    """'End the game' asks first: it cannot be undone, and the round under way is not played."""
    label = view["round_label"]
    open_round = (f"{label.capitalize()} {view['round'] + 1} (under way) is not played; "
                  if view["phase"] == OPEN else "")

    def end():
        confirming.set(False)
        tab.act(lambda: tab.game.end(tab.key))

    with solara.Div(classes=["tradesim-confirm-end"],
                    style={"background": "#fdecea", "padding": "8px 10px", "border-radius": "4px", "margin": "6px 0"}):
        solara.HTML(tag="div", unsafe_innerHTML=(
            f"<b>End the game now?</b> {esc(open_round)}every student gets the debrief, and nothing can be "
            "played after it. This cannot be undone."))
        with solara.Row(style={"gap": "8px", "margin-top": "6px"}):
            solara.Button("Yes, end the game", color="error", classes=ACTION, on_click=end)
            solara.Button("No, keep playing", outlined=True, on_click=lambda: confirming.set(False))


@solara.component
def SeatTable(tab: ClassTab, view: dict):
    seated = [s["country"] for s in view["seats"]]
    which, target = solara.use_reactive(""), solara.use_reactive("")
    rows = "".join(
        f"<tr><td>{esc(s['country'])}</td><td>{esc(s['name'])}</td>"
        f"<td>{'online' if s['online'] else '<span style=color:#999>offline</span>'}</td>"
        f"<td class='tradesim-seat-status'>{'&#10004; moved' if s['submitted'] else ('waiting' if view['phase'] == 'open' else '')}</td></tr>"
        for s in view["seats"])
    with solara.Card("Seats: who has moved this round (not what)"):
        solara.HTML(tag="div", unsafe_innerHTML=(
            "<table class='tradesim-table tradesim-seats'><tr><th>Country</th><th>Student</th><th>Page</th>"
            f"<th>This round</th></tr>{rows or '<tr><td colspan=4>No student has taken a seat yet.</td></tr>'}</table>"
            f"<p style='color:#555;margin:4px 0'>Played by agents: {esc(', '.join(view['free'])) or 'none'}.</p>"),
            style="font-size:15px")
        if seated and view["phase"] != FINISHED:
            with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
                solara.Select("Seat", values=seated, value=which.value if which.value in seated else None,
                              on_value=which.set)
                solara.Button("Free this seat", text=True, classes=ACTION, disabled=which.value not in seated,
                              on_click=lambda: tab.act(lambda: tab.game.free_seat(tab.key, which.value)))
                solara.Select("Move the student to", values=view["free"],
                              value=target.value if target.value in view["free"] else None, on_value=target.set)
                solara.Button("Move", text=True, classes=ACTION,
                              disabled=which.value not in seated or target.value not in view["free"],
                              on_click=lambda: tab.act(lambda: tab.game.reassign(tab.key, which.value, target.value)))


@solara.component
def ClassTable(view: dict):
    if not view["table"]:
        solara.Text("No student has played yet.")
        return
    rows = []
    for r in view["table"]:
        moves = "; ".join(f"{rnd}: {label}" + ("*" if by != "student" else "") for rnd, label, by in r["moves"])
        agreed, of = r["agent_agreement"]
        history = f"{r['history_agreement'][0]} of {r['history_agreement'][1]}" if r["history_agreement"] else "n/a"
        rows.append(
            f"<tr><td>{esc(r['student'])}</td><td>{esc(r['country'])}{'' if r['holds'] else ' (left)'}</td>"
            f"<td style='max-width:520px'>{esc(moves) or '-'}</td><td>{r['timeouts']}</td>"
            f"<td>{esc(amount(r['payoff'], r['unit']))}</td><td>{esc(amount(r['agent_payoff'], r['unit']))}</td>"
            f"<td>{agreed} of {of}</td><td>{esc(history)}</td></tr>")
    solara.HTML(tag="div", unsafe_innerHTML=(
        "<table class='tradesim-table tradesim-class-table'><tr><th>Student</th><th>Country</th><th>Moves (* the "
        "agent's: no move in time)</th><th>Timed out</th><th>Payoff (cumulative welfare)</th><th>The agent's</th>"
        "<th>Same move as the agent</th><th>Like history (retaliated, settled)</th></tr>"
        f"{''.join(rows)}</table>"
        f"<p style='color:#555;margin:4px 0'>{view['moves_logged']} moves logged (every country, every "
        f"{esc(view['round_label'])}). <i>Same move as the agent</i>: the agent's choice in the student's own "
        "situation that month. <i>The agent's</i> payoff: the game in which every country is an agent (same scenario "
        "and seed), as in each student's debrief.</p>"), style="font-size:14px")


@solara.component
def ProjectorPage(game: ClassGame):
    tab = use_class_tab(game)
    version = tab.version.value
    view = solara.use_memo(lambda: opaque(game.projector_view()), [version])
    with solara.Column(style={"padding": "8px 12px"}, classes=["tradesim-projector"]):
        ClassHeader(tab, view, "")
        if view["phase"] == LOBBY:
            with solara.Div(classes=["tradesim-projector-lobby"]):
                with solara.Column():
                    JoinCode(view["code"])
                taken = [c for c in view["countries"] if c["name"]]
                solara.HTML(tag="div", unsafe_innerHTML=(
                    f"<h3>{len(taken)} seats taken</h3>"
                    + "".join(f"<div>{esc(c['country'])}: {esc(c['name'])}</div>" for c in taken)),
                    style="font-size:20px", classes=["tradesim-projector-seats"])
        solara.HTML(tag="h2", unsafe_innerHTML=esc(view["status"]), classes=["tradesim-status"],
                    style="margin:2px 0 4px 0;font-size:18px;line-height:1.3")
        # 1280x720: the tariff plot on the left, the counts and the event log on the right, above the fold;
        # the network and the welfare bars below them
        with solara.Div(classes=["tradesim-projector-grid"]):
            with solara.Column(gap="4px"):
                Figure(view["tariffs"], "tariffs")
                Figure(view["network"], "network")
            with solara.Column(gap="4px"):
                Figure(view["counts"], "counts")
                lines = "".join(f"<div>{esc(line)}</div>" for line in view["events"]) or "<div>No events yet.</div>"
                solara.HTML(tag="div", classes=["tradesim-projector-log"], unsafe_innerHTML=(
                    "<div style='font-size:16px;font-weight:bold;margin:2px 0'>Event log (newest first)</div>"
                    f"<div class='tradesim-events'>{lines}</div>"))
                Figure(view["welfare"], "welfare")
