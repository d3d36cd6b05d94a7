"""Retake docs/play-screenshot.png and docs/debrief-screenshot.png (Play a country, Canada, seed 7).

    uv run python docs/img/make_play_screenshots.py

Serves ``tradesim app`` on a free loopback port and drives Debian's chromium through Playwright
(never ``playwright install``): Canada for 8 months of section232_2018, seed 7, accepting the
export cap and security cooperation in months 1-2 and retaliating in month 3; the panel is
photographed in month 4, the debrief after month 8.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MOVES = {1: ("cap steel", "security cooperation"), 2: ("cap steel", "security cooperation"), 3: "Retaliate"}


def main() -> int:
    from playwright.sync_api import expect, sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser_support import CHROMIUM, CHROMIUM_ARGS, free_port

    port = free_port()
    script = Path(sys.executable).parent / "tradesim"
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false")
    server = subprocess.Popen([str(script), "app", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    expect.set_options(timeout=60_000)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1500, "height": 1500}).new_page()
            page.goto(f"http://127.0.0.1:{port}/?scenario=section232_2018&seed=7")
            expect(page.get_by_role("button", name="Step", exact=True)).to_be_visible()
            page.get_by_role("tab", name="Play a country").click()
            field = page.get_by_label("Rounds to play")
            field.fill("8")
            field.press("Enter")
            page.get_by_role("button", name="Start playing").click()
            for month in range(1, 9):
                expect(page.locator(".tradesim-play h3")).to_contain_text(f"month {month} of 8")
                move = MOVES.get(month, ())
                if isinstance(move, str):
                    page.get_by_role("button", name=move, exact=True).click()
                    expect(page.get_by_text(f"Your move: {move.lower()}")).to_be_visible()
                else:
                    for text in move:
                        page.locator(".v-input--checkbox").filter(has_text=text).locator("label").first.click()
                if month == 4:
                    page.wait_for_timeout(1500)
                    page.screenshot(path=DOCS / "play-screenshot.png")
                page.get_by_role("button", name="Play this round").click()
            expect(page.locator(".tradesim-debrief")).to_contain_text("Debrief: Canada after 8 months")
            page.set_viewport_size({"width": 1500, "height": 1300})
            page.locator(".tradesim-debrief").scroll_into_view_if_needed()
            page.wait_for_timeout(1500)
            page.screenshot(path=DOCS / "debrief-screenshot.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    print("wrote docs/play-screenshot.png, docs/debrief-screenshot.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
