"""Retake the instructor guide's class-game screenshots (docs/img/class-*.png).

    uv run python docs/img/make_class_screenshots.py [--host ADDRESS]

Serves ``tradesim app --classroom`` on ADDRESS (default: this machine's first address from
``hostname -I``, so that the pages show a network address as a teacher's would, not 127.0.0.1) and
drives Debian's chromium through Playwright (never ``playwright install``): a teacher hosts
section232_2018 for 3 months (timer 120 s, seed 7), four students take seats, and the pages are
photographed: the teacher's page after seating, a student's page and the projector (1280 wide) in
month 2, and the teacher's page with the class table at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
STUDENTS = (("Amira", "Canada"), ("Jonas and Lea", "Mexico"), ("Team Brussels", "EU"), ("Kenji", "Japan"))
MOVES = {1: {"Canada": "Retaliate", "Mexico": "Retaliate", "EU": "Wait"},  # Kenji sends nothing in month 1
         2: {"Canada": "Wait", "Mexico": "Retaliate", "EU": "Retaliate", "Japan": "Wait"},
         3: {"Canada": "Wait", "Mexico": "Wait", "EU": "Retaliate", "Japan": "Wait"}}


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def main() -> int:
    from playwright.sync_api import expect, sync_playwright

    sys.path.insert(0, str(ROOT / "tests"))
    from browser_support import CHROMIUM, CHROMIUM_ARGS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=subprocess.run(["hostname", "-I"], capture_output=True, text=True)
                        .stdout.split()[0])
    args = parser.parse_args()
    port = free_port(args.host)
    url = f"http://{args.host}:{port}/"
    script = Path(sys.executable).parent / "tradesim"
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false")
    server = subprocess.Popen([str(script), "app", "--classroom", "--host", args.host, "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    expect.set_options(timeout=60_000)
    try:
        for _ in range(300):
            try:
                socket.create_connection((args.host, port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

            def page(address: str, width: int = 1300, height: int = 1250):  # the whole page in one picture
                opened = browser.new_context(viewport={"width": width, "height": height}).new_page()
                opened.goto(address)
                return opened

            def settle(shown):
                shown.wait_for_timeout(1500)  # the last redraw's fade

            teacher = page(url)
            for label, value in (("^Rounds", "3"), ("Round timer", "120"), ("Seed", "7")):
                field = teacher.get_by_label(re.compile(label))
                field.fill(value)
                field.press("Tab")
            teacher.get_by_role("button", name="Start a class game").click()
            expect(teacher.locator(".tradesim-join-code")).to_be_visible()
            code = teacher.locator(".tradesim-join-code").inner_text().strip()
            students = {}
            for name, country in STUDENTS:
                student = page(f"{url}?class={code}")
                field = student.get_by_label("Your name (or your team's)")
                field.fill(name)
                field.press("Tab")
                student.get_by_role("button", name=country, exact=True).click()
                expect(student.locator(".tradesim-student")).to_contain_text(f"{name} plays {country}")
                students[country] = student
            expect(teacher.locator(".tradesim-seats tr")).to_have_count(5)
            settle(teacher)
            teacher.screenshot(path=OUT / "class-teacher.png", full_page=True)
            teacher.get_by_role("button", name="Start the game", exact=True).click()
            for month in (1, 2, 3):
                for country, stance in MOVES[month].items():
                    student = students[country]
                    expect(student.locator(".tradesim-play h3")).to_contain_text(f"month {month} of 3")
                    if stance != "Wait":
                        student.get_by_role("button", name=stance, exact=True).click()
                        expect(student.get_by_text(f"Your move: {stance.lower()}")).to_be_visible()
                    student.get_by_role("button", name="Send my move").click()
                    expect(student.locator(".tradesim-sent").or_(student.locator(".tradesim-class-round").filter(
                        has_text=f"{month + 1} of 3")).or_(student.locator(".tradesim-debrief")).first).to_be_visible()
                if month == 1:
                    teacher.get_by_role("button", name="Close the round now").click()
                    expect(teacher.locator(".tradesim-class-round")).to_contain_text("Month 2 of 3")
                    amira = students["Canada"]
                    expect(amira.locator(".tradesim-play h3")).to_contain_text("month 2 of 3")
                    amira.locator(".v-input--checkbox").filter(has_text="security cooperation").locator(
                        "label").first.click()
                    settle(amira)
                    amira.screenshot(path=OUT / "class-student.png", full_page=True)
                    projector = page(f"{url}?class={code}&view=projector", 1280, 720)
                    expect(projector.locator(".tradesim-plot svg")).to_have_count(4)
                    expect(projector.locator(".tradesim-events")).to_contain_text("Month 1:")
                    settle(projector)
                    projector.screenshot(path=OUT / "class-projector.png", full_page=True)
            expect(teacher.locator(".tradesim-class-round")).to_contain_text("Game over")
            expect(teacher.locator(".tradesim-class-table tr")).to_have_count(5)
            settle(teacher)
            teacher.screenshot(path=OUT / "class-table.png", full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    print("wrote", ", ".join(f"docs/img/class-{n}.png" for n in ("teacher", "student", "projector", "table")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
