"""The class game in headless Chromium: a teacher, a projector and ten students play three months
of section232_2018 to the end on one `tradesim app --classroom` server (issue 17's "done means");
then the fixes of issue 22, on the same server and browser: joining with Enter, a freed student
taking a seat again, the host form and the teacher's key page, ending with a confirmation, and the
layouts measured at a projector's 1280x720, a phone's 390 px and a laptop's 1366x768.

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
from browser_support import CHROMIUM, button, chromium, expect, month, new_page, serve

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


# ---------------------------------------------------------------------------- issue 22: fixes found by hand
# These share the module's server and browser; each hosts a game of its own.
def hosted(browser, url: str, rounds: str = "3", timer: str = "0", viewport=(1300, 1000)):
    """A teacher's page that hosted a game (no timer: the teacher closes each month); (page, code)."""
    teacher = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}).new_page()
    teacher.goto(url)
    expect(button(teacher, "Start a class game")).to_be_visible()
    for label, value in (("Rounds", rounds), ("Round timer", timer)):
        field = teacher.get_by_label(re.compile(label))
        field.fill(value)
        field.press("Tab")
    button(teacher, "Start a class game").click()
    expect(teacher.locator(".tradesim-join-code")).to_be_visible()
    return teacher, teacher.locator(".tradesim-join-code").inner_text().strip()


def inside(box: dict, width: int, height: int) -> bool:
    return box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width + 1 and box["y"] + box["height"] <= height + 1


def test_join_by_enter_a_code_never_used_is_explained_and_a_freed_student_can_take_a_seat_again(browser, classroom):
    url = classroom["url"]
    teacher, code = hosted(browser, url)
    page = new_page(browser, url)  # --classroom: the front page joins or hosts
    field = page.get_by_label("Join code")
    field.fill("OOOOO")
    field.press("Enter")  # Enter submits, as in any form
    expect(page.locator(".tradesim-error")).to_contain_text("never use 0, O, 1 or I")
    expect(page.locator(".tradesim-error")).to_contain_text("has O")
    field.fill(code.lower())
    field.press("Enter")
    expect(page.get_by_label("Your name (or your team's)")).to_be_visible()
    assert f"class={code}" in page.url
    name = page.get_by_label("Your name (or your team's)")
    name.fill("Ana")
    name.press("Tab")
    button(page, "Canada").click()
    expect(page.locator(".tradesim-student")).to_contain_text("Ana plays Canada")
    # the teacher frees her seat: her page asks her to take one again; she takes Mexico, and her page
    # follows the new seat at once (it showed "not valid any more" until the next month)
    teacher.locator(".v-select").filter(has_text="Seat").first.click()
    teacher.get_by_role("option", name="Canada", exact=True).click()
    button(teacher, "Free this seat").click()
    expect(page.get_by_text("This seat link is not valid any more")).to_be_visible()
    name = page.get_by_label("Your name (or your team's)")
    name.fill("Ana")
    name.press("Tab")
    button(page, "Mexico").click()
    expect(page.locator(".tradesim-student")).to_contain_text("Ana plays Mexico")
    expect(page.get_by_text("This seat link is not valid any more")).to_have_count(0)
    expect(page.locator(".tradesim-play h3")).to_contain_text("You are Mexico")
    teacher.context.close()
    page.context.close()


def test_the_host_form_the_teachers_key_page_and_ending_the_game(browser, classroom):
    url = classroom["url"]
    teacher = new_page(browser, url)
    expect(teacher.get_by_label(re.compile("^Rounds"))).to_have_value("6")  # the lesson plan's 6 months
    button(teacher, "Start a class game").click()
    expect(teacher.locator(".tradesim-join-code")).to_be_visible()
    keep = teacher.locator(".tradesim-keep-page")
    expect(keep).to_contain_text("Keep this page open, or bookmark it")
    host_new = teacher.get_by_role("link", name="Host a new game")
    expect(host_new).to_have_attribute("target", "_blank")  # the key's page stays open
    other = teacher.context.new_page()
    other.goto(url.rstrip("/") + host_new.get_attribute("href"))
    expect(button(other, "Start a class game")).to_be_visible()
    other.close()
    button(teacher, "Start the game").click()
    month(teacher, "Month 1 of 6")
    # the controls of a running game are drawn (the row changes under the pointer as they come in)
    expect(button(teacher, "Pause")).to_be_visible()
    # "End the game" asks first; "No" keeps the game going
    button(teacher, "End the game").click()
    expect(teacher.locator(".tradesim-confirm-end")).to_contain_text("End the game now?")
    month(teacher, "Month 1 of 6")
    button(teacher, "No, keep playing").click()
    expect(teacher.locator(".tradesim-confirm-end")).to_have_count(0)
    button(teacher, "End the game").click()
    button(teacher, "Yes, end the game").click()
    month(teacher, "Game over")
    teacher.context.close()


@pytest.fixture(scope="module")
def month_two(browser, classroom):
    """A game in month 2: a teacher, Ana (Canada) and Ben (Japan) moved in month 1."""
    url = classroom["url"]
    teacher, code = hosted(browser, url, rounds="4")
    seats = []
    for name, country in (("Ana", "Canada"), ("Ben", "Japan")):
        page = take_seat(browser, url, code, name, country)
        seats.append(page.url)
        page.context.close()
    button(teacher, "Start the game").click()
    button(teacher, "Close the round now").click()
    month(teacher, "Month 2 of 4")
    yield {"teacher": teacher, "code": code, "seats": seats, "url": url}
    teacher.context.close()


def test_the_projector_at_1280x720_shows_both_plots_and_the_event_log_above_the_fold(browser, month_two):
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.goto(f"{month_two['url']}?class={month_two['code']}&view=projector")
    month(page, "Month 2 of 4")
    expect(page.locator(".tradesim-events")).to_contain_text("Month 1:")
    for name in ("tariffs", "counts"):
        expect(page.locator(f".tradesim-{name} svg")).to_be_visible()
    for selector in (".tradesim-tariffs svg", ".tradesim-counts svg", ".tradesim-events"):
        box = page.locator(selector).bounding_box()
        assert inside(box, 1280, 720), (selector, box)
    # the counts plot's labels, as drawn: their font size times the picture's scale, in pixels
    smallest = page.locator(".tradesim-counts svg").evaluate(
        "svg => { const k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;"
        " return Math.min(...[...svg.querySelectorAll('text')].map("
        "t => k * parseFloat(t.getAttribute('font-size') || svg.getAttribute('font-size')))); }")
    assert smallest >= 13, smallest
    page.context.close()


def test_the_teachers_join_link_stays_on_one_line(browser, month_two):
    teacher = month_two["teacher"]
    for link in teacher.locator(".tradesim-joinlink").all():
        expect(link).to_contain_text(f"?class={month_two['code']}")
        lines = link.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e.firstChild);"
                              " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")
        assert lines == 1, lines  # the address is on one line: it does not wrap
        fits = link.evaluate("e => { const box = e.closest('.tradesim-link-box') || e.parentElement;"
                             " return box.scrollWidth <= box.clientWidth + 1; }")
        assert fits  # and it is not cut off at 1300 px


def test_a_phone_gets_one_column(browser, month_two):
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(month_two["seats"][0])
    expect(page.locator(".tradesim-play h3")).to_contain_text("You are Canada: month 2 of 4")
    grid = page.locator(".tradesim-play-grid")
    left, right = grid.locator(":scope > div").nth(0), grid.locator(":scope > div").nth(1)
    expect(right).to_contain_text("Options and their likely consequences")
    a, b = left.bounding_box(), right.bounding_box()
    assert abs(a["x"] - b["x"]) < 2 and b["y"] > a["y"] + 200, (a, b)  # the options under the demands, not beside
    assert a["width"] > 300 and b["width"] > 300, (a, b)
    assert a["x"] + a["width"] <= 391 and b["x"] + b["width"] <= 391
    page.context.close()


def test_a_laptop_sees_the_timer_next_to_send_my_move(browser, month_two):
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(month_two["seats"][1])
    expect(page.locator(".tradesim-play h3")).to_contain_text("You are Japan: month 2 of 4")
    send_button = button(page, "Send my move")
    send_button.scroll_into_view_if_needed()
    expect(send_button).to_be_in_viewport()
    timer = page.locator(".tradesim-student .tradesim-timer")
    expect(timer).to_be_in_viewport()
    for box in (send_button.bounding_box(), timer.bounding_box()):
        assert inside(box, 1366, 768), box
    page.context.close()
