"""A class game survives its server being killed (issue 22's "done means"), in headless Chromium.

A teacher hosts, a projector watches, three students take seats and play two months of three; in
month 3 two of them send their moves; then the server is killed (SIGKILL: no goodbye) and started again on the
same port and game file.  Every page says that the server stopped and the game is saved, then comes
back by itself to month 3 with the two moves in, and the class plays to the end.  The move file the
teacher downloads is that of the same game never interrupted (played here through the class-game
code, same code and seed), except the seconds each move took.

Every check waits for the state it asserts (Playwright's ``expect``)."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import time
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from browser_support import CHROMIUM, ROOT, TRADESIM, button, chromium, expect, free_port, month, new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]  # one worker for every browser test

STUDENTS = (("Ana", "Canada"), ("Ben", "EU"), ("Cleo", "Japan"))
MOVES = {  # month -> student -> stance (None: sends nothing; the teacher closes the month)
    1: {"Ana": "Retaliate", "Ben": "Wait", "Cleo": "Wait"},
    2: {"Ana": "Wait", "Ben": "Retaliate", "Cleo": None},
    3: {"Ana": "Retaliate", "Ben": "Wait", "Cleo": "Retaliate"},  # the server is killed after Ana's and Ben's
}
MONTHS = len(MOVES)
GONE = "The server stopped; your game is saved. This page reconnects by itself when the server is back."


class AppServer:
    """`tradesim app --classroom` on a fixed port and game file, which the test can kill and start again."""

    def __init__(self, folder, db):
        self.port, self.db, self.folder, self.runs = free_port(), db, folder, 0
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc = None

    def start(self) -> None:
        self.runs += 1
        self.log = self.folder / f"server-{self.runs}.log"
        env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false")
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen([*TRADESIM, "app", "--classroom", "--host", "127.0.0.1", "--port",
                                          str(self.port), "--db", str(self.db)], cwd=ROOT, env=env, stdout=out,
                                         stderr=subprocess.STDOUT)
        deadline = time.time() + 90
        while True:
            assert self.proc.poll() is None, self.log.read_text()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                assert time.time() < deadline, self.log.read_text()
                time.sleep(0.3)

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: `tradesim app` has become the server process (exec)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def app(tmp_path):
    if CHROMIUM is None:
        pytest.skip("Debian chromium not found on PATH (apt-get install -y chromium); browser tests need it")
    pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    served = AppServer(tmp_path, tmp_path / "data" / "classgames.sqlite")
    (tmp_path / "data").mkdir()
    served.start()
    yield served
    served.stop()


def send(page, stance: str, month_no: int):
    expect(page.locator(".tradesim-play h3")).to_contain_text(f"month {month_no} of {MONTHS}")
    if stance != "Wait":
        button(page, stance).click()
        expect(page.get_by_text(f"Your move: {stance.lower()}")).to_be_visible()
    button(page, "Send my move").click()
    expect(page.locator(".tradesim-sent").or_(page.locator(".tradesim-class-round").filter(
        has_text=f"{month_no + 1} of {MONTHS}")).or_(page.locator(".tradesim-debrief")).first).to_be_visible()


def play_month(students: dict, teacher, month_no: int, who=None):
    for name, stance in MOVES[month_no].items():
        if stance is not None and (who is None or name in who):
            send(students[name], stance, month_no)


def test_every_page_comes_back_after_the_server_is_killed_and_the_class_plays_to_the_end(app):
    with chromium() as browser:
        teacher = new_page(browser, app.url)
        expect(button(teacher, "Start a class game")).to_be_visible()
        for label, value in (("Rounds", str(MONTHS)), ("Round timer", "0")):
            field = teacher.get_by_label(re.compile(label))
            field.fill(value)
            field.press("Tab")
        button(teacher, "Start a class game").click()
        expect(teacher.locator(".tradesim-join-code")).to_be_visible()
        code = teacher.locator(".tradesim-join-code").inner_text().strip()
        key = parse_qs(urlparse(teacher.url).query)["teacher"][0]
        projector = new_page(browser, f"{app.url}?class={code}&view=projector")
        students = {}
        for name, country in STUDENTS:
            page = new_page(browser, f"{app.url}?class={code}")
            field = page.get_by_label("Your name (or your team's)")
            field.fill(name)
            field.press("Tab")
            button(page, country).click()
            expect(page.locator(".tradesim-student")).to_contain_text(f"{name} plays {country}")
            students[name] = page
        pages = [teacher, projector, *students.values()]

        button(teacher, "Start the game").click()
        play_month(students, teacher, 1)  # the last move closes month 1
        month(teacher, f"Month 2 of {MONTHS}")
        play_month(students, teacher, 2)
        expect(teacher.locator(".tradesim-seat-status").filter(has_text="moved")).to_have_count(2)
        button(teacher, "Close the round now").click()
        for page in pages:
            month(page, f"Month 3 of {MONTHS}")
        play_month(students, teacher, 3, who=("Ana", "Ben"))
        expect(teacher.locator(".tradesim-seat-status").filter(has_text="moved")).to_have_count(2)

        app.kill()
        for page in pages:
            expect(page.locator(".tradesim-server-gone")).to_have_text(GONE)
        app.start()
        for page in pages:  # back by themselves: nobody reloads
            expect(page.locator(".tradesim-server-gone")).to_be_hidden()
            month(page, f"Month 3 of {MONTHS}")
        expect(students["Ana"].locator(".tradesim-sent")).to_contain_text("Your move for month 3 is in: 'retaliate'")
        expect(students["Ben"].locator(".tradesim-sent")).to_contain_text("Your move for month 3 is in: 'wait")
        expect(students["Cleo"].locator(".tradesim-sent")).to_have_count(0)
        expect(teacher.locator(".tradesim-seat-status").filter(has_text="moved")).to_have_count(2)
        expect(teacher.locator(".tradesim-class-table")).to_contain_text("2: wait (refuse all)")
        expect(projector.locator(".tradesim-status")).to_contain_text("after month 2")
        expect(teacher.locator(".tradesim-storage")).to_contain_text("Saved as it is played")

        play_month(students, teacher, 3, who=("Cleo",))  # the last move of month 3 closes it: the game is over
        for name, country in STUDENTS:
            expect(students[name].locator(".tradesim-debrief")).to_contain_text(f"Debrief: {country} after 3 months")
        month(projector, "Game over after month 3 of 3")
        with teacher.expect_download() as download:
            teacher.get_by_role("button", name=re.compile("every move \\(CSV\\)", re.I)).click()
        interrupted = pd.read_csv(io.BytesIO(download.value.path().read_bytes()))

    uninterrupted = pd.read_csv(io.BytesIO(uninterrupted_csv(code, key)))
    assert list(interrupted.columns) == list(uninterrupted.columns) and len(interrupted) == MONTHS * 14
    assert interrupted["submitted_after_s"].notna().equals(uninterrupted["submitted_after_s"].notna())
    pd.testing.assert_frame_equal(interrupted.drop(columns="submitted_after_s"),
                                  uninterrupted.drop(columns="submitted_after_s"))
    assert "class games: saved in" in app.log.read_text() and "1 reopened" in app.log.read_text()
    assert "Traceback" not in app.log.read_text(), app.log.read_text()


def uninterrupted_csv(code: str, key: str) -> bytes:
    """The same class game, never interrupted: same code, seed and moves, through the class-game code."""
    from ui.classgame import ClassGame, parse_setup

    game = ClassGame(parse_setup("section232_2018", rounds=str(MONTHS), timer="0", seed="7"), code, key, timers=False)
    seats = {name: game.claim(name, country) for name, country in STUDENTS}
    game.start(key)
    for month_no, moves in MOVES.items():
        for name, stance in moves.items():
            if stance is not None:
                game.submit(seats[name].token, [], stance.lower())
        if month_no == 2:
            game.close_round(key)
    return game.moves_csv(key)
