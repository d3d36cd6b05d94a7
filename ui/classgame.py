"""A class game: one shared model, each student a country, the teacher at the front, agents in the empty seats.

Plain Python (no Solara), so that it is tested without a browser; the pages in
:mod:`ui.classpages` are thin over it.

* :class:`ClassRegistry` (one per server process, :data:`REGISTRY`) holds the class games
  keyed by their join code; games on one server do not see each other.
* :class:`ClassGame` is one game: one :class:`~sim.model.NegotiationModel` shared by the
  class, the agents' shadow game (every country an agent, for the debriefs), one
  :class:`ui.play.PlayGame` per country over both (the play-a-country logic: the round
  brief, the move check, the record, the debrief), the seats, this round's submissions,
  the round timer and the log of every move.  Every change happens under the game's one
  lock, so simultaneous submissions, a teacher's click and the timer cannot interleave
  inside a round.
* Who may do what: the teacher's controls need the teacher key (only the host's page has
  it); a move needs the seat's token (only the pages of the student or team that claimed
  it have it); the game keeps only their SHA-256 digests.  A claimed country is played by a
  person (strategy "human"); a free one by its agent rule, as in a game without students; a
  student who sends no move in time is played by that agent rule for the round, and told so.
* On disk (:mod:`ui.classstore`): every change is written to the game's journal and committed
  before its caller is answered; after a restart :meth:`ClassGame.rebuild` replays the journal,
  so the game is the one that was interrupted, in the same round, with the moves already in.
"""

from __future__ import annotations

import functools
import io
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import parse_qs

from sim.world.errors import ParameterError, UserError
from sim.world.loader import load_scenario
from sim.world.schema import Field, Pattern
from sim.world.vocabulary import StrategyName
from ui.classstore import ClassStore, Header, SavedGame, StoreError, db_path_from_env, digest, model_fingerprint
from ui.figures import Plots
from ui.inspector import recent_events, status_line
from ui.play import (
    BY_STUDENT,
    PlayGame,
    RoundPreview,
    debrief,
    default_rounds,
    demand_words,
    option_label,
    play_view,
)
from ui.series import RoundSeries
from ui.settings import build_model, default_settings, parse_rounds, parse_seed

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a projector
NEVER_IN_CODES = "0O1I"
CODE_LENGTH = 5
MAX_NAME_CHARS = 40
MAX_CLASS_GAMES = 20  # class games one server holds at once (finished and idle ones make room)
IDLE_HOURS = 12  # a class game untouched this long is dropped when room is needed
MIN_TIMER_S = 10
CLOCK_SAVE_S = 5.0  # how often an open round's time left is written to disk

TIMER = Field("Round timer", int, 120, 0, 3600, unit="seconds", help="seconds per round; 0 = no timer")
COUNTRIES = Field("Countries", int, 10, 2, 60, unit="countries", help="countries of the classroom game")
CODE = Field("Join code", str, pattern=Pattern(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}",
                                                f"{CODE_LENGTH} letters or digits, e.g. K7QF2"))

LOBBY, OPEN, FINISHED = "lobby", "open", "finished"
BY_TIMEOUT, BY_AGENT = "agent: no move in time", "agent: no student"  # and BY_STUDENT (ui.play)

MOVE_COLUMNS = ("game", "scenario", "seed", "round", "country", "student", "played_by", "move", "stance",
                "accepted", "value_bn_yr", "rank", "best_move", "agent_move", "treatment", "tariff_pct",
                "welfare_bn_yr", "cum_welfare_bn", "submitted_after_s")


class NotAllowed(UserError):
    """A request without the right key or token (a student at a teacher control, a stale seat link)."""


# ---------------------------------------------------------------------------- inputs
def class_scenarios() -> list[str]:
    """The built-in scenarios a class can play (those with two or more countries)."""
    from sim.world.loader import builtin_names

    return [name for name in builtin_names() if name == "classroom" or len(load_scenario(name).countries) >= 2]


def suggested_rounds(scenario: str) -> int:
    """The rounds a class plays unless the teacher says otherwise: the history horizon, else the scenario's length."""
    return default_rounds(scenario, load_scenario(scenario).rounds)


@dataclass(frozen=True)
class ClassSetup:
    """What the teacher picked: scenario, rounds, round timer (s, 0 = none), seed, countries (classroom)."""

    scenario: str = "section232_2018"
    rounds: int = 0  # 0: the history horizon or the scenario's length
    timer_s: int = 120
    seed: int = 7
    countries: int | None = None  # the classroom game's number of countries


def parse_timer(text: Any) -> int:
    value = str(text if text is not None else "").strip().lower().removesuffix("s").strip()
    seconds = TIMER.coerce(value or "0", "Round timer (seconds)")
    if 0 < seconds < MIN_TIMER_S:
        raise ParameterError(f"Round timer (seconds): {seconds} s is too short for a class; use 0 (no timer, "
                             f"you close each round) or {MIN_TIMER_S} to 3,600 seconds.")
    return seconds


def parse_setup(scenario: str, rounds: Any = "0", timer: Any = "120", seed: Any = "7",
                countries: Any = None) -> ClassSetup:
    """The host form's fields, checked; ParameterError (one line) names the first bad one."""
    if scenario not in class_scenarios():
        raise ParameterError(f"Scenario {str(scenario)[:40]!r} cannot be played by a class; pick one of "
                             f"{', '.join(class_scenarios())}.")
    n = None
    if scenario == "classroom":
        n = COUNTRIES.coerce(str(countries if countries not in (None, "") else COUNTRIES.default),
                             "Countries (classroom game)")
    return ClassSetup(scenario=scenario, rounds=parse_rounds(rounds), timer_s=parse_timer(timer),
                      seed=parse_seed(seed), countries=n)


def parse_name(text: Any) -> str:
    """A student's (or a team's) name: 1 to 40 characters, no line breaks or control characters."""
    name = " ".join(str(text if text is not None else "").split())
    if not name:
        raise ParameterError("Type your name (or your team's) to take a seat.")
    if len(name) > MAX_NAME_CHARS:
        raise ParameterError(f"Names are at most {MAX_NAME_CHARS} characters; yours has {len(name)}.")
    if any(not ch.isprintable() for ch in name):
        raise ParameterError("A name cannot hold control characters; type it again.")
    return name


def parse_code(text: Any) -> str:
    """A join code as typed (any case, spaces or dashes) -> its canonical form; ParameterError if malformed."""
    code = "".join(str(text if text is not None else "").split()).replace("-", "").upper()
    if not code:
        raise ParameterError("Type the join code your teacher shows (5 letters or digits).")
    never = sorted(set(code[:20]) & set(NEVER_IN_CODES), key=NEVER_IN_CODES.index)
    if never:
        raise ParameterError(f"Join codes never use 0, O, 1 or I (they look alike on a projector), and "
                             f"{code[:20]!r} has {' and '.join(never)}: check the code on the projector.")
    return CODE.coerce(code[:20], "Join code")


def class_query(search: str | None) -> dict[str, str] | None:
    """The class-game part of a page's address (``class=CODE`` with ``teacher=KEY``, ``seat=TOKEN`` or
    ``view=projector``), or None when it names no class game."""
    params = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?"), keep_blank_values=True).items()}
    if "class" not in params:
        return None
    return {k: params[k][:200] for k in ("class", "teacher", "seat", "view") if k in params}


# ---------------------------------------------------------------------------- seats
@dataclass
class Seat:
    """A claimed country: who holds it and the token their pages carry (``?class=CODE&seat=TOKEN``).

    The game finds a seat by the token's digest; the token itself is only in the seat that
    :meth:`ClassGame.claim` returns (empty in a game rebuilt from disk)."""

    country: str
    name: str
    token: str
    claimed_round: int
    token_hash: str = ""


@dataclass
class Submission:
    stance: str
    accepted: tuple[str, ...]
    label: str
    after_s: float  # seconds from the round's opening


@dataclass
class _Timer:
    """The round timer: a deadline on the game's clock, or the time left while paused."""

    deadline: float | None = None
    left_when_paused: float | None = None
    thread: threading.Timer | None = field(default=None, repr=False)


# ---------------------------------------------------------------------------- the game
class ClassGame:
    """One class game (see the module's docstring).  Every public method takes the game's lock."""

    def __init__(self, setup: ClassSetup, code: str, teacher_key: str | None,
                 clock: Callable[[], float] = time.monotonic, timers: bool = True, *,
                 teacher_hash: str | None = None, store: ClassStore | None = None):
        self.setup, self.code = setup, code
        self._teacher_hash = teacher_hash or digest(teacher_key)
        self._clock, self._timers = clock, timers
        self.store = store  # None: in memory only
        self.journal: list[tuple[str, dict[str, Any]]] = []  # every change, in order (what a restart replays)
        self._saved = 0  # journal entries on disk
        self._replaying = False
        self.storage_problem: str | None = None  # why the game is not on disk now (None: saved, or no store)
        self.other_model = False  # rebuilt by a tradesim whose model differs from the one that saved it
        self.created, self.finished_at = time.time(), None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        settings = default_settings(setup.scenario)
        settings.seed = str(setup.seed)
        if setup.countries:
            settings.params["n_countries"] = setup.countries
        self.model = build_model(settings)
        self.shadow = build_model(settings)  # every country an agent: "the agent" of the debriefs
        self.names = list(self.model.world.names)
        self.agent_rule = dict(zip(self.names, self.model.world.strategies, strict=True))
        self.rounds_total = setup.rounds or default_rounds(setup.scenario, self.model.scenario_data.rounds)
        preview = RoundPreview(self.model, stand_ins=self.agent_rule)  # "the agent in your place"
        self.plays = [PlayGame(replace(settings, country=name, rounds=self.rounds_total), self.model, self.shadow,
                               preview) for name in self.names]
        self._preview = preview
        self.series = RoundSeries(self.names)
        self.series.record(self.model)
        self.plots = Plots(self.model, self.series, horizon=self.rounds_total)  # the axes end at the last round
        self.title = self.model.scenario_data.title
        self.round_label = self.model.scenario_data.round_label or "round"
        self.phase = LOBBY
        self.paused = False
        self.seats: dict[str, Seat] = {}  # country -> seat
        self._tokens: dict[str, str] = {}  # token -> country
        self.submissions: dict[str, Submission] = {}  # country -> this round's move
        self.log: list[dict[str, Any]] = []  # every move of every country, round by round
        self.holders: dict[str, list[str]] = {}  # student name -> the countries they held, in order
        self.online: Counter[str] = Counter()  # token -> pages open
        self._timer = _Timer()
        self._opened_at = 0.0
        self.version = 0  # rounds, seats, phase: what every page shows
        self._table: tuple[int, list[dict[str, Any]]] = (-1, [])  # the class table, at the version it was built
        self._shared: dict[Any, Any] = {}  # what every page of a kind shows, built once per version (see _once)
        self.submitted_version = 0  # submissions: the "moves in" counts
        self.touched = time.time()

    # ------------------------------------------------------------------ access
    def _check_teacher(self, key: Any) -> None:
        if not isinstance(key, str) or not secrets.compare_digest(digest(key), self._teacher_hash):
            raise NotAllowed("Only the teacher's page can do that (it needs the teacher key).")

    def is_teacher(self, key: Any) -> bool:
        try:
            self._check_teacher(key)
        except NotAllowed:
            return False
        return True

    def _seat(self, token: Any) -> Seat:
        country = self._tokens.get(digest(token)) if isinstance(token, str) else None
        if country is None:
            raise NotAllowed("This seat link is not valid any more (the teacher freed or moved the seat, or the "
                             "link was mistyped): take a seat again.")
        return self.seats[country]

    def _changed_now(self, submissions_only: bool = False) -> None:
        if submissions_only:
            self.submitted_version += 1
        else:
            self.version += 1
        self.touched = time.time()
        self._changed.notify_all()

    def wait_for_change(self, seen: tuple[int, int], timeout: float) -> tuple[int, int]:
        """Block until (version, submitted_version) differs from ``seen`` or ``timeout`` s pass; the new pair."""
        with self._changed:
            self._changed.wait_for(lambda: (self.version, self.submitted_version) != seen, timeout)
            return self.version, self.submitted_version

    def attach(self, token: str | None) -> None:
        """A page of this seat opened (the teacher sees who is online)."""
        if token:
            with self._lock:
                self.online[digest(token)] += 1
                self._changed_now(submissions_only=True)

    def detach(self, token: str | None) -> None:
        if token:
            with self._lock:
                self.online[digest(token)] -= 1
                self._changed_now(submissions_only=True)

    # ------------------------------------------------------------------ students
    def claim(self, name: Any, country: Any) -> Seat:
        """Take a free country's seat; the seat's token (for the student's pages) is in the result."""
        name = parse_name(name)
        with self._lock:
            if self.phase == FINISHED:
                raise ParameterError("This class game is over: no seats can be taken any more.")
            if country not in self.names:
                raise ParameterError(f"{str(country)[:40]!r} is not a country of this game; pick one of the list.")
            if country in self.seats:
                raise ParameterError(f"{country} is already taken by {self.seats[country].name}: pick a free "
                                     "country (or ask them for their seat link to play as a team).")
            if any(seat.name.casefold() == name.casefold() for seat in self.seats.values()):
                raise ParameterError(f"The name {name!r} is already used in this class: add an initial or a "
                                     "team name.")
            token = secrets.token_urlsafe(12)
            seat = Seat(country=country, name=name, token=token, claimed_round=self.model.round,
                        token_hash=digest(token))
            self._take(seat)
            self._journal("claim", country=country, name=name, token=seat.token_hash)
            self._changed_now()
            return seat

    def _take(self, seat: Seat) -> None:
        self.seats[seat.country] = seat
        self._tokens[seat.token_hash] = seat.country
        self.model.set_strategy(seat.country, StrategyName.HUMAN)
        self.holders.setdefault(seat.name, []).append(seat.country)

    def _vacate(self, country: str) -> Seat:
        seat = self.seats.pop(country)
        self._tokens.pop(seat.token_hash, None)
        self.submissions.pop(country, None)
        self.model.set_strategy(country, self.agent_rule[country])
        return seat

    def seat_of(self, token: Any) -> Seat:
        with self._lock:
            return self._seat(token)

    def submit(self, token: Any, accepted: Any = (), stance: Any = "wait") -> str:
        """The seat holder's move for this round (a new one replaces it); returns the move's label.

        The round closes at once when this was the last claimed seat to move (and the game is not paused).
        """
        with self._lock:
            seat = self._seat(token)
            if self.phase != OPEN:
                raise ParameterError("The teacher has not started the game yet." if self.phase == LOBBY
                                     else "The game is over: no more moves.")
            if isinstance(accepted, (str, bytes)) or not all(isinstance(d, str) for d in accepted):
                raise ParameterError("Accepted demands must be a list of demand ids.")
            play = self.plays[self.names.index(seat.country)]
            accepted = play.check_move(tuple(accepted), stance)
            label = option_label(self.model, seat.country, accepted, stance)
            self.submissions[seat.country] = Submission(stance, accepted, label, self._clock() - self._opened_at)
            self._journal("submit", country=seat.country, accepted=list(accepted), stance=stance, label=label,
                          after_s=self.submissions[seat.country].after_s)  # on disk before the student is told
            self._changed_now(submissions_only=True)
            if not self.paused and all(country in self.submissions for country in self.seats):
                self._close_round()
            return label

    # ------------------------------------------------------------------ the teacher
    def start(self, key: Any) -> None:
        with self._lock:
            self._check_teacher(key)
            if self.phase != LOBBY:
                raise ParameterError("The game has already started.")
            self._open_round()
            self._journal("start")
            self._changed_now()

    def close_round(self, key: Any) -> None:
        """Close the round now: missing moves are the agents' choices."""
        with self._lock:
            self._check_teacher(key)
            self._require_open()
            self._close_round()

    def pause(self, key: Any) -> None:
        """Stop the clock: moves can still be sent, but the round waits until :meth:`resume`."""
        with self._lock:
            self._check_teacher(key)
            self._require_open()
            if not self.paused:
                self.paused = True
                self._stop_timer(keep_time_left=True)
                self._journal("pause")
                self._changed_now()

    def resume(self, key: Any) -> None:
        with self._lock:
            self._check_teacher(key)
            self._require_open()
            if self.paused:
                self.paused = False
                left = self._timer.left_when_paused
                self._timer.left_when_paused = None
                if left is not None:
                    self._start_timer(left)
                self._journal("resume")
                if self.seats and all(country in self.submissions for country in self.seats):
                    self._close_round()
                else:
                    self._changed_now()

    def end(self, key: Any) -> None:
        """End the game now (a round under way is not played); everyone gets the debrief."""
        with self._lock:
            self._check_teacher(key)
            if self.phase == FINISHED:
                return
            self._finish()
            self._journal("end")
            self._changed_now()

    def free_seat(self, key: Any, country: Any) -> None:
        """The country goes back to its agent; its holder's pages are told to take a seat again."""
        with self._lock:
            self._check_teacher(key)
            self._require_running()
            if country not in self.seats:
                raise ParameterError(f"{str(country)[:40]!r} has no student to free.")
            self._vacate(country)
            self._journal("free", country=country)
            self._changed_now()

    def reassign(self, key: Any, country: Any, new_country: Any) -> None:
        """Move the student holding ``country`` to the free ``new_country`` (their link keeps working)."""
        with self._lock:
            self._check_teacher(key)
            self._require_running()
            if country not in self.seats:
                raise ParameterError(f"{str(country)[:40]!r} has no student to move.")
            if new_country not in self.names:
                raise ParameterError(f"{str(new_country)[:40]!r} is not a country of this game.")
            if new_country in self.seats:
                raise ParameterError(f"{new_country} is taken by {self.seats[new_country].name}: free it first.")
            seat = self._vacate(country)
            self._take(replace(seat, country=new_country, claimed_round=self.model.round))
            self._journal("reassign", country=country, to=new_country)
            self._changed_now()

    def _require_open(self) -> None:
        if self.phase != OPEN:
            raise ParameterError("No round is open: " + ("start the game first." if self.phase == LOBBY
                                                          else "the game is over."))

    def _require_running(self) -> None:
        if self.phase == FINISHED:
            raise ParameterError("The game is over: seats do not change any more.")

    # ------------------------------------------------------------------ rounds
    def _open_round(self) -> None:
        self.phase = OPEN
        self.submissions = {}
        self._opened_at = self._clock()
        self._preview.of(0)  # this round's option values, computed once for every page
        if self.setup.timer_s:
            if self.paused:
                self._timer.left_when_paused = float(self.setup.timer_s)
            else:
                self._start_timer(float(self.setup.timer_s))

    def _start_timer(self, seconds: float) -> None:
        self._timer.deadline = self._clock() + seconds
        if self._timers and not self._replaying:
            round_now = self.model.round
            thread = threading.Timer(seconds, self._timer_fired, args=(round_now,))
            thread.daemon = True
            self._timer.thread = thread
            thread.start()

    def _stop_timer(self, keep_time_left: bool = False) -> None:
        if keep_time_left and self._timer.deadline is not None:
            self._timer.left_when_paused = max(0.0, self._timer.deadline - self._clock())
        if self._timer.thread is not None:
            self._timer.thread.cancel()
        self._timer.deadline = None
        self._timer.thread = None

    def _timer_fired(self, round_before: int) -> None:
        with self._lock:
            if self.model.round != round_before:
                return  # that round closed some other way
            self._close_if_overdue()

    def tick(self) -> bool:
        """Close the round if its time is up (the timer thread does this; tests call it with their own clock)."""
        with self._lock:
            return self._close_if_overdue()

    def _close_if_overdue(self) -> bool:
        deadline = self._timer.deadline
        if self.phase != OPEN or self.paused or deadline is None:
            return False
        left = deadline - self._clock()
        if left > 0.05:  # woken early: wait for the rest
            self._stop_timer()
            self._start_timer(left)
            return False
        self._close_round()
        return True

    def remaining(self) -> float | None:
        """Seconds left in this round (None: no timer running)."""
        with self._lock:
            return self._remaining()

    def _remaining(self) -> float | None:
        if self.phase != OPEN:
            return None
        if self.paused:
            return self._timer.left_when_paused
        if self._timer.deadline is None:
            return None
        return max(0.0, self._timer.deadline - self._clock())

    def _close_round(self) -> None:
        """Every seat's move (its student's, or its agent's), one round of the shared model, the records."""
        self._stop_timer()
        model = self.model
        fell_back = [country for country in self.seats if country not in self.submissions]
        for country, move in self.submissions.items():
            model.set_human_choice(country, move.accepted, move.stance)
        for country in fell_back:
            model.set_strategy(country, self.agent_rule[country])  # the agent chooses this round
        values = [self._preview.of(i) for i in range(len(self.names))]
        agents = {c: self._preview.agent_move(self.names.index(c)) for c in self.submissions}  # in the same world
        model.step()
        self.shadow.step()
        for country in fell_back:
            model.set_strategy(country, StrategyName.HUMAN)
        for i, country in enumerate(self.names):
            self._record(i, country, values[i], agents.get(country, ""), fell_back)
        self.series.record(model)
        self.submissions = {}
        if model.round >= self.rounds_total:
            self._finish()
        else:
            self._open_round()
        self._journal("close")
        self._changed_now()

    def _record(self, i: int, country: str, values: dict[str, float], agent: str, fell_back: list[str]) -> None:
        seat = self.seats.get(country)
        submission = self.submissions.get(country)
        by = BY_AGENT if seat is None else BY_TIMEOUT if country in fell_back else BY_STUDENT
        move = self.plays[i].record_round(values, agent, played_by=by, student=seat.name if seat else "")
        state = self.model.state
        self.log.append({
            "game": self.code, "scenario": self.setup.scenario, "seed": self.setup.seed, "round": move["round"],
            "country": country, "student": move["student"], "played_by": by, "move": move["you"],
            "stance": self.model.countries[i].stance, "accepted": ";".join(self.model.countries[i].accepted_demands),
            "value_bn_yr": move["you_value"], "rank": move["you_rank"], "best_move": next(iter(values), None),
            "agent_move": move["agent"], "treatment": move["you_treatment"],
            "tariff_pct": 100.0 * self.model.countries[i].tariff, "welfare_bn_yr": move["you_welfare"],
            "cum_welfare_bn": float(state.cum_welfare[i]),
            "submitted_after_s": round(submission.after_s, 2) if submission else None,
        })

    def _finish(self) -> None:
        self._stop_timer()
        self.finished_at = self.finished_at or time.time()
        self.phase = FINISHED
        self.paused = False
        self.submissions = {}
        for play in self.plays:
            play.finish()

    # ------------------------------------------------------------------ what the pages show
    def public_view(self) -> dict[str, Any]:
        """What anyone in the class may see: the round, the timer, the seats (no moves before a round closes)."""
        with self._lock:
            return self._public()

    def _public(self) -> dict[str, Any]:
        model = self.model
        return {
            "code": self.code, "title": self.title, "scenario": self.setup.scenario, "phase": self.phase,
            "paused": self.paused, "round": model.round, "rounds_total": self.rounds_total,
            "round_label": self.round_label, "timer_s": self.setup.timer_s, "remaining": self._remaining(),
            "countries": [{"country": c, "name": self.seats[c].name if c in self.seats else None}
                          for c in self.names],
            "claimed": len(self.seats), "submitted": len(self.submissions),
            "version": (self.version, self.submitted_version),
        }

    def counts(self) -> tuple[int, int]:
        """Moves in this round, and seats claimed."""
        with self._lock:
            return len(self.submissions), len(self.seats)

    def _once(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` once per :attr:`version` for every page that asks for ``key`` (a round close redraws
        every page of the class: the figures, the event log and each seat's brief are built once)."""
        if self._shared.get("version") != self.version:
            self._shared = {"version": self.version}
        if key not in self._shared:
            self._shared[key] = build()
        return self._shared[key]

    def projector_view(self) -> dict[str, Any]:
        """The world as the class sees it: figures, status, events, round and timer; no option values."""
        with self._lock:
            return {**self._public(), **self._once("projector", self._projector)}

    def _projector(self) -> dict[str, Any]:
        words = demand_words(self.model)
        events = recent_events(self.model, series=self.series, word=self.round_label.capitalize(), words=words)
        return {**self.plots.render(), "status": status_line(self.model, self.series, after=True), "events": events}

    def student_view(self, token: Any) -> dict[str, Any]:
        """One seat's page: the public view, the country's round brief (or debrief), its move this round."""
        with self._lock:
            seat = self._seat(token)
            play = self.plays[self.names.index(seat.country)]
            submission = self.submissions.get(seat.country)
            last = play.moves[-1] if play.moves else None
            view = self._once(("play", seat.country, seat.name), lambda: play_view(play, seat.name))
            return {**self._public(), "country": seat.country, "name": seat.name, "play": view,
                    "my_move": submission.label if submission else None,
                    "last": last, "timed_out": bool(last and last["played_by"] == BY_TIMEOUT
                                                    and last["student"] == seat.name)}

    def teacher_view(self, key: Any) -> dict[str, Any]:
        """The host's page: the public view with who has moved (not what), who is online, the class table."""
        with self._lock:
            self._check_teacher(key)
            seats = [{"country": c, "name": s.name, "submitted": c in self.submissions,
                      "online": self.online[s.token_hash] > 0} for c, s in self.seats.items()]
            return {**self._public(), "seats": seats, "free": [c for c in self.names if c not in self.seats],
                    "table": self._class_table(), "moves_logged": len(self.log), "storage": self._storage(),
                    "status": self._once("status", lambda: status_line(self.model, self.series, after=True))}

    def _class_table(self) -> list[dict[str, Any]]:
        """One row per student and country held: their moves, timeouts, payoff, agent and history agreement.

        Built once per :attr:`version` (a round played, a seat taken or freed): the teacher's page asks
        again on every move sent, which changes nothing in it."""
        if self._table[0] != self.version:
            self._table = (self.version, self._build_class_table())
        return self._table[1]

    def _build_class_table(self) -> list[dict[str, Any]]:
        rows = []
        for name, countries in self.holders.items():
            for country in dict.fromkeys(countries):
                i = self.names.index(country)
                mine = [m for m in self.plays[i].moves if m["student"] == name]
                sent = [m for m in mine if m["played_by"] == BY_STUDENT]  # a timed-out move is the agent's
                brief = debrief(self.plays[i], name)
                you, agent, history = brief["you"], brief["agent"], brief["history"]
                checks = [you[k] == history[k] for k in ("retaliated", "settled")
                          if history is not None and history[k] is not None]
                rows.append({
                    "student": name, "country": country,
                    "holds": self.seats.get(country) is not None and self.seats[country].name == name,
                    "moves": [(m["round"], m["you"], m["played_by"]) for m in mine],
                    "timeouts": sum(m["played_by"] == BY_TIMEOUT for m in mine),
                    "payoff": you["cum_welfare_bn"], "agent_payoff": agent["cum_welfare_bn"],
                    "unit": brief["unit"],
                    "agent_agreement": (sum(m["you"] == m["agent"] for m in sent), len(sent)),
                    "history_agreement": (sum(checks), len(checks)) if checks and brief["history_compared"] else None,
                })
        return rows

    # ------------------------------------------------------------------ the move log
    def moves_table(self):
        """Every move of every country, round by round, as a pandas DataFrame (columns :data:`MOVE_COLUMNS`)."""
        import pandas as pd

        with self._lock:
            rows = list(self.log)
        return pd.DataFrame(rows, columns=list(MOVE_COLUMNS))

    def moves_csv(self, key: Any) -> bytes:
        self._check_teacher(key)
        return self.moves_table().to_csv(index=False).encode()

    def moves_parquet(self, key: Any) -> bytes:
        self._check_teacher(key)
        buffer = io.BytesIO()
        self.moves_table().to_parquet(buffer, index=False)
        return buffer.getvalue()

    def close(self) -> None:
        """Stop the timer (the registry dropped the game)."""
        with self._lock:
            self._stop_timer()

    # ------------------------------------------------------------------ on disk (ui.classstore)
    def _journal(self, kind: str, **data: Any) -> None:
        """Add a change just made to the journal and commit it (the caller answers only after this)."""
        if self._replaying:
            return
        self.journal.append((kind, data))
        self._save()

    def _save(self) -> None:
        """Write what is not yet on disk (the game's row, the journal's backlog, the clock).  A failure is
        kept in :attr:`storage_problem` (the teacher's page says it) and the game goes on in memory."""
        if self.store is None:
            return
        try:
            self._saved = self.store.save(self._header(), self.journal, self._saved, self._clock_state())
        except StoreError as exc:
            self.storage_problem = str(exc)
        else:
            self.storage_problem = None

    def save(self, only_if_due: bool = False) -> None:
        """Save the game now (its row and clock, and any backlog a failed write left); ``only_if_due``:
        only when that changes something (a round's timer is running, or a write failed)."""
        with self._lock:
            due = self._timer.deadline is not None or self._saved < len(self.journal) or self.storage_problem
            if due or not only_if_due:
                self._save()

    def _header(self) -> Header:
        return Header(code=self.code, setup=asdict(self.setup), teacher_hash=self._teacher_hash, created=self.created,
                      phase=self.phase, round=self.model.round, finished=self.finished_at)

    def _clock_state(self) -> dict[str, Any]:
        """The open round's clock: how long it has been open and how long it has left (seconds)."""
        return {"round": self.model.round, "phase": self.phase, "paused": self.paused,
                "elapsed": self._clock() - self._opened_at, "left": self._remaining()}

    def _storage(self) -> dict[str, Any]:
        """Where the game is kept, and what went wrong if it is not (for the teacher's page)."""
        return {"path": str(self.store.path) if self.store else None, "problem": self.storage_problem,
                "saved": self.store is not None and self.storage_problem is None, "keep_days": self.store.keep_days
                if self.store else None, "other_model": self.other_model}

    @classmethod
    def rebuild(cls, saved: SavedGame, clock: Callable[[], float] = time.monotonic, timers: bool = True,
                store: ClassStore | None = None) -> ClassGame:
        """The game as it was when saved: built from its settings and seed, then its journal replayed
        (every change in order, through the same code that made it), then its clock set where it was."""
        game = cls(ClassSetup(**saved.setup), saved.code, None, clock=clock, timers=timers,
                   teacher_hash=saved.teacher_hash, store=store)
        with game._lock:
            game._replaying = True
            try:
                for kind, data in saved.events:
                    game._replay(kind, data)
            finally:
                game._replaying = False
            game.journal, game._saved = list(saved.events), len(saved.events)
            game.created, game.touched, game.finished_at = saved.created, saved.touched, saved.finished
            game.other_model = saved.model != model_fingerprint()
            game._resume_clock(saved.clock)
            game._settle()
        return game

    def _replay(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "claim":
            self._take(Seat(data["country"], data["name"], "", self.model.round, token_hash=data["token"]))
        elif kind == "free":
            self._vacate(data["country"])
        elif kind == "reassign":
            seat = self._vacate(data["country"])
            self._take(replace(seat, country=data["to"], claimed_round=self.model.round))
        elif kind == "start":
            self._open_round()
        elif kind == "submit":
            self.submissions[data["country"]] = Submission(data["stance"], tuple(data["accepted"]), data["label"],
                                                           data["after_s"])
        elif kind == "close":
            self._close_round()
        elif kind == "pause":
            self.paused = True
        elif kind == "resume":
            self.paused = False
        elif kind == "end":
            self._finish()
        else:
            raise StoreError(f"game {self.code}: unknown change {kind!r} in its journal (a newer tradesim's file?)")

    def _resume_clock(self, state: dict[str, Any] | None) -> None:
        """The open round's clock where the server left it: the time the server was down does not count."""
        if self.phase != OPEN:
            return
        current = bool(state) and state.get("round") == self.model.round and state.get("phase") == OPEN
        self._opened_at = self._clock() - (state["elapsed"] if current else 0.0)
        self._stop_timer()
        self._timer.left_when_paused = None
        if not self.setup.timer_s:
            return
        left = state["left"] if current and state.get("left") is not None else float(self.setup.timer_s)
        if self.paused:
            self._timer.left_when_paused = left
        else:
            self._start_timer(left)

    def _settle(self) -> None:
        """Finish what the server was doing when it stopped: a round in which every student had moved (and
        that was not paused) closes, as it would have a moment later."""
        if self.phase == OPEN and not self.paused and self.seats and all(c in self.submissions for c in self.seats):
            self._close_round()


# ---------------------------------------------------------------------------- the registry
class ClassRegistry:
    """The server's class games, keyed by join code (one registry per server process).

    With a :class:`~ui.classstore.ClassStore` every game is also on disk: a game not in memory (the
    server restarted, or it made room) is rebuilt from the file when a page asks for it."""

    def __init__(self, limit: int = MAX_CLASS_GAMES, clock: Callable[[], float] = time.monotonic,
                 timers: bool = True, store: ClassStore | None = None):
        self.limit, self._clock, self._timers = limit, clock, timers
        self.store = store
        self._games: dict[str, ClassGame] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def create(self, setup: ClassSetup) -> tuple[ClassGame, str]:
        """A new class game and its teacher key (give the key only to the host's page)."""
        game_key = secrets.token_urlsafe(16)
        with self._lock:
            self._make_room()
            code = self._new_code()
            game = ClassGame(setup, code, game_key, clock=self._clock, timers=self._timers, store=self.store)
            self._games[code] = game
        game.save()  # on disk (with the teacher key's digest) before the teacher's page opens
        return game, game_key

    def _make_room(self) -> None:
        if len(self._games) < self.limit:
            return
        stale = time.time() - IDLE_HOURS * 3600
        idle = [c for c, g in self._games.items() if g.touched < stale]
        finished = sorted((g.touched, c) for c, g in self._games.items() if g.phase == FINISHED)
        for code in idle or [c for _, c in finished[:1]]:
            self._games.pop(code).close()  # still on disk, if saved: a page that asks rebuilds it
        if len(self._games) >= self.limit:
            raise ParameterError(f"This server already runs {self.limit} class games; end one first "
                                 "(a finished game makes room).")

    def _new_code(self) -> str:
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self._games and not self._known_on_disk(code):
                return code

    def _known_on_disk(self, code: str) -> bool:
        try:
            return self.store is not None and self.store.known(code)
        except StoreError:
            return False

    def get(self, code: Any, typed: bool = False) -> ClassGame:
        """The game with this join code, from memory or rebuilt from disk; ParameterError with a readable
        message otherwise (``typed``: the code was typed in, so it may be mistyped; a link's code was not)."""
        code = parse_code(code)
        with self._lock:
            game = self._games.get(code)
            if game is None and self.store is not None:
                game = self._restore(code)
        if game is None:
            raise ParameterError(self._missing(code, typed))
        return game

    def _restore(self, code: str) -> ClassGame | None:
        try:
            saved = self.store.load(code)
        except StoreError:
            return None
        if saved is None:
            return None
        self._make_room()
        game = ClassGame.rebuild(saved, clock=self._clock, timers=self._timers, store=self.store)
        self._games[code] = game
        return game

    def _missing(self, code: str, typed: bool) -> str:
        if self.store is None:
            return (f"No class game with code {code} on this server: check the code on the projector (the game "
                    "may have ended and been removed).")
        try:
            removed = self.store.removed(code)
            self.store.check()
        except StoreError as exc:
            return f"No class game {code} is open, and this server cannot read its saved games: {exc}."
        if removed is not None:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(removed[0]))
            if removed[1] == "deleted":
                return f"Class game {code} was deleted by its teacher on {when}: its moves and debriefs are gone."
            return (f"Class game {code} was removed on {when}: this server keeps a game {self.store.keep_days:g} "
                    "days after it ends.")
        if typed:
            return f"No class game with code {code} on this server: check the code on the projector."
        return (f"This server has no class game {code}: none is saved under that code in {self.store.path}. If it "
                "was hosted here, the server then kept its games in another file (tradesim app --db PATH): start "
                "it with that file and this link works again. A game the server could not save (its page said so) "
                "is lost.")

    def delete(self, code: Any, key: Any) -> None:
        """Delete a game for good (the teacher's choice): from memory and from disk."""
        game = self.get(code)
        game._check_teacher(key)
        with self._lock:
            if self.store is not None:
                try:
                    self.store.delete(game.code, "deleted")
                except StoreError as exc:
                    raise ParameterError(f"The game could not be deleted from disk: {exc}.") from None
            self._games.pop(game.code, None)
        game.close()

    def __len__(self) -> int:
        return len(self._games)

    # ------------------------------------------------------------------ the server's life
    def open_saved(self) -> str:
        """At server start: remove games past their keeping time, rebuild the games under way (their
        timers run again), and keep their clocks on disk every few seconds; a line for the log."""
        if self.store is None:
            return "class games: kept in memory only (a restart ends them)"
        try:
            expired = self.store.expire()
            codes = self.store.codes(unfinished_only=True)[: self.limit]
            problem = self.store.writable()
        except StoreError as exc:
            problem, expired, codes = str(exc), [], []
        restored = [code for code in codes if self._get_quietly(code)]
        threading.Thread(target=self._keep_clocks, name="tradesim-class-clocks", daemon=True).start()
        if problem:
            return (f"class games: NOT saved: {problem}; they are kept in memory only (a restart loses them)"
                    + (f"; {len(restored)} reopened from {self.store.path}" if restored else ""))
        under_way, finished = self.store.counts()
        removed = f", {len(expired)} removed after {self.store.keep_days:g} days" if expired else ""
        return (f"class games: saved in {self.store.path} ({under_way} under way, {finished} finished; "
                f"{len(restored)} reopened{removed})")

    def _get_quietly(self, code: str) -> ClassGame | None:
        try:
            return self.get(code)
        except UserError:
            return None

    def _keep_clocks(self) -> None:
        """Every CLOCK_SAVE_S seconds: each open round's time left (and any backlog a failed write left)."""
        while not self._stopping.wait(CLOCK_SAVE_S):
            with self._lock:
                games = list(self._games.values())
            for game in games:
                game.save(only_if_due=True)

    def stop_report(self) -> str:
        """What the log says when the server stops: how many games are saved, and where."""
        self._stopping.set()
        with self._lock:
            games = list(self._games.values())
        for game in games:
            game.save(only_if_due=True)  # the open rounds' clocks, as they are now
        lost = [g for g in games if g.storage_problem or (self.store is None and g.phase != FINISHED)]
        if self.store is None:
            saved = "class games are not saved (memory only)"
        else:
            under_way, finished = self.store.counts()
            saved = (f"{_games(under_way + finished)} saved in {self.store.path} ({under_way} under way, {finished} "
                     "finished); start the server again with this file and their pages reconnect"
                     if under_way + finished else f"no class game is saved in {self.store.path}")
        return (f"tradesim: the server is stopping. {saved}."
                + (f" NOT saved, so lost: {_games(len(lost))} ({', '.join(g.code for g in lost)}: "
                   f"{lost[0].storage_problem or 'memory only'})." if lost else ""))

    def log_on_stop(self, write: Callable[[str], None]) -> None:
        """Write :meth:`stop_report` when the server gets SIGTERM or SIGINT (then stop as it would have)."""
        import signal

        def on_stop(signum, frame, previous):
            write(self.stop_report())
            signal.signal(signum, previous)
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signum)

        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                signal.signal(sig, functools.partial(on_stop, previous=signal.getsignal(sig)))
            except ValueError:  # not the main thread: say it at exit instead
                import atexit

                atexit.register(lambda: write(self.stop_report()))
                return


def _games(n: int) -> str:
    return f"{n} class game" + ("" if n == 1 else "s")


REGISTRY = ClassRegistry(store=ClassStore(db_path_from_env()))
