"""``tradesim app``: serve the browser app (Solara, offline, one game per tab)."""

from __future__ import annotations

import os
import sys

from cli.options import checked


def add_parser(sub) -> None:
    p = sub.add_parser("app", help="serve the browser app")
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", default=None, metavar="P", help="TCP port, 1 to 65535 (default 8765)")
    p.add_argument("--max-sessions", default=None, metavar="N",
                   help="games (browser tabs) the server holds at once; a further tab is told the class is full "
                        "(default 40)")
    p.add_argument("--cull", default="2m", metavar="TIME",
                   help="how long the game of a tab whose connection dropped without the tab closing is kept "
                        "(a connection back within it resumes the game; default 2m, e.g. 90s, 5m)")
    p.add_argument("--db", default=None, metavar="PATH",
                   help="the file class games are saved in, as they are played (SQLite; default "
                        "~/.local/share/tradesim/classgames.sqlite, or under $XDG_DATA_HOME): a restarted server "
                        "reopens every game in it, and their pages reconnect")
    p.add_argument("--classroom", action="store_true",
                   help="open on the class game: the front page hosts or joins a class game (one shared game, "
                        "each student a country) instead of a game of one's own")
    p.set_defaults(handler=handle)


def check_address(host: str, port: int) -> None:
    """Fail now, in one line, if the server could not listen on host:port (not after "serving on ...")."""
    import socket

    from sim.world.errors import UserError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UserError(f"--host '{host}' is not an address of this machine: {exc}") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server sets it
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno in (98, 48):  # EADDRINUSE on Linux, macOS
                raise UserError(f"--port {port}: the port is in use on {host} (another server?); "
                                "choose another with --port") from None
            raise UserError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


def _reachable(host: str) -> str:
    """The address students type: this machine's network address when serving on every interface."""
    import socket

    if host not in ("0.0.0.0", "::", ""):
        return host
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))  # no packet is sent: this only picks the outgoing interface
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def _timedelta(text: str) -> str:
    """Check a duration such as 90s, 2m or 1h (Solara's format) and return it."""
    import re

    from sim.world.errors import UserError

    if not re.fullmatch(r"\d+(\.\d+)?\s*(s|m|h|d)?", text.strip()):
        raise UserError(f"--cull must be a duration such as 90s, 2m or 1h, got {text!r}")
    return text.strip()


def _db_path(text: str | None):
    """The class-game file: --db's, checked (a file name in an existing folder, tradesim's if it exists),
    else the user's data folder.  A folder that cannot be written is not refused: the server says so on
    the teacher's page and keeps its games in memory."""
    from sim.world.errors import UserError
    from sim.world.paths import check_name
    from ui.classstore import ClassStore, NotAGameFile, StoreError, default_db_path

    if text is None:
        return default_db_path()
    path = check_name(text, "--db").expanduser().absolute()
    if path.is_dir():
        raise UserError(f"--db '{path}' is a folder; give a file name, e.g. {path / 'classgames.sqlite'}")
    if not path.parent.is_dir():
        raise UserError(f"--db '{path}': the folder {path.parent} does not exist")
    store = ClassStore(path)
    try:
        store.check()
    except NotAGameFile as exc:
        raise UserError(f"--db: {exc}") from None
    except StoreError:
        pass  # read-only, say: the server says it where the teacher sees it
    finally:
        store.close()
    return path


def handle(args) -> int:
    from sim.world.errors import UserError
    from sim.world.schema import MAX_SESSIONS_OPTION, PORT_OPTION
    from ui.resources import packaged

    args.port = checked(PORT_OPTION, args.port)
    args.max_sessions = checked(MAX_SESSIONS_OPTION, args.max_sessions)
    cull = _timedelta(args.cull)
    db = _db_path(args.db)
    check_address(args.host, args.port)

    app_path = packaged("app.py")
    if not app_path.exists():
        raise UserError(f"the app's page (app.py) is missing: looked for {app_path}")
    # no telemetry; no "runs on Solara" banner over the plots; the browser tab says tradesim
    env = dict(os.environ, SOLARA_TELEMETRY_MIXPANEL_ENABLE="false", SOLARA_THEME_SHOW_BANNER="false",
               SOLARA_THEME_TITLE="tradesim", TRADESIM_MAX_SESSIONS=str(args.max_sessions),
               # Solara keeps a disconnected tab's kernel for 24 h by default: a class's dead browsers
               # would hold their memory all day.  Culled after --cull instead.
               SOLARA_KERNEL_CULL_TIMEOUT=cull, TRADESIM_CLASSROOM="1" if args.classroom else "",
               # class games are saved here; a page whose server restarted re-runs the app from its address
               # (Solara's "soft remount") instead of asking to be refreshed: the game comes back from the file
               TRADESIM_DB=str(db), SOLARA_STATE_AUTO_REMOUNT="true")
    # a 12-line warning per page load about iframe cookies over plain http, which does not apply here
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    print(f"tradesim app: serving on http://{args.host}:{args.port}  (Ctrl-C to stop)", flush=True)
    if args.classroom:
        where = ("" if args.host not in ("127.0.0.1", "localhost", "::1")
                 else "  (this machine only: for a room, serve with --host 0.0.0.0)")
        print(f"class game: host it at http://{_reachable(args.host)}:{args.port}/ ; students join with the "
              f"code and link it shows{where}", flush=True)
    cmd = [sys.executable, "-m", "solara", "run", str(app_path), "--host", args.host,
           "--port", str(args.port), "--production"]
    # Become the server process, so that stopping `tradesim app` stops the server too.
    os.execve(sys.executable, cmd, env)
    return 0  # not reached
