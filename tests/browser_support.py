"""What the browser tests share: Debian's chromium, a `tradesim app` server on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 60_000
# the README's command: the `tradesim` console script of this environment
_SCRIPT = Path(sys.executable).parent / "tradesim"
TRADESIM = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(tmp_path_factory, *options):
    """`tradesim app` on a free loopback port, as the README runs it (it execs `solara run app.py --production`)."""
    pytest.importorskip("playwright.sync_api", reason="playwright (PyPI) is not installed")
    port = free_port()
    log_path = tmp_path_factory.mktemp("solara") / "server.log"
    # class games are saved under the data folder: the test's own, not the user's
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false", XDG_DATA_HOME=str(log_path.parent))
    with open(log_path, "w") as log:
        proc = subprocess.Popen([*TRADESIM, "app", "--host", "127.0.0.1", "--port", str(port), *options],
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


@contextlib.contextmanager
def chromium():
    """Debian's chromium through Playwright; every ``expect(...)`` waits up to TIMEOUT_MS on a loaded machine."""
    from playwright.sync_api import expect as playwright_expect
    from playwright.sync_api import sync_playwright

    playwright_expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def expect(target):
    """Playwright's auto-waiting ``expect`` (imported when a browser test runs, not when tests are collected)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


# pages of the class game, shared by its browser tests
def new_page(browser, url: str):
    page = browser.new_context(viewport={"width": 1300, "height": 1000}, accept_downloads=True).new_page()
    page.goto(url)
    return page


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def month(page, text: str):
    expect(page.locator(".tradesim-class-round")).to_contain_text(text)
