"""Browser tests: the Solara app in headless Debian chromium, offline.

A module-scoped fixture serves ``app.py`` with ``solara run --production`` on a free
loopback port; each test opens its own browser context (its own session).
Skipped when chromium or playwright is missing.  Never runs ``playwright install``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("Debian chromium not found on PATH (apt-get install -y chromium); browser tests need it")
    pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("solara") / "server.log"
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false")
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            # the README's command: `tradesim app` (it execs `solara run app.py --production`)
            [sys.executable, "-m", "sim.cli", "app", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"solara exited early:\n{log_path.read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    pytest.fail(f"solara did not open port {port}:\n{log_path.read_text()}")
                time.sleep(0.3)
        yield {"url": f"http://127.0.0.1:{port}/", "log": log_path}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Tab:
    """One browser context (one Solara session) with its network record."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1500, "height": 1900})
        self.page = self.context.new_page()
        self.failed: list[str] = []
        self.external: list[str] = []
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.on("request", self._check_host)
        self.page.goto(url)
        self.page.get_by_role("button", name="Step").wait_for(timeout=TIMEOUT_MS)
        self.wait_round(0)

    def _check_host(self, request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("data:", "blob:")):
            return
        if host != "127.0.0.1":
            self.external.append(request.url)

    def status(self) -> str:
        return self.page.locator(".tradesim-status").inner_text()

    def wait_round(self, n: int):
        self.page.wait_for_function(
            "n => { const e = document.querySelector('.tradesim-status');"
            " return e && new RegExp('(round|month|year|week|quarter) ' + n + ':').test(e.innerText); }",
            arg=n, timeout=TIMEOUT_MS)

    def step(self, times: int = 1):
        start = self.current_round()
        for k in range(times):
            self.page.get_by_role("button", name="Step", exact=True).click()
            self.wait_round(start + k + 1)

    def current_round(self) -> int:
        import re

        return int(re.search(r"(?:round|month|year|week|quarter) (\d+):", self.status()).group(1))

    def images(self) -> list[str]:
        return [img.get_attribute("src") or "" for img in self.page.locator("img").all()]

    def select(self, label: str, option: str):
        self.page.locator(".v-select").filter(has_text=label).first.click()
        self.page.get_by_role("option", name=option, exact=True).click()

    def close(self):
        self.context.close()


@pytest.fixture
def tab(browser, server):
    tab = Tab(browser, server["url"])
    yield tab
    tab.close()


def test_page_loads_offline_with_zero_failed_requests(tab, server):
    tab.page.wait_for_timeout(1000)
    assert tab.failed == [], f"failed requests: {tab.failed}"
    assert tab.external == [], f"requests leaving the machine: {tab.external}"
    assert "Section 232" in tab.status()
    assert len(tab.images()) >= 4
    log = server["log"].read_text()
    assert "Could not load URL" not in log, log
    assert "Traceback" not in log, log


def test_step_advances_round_and_plots_change(tab):
    before = tab.images()
    tab.step(2)
    tab.page.wait_for_function(
        "old => Array.from(document.querySelectorAll('img')).map(i => i.src).join('|') !== old",
        arg="|".join(before), timeout=TIMEOUT_MS)
    after = tab.images()
    assert tab.current_round() == 2
    assert sum(a != b for a, b in zip(before, after)) >= 3, "tariff, counts, welfare or network plot did not change"
    assert "Round 1:" in tab.page.locator(".tradesim-events").inner_text()
    breakdown = tab.page.locator(".tradesim-breakdown")
    breakdown.wait_for(timeout=TIMEOUT_MS)
    text = breakdown.inner_text()
    assert "total" in text and "[1]" in text and "trade" in text, text


def test_switching_scenario_and_reset_changes_countries(tab):
    assert "Canada" in tab.page.locator(".tradesim-inspector").inner_text() or "Canada" in tab.page.content()
    tab.select("Scenario", "classroom")
    tab.page.get_by_text("press Reset").wait_for(timeout=TIMEOUT_MS)
    tab.page.get_by_role("button", name="Reset").click()
    tab.page.wait_for_function(
        "() => document.querySelector('.tradesim-status').innerText.includes('Classroom')", timeout=TIMEOUT_MS)
    tab.page.get_by_text("Country 1").first.wait_for(timeout=TIMEOUT_MS)
    assert "Canada" not in tab.page.locator(".tradesim-events").inner_text()
    tab.step(1)
    assert tab.current_round() == 1


def test_two_sessions_are_independent(browser, server):
    first, second = Tab(browser, server["url"]), Tab(browser, server["url"])
    try:
        first.step(3)
        second.page.wait_for_timeout(500)
        assert second.current_round() == 0
        second.step(1)
        assert first.current_round() == 3
        assert second.current_round() == 1
    finally:
        first.close()
        second.close()


def test_bad_seed_shows_message_and_app_keeps_working(tab):
    seed = tab.page.get_by_label("Seed (whole number)")
    seed.fill("abc")
    seed.press("Enter")
    tab.page.get_by_role("button", name="Reset").click()
    error = tab.page.locator(".tradesim-error")
    error.wait_for(timeout=TIMEOUT_MS)
    assert "whole number" in error.inner_text()
    seed.fill("")
    seed.press("Enter")
    tab.page.get_by_role("button", name="Reset").click()
    tab.page.get_by_text("Seed is empty").wait_for(timeout=TIMEOUT_MS)
    tab.step(1)  # the old game still runs
    assert tab.current_round() == 1
    seed.fill("11")
    seed.press("Enter")
    tab.page.get_by_role("button", name="Reset").click()
    tab.wait_round(0)
    assert tab.page.locator(".tradesim-error").count() == 0


def test_play_runs_rounds_and_pause_stops(tab):
    tab.page.get_by_role("button", name="Play", exact=True).click()
    tab.wait_round(2)
    tab.page.get_by_role("button", name="Pause", exact=True).click()
    tab.page.get_by_role("button", name="Play", exact=True).wait_for(timeout=TIMEOUT_MS)
    tab.page.wait_for_timeout(1500)
    stopped = tab.current_round()
    tab.page.wait_for_timeout(1500)
    assert tab.current_round() == stopped >= 2


def test_play_three_rounds_as_canada_and_see_the_debrief(tab):
    page = tab.page
    page.get_by_role("tab", name="Play a country").click()
    tab.select("Country to play", "Canada")
    rounds = page.get_by_label("Rounds to play")
    rounds.fill("3")
    rounds.press("Enter")
    page.get_by_role("button", name="Start playing").click()
    page.get_by_role("button", name="Play this round").wait_for(timeout=TIMEOUT_MS)
    panel = page.locator(".tradesim-play")
    assert "You are Canada" in panel.inner_text()
    assert "China's stance" in panel.inner_text()
    assert page.get_by_role("button", name="Step", exact=True).is_disabled()
    # round 1: accept the export cap and security cooperation, and look at the agent's advice
    for text in ("cap steel", "security cooperation"):
        page.locator(".v-input--checkbox").filter(has_text=text).locator("label").first.click()
    page.get_by_text("accept export_cap, security").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("Show what the agent would do").click()
    page.locator(".tradesim-advice").wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Play this round").click()
    tab.wait_round(1)
    # round 2: retaliate (the ticked demands are dropped for a non-wait stance)
    page.get_by_role("button", name="Retaliate", exact=True).click()
    page.get_by_text("Your move: retaliate").wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Play this round").click()
    tab.wait_round(2)
    # round 3: file a WTO case; the game ends and the debrief shows
    page.get_by_role("button", name="WTO case", exact=True).click()
    page.get_by_role("button", name="Play this round").click()
    debrief = page.locator(".tradesim-debrief")
    debrief.wait_for(timeout=TIMEOUT_MS)
    text = debrief.inner_text()
    assert "Debrief: Canada after 3 rounds" in text
    assert "The agent" in text and "Cumulative welfare" in text
    assert "2018-19 in reality" in text or "History not available" in text
    assert "accept export_cap, security" in text and "retaliate" in text and "wto" in text
    assert "is over" in page.locator(".v-navigation-drawer").inner_text()
    # after the game, a scenario without Canada resets into a watched game, not an error
    tab.select("Scenario", "classroom")
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("() => /Classroom/.test(document.querySelector('.tradesim-status').innerText)",
                           timeout=TIMEOUT_MS)
    tab.wait_round(0)
    assert page.get_by_role("button", name="Step", exact=True).is_enabled()
    assert "Could not start" not in page.content()
    assert tab.external == [] and tab.failed == []


def test_exercise_picker_and_about_panel(tab):
    page = tab.page
    page.get_by_role("tab", name="Exercises").click()
    tab.select("Exercise", "Replay 2018: play Canada, the EU, Japan or South Korea under Section 232")
    panel = page.locator(".tradesim-exercise")
    panel.wait_for(timeout=TIMEOUT_MS)
    for heading in ("WHAT IS IT", "HOW TO RUN", "THINGS TO NOTICE", "QUESTIONS"):
        assert heading in panel.inner_text()
    page.get_by_role("tab", name="Play a country").click()
    page.get_by_text("of 15").first.wait_for(timeout=TIMEOUT_MS)  # the preset: Canada, 15 rounds
    assert "You are Canada" in page.locator(".tradesim-play").inner_text()
    page.get_by_role("tab", name="About this model").click()
    about = page.locator(".tradesim-about")
    about.wait_for(timeout=TIMEOUT_MS)
    assert "HOW A ROUND WORKS" in about.inner_text()
    assert about.locator("a[href='docs/model.md']").count() == 1
    assert tab.external == [] and tab.failed == []
