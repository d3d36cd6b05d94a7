"""Browser tests: the Solara app in headless Debian chromium, offline.

A module-scoped fixture serves ``app.py`` with ``solara run --production`` on a free
loopback port; each test opens its own browser context (its own session).
Skipped when chromium or playwright is missing.  Never runs ``playwright install``.
"""

from __future__ import annotations

import re
import subprocess
import time
from urllib.parse import urlparse

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, chromium, expect
from browser_support import free_port as _free_port
from browser_support import serve as _serve

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]  # one server, one worker

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Debian chromium not found on PATH (apt-get install -y chromium); browser tests need it")
    with _serve(tmp_path_factory) as served:
        yield served


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as launched:
        yield launched


class Tab:
    """One browser context (one Solara session) with its network record.

    Every check waits for the state it asserts (Playwright's ``expect``): the server
    answers a click some time later, and later still on a loaded machine.
    """

    ROUND = r"(round|month|year|week|quarter) {}:"

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1500, "height": 1900})
        self.page = self.context.new_page()
        self.failed: list[str] = []
        self.external: list[str] = []
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("request", self._check_host)
        self.page.goto(url)
        expect(self.button("Step")).to_be_visible()
        self.expect_round(0)

    def _check_host(self, request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:")):
            return
        if host != "127.0.0.1":
            self.external.append(request.url)

    @property
    def status(self):
        return self.page.locator(".tradesim-status")

    def button(self, name: str):
        return self.page.get_by_role("button", name=name, exact=True)

    def expect_round(self, n: int):
        expect(self.status).to_have_text(re.compile(self.ROUND.format(n)))

    def step(self, times: int = 1):
        start = self.current_round()
        for k in range(times):
            self.button("Step").click()
            self.expect_round(start + k + 1)

    def current_round(self) -> int:
        """The round shown now (read only where the page is known to be settled)."""
        return int(re.search(self.ROUND.format(r"(\d+)"), self.status.inner_text()).group(2))

    def plots(self) -> list[str]:
        return [plot.inner_html() for plot in self.page.locator(".tradesim-plot").all()]

    def select(self, label: str, option: str):
        self.page.locator(".v-select").filter(has_text=label).first.click()
        self.page.get_by_role("option", name=option, exact=True).click()

    def start_playing(self, country: str, rounds: int):
        self.page.get_by_role("tab", name="Play a country").click()
        self.select("Country to play", country)
        field = self.page.get_by_label("Rounds to play")
        field.fill(str(rounds))
        field.press("Enter")
        self.button("Start playing").click()

    def close(self):
        self.context.close()


@pytest.fixture
def tab(browser, server):
    tab = Tab(browser, server["url"])
    yield tab
    tab.close()


def test_page_loads_offline_with_zero_failed_requests(tab, server):
    expect(tab.status).to_contain_text("Section 232")
    expect(tab.page.locator(".tradesim-plot svg")).to_have_count(4)  # the four plots
    tab.page.wait_for_load_state("networkidle")
    assert tab.failed == [], f"failed requests: {tab.failed}"
    assert tab.external == [], f"requests leaving the machine: {tab.external}"
    log = server["log"].read_text()
    assert "Could not load URL" not in log, log
    assert "Traceback" not in log, log


def test_step_advances_round_and_plots_change(tab):
    before = tab.plots()
    tab.step(2)
    tab.page.wait_for_function(
        "old => { const now = Array.from(document.querySelectorAll('.tradesim-plot')).map(p => p.innerHTML);"
        " const was = JSON.parse(old); return now.filter((svg, k) => svg !== was[k]).length >= 3; }",
        arg=__import__("json").dumps(before), timeout=TIMEOUT_MS)  # tariff, counts, welfare or network plot changed
    expect(tab.page.locator(".tradesim-events")).to_contain_text("Round 1:")
    # nobody touched a setting: a slider snapping the scenario's us_toughness (0.143) to its 0.05 grid is not one
    expect(tab.page.get_by_text("Settings changed")).to_have_count(0)
    breakdown = tab.page.locator(".tradesim-breakdown")
    for word in ("total", "[1]", "exporters' surplus"):
        expect(breakdown).to_contain_text(word)


def test_switching_scenario_and_reset_changes_countries(tab):
    expect(tab.page.locator(".v-select").filter(has_text="Inspect a country")).to_contain_text("Canada")
    tab.select("Scenario", "classroom")
    expect(tab.page.get_by_text("press Reset")).to_be_visible()
    tab.button("Reset").click()
    expect(tab.status).to_contain_text("Classroom")
    expect(tab.page.get_by_text("Country 1").first).to_be_visible()
    expect(tab.page.locator(".tradesim-events")).not_to_contain_text("Canada")
    tab.step(1)


def test_two_sessions_are_independent(browser, server):
    first, second = Tab(browser, server["url"]), Tab(browser, server["url"])
    try:
        first.step(3)
        second.expect_round(0)
        second.step(1)
        first.expect_round(3)
        second.expect_round(1)
    finally:
        first.close()
        second.close()


def test_bad_seed_shows_message_and_app_keeps_working(tab):
    seed = tab.page.get_by_label("Seed (whole number)")
    seed.fill("abc")
    seed.press("Enter")
    tab.button("Reset").click()
    error = tab.page.locator(".tradesim-error")
    expect(error).to_contain_text("whole number")
    seed.fill("")
    seed.press("Enter")
    tab.button("Reset").click()
    expect(tab.page.get_by_text("Seed is empty")).to_be_visible()
    tab.step(1)  # the old game still runs
    seed.fill("11")
    seed.press("Enter")
    tab.button("Reset").click()
    tab.expect_round(0)
    expect(tab.page.locator(".tradesim-error")).to_have_count(0)


def test_play_runs_rounds_and_pause_stops(tab):
    tab.button("Play").click()
    expect(tab.status).to_have_text(re.compile(Tab.ROUND.format("[2-9]")))  # at least two rounds played
    tab.button("Pause").click()
    expect(tab.button("Play")).to_be_visible()
    # a step under way when Pause was clicked may still land: wait until the round holds still
    stopped, deadline = tab.current_round(), time.time() + TIMEOUT_MS / 1000
    while time.time() < deadline:
        tab.page.wait_for_timeout(1500)
        now = tab.current_round()
        if now == stopped:
            break
        stopped = now
    assert stopped >= 2
    tab.page.wait_for_timeout(1500)
    tab.expect_round(stopped)


def test_play_three_rounds_as_canada_and_see_the_debrief(tab):
    page = tab.page
    tab.start_playing("Canada", 3)
    panel = page.locator(".tradesim-play")
    expect(tab.button("Play this round")).to_be_visible()
    expect(panel).to_contain_text("You are Canada")
    expect(panel).to_contain_text("China's stance")
    expect(tab.button("Step")).to_be_disabled()
    # round 1: accept the export cap and security cooperation, and look at the agent's advice
    for text in ("cap steel", "security cooperation"):
        page.locator(".v-input--checkbox").filter(has_text=text).locator("label").first.click()
    # the move in the checkboxes' words, not the demands' ids
    expect(page.get_by_text("Your move: accept: cap steel and aluminium exports at 2017 levels; enhance security "
                            "cooperation with the U.S.").first).to_be_visible()
    expect(page.locator(".tradesim-play")).not_to_contain_text("export_cap")
    page.get_by_text("Show what the agent would do").click()
    expect(page.locator(".tradesim-advice")).to_be_visible()
    tab.button("Play this round").click()
    tab.expect_round(1)
    # round 2: retaliate (the ticked demands are dropped for a non-wait stance)
    tab.button("Retaliate").click()
    expect(page.get_by_text("Your move: retaliate")).to_be_visible()
    tab.button("Play this round").click()
    tab.expect_round(2)
    # round 3: Canada is still exempt (to 1 June 2018), so a WTO case is closed and says why; hedge
    # toward China instead; the game ends and the debrief shows
    expect(tab.button("WTO case")).to_have_count(0)
    expect(panel).to_contain_text("A WTO case needs a measure to challenge")
    tab.button("Hedge (China)").click()
    expect(page.get_by_text("Your move: hedge")).to_be_visible()
    tab.button("Play this round").click()
    debrief = page.locator(".tradesim-debrief")
    for text in ("Debrief: Canada after 3 months", "The agent", "Cumulative welfare",
                 "accept: cap steel and aluminium exports at 2017 levels; enhance security cooperation", "retaliate",
                 "hedge"):
        expect(debrief).to_contain_text(text)
    expect(debrief).to_contain_text(re.compile("In reality|History not available"))
    expect(page.locator(".v-navigation-drawer")).to_contain_text("is over")
    # after the game, a scenario without Canada resets into a watched game, not an error
    tab.select("Scenario", "classroom")
    tab.button("Reset").click()
    expect(tab.status).to_contain_text("Classroom")
    tab.expect_round(0)
    expect(tab.button("Step")).to_be_enabled()
    expect(page.get_by_text("Could not start")).to_have_count(0)
    assert tab.external == [] and tab.failed == []


def _watch_busy_bar(page):
    page.evaluate("""() => {
        window.__busySeen = false;
        new MutationObserver(() => { if (document.querySelector('.tradesim-busy')) window.__busySeen = true; })
            .observe(document.body, {childList: true, subtree: true});
    }""")


def test_exercise_picker_and_about_panel(tab):
    page = tab.page
    page.get_by_role("tab", name="Exercises").click()
    _watch_busy_bar(page)
    tab.select("Exercise", "Replay 2018: play Canada, the EU, Japan or South Korea under Section 232")
    page.wait_for_function("() => window.__busySeen", timeout=TIMEOUT_MS)  # loading an exercise shows the bar
    expect(page.locator(".tradesim-busy")).to_have_count(0)  # until it is loaded
    panel = page.locator(".tradesim-exercise")
    for heading in ("WHAT IS IT", "HOW TO RUN", "THINGS TO NOTICE", "QUESTIONS"):
        expect(panel).to_contain_text(heading)
    page.get_by_role("tab", name="Play a country").click()
    expect(page.get_by_text("of 15").first).to_be_visible()  # the preset: Canada, 15 rounds
    expect(page.locator(".tradesim-play")).to_contain_text("You are Canada")
    page.get_by_role("tab", name="About this model").click()
    about = page.locator(".tradesim-about")
    expect(about).to_contain_text("HOW A ROUND WORKS")
    expect(about).to_contain_text("docs/model.md")
    expect(about.locator("a")).to_have_count(0)  # no links into a repository a student cannot open
    assert tab.external == [] and tab.failed == []


# ---------------------------------------------------------------------------- issue 16: the student's rough edges
def _checkbox(page, text: str):
    return page.locator(".v-input--checkbox").filter(has_text=text).locator("input")


def test_play_panel_starts_each_round_fresh_and_closes_the_wto_while_exempt(tab):
    page = tab.page
    tab.start_playing("Canada", 3)
    expect(page.locator(".tradesim-play")).to_contain_text("You are Canada")
    # Canada starts exempt: no WTO case (agents may not file one either), and the page says why
    expect(page.locator(".tradesim-closed")).to_contain_text("WTO case needs a measure")
    expect(tab.button("WTO case")).to_have_count(0)
    # tick a demand, then retaliate instead: the tick is dropped for this move
    page.locator(".v-input--checkbox").filter(has_text="cap steel").locator("label").first.click()
    expect(_checkbox(page, "cap steel")).to_be_checked()
    tab.button("Retaliate").click()
    expect(page.get_by_text("Your move: retaliate")).to_be_visible()
    expect(_checkbox(page, "cap steel")).not_to_be_checked()
    tab.button("Play this round").click()
    tab.expect_round(1)
    # the next round starts fresh: stance Wait, nothing ticked, every demand can be ticked
    expect(page.get_by_text("Your move: wait (refuse all)")).to_be_visible()
    for text in ("cap steel", "security cooperation"):
        expect(_checkbox(page, text)).to_be_enabled()
        expect(_checkbox(page, text)).not_to_be_checked()


def test_rounds_to_play_refuses_text_and_huge_numbers(tab):
    page = tab.page
    page.get_by_role("tab", name="Play a country").click()
    rounds = page.get_by_label("Rounds to play")
    for bad in ("abc", "100000"):
        rounds.fill(bad)
        tab.button("Start playing").click()
        expect(page.locator(".tradesim-error")).to_contain_text("whole number from 0 to 200")
    expect(tab.button("Step")).to_be_enabled()  # nothing started


def test_reload_keeps_the_game_and_links_open_scenario_seed_and_exercise(browser, server):
    tab = Tab(browser, server["url"])
    try:
        page = tab.page
        tab.step(3)
        page.wait_for_url(re.compile(r"round=3"))
        page.reload()
        tab.expect_round(3)  # the game survived the reload
        expect(page.locator(".tradesim-events")).to_contain_text("Round 3:")
        page.goto(server["url"] + "?scenario=classroom&seed=3")
        expect(tab.status).to_contain_text("Classroom")
        tab.expect_round(0)
        expect(page.get_by_label("Seed (whole number)")).to_have_value("3")
        # the classroom game has no U.S. or China: their controls are not shown; its log has a line per round
        expect(page.get_by_text("U.S. toughness")).to_have_count(0)
        expect(page.get_by_text("China acts")).to_have_count(0)
        tab.step(1)
        expect(page.locator(".tradesim-events")).to_contain_text("Round 1:")
        expect(page.locator(".tradesim-events")).not_to_contain_text("No events yet")
        page.goto(server["url"] + "?exercise=replay-2018")
        expect(page.locator(".tradesim-play")).to_contain_text("You are Canada")
        expect(page.get_by_text("of 15").first).to_be_visible()
        page.get_by_role("tab", name="Exercises").click()
        expect(page.locator(".tradesim-exercise")).to_contain_text("Replay 2018")
        page.goto(server["url"] + "?seed=abc")
        expect(page.locator(".tradesim-error")).to_contain_text("could not be opened")
        tab.expect_round(0)
        assert tab.external == []
    finally:
        tab.close()


def test_busy_bar_shows_from_click_until_the_answer(tab):
    _watch_busy_bar(tab.page)
    tab.button("Reset").click()
    tab.page.wait_for_function("() => window.__busySeen", timeout=TIMEOUT_MS)
    expect(tab.page.locator(".tradesim-busy")).to_have_count(0)  # gone once the server answered
    tab.step(1)
    expect(tab.page.locator(".tradesim-busy")).to_have_count(0)


# ---------------------------------------------------------------------------- issue 16: a class on one server
@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    """A server that takes one game at a time and culls a dead browser's game after 3 s."""
    if CHROMIUM is None:
        pytest.skip("Debian chromium not found on PATH")
    with _serve(tmp_path_factory, "--max-sessions", "1", "--cull", "3s") as served:
        yield served


def _chromium_process(port: int) -> subprocess.Popen:
    """A real chromium process (so that it can be killed), driven over its debugging port."""
    import tempfile

    profile = tempfile.mkdtemp(prefix="tradesim-chromium-")
    return subprocess.Popen([CHROMIUM, "--headless", *CHROMIUM_ARGS, f"--remote-debugging-port={port}",
                             f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_class_is_full_page_and_places_come_back_on_close_and_after_a_killed_browser(browser, small_server):
    url = small_server["url"]
    first = Tab(browser, url)
    second = browser.new_context().new_page()
    second.goto(url)
    full = second.locator(".tradesim-full")
    expect(full).to_contain_text("The class is full")
    expect(full).to_contain_text("at most 1 games at once")
    first.close()  # a tab closed normally: its place is free at once
    second.get_by_role("button", name="Try again").click()
    expect(second.get_by_role("button", name="Step", exact=True)).to_be_visible()
    second.context.close()
    # a browser that is killed says no goodbye: its game is culled after --cull (3 s here)
    port = _free_port()
    chromium = _chromium_process(port)
    try:
        deadline = time.time() + 30
        while True:
            try:
                dead = browser.browser_type.connect_over_cdp(f"http://127.0.0.1:{port}")
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        page = dead.contexts[0].new_page()
        page.goto(url)
        expect(page.get_by_role("button", name="Step", exact=True)).to_be_visible()
    finally:
        chromium.kill()
        chromium.wait()
    late = browser.new_context().new_page()
    late.goto(url)
    expect(late.locator(".tradesim-full").or_(late.get_by_role("button", name="Step", exact=True))).to_be_visible()
    deadline = time.time() + 60
    while late.locator(".tradesim-full").count() and time.time() < deadline:
        late.wait_for_timeout(1000)
        late.get_by_role("button", name="Try again").click()
        late.wait_for_timeout(500)
    expect(late.get_by_role("button", name="Step", exact=True)).to_be_visible()
    late.context.close()


# ---------------------------------------------------------------------------- issue 17: the class game from the app
def test_class_game_tab_hosts_a_game_and_its_code_opens_the_join_page(browser, server):
    teacher, student = Tab(browser, server["url"]), Tab(browser, server["url"])
    try:
        teacher.page.get_by_role("tab", name="Class game").click()
        timer = teacher.page.get_by_label(re.compile("Round timer"))
        timer.fill("5")
        timer.press("Tab")
        teacher.button("Start a class game").click()
        expect(teacher.page.locator(".tradesim-error")).to_contain_text("too short for a class")
        timer.fill("0")
        timer.press("Tab")
        teacher.button("Start a class game").click()
        code_box = teacher.page.locator(".tradesim-join-code")
        expect(code_box).to_have_text(re.compile(r"^[A-Z2-9]{5}$"))
        expect(teacher.page).to_have_url(re.compile(r"\?class=[A-Z2-9]{5}&teacher="))
        page = student.page
        page.get_by_role("tab", name="Class game").click()
        code = page.get_by_label("Join code")
        code.fill("zzzz")
        code.press("Tab")
        student.button("Join").click()
        expect(page.locator(".tradesim-error")).to_contain_text("Join code got 'ZZZZ'; expected 5 letters or digits")
        code.fill(code_box.inner_text().lower())  # codes are read in any case
        code.press("Tab")
        student.button("Join").click()
        expect(page.get_by_text("Take a seat")).to_be_visible()
        expect(student.button("Canada")).to_be_enabled()
        assert student.external == [] and teacher.external == []
    finally:
        teacher.close()
        student.close()
