"""Class games on disk (ui.classstore, issue 22): a restart rebuilds the game the class was playing, the
same as one never interrupted; secrets are kept as digests; a full disk or a read-only folder leaves the
game in memory with the teacher told; lost, deleted and expired codes say what happened.

The server killed at random points, many times, is tests/test_classgame_kill.py; pages reconnecting
after a restart, tests/test_classgame_restart_browser.py."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sqlite3
import subprocess
import time

import pandas as pd
import pytest
import solara
from browser_support import TRADESIM, free_port
from conftest import Clock

from sim.world.errors import UserError
from ui.classgame import BY_STUDENT, FINISHED, OPEN, ClassGame, ClassRegistry, NotAllowed, parse_setup
from ui.classstore import KEEP_DAYS, ClassStore, digest


@pytest.fixture
def db(tmp_path):
    return tmp_path / "classgames.sqlite"


def server(db, clock, days=None):
    """A server's registry on the game file (a new one = the server restarted); ``days``: the file's clock."""
    store = ClassStore(db) if days is None else ClassStore(db, clock=days)
    return ClassRegistry(clock=clock, timers=False, store=store)


SETUP = dict(scenario="section232_2018", rounds="4", timer="60", seed="7")
STUDENTS = (("Ana", "Canada"), ("Ben", "EU"), ("Cleo", "Japan"))


def month_moves(game, key, seats, month):
    """The script both games play: everyone moves in months 1 and 3; Cleo sends nothing in month 2."""
    for k, seat in enumerate(seats):
        if month == 2 and seat.country == "Japan":
            continue
        stance = "retaliate" if (k + month) % 2 else "wait"
        game.submit(seat.token, ["export_cap"] if stance == "wait" and (k + month) % 3 == 0 else [], stance)
    if month == 2:
        game.close_round(key)


def csv(game, key) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(game.moves_csv(key)))


# ---------------------------------------------------------------------------- restart = the same game
def test_the_csv_of_a_game_interrupted_twice_equals_the_uninterrupted_games(db, clock):
    """Restarted in the middle of month 2 (a move in) and again just after month 3 closed, the game ends
    with the very move file of the same game never interrupted: same code, every column, byte for byte."""
    registry = server(db, clock)
    game, key = registry.create(parse_setup(**SETUP))
    uninterrupted = ClassGame(game.setup, game.code, key, clock=clock, timers=False)
    seats = [game.claim(n, c) for n, c in STUDENTS]  # the links of the interrupted game's students ...
    same = [uninterrupted.claim(n, c) for n, c in STUDENTS]  # ... and of the other's
    for g in (game, uninterrupted):
        g.start(key)
    clock.now += 3  # (both games see the same clock at each step)
    for g, s in ((game, seats), (uninterrupted, same)):
        month_moves(g, key, s, 1)
    clock.now += 5
    for g, s in ((game, seats), (uninterrupted, same)):
        g.submit(s[0].token, [], "retaliate")  # month 2: Ana's move is in ...

    game = server(db, clock).get(game.code)  # ... the server stops and starts again
    assert (game.model.round, game.phase) == (1, OPEN) and set(game.submissions) == {"Canada"}
    clock.now += 2
    for g, s in ((game, seats), (uninterrupted, same)):
        g.submit(s[1].token, [], "wait")
        g.close_round(key)
        month_moves(g, key, s, 3)

    game = server(db, clock).get(game.code)
    assert game.model.round == 3
    for g, s in ((game, seats), (uninterrupted, same)):
        month_moves(g, key, s, 4)
    assert game.phase == uninterrupted.phase == FINISHED
    assert game.moves_csv(key) == uninterrupted.moves_csv(key)
    played = csv(game, key)
    assert len(played) == 4 * 14 and (played["played_by"] == BY_STUDENT).sum() == 11
    debrief, other = (g.student_view(s[0].token)["play"]["debrief"] for g, s in ((game, seats), (uninterrupted, same)))
    assert debrief == other


def test_every_link_works_after_a_restart_and_secrets_are_kept_as_digests(db, clock):
    registry = server(db, clock)
    game, key = registry.create(parse_setup(**SETUP))
    seat = game.claim("Ana", "Canada")
    game.start(key)
    game = server(db, clock).get(game.code.lower())
    assert game.student_view(seat.token)["country"] == "Canada"  # the student's link
    assert game.teacher_view(key)["seats"][0]["name"] == "Ana"  # the teacher's link
    assert game.projector_view()["round"] == 0  # the projector's
    with pytest.raises(NotAllowed):
        game.teacher_view(key[:-1] + "x")
    with pytest.raises(NotAllowed):
        game.student_view(seat.token[:-1] + "x")
    raw = b"".join(p.read_bytes() for p in db.parent.iterdir() if p.name.startswith(db.name))
    assert key.encode() not in raw and seat.token.encode() not in raw
    assert digest(key).encode() in raw and digest(seat.token).encode() in raw


def test_a_game_saved_by_another_model_is_rebuilt_with_a_warning_to_the_teacher(db, clock):
    registry = server(db, clock)
    game, key = registry.create(parse_setup(**SETUP))
    assert not server(db, clock).get(game.code).teacher_view(key)["storage"]["other_model"]
    with sqlite3.connect(db) as conn:  # as if saved by a tradesim whose model code differs
        conn.execute("UPDATE games SET model = 'an older model'")
    view = server(db, clock).get(game.code).teacher_view(key)
    assert view["storage"]["other_model"]
    assert "saved by another version of tradesim" in page_text(StorageWarningOf(view))


def test_a_round_every_student_had_moved_in_closes_when_the_server_stopped_before_closing_it(db, clock):
    """Killed between the last move's commit and the round's close: the rebuilt game closes the round,
    as the server would have a moment later, and the game is the uninterrupted one."""
    registry = server(db, clock)
    game, key = registry.create(parse_setup(**SETUP))
    seats = [game.claim(n, c) for n, c in STUDENTS]
    game.start(key)
    month_moves(game, key, seats, 1)
    assert game.model.round == 1
    expected = game.moves_csv(key)
    with sqlite3.connect(db) as conn:  # the close's commit never happened
        (kind,) = conn.execute("SELECT kind FROM events WHERE seq = (SELECT MAX(seq) FROM events)").fetchone()
        assert kind == "close"
        conn.execute("DELETE FROM events WHERE seq = (SELECT MAX(seq) FROM events)")
    rebuilt = server(db, clock).get(game.code)
    assert rebuilt.model.round == 1 and rebuilt.moves_csv(key) == expected


def test_the_timer_and_the_pause_come_back_with_the_time_left(db, clock):
    """The clock of an open round is where it was when the server stopped; the time it was down is not
    counted (on SIGTERM the server writes each clock, and every few seconds while it runs)."""
    registry = server(db, clock)
    game, key = registry.create(parse_setup(**SETUP))
    seat = game.claim("Ana", "Canada")
    game.start(key)
    clock.now += 20
    registry.stop_report()  # what the server does on SIGTERM
    clock.now += 500  # the server is down
    game = server(db, clock).get(game.code)
    assert game.remaining() == pytest.approx(40) and not game.paused
    clock.now += 15
    game.pause(key)
    clock.now += 300
    game = server(db, clock).get(game.code)
    assert game.paused and game.remaining() == pytest.approx(25)
    game.submit(seat.token, [], "wait")
    assert game.model.round == 0  # a paused round waits, after a restart too
    game.resume(key)
    assert game.model.round == 1 and game.remaining() == pytest.approx(60)
    clock.now += 61
    game.save(only_if_due=True)  # what the server's clock thread does every few seconds
    game = server(db, clock).get(game.code)  # month 2 ran out before the server stopped: it closes on the tick
    assert game.remaining() == 0 and game.tick() and game.model.round == 2


def test_a_finished_game_keeps_its_debriefs_and_downloads_until_deleted_or_expired(db, clock, tmp_path):
    days = Clock(1_000_000.0)
    registry = server(db, clock, days)
    game, key = registry.create(parse_setup(**{**SETUP, "rounds": "1"}))
    seat = game.claim("Ana", "Canada")
    game.start(key)
    game.submit(seat.token, [], "retaliate")
    assert game.phase == FINISHED
    days.now += (KEEP_DAYS - 1) * 86400
    again = server(db, clock, days)
    again.open_saved()
    game = again.get(game.code)
    assert game.student_view(seat.token)["play"]["debrief"]["moves"][0]["you"] == "retaliate"
    assert len(csv(game, key)) == 14
    days.now += 2 * 86400
    later = server(db, clock, days)
    assert "1 removed after 30 days" in later.open_saved()
    with pytest.raises(UserError, match=f"Class game {game.code} was removed on .*keeps a game 30 days after it ends"):
        later.get(game.code)

    other, other_key = later.create(parse_setup(**SETUP))
    with pytest.raises(NotAllowed):
        later.delete(other.code, key)
    later.delete(other.code, other_key)
    with pytest.raises(UserError, match=f"Class game {other.code} was deleted by its teacher on "):
        server(db, clock, days).get(other.code)


def test_two_servers_on_one_file_do_not_overwrite_each_others_moves(db, clock):
    """A second server started by mistake on the same file takes up the same game: the first change it
    cannot append after the other's is refused, and its teacher is told."""
    first = server(db, clock)
    game, key = first.create(parse_setup(**SETUP))
    seat = game.claim("Ana", "Canada")
    game.start(key)
    other = server(db, clock).get(game.code)
    game.submit(seat.token, [], "retaliate")  # the first server's move is on disk ...
    other.submit(seat.token, [], "wait")  # ... the second's would take its place in the journal
    problem = other.teacher_view(key)["storage"]["problem"]
    assert problem.startswith(f"another tradesim server is saving game {game.code} in {db}")
    assert server(db, clock).get(game.code).moves_csv(key) == game.moves_csv(key)


def test_a_code_not_on_this_server_says_so_without_a_typo_hint_to_a_link(db, clock):
    registry = server(db, clock)
    registry.create(parse_setup(**SETUP))
    unknown = "ZZZZZ"
    with pytest.raises(UserError) as typed:
        registry.get(unknown, typed=True)
    assert "check the code on the projector" in str(typed.value)
    with pytest.raises(UserError) as linked:  # a teacher's, a student's or the projector's link
        registry.get(unknown)
    message = str(linked.value)
    assert "check the code" not in message and str(db) in message and "--db" in message
    assert "\n" not in message


# ---------------------------------------------------------------------------- full disk, read-only folder
@contextlib.contextmanager
def mounted_tmpfs(folder, size_kb: int):
    """A small file system of its own at ``folder`` (tmpfs; needs root, else the test is skipped)."""
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a small file system here ({done.stderr.strip()}); this test needs root")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder) -> None:
    """Fill the file system holding ``folder`` to the last byte."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)


def test_a_full_disk_leaves_the_game_in_memory_with_the_risk_stated_then_saves_it_again(tmp_path, clock):
    with mounted_tmpfs(tmp_path / "disk", 1024) as disk:
        registry = server(disk / "classgames.sqlite", clock)
        game, key = registry.create(parse_setup(**SETUP))
        seats = [game.claim(n, c) for n, c in STUDENTS]
        game.start(key)
        fill(disk)
        month_moves(game, key, seats, 1)  # the moves are taken and the month is played, in memory
        storage = game.teacher_view(key)["storage"]
        assert game.model.round == 1 and not storage["saved"]
        assert storage["problem"] == f"the disk holding {disk / 'classgames.sqlite'} is full"
        warning = page_text(StorageWarningOf(game.teacher_view(key)))
        assert "NOT being saved: the disk holding" in warning and "if the server stops now, the game is lost" in warning
        assert "1 class game" in registry.stop_report() and "NOT saved, so lost" in registry.stop_report()

        (disk / "filler").unlink()
        month_moves(game, key, seats, 2)  # the next change writes the whole backlog
        assert game.teacher_view(key)["storage"]["saved"]
        rebuilt = server(disk / "classgames.sqlite", clock).get(game.code)
        assert rebuilt.model.round == 2 and rebuilt.moves_csv(key) == game.moves_csv(key)


def test_a_read_only_folder_leaves_the_game_in_memory_with_the_risk_stated(tmp_path, clock):
    folder = tmp_path / "data"
    with read_only(folder):
        registry = server(folder / "tradesim" / "classgames.sqlite", clock)
        assert "NOT saved: the folder" in registry.open_saved() and "read-only" in registry.open_saved()
        game, key = registry.create(parse_setup(**SETUP))
        seat = game.claim("Ana", "Canada")
        game.start(key)
        assert game.submit(seat.token, [], "retaliate") == "retaliate" and game.model.round == 1
        problem = game.teacher_view(key)["storage"]["problem"]
        assert problem == f"the folder {folder} is read-only for this server"
        assert not (folder / "tradesim").exists()


@contextlib.contextmanager
def read_only(folder):
    """``folder``, read-only for this process: a read-only mount for root (who ignores permissions), else
    chmod 555."""
    if os.geteuid() != 0:
        folder.mkdir()
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    with mounted_tmpfs(folder, 256):
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder


def StorageWarningOf(view):
    from ui.classpages import StorageWarning

    return StorageWarning(view)


def page_text(element) -> str:
    import ipyvuetify as v

    box, rc = solara.render(element, handle_error=False)
    try:
        return " ".join(str(w.widget.children) for w in rc.find(v.Alert))
    finally:
        rc.close()


# ---------------------------------------------------------------------------- the command and the server
def test_db_option_mistakes_are_one_line(tradesim, tmp_path):
    (tmp_path / "notes.txt").write_text("not a database, just notes\n" * 100)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    for db, words in ((tmp_path, "is a folder; give a file name"),
                      (tmp_path / "missing" / "x.sqlite", "does not exist"),
                      (tmp_path / "notes.txt", "is not a tradesim class-game file"),
                      (other, "of another program")):
        result = tradesim("app", "--db", db)
        assert result.returncode == 2 and words in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_the_server_reopens_saved_games_and_says_on_sigterm_how_many_it_saved_and_where(tmp_path, clock):
    db = tmp_path / "classgames.sqlite"
    registry = server(db, clock)
    for _ in range(2):
        game, key = registry.create(parse_setup(**SETUP))
    game.end(key)
    port, log = free_port(), tmp_path / "server.log"
    with open(log, "w") as out:
        env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false")
        proc = subprocess.Popen([*TRADESIM, "app", "--port", str(port), "--db", str(db)], stdout=out,
                                stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.time() + 90
        while "class games: saved in" not in log.read_text():
            assert proc.poll() is None and time.time() < deadline, log.read_text()
            time.sleep(0.3)
        assert f"class games: saved in {db} (1 under way, 1 finished; 1 reopened)" in log.read_text()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert (f"the server is stopping. 2 class games saved in {db} (1 under way, 1 finished); start the server "
            "again with this file") in text, text
    assert "Traceback" not in text

