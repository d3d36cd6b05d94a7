"""The class game in headless Chromium: a teacher, a projector and ten students play three months
of section232_2018 to the end on one `tradesim app --classroom` server (issue 17's "done means").

Every check waits for the state it asserts (Playwright's ``expect``): a click is answered later,
and much later on a loaded machine.  The pure game (seats, timer, keys, simultaneous moves) is
tested without a browser in tests/test_classgame.py.
"""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from browser_support import CHROMIUM, chromium, expect, serve

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]  # one worker for every browser test

TIMER_S = 30  # students move while the game is paused; only the month's last move races it, after Resume
COUNTRIES = ["Canada", "Mexico", "EU", "Japan", "South Korea", "Australia", "Brazil", "India", "China", "Turkey"]
LATE = 9  # the student who sends no move in month 2


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Debian chromium not found on PATH (apt-get install -y chromium); browser tests need it")
    with serve(tmp_path_factory, "--classroom") as served:
        yield served


@pytest.fixture(scope="module")
def browser(classroom):
    with chromium() as launched:
        yield launched


def new_page(browser, url: str):
    page = browser.new_context(viewport={"width": 1300, "height": 1000}, accept_downloads=True).new_page()
    page.goto(url)
    return page


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def month(page, text: str):
    expect(page.locator(".tradesim-class-round")).to_contain_text(text)


def host(browser, url: str):
    """The teacher's page after hosting: three months, a TIMER_S timer."""
    teacher = new_page(browser, url)
    expect(button(teacher, "Start a class game")).to_be_visible()
    for label, value in (("Rounds", "3"), ("Round timer", str(TIMER_S))):
        field = teacher.get_by_label(re.compile(label))
        field.fill(value)
        field.press("Tab")
    button(teacher, "Start a class game").click()
    expect(teacher.locator(".tradesim-join-code")).to_be_visible()
    return teacher


def take_seat(browser, url: str, code: str, name: str, country: str):
    page = new_page(browser, f"{url}?class={code}")
    field = page.get_by_label("Your name (or your team's)")
    field.fill(name)
    field.press("Tab")
    button(page, country).click()
    expect(page.locator(".tradesim-student")).to_contain_text(f"{name} plays {country}")
    return page


def send(page, stance: str, month_no: int):
    # the header shows a new month before the move panel is redrawn: a click on the old panel is lost
    expect(page.locator(".tradesim-play h3")).to_contain_text(f"month {month_no} of 3")
    if stance != "Wait":
        button(page, stance).click()
        expect(page.get_by_text(f"Your move: {stance.lower()}")).to_be_visible()
    button(page, "Send my move").click()
    expect(page.locator(".tradesim-sent").or_(page.locator(".tradesim-class-round").filter(
        has_text=f"{month_no + 1} of 3")).or_(page.locator(".tradesim-debrief")).first).to_be_visible()


def stance_of(k: int, month_no: int) -> str:
    return "Retaliate" if (k + month_no) % 3 == 0 else "Wait"


def test_a_class_of_ten_plays_three_months_of_section232_to_the_end(browser, classroom):
    url = classroom["url"]
    teacher = host(browser, url)
    code = teacher.locator(".tradesim-join-code").inner_text().strip()
    key = parse_qs(urlparse(teacher.url).query)["teacher"][0]
    projector = new_page(browser, f"{url}?class={code}&view=projector")
    expect(projector.locator(".tradesim-join-code")).to_have_text(code)  # big, for the room

    students = [take_seat(browser, url, code, f"Student {k}", country) for k, country in enumerate(COUNTRIES)]
    # seats are exclusive: a claimed country is greyed out, with its holder
    latecomer = new_page(browser, f"{url}?class={code}")
    for k, country in enumerate(COUNTRIES):
        expect(button(latecomer, f"{country}: Student {k}")).to_be_disabled()
    expect(button(latecomer, "Vietnam")).to_be_enabled()
    latecomer.context.close()
    expect(teacher.locator(".tradesim-seats tr")).to_have_count(11)  # a header and ten seats
    expect(projector.locator(".tradesim-projector-seats")).to_contain_text("10 seats taken")

    # a reload keeps the seat (the address holds the seat's token)
    students[3].reload()
    expect(students[3].locator(".tradesim-student")).to_contain_text("Student 3 plays Japan")

    # a student cannot act as the teacher, nor for another country
    intruder = students[1].context.new_page()
    intruder.goto(f"{url}?class={code}&teacher={key[:-2]}xx")
    expect(intruder.get_by_text("does not hold this game's teacher key")).to_be_visible()
    expect(button(intruder, "Start the game")).to_have_count(0)
    seat = parse_qs(urlparse(students[2].url).query)["seat"][0]
    intruder.goto(f"{url}?class={code}&seat={seat[:-2]}xx")
    expect(intruder.get_by_text("This seat link is not valid any more")).to_be_visible()
    expect(button(intruder, "Send my move")).to_have_count(0)
    intruder.close()
    for page in (students[0], projector):
        expect(button(page, "Close the round now")).to_have_count(0)
        expect(button(page, "Start the game")).to_have_count(0)

    expect(button(students[0], "Send my move")).to_be_disabled()  # not started yet
    button(teacher, "Start the game").click()
    # The teacher pauses each month before the students move: on a loaded machine ten students' clicks can
    # take longer than the timer, and only the student meant to be late may miss it.
    button(teacher, "Pause").click()
    for page in (*students, projector):
        month(page, "Month 1 of 3 (paused)")

    # month 1: the teacher sees who moved, not what; a paused month waits even when everyone has moved
    for k, page in enumerate(students[:5]):
        send(page, stance_of(k, 1), 1)
    expect(teacher.locator(".tradesim-seat-status").filter(has_text="moved")).to_have_count(5)
    expect(teacher.locator(".tradesim-seats")).not_to_contain_text("retaliate")
    for k, page in enumerate(students[5:], start=5):
        send(page, stance_of(k, 1), 1)
    expect(teacher.locator(".tradesim-seat-status").filter(has_text="moved")).to_have_count(10)
    month(teacher, "Month 1 of 3 (paused)")
    button(teacher, "Close the round now").click()  # month 2 opens still paused: its clock has not started
    for page in (*students, projector, teacher):
        month(page, "Month 2 of 3 (paused)")

    # month 2: the late student sends nothing; once the teacher resumes, the timer closes the month with
    # the agent's choice for that student alone
    for k, page in enumerate(students):
        if k != LATE:
            send(page, stance_of(k, 2), 2)
    expect(teacher.locator(".tradesim-seat-status").filter(has_text="moved")).to_have_count(9)
    button(teacher, "Resume").click()
    late = students[LATE]
    month(late, "Month 3 of 3")  # after TIMER_S seconds
    expect(late.locator(".tradesim-timed-out")).to_contain_text("You sent no move in month 2: the agent chose for Turkey")
    expect(students[0].locator(".tradesim-timed-out")).to_have_count(0)

    # month 3: nine move while paused; after Resume the last move closes the month at once, and the game
    # ends with a debrief for each student and the class table
    month(teacher, "Month 3 of 3")
    button(teacher, "Pause").click()
    month(teacher, "Month 3 of 3 (paused)")
    for k, page in enumerate(students[1:], start=1):
        send(page, stance_of(k, 3), 3)
    button(teacher, "Resume").click()
    expect(teacher.locator(".tradesim-class-round")).not_to_contain_text("paused")
    send(students[0], stance_of(0, 3), 3)
    for k, page in enumerate(students):
        debrief = page.locator(".tradesim-debrief")
        expect(debrief).to_contain_text(f"Debrief: {COUNTRIES[k]} after 3 months")
        expect(debrief).to_contain_text("The agent")
    expect(students[LATE].locator(".tradesim-debrief")).to_contain_text("agent: no move in time")
    month(projector, "Game over after month 3 of 3")
    expect(projector.locator(".tradesim-plot svg")).to_have_count(4)
    projector_text = projector.locator(".tradesim-projector").inner_text()
    assert "% of stake" not in projector_text and "Send my move" not in projector_text  # nothing private
    table = teacher.locator(".tradesim-class-table")
    expect(table.locator("tr")).to_have_count(11)
    expect(table).to_contain_text("Student 9")

    # the class CSV holds every move: every country, every month, each student's as sent
    with teacher.expect_download() as download:
        teacher.get_by_role("button", name=re.compile("every move \\(CSV\\)", re.I)).click()
    moves = pd.read_csv(io.BytesIO(download.value.path().read_bytes()))
    assert len(moves) == 3 * 14 and set(moves["round"]) == {1, 2, 3}
    for k, country in enumerate(COUNTRIES):
        mine = moves[moves["country"] == country].set_index("round")
        assert (mine["student"] == f"Student {k}").all()
        for month_no in (1, 2, 3):
            if k == LATE and month_no == 2:
                assert mine.loc[2, "played_by"] == "agent: no move in time"
                continue
            assert mine.loc[month_no, "played_by"] == "student"
            assert mine.loc[month_no, "stance"] == stance_of(k, month_no).lower()
    assert set(moves[~moves["country"].isin(COUNTRIES)]["played_by"]) == {"agent: no student"}
    log = classroom["log"].read_text()
    assert "Traceback" not in log, log
