"""``tradesim app``: serve the browser app (Solara, offline, one game per tab)."""

from __future__ import annotations

import os
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("app", help="serve the browser app")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from sim.world.errors import UserError
    from ui.resources import packaged

    app_path = packaged("app.py")
    if not app_path.exists():
        raise UserError(f"the app's page (app.py) is missing: looked for {app_path}")
    # no telemetry; no "runs on Solara" banner over the plots; the browser tab says tradesim
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false", SOLARA_THEME_SHOW_BANNER="false",
               SOLARA_THEME_TITLE="tradesim")
    # a 12-line warning per page load about iframe cookies over plain http, which does not apply here
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    print(f"tradesim app: serving on http://{args.host}:{args.port}  (Ctrl-C to stop)", flush=True)
    cmd = [sys.executable, "-m", "solara", "run", str(app_path), "--host", args.host,
           "--port", str(args.port), "--production"]
    # Become the server process, so that stopping `tradesim app` stops the server too.
    os.execve(sys.executable, cmd, env)
    return 0  # not reached
