"""Kill the class-game server at random points, many times, in the style of SQLite's crash tests.

A scripted class game (section232_2018, five months, three students: seats, moves, a round closed
by the teacher with a move missing, pause and resume, a seat moved and one freed, the end) is
played against a small server process: the class-game code (:class:`ui.classgame.ClassRegistry`
with its SQLite file, :mod:`ui.classstore`) answering requests on a pipe, as the pages' handlers
do.  The server process is killed with SIGKILL at random points: while a request is under way (a
random delay after it was sent: before its commit, between the commit and the answer, or after),
and while a restarted server is rebuilding the game from its file.  After every kill a new server
process starts on the same file, and the driver checks, before going on:

* no acknowledged move is lost: every move whose answer reached the student is in the game (in
  this round's moves, or in the move log of the round it was played in, as sent);
* nothing is doubled: one row per country and round in the move log, one record per round played;
* nothing acknowledged is undone: the round never goes back, a pause answered stays on.

Then the script goes on from where the game is (a request whose answer was lost is sent again only
if the game does not have it), to the end.  The move file (CSV) must equal that of the same script
played once, in memory, without a kill, column for column, except the join code (each game has its
own) and ``submitted_after_s`` (wall-clock seconds, which a replay keeps but a rerun cannot repeat).

The server processes are forked from a forkserver that has imported the model once, so a restart
costs what the rebuild costs, not Python's start-up: many kills fit in a few seconds.

``uv run python -m benchmarks.classkill --kills 500`` is the long run; it writes
``benchmarks/results/classkill.json`` and ``classkill.md`` (``--out`` to change).  The default
suite runs 25 kills (tests/test_classgame_kill.py).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import multiprocessing
import os
import platform
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
SCENARIO, ROUNDS = "section232_2018", 5
STUDENTS = (("Ana", "Canada"), ("Ben", "EU"), ("Cleo", "Japan"))
MIN_DELAY_S, MAX_DELAY_S = 1e-4, 0.06  # a kill comes this long after a request was sent (log-uniform: a request
# takes from under a millisecond to tens of them, so that kills land before, inside and after the commit)
RESTORE_KILL_SHARE = 0.2  # the share of kills that hit a restarted server while it rebuilds the game
REPLY_TIMEOUT_S = 60.0


# ---------------------------------------------------------------------------- the server side
def handle(registry, request: tuple) -> Any:
    """One request, as a page's handler makes it: ``(op, *args)``; the answer."""
    from ui.classgame import parse_setup

    op, *args = request
    if op == "host":
        game, key = registry.create(parse_setup(SCENARIO, rounds=str(ROUNDS), timer="0", seed=str(args[0])))
        return game.code, key
    game = registry.get(args[0])
    if op == "claim":
        return game.claim(args[1], args[2]).token
    if op == "submit":
        label = game.submit(args[1], args[2], args[3])
        return label, game.model.round
    if op in ("start", "close_round", "pause", "resume", "end"):
        getattr(game, op)(args[1])
        return game.model.round
    if op == "free":
        game.free_seat(args[1], args[2])
        return game.model.round
    if op == "reassign":
        game.reassign(args[1], args[2], args[3])
        return game.model.round
    if op == "state":
        return state_of(game)
    if op == "csv":
        return game.moves_csv(args[1])
    raise ValueError(f"unknown request {op!r}")


def state_of(game) -> dict[str, Any]:
    with game._lock:
        return {"phase": game.phase, "round": game.model.round, "paused": game.paused,
                "seats": {c: s.name for c, s in game.seats.items()},
                "submissions": {c: (m.stance, list(m.accepted), m.label) for c, m in game.submissions.items()},
                "log": [(row["round"], row["country"], row["played_by"], row["move"]) for row in game.log],
                "series": len(game.series.rounds), "problem": game.storage_problem}


def serve(conn, db_path: str) -> None:
    """The server process: a registry on the game file, answering requests until killed."""
    from sim.world.errors import UserError
    from ui.classgame import ClassRegistry
    from ui.classstore import ClassStore

    registry = ClassRegistry(timers=False, store=ClassStore(db_path))
    while True:
        request = conn.recv()
        try:
            answer = ("ok", handle(registry, request))
        except UserError as exc:
            answer = ("refused", str(exc))
        conn.send(answer)


# ---------------------------------------------------------------------------- the script
@dataclass
class Op:
    """One step of the script: who does it, the request, and how to tell that the game already has it."""

    kind: str
    student: str | None = None
    args: tuple = ()
    month: int = 0


def script() -> list[Op]:
    """The scripted game, in order (months are 1-based; a student is named by the seat's holder)."""
    return [
        *(Op("claim", name, (name, country)) for name, country in STUDENTS),
        Op("start", month=1),
        Op("submit", "Ana", ([], "retaliate"), 1), Op("submit", "Ben", (["export_cap"], "wait"), 1),
        Op("submit", "Cleo", ([], "wait"), 1),  # the last move closes month 1
        Op("submit", "Ana", (["export_cap"], "wait"), 2), Op("submit", "Ben", ([], "retaliate"), 2),
        Op("close_round", month=2),  # Cleo sent nothing: the agent plays Japan
        Op("pause", month=3), Op("submit", "Ana", ([], "retaliate"), 3), Op("submit", "Ben", ([], "wait"), 3),
        Op("submit", "Cleo", ([], "retaliate"), 3), Op("resume", month=3),  # everyone moved: closes on resume
        Op("reassign", "Ben", ("EU", "Mexico"), 4), Op("free", "Cleo", ("Japan",), 4),
        Op("submit", "Ana", ([], "wait"), 4), Op("submit", "Ben", ([], "retaliate"), 4),
        Op("submit", "Ana", ([], "retaliate"), 5), Op("end", month=5),
    ]


def country_of(state: dict, student: str) -> str | None:
    return next((c for c, name in state["seats"].items() if name == student), None)


def done(op: Op, state: dict) -> bool:
    """Whether the game already holds ``op``'s effect (a request whose answer was lost)."""
    if op.kind == "claim":
        return state["seats"].get(op.args[1]) == op.args[0]
    if op.kind == "start":
        return state["phase"] != "lobby"
    if op.kind == "end":
        return state["phase"] == "finished"
    if op.month and (state["round"] >= op.month or state["phase"] == "finished"):
        return True  # the month is over: whatever was to happen in it has happened
    if op.kind == "submit":
        mine = state["submissions"].get(country_of(state, op.student))
        return mine is not None and (mine[0], sorted(mine[1])) == (op.args[1], sorted(op.args[0]))
    if op.kind == "close_round":
        return False
    if op.kind == "pause":
        return state["paused"]
    if op.kind == "resume":
        return not state["paused"]
    if op.kind == "reassign":
        return state["seats"].get(op.args[1]) == op.student
    if op.kind == "free":
        return op.args[0] not in state["seats"]
    raise ValueError(op.kind)


def request_of(op: Op, game: dict) -> tuple:
    code, key, tokens = game["code"], game["key"], game["tokens"]
    if op.kind == "claim":
        return ("claim", code, *op.args)
    if op.kind == "submit":
        return ("submit", code, tokens[op.student], *op.args)
    if op.kind in ("reassign", "free"):
        return (op.kind, code, key, *op.args)
    return (op.kind, code, key)


# ---------------------------------------------------------------------------- the driver
class Server:
    """One server process on the game file (forked from the forkserver), and its pipe."""

    def __init__(self, ctx, db_path: str):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=serve, args=(child, db_path), daemon=True)
        self.process.start()
        child.close()

    def ask(self, request: tuple) -> tuple:
        self.conn.send(request)
        if not self.conn.poll(REPLY_TIMEOUT_S):
            raise TimeoutError(f"no answer to {request[0]} in {REPLY_TIMEOUT_S} s")
        return self.conn.recv()

    def kill_after(self, request: tuple | None, delay_s: float) -> tuple | None:
        """Send ``request`` (if any), SIGKILL the process ``delay_s`` later; the answer if it had arrived."""
        if request is not None:
            self.conn.send(request)
        time.sleep(delay_s)
        self.process.kill()
        self.process.join()
        answer = None
        try:
            while self.conn.poll(0):
                answer = self.conn.recv()
        except (EOFError, OSError):
            pass
        self.conn.close()
        return answer


@dataclass
class Acknowledged:
    """What the students and the teacher were told was done (what no kill may undo)."""

    moves: dict[tuple[int, str], str] = field(default_factory=dict)  # (month, student) -> label
    round: int = 0  # the highest round an answer reported
    paused_in: int | None = None  # the month a pause was answered in (until a resume is answered)


def check(state: dict, acked: Acknowledged, countries: int, game: dict) -> None:
    """The invariants after a restart (AssertionError naming what broke)."""
    rows = [(r, c) for r, c, _, _ in state["log"]]
    assert len(rows) == len(set(rows)), f"a move is doubled in the log: {sorted(rows)}"
    assert len(rows) == state["round"] * countries, f"{len(rows)} log rows after {state['round']} rounds"
    assert state["series"] == state["round"] + 1, f"{state['series']} records after {state['round']} rounds"
    assert state["round"] >= acked.round, f"round {state['round']} after round {acked.round} was answered"
    if acked.paused_in is not None and state["round"] == acked.paused_in - 1:
        assert state["paused"], "an answered pause was lost"
    played = {(r, c): (by, move) for r, c, by, move in state["log"]}
    for (month, student), label in acked.moves.items():
        country = game["held"][(month, student)]
        if month <= state["round"]:
            assert played.get((month, country)) == ("student", label), (
                f"{student}'s acknowledged move in month {month} ({label!r}) is not in the log: "
                f"{played.get((month, country))}")
        elif state["phase"] != "finished":  # (the teacher's End discards the open month's moves)
            mine = state["submissions"].get(country)
            assert mine is not None and mine[2] == label, (
                f"{student}'s acknowledged move in month {month} ({label!r}) is not in: {mine}")


def play(kills: int, seed: int, db_path: str | None = None, ctx=None) -> dict[str, Any]:
    """The script against a server killed exactly ``kills`` times at random points; figures and the final CSV."""
    rng = random.Random(seed)
    ops = script()
    kill_share = min(0.9, 1.2 * kills / len(ops))  # the chance that an attempt at a step is killed
    ctx = ctx or forkserver()
    folder = None
    if db_path is None:
        folder = tempfile.TemporaryDirectory()
        db_path = os.path.join(folder.name, "classgames.sqlite")
    figures: dict[str, Any] = {"kills": 0, "during_rebuild": 0, "answered_before_kill": 0, "committed_unanswered": 0,
                               "not_committed": 0, "restart_s": [], "checks": 0}
    budget = [kills]
    acked = Acknowledged()
    countries = _countries()
    started = time.perf_counter()
    server = Server(ctx, db_path)
    code, key = server.ask(("host", seed))[1]
    game = {"code": code, "key": key, "tokens": {}, "held": {}}
    i = 0
    while i < len(ops):
        op = ops[i]
        request = request_of(op, game)
        if budget[0] > 0 and rng.random() < kill_share:
            budget[0] -= 1
            answer = server.kill_after(request, math.exp(rng.uniform(math.log(MIN_DELAY_S), math.log(MAX_DELAY_S))))
            figures["kills"] += 1
            server, state = restart(ctx, db_path, code, rng, figures, budget)
            if answer is not None:
                figures["answered_before_kill"] += 1
                i = take(op, answer, game, acked, i)
            elif done(op, state):
                figures["committed_unanswered"] += 1
                i = recover(op, game, acked, ops, i)
            else:
                figures["not_committed"] += 1
            check(state, acked, countries, game)
            figures["checks"] += 1
            continue
        i = take(op, server.ask(request), game, acked, i)
    while budget[0] > 0:  # kills left over: at the finished game, while a restarted server rebuilds it
        budget[0] -= 1
        server.kill_after(("state", code), rng.uniform(0, 0.15))
        figures["kills"] += 1
        figures["during_rebuild"] += 1
        server, state = restart(ctx, db_path, code, rng, figures, budget)
        check(state, acked, countries, game)
        figures["checks"] += 1
    csv = server.ask(("csv", code, key))[1]
    final = server.ask(("state", code))[1]
    server.process.kill()
    server.process.join()
    figures["seconds"] = time.perf_counter() - started
    figures["db_bytes"] = os.path.getsize(db_path)
    figures["wal_bytes"] = os.path.getsize(db_path + "-wal") if os.path.exists(db_path + "-wal") else 0
    figures["final"] = {"phase": final["phase"], "round": final["round"]}
    if folder is not None:
        folder.cleanup()
    return {"figures": figures, "csv": csv}


def _countries() -> int:
    from sim.world.loader import load_scenario

    return len(load_scenario(SCENARIO).countries)


def restart(ctx, db_path: str, code: str, rng: random.Random, figures: dict, budget: list[int]) -> tuple[Server, dict]:
    """A new server process on the file, killed now and then while it rebuilds the game; it and the state."""
    while True:
        t0 = time.perf_counter()
        server = Server(ctx, db_path)
        if budget[0] > 0 and rng.random() < RESTORE_KILL_SHARE:
            budget[0] -= 1
            server.kill_after(("state", code), rng.uniform(0, 0.15))
            figures["kills"] += 1
            figures["during_rebuild"] += 1
            continue
        status, state = server.ask(("state", code))
        assert status == "ok", state
        figures["restart_s"].append(time.perf_counter() - t0)
        return server, state


def take(op: Op, answer: tuple, game: dict, acked: Acknowledged, i: int) -> int:
    """Note what an answer acknowledged; the next step's index."""
    status, value = answer
    if status != "ok":
        raise AssertionError(f"the script's {op.kind} was refused: {value}")
    if op.kind == "claim":
        game["tokens"][op.student] = value
    elif op.kind == "submit":
        label, round_after = value
        game["held"][(op.month, op.student)] = _held(game, op.student, op.month)
        acked.moves[(op.month, op.student)] = label
        acked.round = max(acked.round, round_after)
    else:
        acked.round = max(acked.round, value)
        if op.kind == "pause":
            acked.paused_in = op.month
        elif op.kind == "resume":
            acked.paused_in = None
    _note_seat_change(op, game)
    return i + 1


def _note_seat_change(op: Op, game: dict) -> None:
    if op.kind == "reassign" or (op.kind == "free" and op.month):
        game.setdefault("moved", {})[op.student] = (op.month, op.args[-1] if op.kind == "reassign" else None)


def _held(game: dict, student: str, month: int) -> str:
    """The country a student held in a month (the script moves Ben to Mexico in month 4)."""
    moved = game.get("moved", {}).get(student)
    if moved and month >= moved[0] and moved[1]:
        return moved[1]
    return dict(STUDENTS)[student]


def recover(op: Op, game: dict, acked: Acknowledged, ops: list[Op], i: int) -> int:
    """A step the game has but whose answer was lost: go on, except a seat whose token never reached its
    student, which the teacher frees for the student to take again (as in a class)."""
    if op.kind == "claim":
        ops.insert(i, Op("free", op.student, (op.args[1],), 0))
        return i
    if op.kind == "resume":
        acked.paused_in = None
    _note_seat_change(op, game)
    return i + 1


def reference(seed: int) -> bytes:
    """The same script, in memory, without a kill: the move file a never-interrupted game writes."""
    from ui.classgame import ClassRegistry

    registry = ClassRegistry(timers=False)
    code, key = handle(registry, ("host", seed))
    game = {"code": code, "key": key, "tokens": {}, "held": {}}
    for op in script():
        answer = handle(registry, request_of(op, game))
        if op.kind == "claim":
            game["tokens"][op.student] = answer
    return handle(registry, ("csv", code, key))


def same_moves(interrupted: bytes, uninterrupted: bytes) -> tuple[bool, str]:
    """Whether two move files agree on every column but the join code and the wall-clock seconds."""
    import pandas as pd

    a, b = (pd.read_csv(io.BytesIO(data)).drop(columns=["game", "submitted_after_s"]) for data in
            (interrupted, uninterrupted))
    if a.equals(b):
        return True, ""
    return False, f"{len(a)} rows against {len(b)}; differing:\n{a.compare(b) if a.shape == b.shape else ''}"


def forkserver():
    """The forkserver context, its server having imported the class game (and the model) once."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["ui.classgame", "pandas"])
    return ctx


# ---------------------------------------------------------------------------- the long run
def run(kills: int, kills_per_game: int = 25, seed: int = 1) -> dict[str, Any]:
    ctx = forkserver()
    games, totals = [], {"kills": 0, "during_rebuild": 0, "answered_before_kill": 0, "committed_unanswered": 0,
                         "not_committed": 0, "checks": 0, "restart_s": [], "seconds": 0.0}
    started = time.perf_counter()
    game_seed = seed
    while totals["kills"] < kills:
        result = play(min(kills_per_game, kills - totals["kills"]), game_seed, ctx=ctx)
        ok, why = same_moves(result["csv"], reference(game_seed))
        if not ok:
            raise AssertionError(f"seed {game_seed}: the interrupted game's moves differ: {why}")
        figures = result["figures"]
        for k in totals:
            totals[k] += figures[k]
        games.append({"seed": game_seed, "kills": figures["kills"], "seconds": round(figures["seconds"], 2),
                      "db_bytes": figures["db_bytes"], "wal_bytes": figures["wal_bytes"]})
        game_seed += 1
    restarts = totals.pop("restart_s")
    return {"when": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{platform.node()} ({os.cpu_count()} cores)",
            "load_before": os.getloadavg()[0], "games": len(games), **totals,
            "wall_s": round(time.perf_counter() - started, 1),
            "restart_median_ms": round(1000 * statistics.median(restarts), 1) if restarts else None,
            "restart_max_ms": round(1000 * max(restarts), 1) if restarts else None,
            "db_bytes_median": int(statistics.median(g["db_bytes"] for g in games)),
            "wal_bytes_median": int(statistics.median(g["wal_bytes"] for g in games)),
            "all_games_equal_uninterrupted": True, "per_game": games}


def report(result: dict[str, Any]) -> str:
    r = result
    return "\n".join([
        "# Class game: kill the server at random points", "",
        f"{r['when']}, {r['machine']}, load average {r['load_before']:.1f} before.", "",
        "| what | figure |", "|---|---|",
        f"| scripted games played (section232_2018, 5 months, 3 students) | {r['games']} |",
        f"| kills (SIGKILL) | {r['kills']} |",
        f"| ... while a request was under way: answered before the kill / committed, answer lost / not committed "
        f"| {r['answered_before_kill']} / {r['committed_unanswered']} / {r['not_committed']} |",
        f"| ... while a restarted server rebuilt the game | {r['during_rebuild']} |",
        f"| checks after a restart (no acknowledged move lost or doubled, no round undone) | {r['checks']}, "
        "all passed |",
        "| every game's move file equal to the uninterrupted game's | "
        f"{'yes' if r['all_games_equal_uninterrupted'] else 'no'} |",
        f"| restart to rebuilt game (fork from a warm forkserver + replay), median / max | {r['restart_median_ms']} / "
        f"{r['restart_max_ms']} ms |",
        "| game file after a game, median: the SQLite file / its write-ahead log | "
        f"{r['db_bytes_median'] / 1024:.0f} KB / {r['wal_bytes_median'] / 1024:.0f} KB |",
        f"| wall time | {r['wall_s']} s |", ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classkill", description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=500, help="kills in all (default 500)")
    parser.add_argument("--per-game", type=int, default=25, help="kills per scripted game (default 25)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for classkill.json and classkill.md")
    args = parser.parse_args(argv)
    result = run(args.kills, args.per_game, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "classkill.json").write_text(json.dumps(result, indent=1) + "\n")
    (args.out / "classkill.md").write_text(report(result))
    print(report(result))
    print(f"wrote {args.out / 'classkill.json'} and {args.out / 'classkill.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
