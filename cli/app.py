"""``tradesim app``: serve the browser app (Solara, offline, one game per tab)."""

from __future__ import annotations

import os
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("app", help="serve the browser app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--max-sessions", type=int, default=40, metavar="N",
                   help="games (browser tabs) the server holds at once; a further tab is told the class is full "
                        "(default 40)")
    p.add_argument("--cull", default="2m", metavar="TIME",
                   help="how long the game of a tab whose connection dropped without the tab closing is kept "
                        "(a connection back within it resumes the game; default 2m, e.g. 90s, 5m)")
    p.set_defaults(handler=handle)


def _timedelta(text: str) -> str:
    """Check a duration such as 90s, 2m or 1h (Solara's format) and return it."""
    import re

    from sim.world.errors import UserError

    if not re.fullmatch(r"\d+(\.\d+)?\s*(s|m|h|d)?", text.strip()):
        raise UserError(f"--cull must be a duration such as 90s, 2m or 1h, got {text!r}")
    return text.strip()


def handle(args) -> int:
    from sim.world.errors import UserError
    from ui.resources import packaged

    app_path = packaged("app.py")
    if not app_path.exists():
        raise UserError(f"the app's page (app.py) is missing: looked for {app_path}")
    # no telemetry; no "runs on Solara" banner over the plots; the browser tab says tradesim
    if args.max_sessions < 1:
        raise UserError(f"--max-sessions must be 1 or more, got {args.max_sessions}")
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false", SOLARA_THEME_SHOW_BANNER="false",
               SOLARA_THEME_TITLE="tradesim", TRADESIM_MAX_SESSIONS=str(args.max_sessions),
               # Solara keeps a disconnected tab's kernel for 24 h by default: a class's dead browsers
               # would hold their memory all day.  Culled after --cull instead.
               SOLARA_KERNEL_CULL_TIMEOUT=_timedelta(args.cull))
    # a 12-line warning per page load about iframe cookies over plain http, which does not apply here
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    print(f"tradesim app: serving on http://{args.host}:{args.port}  (Ctrl-C to stop)", flush=True)
    cmd = [sys.executable, "-m", "solara", "run", str(app_path), "--host", args.host,
           "--port", str(args.port), "--production"]
    # Become the server process, so that stopping `tradesim app` stops the server too.
    os.execve(sys.executable, cmd, env)
    return 0  # not reached
