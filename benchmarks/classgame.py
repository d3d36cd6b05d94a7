"""A class game on one server: 30 students in one shared game (issue 17).

``uv run python -m benchmarks.classgame --students 30`` starts ``tradesim app`` on a free loopback
port and drives Debian's chromium (Playwright from PyPI, never ``playwright install``): a teacher
page hosts a class game, a projector page watches it, and N student pages (browser contexts) take
seats.  Two games are measured, one after the other:

* ``classroom`` with N countries: one student per country;
* ``section232_2018`` (14 countries): the first 14 students take a country each, the others open a
  seat's link as team mates, so that N student pages follow 14 seats.

In each, for five rounds (CLOSES): every student page but three sends a move (the others are left
to the agents), then the teacher clicks "Close the round now".  What is recorded is the time from
that click to each student page showing the new round (``Date.now()`` in each page; every page runs
on this machine, so they share one clock): the median and the slowest page, with the CPU the
browsers used meanwhile, and the server's own CPU for the close (the ``tradesim app`` process,
psutil, less its idle rate: the browsers on the same cores do not count), per student page (issue
22's goal: at most 10 ms in section232_2018 with 30 pages, on the median of the closes).

Memory: the server's RSS when fresh; per game (five teacher pages each host a game: the RSS added by
the host clicks, divided by five); per student page (the RSS added by the N student pages, divided
by N).  And, in this process, what one game's objects take (``tracemalloc``: the shared model, the
shadow game, the per-country records, three rounds played).

Writes ``benchmarks/results/classgame.json`` (runs appended) and ``classgame.md`` (the latest).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from benchmarks.classload import CHROMIUM_ARGS, Server, _load, _summary, browser_cpu, log, record_run

RESULTS = Path(__file__).resolve().parent / "results"
TIMEOUT_MS = 180_000
GOAL_S = 1.0  # issue 17: round closed -> every student page shows the new round, at most 1 s on 2 cores
UNMOVED = 3  # student pages that send no move in a round (the agents play those seats)
CLOSES = 5  # round closes measured per game
PAGE_GOAL_MS = 10.0  # issue 22: server CPU per student page per round close, section232_2018, 30 pages
SETTLE_S = 1.5  # after every page shows the new round, the server's CPU is counted this much longer

WATCH = """
(pattern) => {
  window.__shown = null;
  const re = new RegExp(pattern);
  const check = () => {
    const el = document.querySelector(".tradesim-class-round");
    if (el && re.test(el.innerText)) { window.__shown = Date.now(); observer.disconnect(); }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""

CLICK = """
(name) => {
  const button = [...document.querySelectorAll("button")].find(b => b.innerText.trim().toUpperCase() === name);
  if (!button) { return -1; }
  const t = Date.now();
  button.click();
  return t;
}
"""


def game_memory_mb(scenario: str = "section232_2018", rounds: int = 3) -> float:
    """MB of Python objects one class game holds after ``rounds`` rounds, every country taken (tracemalloc)."""
    from ui.classgame import ClassRegistry, parse_setup

    registry = ClassRegistry(timers=False)
    registry.create(parse_setup(scenario, rounds="5", timer="0"))  # caches (scenario files) warmed up first
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    game, key = registry.create(parse_setup(scenario, rounds=str(rounds + 2), timer="0"))
    seats = [game.claim(f"student {k}", country) for k, country in enumerate(game.names)]
    game.start(key)
    for _ in range(rounds):
        for seat in seats:
            game.submit(seat.token, [], "wait")
    game.student_view(seats[0].token)
    game.projector_view()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return round(used / 1e6, 2)


async def _page(browser, url: str):
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(url, timeout=TIMEOUT_MS)
    return page


async def _host(browser, server: Server, scenario: str, countries: int | None, log, rounds: int = CLOSES + 1) -> tuple:
    """A teacher page hosting a game of ``rounds`` rounds; returns (page, code, RSS MB the host click added)."""
    teacher = await _page(browser, server.url)
    await teacher.get_by_role("button", name="Start a class game").wait_for(timeout=TIMEOUT_MS)
    if scenario != "section232_2018":
        await teacher.locator(".v-select").filter(has_text="Scenario").first.click()
        await teacher.get_by_role("option", name=scenario, exact=True).click()
    await teacher.get_by_label(re.compile("^Rounds")).fill(str(rounds))
    if countries:
        await teacher.get_by_label("Countries").fill(str(countries))
    await teacher.get_by_label("Round timer").fill("0")
    await teacher.get_by_label("Round timer").press("Tab")
    await asyncio.sleep(1.5)
    rss = server.rss_mb()
    await teacher.get_by_role("button", name="Start a class game").click()
    code_box = teacher.locator(".tradesim-join-code")
    await code_box.wait_for(timeout=TIMEOUT_MS)
    await asyncio.sleep(1.5)
    return teacher, (await code_box.inner_text()).strip(), server.rss_mb() - rss


async def _student(browser, server: Server, code: str, name: str, country: str | None, seat_url: str | None):
    """A student page on its seat: it takes ``country``, or opens a team mate's ``seat_url``."""
    page = await _page(browser, seat_url or f"{server.url}?class={code}")
    if seat_url is None:
        await page.get_by_label("Your name (or your team's)").fill(name)
        await page.get_by_label("Your name (or your team's)").press("Tab")
        await page.get_by_role("button", name=country, exact=True).click()
    await page.locator(".tradesim-student").wait_for(timeout=TIMEOUT_MS)
    await page.wait_for_url("**seat=**", timeout=TIMEOUT_MS)
    return page


async def _idle_cpu_rate(server: Server, seconds: float = 2.0) -> float:
    """The server's CPU seconds per second while nothing happens (its pages' threads waking up)."""
    cpu0, t0 = server.cpu(), time.perf_counter()
    await asyncio.sleep(seconds)
    return (server.cpu() - cpu0) / (time.perf_counter() - t0)


async def _round(teacher, students, seats: int, server: Server, number: int, label: str, log) -> dict:
    """The pages of every seat but the first UNMOVED send a move, then the teacher closes the round:
    the time from that click to each student page showing the new round, and the server's CPU for it.

    The server's CPU is the ``tradesim app`` process's own (psutil: user + system), so the browsers on
    the same cores do not count; it is taken from the click until every page shows the new round and
    SETTLE_S more (the rest of each redraw), less the idle rate measured just before over as long."""
    for k, page in enumerate(students):
        if k % seats >= UNMOVED:
            await page.get_by_role("button", name="Send my move").click()
    await teacher.wait_for_function(
        "n => [...document.querySelectorAll('.tradesim-seat-status')].filter(e => e.innerText.includes('moved'))"
        ".length >= n", arg=seats - UNMOVED, timeout=TIMEOUT_MS)
    await asyncio.sleep(3)  # let the "moves in" counts settle everywhere
    pattern = f"{label.capitalize()} {number + 1} of |Game over"
    await asyncio.gather(*[page.evaluate(WATCH, pattern) for page in students])
    idle = await _idle_cpu_rate(server)
    cpu0, browsers0, t0 = server.cpu(), browser_cpu(), time.perf_counter()
    clicked = await teacher.evaluate(CLICK, "CLOSE THE ROUND NOW")
    if clicked < 0:
        raise RuntimeError("no 'Close the round now' button on the teacher's page")
    await asyncio.gather(*[page.wait_for_function("() => window.__shown !== null", timeout=TIMEOUT_MS, polling=50)
                           for page in students])
    shown = await asyncio.gather(*[page.evaluate("() => window.__shown") for page in students])
    await asyncio.sleep(SETTLE_S)
    elapsed = time.perf_counter() - t0
    server_cpu = max(0.0, server.cpu() - cpu0 - idle * elapsed)
    browsers_cpu = browser_cpu() - browsers0
    waits = [(t - clicked) / 1000 for t in shown]
    per_page_ms = 1000 * server_cpu / len(students)
    log(f"    round {number}: every page after {max(waits):.2f} s (median {statistics.median(waits):.2f} s); "
        f"server CPU {server_cpu:.3f} s ({per_page_ms:.1f} ms per student page; idle {1000 * idle:.0f} ms/s "
        f"taken off), browsers {browsers_cpu:.2f} s")
    return {"round": number, "all_s": round(max(waits), 3), "median_s": round(statistics.median(waits), 3),
            "server_cpu_s": round(server_cpu, 4), "server_ms_per_page": round(per_page_ms, 2),
            "server_idle_ms_per_s": round(1000 * idle, 2), "browsers_cpu_s": round(browsers_cpu, 3)}


async def _one_game(browser, server: Server, scenario: str, students: int, log) -> dict:
    countries = students if scenario == "classroom" else None
    teacher, code, _ = await _host(browser, server, scenario, countries, log)
    projector = await _page(browser, f"{server.url}?class={code}&view=projector")
    await projector.locator(".tradesim-projector").wait_for(timeout=TIMEOUT_MS)
    names = [f"Country {k}" for k in range(1, students + 1)] if countries else None
    if names is None:
        from sim.world.loader import load_scenario

        names = [c.name for c in load_scenario(scenario).countries]
    rss0, t0 = server.rss_mb(), time.perf_counter()
    pages: list = []
    seats = min(students, len(names))
    for start in range(0, seats, 10):  # ten at a time: opening is the browsers' work, on the same cores
        pages += await asyncio.gather(*[_student(browser, server, code, f"Student {k}", names[k], None)
                                        for k in range(start, min(start + 10, seats))])
    for start in range(seats, students, 10):  # team mates on the same seats, by their seat links
        pages += await asyncio.gather(*[_student(browser, server, code, "", None, pages[k % seats].url)
                                        for k in range(start, min(start + 10, students))])
    joined_s = time.perf_counter() - t0
    await asyncio.sleep(3)
    per_student = (server.rss_mb() - rss0) / students
    log(f"  {scenario}: {students} student pages on {seats} seats in {joined_s:.0f} s; "
        f"{per_student:.2f} MB server memory per student page")
    await teacher.get_by_role("button", name="Start the game").click()
    label = "round" if scenario == "classroom" else "month"
    await pages[-1].locator(".tradesim-class-round").filter(has_text=f"{label.capitalize()} 1 of").wait_for(
        timeout=TIMEOUT_MS)
    rounds = [await _round(teacher, pages, seats, server, n, label, log) for n in range(1, CLOSES + 1)]
    for page in [teacher, projector, *pages]:
        await page.context.close()
    return {"scenario": scenario, "students": students, "seats": seats, "join_s": round(joined_s, 1),
            "rss_per_student_mb": round(per_student, 2), "rounds": rounds,
            "all_s": _summary([r["all_s"] for r in rounds]), "median_s": _summary([r["median_s"] for r in rounds]),
            "server_ms_per_page": _summary([r["server_ms_per_page"] for r in rounds])}


async def measure(students: int = 30, games: int = 5, log=print,
                  scenarios: tuple[str, ...] = ("classroom", "section232_2018")) -> dict:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("Debian chromium not found on PATH (apt-get install -y chromium)")
    result: dict = {"students": students, "load_before": _load()}
    result["game_objects_mb"] = game_memory_mb()
    log(f"  one section232_2018 game, every seat taken, 3 rounds: {result['game_objects_mb']} MB of objects")
    server = Server(students + games + 4, "2m", options=("--classroom",))
    try:
        await asyncio.sleep(3)
        result["rss_fresh_mb"] = round(server.rss_mb(), 1)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            hosted = [await _host(browser, server, "section232_2018", None, log) for _ in range(games)]
            result["rss_per_game_mb"] = round(statistics.mean(h[2] for h in hosted), 2)
            log(f"  {games} games hosted: {result['rss_per_game_mb']} MB server memory per game")
            for teacher, _, _ in hosted:
                await teacher.context.close()
            result["games"] = [await _one_game(browser, server, scenario, students, log)
                               for scenario in scenarios]
            await browser.close()
    finally:
        server.stop()
    result["load_after"] = _load()
    return result


def markdown(r: dict) -> str:
    out = [f"Class game: {r['students']} student pages, a teacher and a projector against one `tradesim app` "
           f"({r['machine']}; load average before {r['load_before']}, after {r['load_after']}; {r['when']})", "",
           "| game | round closed -> every student page shows the new round (each close) | median page | "
           "server CPU per round close (median) | per student page, each close | per student page, median "
           "(goal <= 10 ms in section232_2018) | browsers' CPU per round | goal <= 1 s met |",
           "|---|---|---|---|---|---|---|---|"]
    for g in r["games"]:
        cpu = statistics.median(x["server_cpu_s"] for x in g["rounds"])
        browsers = statistics.mean(x["browsers_cpu_s"] for x in g["rounds"])
        per_page = [x.get("server_ms_per_page", 1000 * x["server_cpu_s"] / g["students"]) for x in g["rounds"]]
        median = statistics.median(per_page)
        met = "" if g["scenario"] != "section232_2018" else (" (met)" if median <= PAGE_GOAL_MS else " (NOT met)")
        out.append(f"| {g['scenario']}, {g['students']} pages on {g['seats']} seats | "
                   f"{', '.join(str(x['all_s']) for x in g['rounds'])} s | {g['median_s']['median']} s | "
                   f"{cpu:.3f} s | {', '.join(f'{p:.1f}' for p in per_page)} ms | {median:.1f} ms{met} | "
                   f"{browsers:.2f} s | {'yes' if g['all_s']['max'] <= GOAL_S else 'NO'} |")
    out += ["", "| memory | MB |", "|---|---|",
            f"| server, fresh | {r['rss_fresh_mb']} |",
            f"| server, per class game (host click, mean of 5) | {r['rss_per_game_mb']} |"]
    out += [f"| server, per student page ({g['scenario']}) | {g['rss_per_student_mb']} |" for g in r["games"]]
    out.append(f"| one game's objects (section232_2018, every seat, 3 rounds; tracemalloc) | {r['game_objects_mb']} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classgame", description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--games", type=int, default=5, help="games hosted to measure the memory per game")
    parser.add_argument("--out", default=str(RESULTS), help="directory for classgame.json and classgame.md")
    parser.add_argument("--tag", default="", help="a name for this run, kept in the json")
    parser.add_argument("--scenario", action="append", choices=("classroom", "section232_2018"),
                        help="the game(s) to play (default: both)")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.students, args.games, log,
                                 tuple(args.scenario or ("classroom", "section232_2018"))))
    print(record_run(result, Path(args.out), "classgame", args.tag, markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
