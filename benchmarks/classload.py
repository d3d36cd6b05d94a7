"""A class on one server: N Chromium sessions against one ``tradesim app`` (issue 16's table).

``uv run python -m benchmarks.classload --sessions 30`` starts ``tradesim app`` on a free
loopback port, drives N browser contexts of Debian's chromium (Playwright from PyPI, never
``playwright install``) and records, with the machine's load beside them:

* one session alone: page open, Step click to the updated page (median of 10), the server
  CPU of one Step, and Start playing / Play again / Stop playing;
* N pages opened at once: the time until each is usable (its Step button and round 0 shown);
* N Steps clicked at the same moment (3 times): click to updated page, median and max; the
  server CPU per Step;
* N Resets at the same moment: wall time, median and max, and the server CPU per Reset;
* memory: the server's RSS when fresh (started, no page yet), with N sessions open (per
  session), and ``--after`` seconds (default 120) after all tabs closed;
* a killed browser: a separate chromium process holding one session is killed (SIGKILL, no
  goodbye) when the tabs close; the time until the server has culled its game
  (``/resourcez``: no kernel left), with ``--cull`` (default 2m, as ``tradesim app``).

Times are measured in the page (``performance.now()`` from the click to the status line of
the new round), so they are what a student waits.  The server and the browsers share the
machine's cores (and, on the development machine, with other people's jobs): the load
average is recorded before and after.

Writes ``benchmarks/results/classload.json`` and ``classload.md`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-renderer-backgrounding",
                 "--disable-background-timer-throttling", "--disable-backgrounding-occluded-windows"]
ROUND = r"(round|month|year|week|quarter) {}:"
TIMEOUT_MS = 180_000

TARGETS = {  # issue 16, "Done means"
    "open_all_s": ("30 sessions open at once are all usable within", 15.0, "s"),
    "step_median_s": ("30 simultaneous Steps: median at most", 1.0, "s"),
    "step_cpu_ms": ("server CPU per Step at most", 50.0, "ms"),
    "reset_cpu_s": ("Reset at most", 0.3, "s of server CPU"),
    "memory_after_ratio": ("memory 2 minutes after all tabs close within 10% of the fresh server's:", 1.10,
                           "x fresh"),
    "cull_s": ("a killed browser's session is gone within", 300.0, "s"),
}

# Click a button and resolve with the milliseconds until the status line matches `pattern`
# (or -1 after `timeout`): measured in the page, so it is what the student waits.
CLICK_AND_WAIT = """
async ({name, pattern, timeout}) => {
  const re = new RegExp(pattern);
  const button = [...document.querySelectorAll("button")]
      .find(b => b.innerText.trim().toUpperCase() === name.toUpperCase());
  if (!button) { return -2; }
  const t0 = performance.now();
  return await new Promise((resolve) => {
    const check = () => {
      const status = document.querySelector(".tradesim-status");
      if (status && re.test(status.innerText)) { observer.disconnect(); resolve(performance.now() - t0); }
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, {subtree: true, childList: true, characterData: true});
    button.click();
    setTimeout(() => { observer.disconnect(); resolve(-1); }, timeout);
  });
}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def browser_cpu() -> float:
    """CPU seconds used so far by the chromium processes this benchmark started (its own, not other people's)."""
    import psutil

    total = 0.0
    for proc in psutil.Process().children(recursive=True):
        try:
            if "chrom" in proc.name():
                times = proc.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            continue
    return total


class Server:
    """``tradesim app`` in a subprocess, with its CPU time, memory and kernel count."""

    def __init__(self, sessions: int, cull: str, extra_env: dict | None = None, options: tuple[str, ...] = ()):
        import psutil

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        script = Path(sys.executable).parent / "tradesim"
        command = [str(script)] if script.exists() else [sys.executable, "-m", "cli"]
        self.log = tempfile.NamedTemporaryFile("w", prefix="classload-server-", suffix=".log", delete=False)
        env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false", **(extra_env or {}))
        self.proc = subprocess.Popen([*command, "app", "--host", "127.0.0.1", "--port", str(self.port),
                                      "--max-sessions", str(sessions + 5), "--cull", cull, *options],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tradesim app exited early; see {self.log.name}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"tradesim app did not open port {self.port}") from None
                time.sleep(0.3)
        self.process = psutil.Process(self.proc.pid)

    def cpu(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def rss_mb(self) -> float:
        return self.process.memory_info().rss / 1e6

    def kernels(self) -> int:
        with urllib.request.urlopen(self.url + "resourcez", timeout=10) as response:
            return int(json.load(response)["kernels"]["total"])

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def _open(browser, url: str, t0: float) -> tuple:
    """A new context and page; returns (context, page, seconds from t0 until usable)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await page.goto(url, timeout=TIMEOUT_MS)
    await page.wait_for_function(
        "re => { const s = document.querySelector('.tradesim-status');"
        " const b = [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === 'STEP');"
        " return s && b && new RegExp(re).test(s.innerText); }",
        arg=ROUND.format(0), timeout=TIMEOUT_MS, polling=100)
    return context, page, time.perf_counter() - t0


async def _click(page, name: str, round_: int) -> float:
    ms = await page.evaluate(CLICK_AND_WAIT, {"name": name, "pattern": ROUND.format(round_), "timeout": TIMEOUT_MS})
    if ms < 0:
        raise RuntimeError(f"{name}: the page did not show round {round_} ({ms})")
    return ms / 1000.0


def _summary(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "max": round(max(values), 3),
            "min": round(min(values), 3), "n": len(values)}


async def _alone(browser, server: Server, log) -> dict:
    """One session alone: open, 10 Steps, a Reset, and the play-a-country buttons."""
    context, page, opened = await _open(browser, server.url, time.perf_counter())
    out: dict = {"open_s": round(opened, 3)}
    steps, cpu0 = [], server.cpu()
    for k in range(1, 11):
        steps.append(await _click(page, "Step", k))
    out["step_s"] = _summary(steps)
    out["step_cpu_ms"] = round(1000 * (server.cpu() - cpu0) / 10, 1)
    cpu0 = server.cpu()
    out["reset_s"] = round(await _click(page, "Reset", 0), 3)
    out["reset_cpu_s"] = round(server.cpu() - cpu0, 3)
    await page.get_by_role("tab", name="Play a country").click()
    timings = {}
    for name, shown in (("Start playing", ".tradesim-play"), ("Play again", ".tradesim-play"),
                        ("Stop playing (watch the agents)", "text=Start playing")):
        if name == "Play again":  # finish first, so that the debrief offers Play again
            await page.get_by_role("button", name="Finish and debrief").click()
            await page.locator(".tradesim-debrief").wait_for(timeout=TIMEOUT_MS)
        button = page.get_by_role("button", name=name, exact=True)
        await button.wait_for(timeout=TIMEOUT_MS)
        t = time.perf_counter()
        await button.click()
        if name == "Play again":
            await page.locator(".tradesim-debrief").wait_for(state="detached", timeout=TIMEOUT_MS)
        await page.locator(shown).first.wait_for(timeout=TIMEOUT_MS)
        timings[name.split(" (")[0]] = round(time.perf_counter() - t, 3)
    out["play_buttons_s"] = timings
    log(f"  one session: open {out['open_s']} s, Step {out['step_s']['median']} s "
        f"({out['step_cpu_ms']} ms CPU), Reset {out['reset_s']} s ({out['reset_cpu_s']} s CPU), {timings}")
    await context.close()
    return out


def _dead_browser(port: int) -> subprocess.Popen:
    profile = tempfile.mkdtemp(prefix="classload-chromium-")
    return subprocess.Popen([shutil.which("chromium") or "chromium", "--headless", *CHROMIUM_ARGS,
                             f"--remote-debugging-port={port}", f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def measure(sessions: int = 30, after: float = 120.0, cull: str = "2m", log=print) -> dict:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium")
    if chromium is None:
        raise RuntimeError("Debian chromium not found on PATH (apt-get install -y chromium)")
    result: dict = {"sessions": sessions, "cull": cull, "after_close_s": after, "load_before": _load()}
    server = Server(sessions, cull)
    try:
        await asyncio.sleep(3)
        result["rss_fresh_mb"] = round(server.rss_mb(), 1)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            result["alone"] = await _alone(browser, server, log)
            await asyncio.sleep(2)
            rss_before = server.rss_mb()
            result["rss_before_open_mb"] = round(rss_before, 1)

            # ---- N pages at once
            cpu0, browser0, t0 = server.cpu(), browser_cpu(), time.perf_counter()
            opened = await asyncio.gather(*[_open(browser, server.url, t0) for _ in range(sessions)])
            result["open_all_s"] = _summary([o[2] for o in opened])
            result["open_cpu_s_per_session"] = round((server.cpu() - cpu0) / sessions, 3)
            result["open_browser_cpu_s_per_session"] = round((browser_cpu() - browser0) / sessions, 3)
            pages = [o[1] for o in opened]
            log(f"  {sessions} opened at once: all usable after {result['open_all_s']['max']} s "
                f"(median {result['open_all_s']['median']} s)")
            await asyncio.sleep(3)
            rss_open = server.rss_mb()
            result["rss_open_mb"] = round(rss_open, 1)
            result["rss_per_session_mb"] = round((rss_open - rss_before) / sessions, 2)

            # ---- N Steps at the same moment, three times
            steps: list[float] = []
            cpu0, browser0 = server.cpu(), browser_cpu()
            for k in range(1, 4):
                steps += await asyncio.gather(*[_click(page, "Step", k) for page in pages])
                await asyncio.sleep(1)
            result["step_all_s"] = _summary(steps)
            result["step_cpu_ms"] = round(1000 * (server.cpu() - cpu0) / (3 * sessions), 1)
            result["step_browser_cpu_ms"] = round(1000 * (browser_cpu() - browser0) / (3 * sessions), 1)
            log(f"  {sessions} simultaneous Steps: median {result['step_all_s']['median']} s, "
                f"max {result['step_all_s']['max']} s; {result['step_cpu_ms']} ms server CPU per Step")

            # ---- N Resets at the same moment
            cpu0, browser0 = server.cpu(), browser_cpu()
            resets = await asyncio.gather(*[_click(page, "Reset", 0) for page in pages])
            result["reset_all_s"] = _summary(resets)
            result["reset_cpu_s"] = round((server.cpu() - cpu0) / sessions, 3)
            result["reset_browser_cpu_s"] = round((browser_cpu() - browser0) / sessions, 3)
            log(f"  {sessions} simultaneous Resets: median {result['reset_all_s']['median']} s, "
                f"max {result['reset_all_s']['max']} s; {result['reset_cpu_s']} s server CPU per Reset")

            # ---- a browser that dies, and every tab closed
            port = _free_port()
            dead = _dead_browser(port)
            try:
                for _ in range(60):
                    try:
                        remote = await pw.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
                        break
                    except Exception:  # noqa: BLE001 - not up yet
                        await asyncio.sleep(0.5)
                else:
                    raise RuntimeError("the chromium to kill did not start")
                remote_page = await remote.contexts[0].new_page()
                await remote_page.goto(server.url, timeout=TIMEOUT_MS)
                await remote_page.get_by_role("button", name="Step", exact=True).wait_for(timeout=TIMEOUT_MS)
                kernels_with_dead = server.kernels()
            finally:
                dead.kill()  # SIGKILL: no page close, no goodbye
                dead.wait()
            closed_at = time.perf_counter()
            await asyncio.gather(*[o[0].close() for o in opened])
            await browser.close()
        result["kernels_open_before_close"] = kernels_with_dead
        samples, cull_s = [], None
        while True:
            elapsed = time.perf_counter() - closed_at
            kernels = server.kernels()
            samples.append({"t": round(elapsed, 1), "kernels": kernels, "rss_mb": round(server.rss_mb(), 1)})
            if kernels == 0 and cull_s is None:
                cull_s = round(elapsed, 1)
            if elapsed >= after and (cull_s is not None or elapsed > 600):
                break
            await asyncio.sleep(5)
        result["kernels_after_close"] = samples
        result["cull_s"] = cull_s
        after_rss = next(s["rss_mb"] for s in samples if s["t"] >= after)
        result["rss_after_close_mb"] = after_rss
        result["memory_after_ratio"] = round(after_rss / result["rss_fresh_mb"], 3)
        log(f"  memory: fresh {result['rss_fresh_mb']} MB, with {sessions} sessions {result['rss_open_mb']} MB "
            f"({result['rss_per_session_mb']} MB each), {after:.0f} s after closing {after_rss} MB; "
            f"killed browser's session culled after {cull_s} s")
    finally:
        server.stop()
    result["load_after"] = _load()
    result["targets"] = _targets(result)
    return result


def _targets(r: dict) -> dict:
    values = {"open_all_s": r["open_all_s"]["max"], "step_median_s": r["step_all_s"]["median"],
              "step_cpu_ms": r["step_cpu_ms"], "reset_cpu_s": r["reset_cpu_s"],
              "memory_after_ratio": r["memory_after_ratio"], "cull_s": r["cull_s"]}
    return {key: {"goal": TARGETS[key][0], "limit": TARGETS[key][1], "unit": TARGETS[key][2], "value": value,
                  "met": value is not None and value <= TARGETS[key][1]} for key, value in values.items()}


def markdown(r: dict) -> str:
    a = r["alone"]
    rows = [
        ("Step click to updated page, one session alone", f"{a['step_s']['median']} s median (10 Steps)"),
        (f"{r['sessions']} sessions click Step at the same moment (3 times)",
         f"{r['step_all_s']['median']} s median, {r['step_all_s']['max']} s max"),
        ("Server CPU per Step", f"{r['step_cpu_ms']} ms under load; {a['step_cpu_ms']} ms alone "
                                f"(the browsers: {r['step_browser_cpu_ms']} ms per page and Step)"),
        (f"Page open, alone / {r['sessions']} at once (until usable)",
         f"{a['open_s']} s / {r['open_all_s']['median']} s median, {r['open_all_s']['max']} s for the last; "
         f"{r['open_cpu_s_per_session']} s server CPU per page (the browsers: "
         f"{r['open_browser_cpu_s_per_session']} s per page)"),
        (f"Reset, alone / {r['sessions']} at once",
         f"{a['reset_s']} s / {r['reset_all_s']['median']} s median, {r['reset_all_s']['max']} s max; "
         f"{r['reset_cpu_s']} s server CPU per Reset ({a['reset_cpu_s']} s alone; the browsers: "
         f"{r['reset_browser_cpu_s']} s per page)"),
        ("Start playing, Play again, Stop playing (one session)",
         ", ".join(f"{v} s" for v in a["play_buttons_s"].values()) + " (a busy bar shows from the click)"),
        ("Memory per session", f"{r['rss_per_session_mb']} MB ({r['rss_before_open_mb']} -> {r['rss_open_mb']} MB "
                               f"for {r['sessions']})"),
        (f"Memory {r['after_close_s']:.0f} s after closing all tabs",
         f"{r['rss_after_close_mb']} MB; fresh server {r['rss_fresh_mb']} MB ({r['memory_after_ratio']}x)"),
        ("Session of a killed browser", f"culled after {r['cull_s']} s (--cull {r['cull']})"),
    ]
    out = [f"Class load: {r['sessions']} Chromium sessions against one `tradesim app` "
           f"({r['machine']}; load average before {r['load_before']}, after {r['load_after']}; {r['when']})", "",
           "| what | measured |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in rows]
    out += ["", "| target (issue 16) | measured | met |", "|---|---|---|"]
    for t in r["targets"].values():
        out.append(f"| {t['goal']} {t['limit']:g} {t['unit']} | {t['value']} | {'yes' if t['met'] else 'NO'} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classload", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--after", type=float, default=120.0, help="seconds after closing all tabs to read memory")
    parser.add_argument("--cull", default="2m", help="tradesim app --cull (default 2m)")
    parser.add_argument("--out", default=str(RESULTS), help="directory for classload.json and classload.md")
    parser.add_argument("--tag", default="", help="a name for this run, kept in the json")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.sessions, args.after, args.cull, log))
    print(record_run(result, Path(args.out), "classload", args.tag, markdown))
    return 0


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def record_run(result: dict, out: Path, name: str, tag: str, markdown) -> str:
    """Stamp ``result`` (machine, time, tag), append it to ``out/NAME.json``, write ``out/NAME.md``: its table."""
    result["machine"] = f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}"
    result["when"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    result["tag"] = tag
    out.mkdir(parents=True, exist_ok=True)
    runs_path = out / f"{name}.json"
    runs = json.loads(runs_path.read_text()) if runs_path.exists() else []
    runs.append(result)
    runs_path.write_text(json.dumps(runs, indent=1) + "\n")
    table = markdown(result)
    (out / f"{name}.md").write_text(table)
    return table


if __name__ == "__main__":
    sys.exit(main())
