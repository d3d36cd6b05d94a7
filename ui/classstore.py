"""Class games on disk: one SQLite file (the standard library's sqlite3, WAL mode) holding each game's
journal of changes, from which a game is rebuilt after a restart.

What is kept, per game (table ``games``): the teacher's settings (:class:`ui.classgame.ClassSetup`), the
SHA-256 digest of the teacher key, when it was created, last changed and finished, its phase and round,
and the open round's clock (seconds since it opened, seconds left, paused or not).  Table ``events``
holds the journal: every change a person made, in order: a seat taken (with the digest of the seat's
token, never the token), freed or moved, the start, each move sent, each round closed, pause, resume,
the end.  The model is deterministic for a scenario and a seed, so replaying the journal gives the game
exactly as it was (:meth:`ui.classgame.ClassGame.rebuild`).  Table ``removed`` remembers the codes of
deleted games, so that their links can say what happened.

Each change is committed (``synchronous=FULL``: on disk, not just in the operating system's cache)
before the person who made it is answered.  A write that fails (a full disk, a read-only folder) raises
:class:`StoreError` with the reason in words; the game goes on in memory and the next write tries the
whole backlog again.  Secrets are kept as SHA-256 digests: the keys and tokens are 96 to 128 random
bits, so a digest cannot be turned back into a working link.

Plain Python, no Solara: tested without a browser (tests/test_classstore.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DB_ENV = "TRADESIM_DB"  # `tradesim app --db PATH` hands the path to the server in this variable
DB_NAME = "classgames.sqlite"
KEEP_DAYS = 30  # a finished game (or one untouched this long) is removed after this many days
SCHEMA_VERSION = 1
APPLICATION_ID = 0x54534347  # "TSCG": marks the file as tradesim's (PRAGMA application_id)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS games (
    code TEXT PRIMARY KEY,
    setup TEXT NOT NULL,          -- the teacher's settings, JSON
    teacher_hash TEXT NOT NULL,   -- SHA-256 of the teacher key
    created REAL NOT NULL,        -- Unix time
    touched REAL NOT NULL,
    phase TEXT NOT NULL,          -- lobby, open, finished
    round INTEGER NOT NULL,       -- rounds played
    finished REAL,                -- Unix time of the end
    clock TEXT,                   -- the open round's clock, JSON
    model TEXT                    -- model_fingerprint() of the tradesim that created the game
);
CREATE TABLE IF NOT EXISTS events (
    code TEXT NOT NULL,
    seq INTEGER NOT NULL,         -- 0, 1, 2, ... per game
    kind TEXT NOT NULL,
    data TEXT NOT NULL,           -- JSON
    at REAL NOT NULL,             -- Unix time
    PRIMARY KEY (code, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS removed (
    code TEXT PRIMARY KEY,
    removed REAL NOT NULL,
    reason TEXT NOT NULL          -- deleted (by the teacher) or expired
);
"""


class StoreError(Exception):
    """The game file could not be read or written; the message says why, in words."""


class NotAGameFile(StoreError):
    """The file is not tradesim's class-game file (another program's, or a newer tradesim's)."""


def digest(secret: str) -> str:
    """The SHA-256 digest (hex) under which a secret (a teacher key, a seat token) is kept."""
    return hashlib.sha256(secret.encode()).hexdigest()


@functools.cache
def model_fingerprint() -> str:
    """A hash of what a replay depends on: the model's code and scenarios (sim/, agents/), the class game and
    its records (ui/classgame.py, ui/play.py), and the versions of mesa and numpy.  A game saved under
    another fingerprint is rebuilt with this code, and may not be the game the class saw."""
    import mesa
    import numpy

    root = Path(__file__).resolve().parent.parent
    files = sorted([*(root / "sim").rglob("*.py"), *(root / "sim").rglob("*.toml"), *(root / "agents").rglob("*.py"),
                    root / "ui" / "classgame.py", root / "ui" / "play.py"])
    digest = hashlib.sha256(f"mesa {mesa.__version__} numpy {numpy.__version__}".encode())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_db_path(environ: dict[str, str] | None = None) -> Path:
    """Where class games are kept unless ``--db`` says otherwise: the user's data folder.

    ``$XDG_DATA_HOME/tradesim`` (``~/.local/share/tradesim``) on Linux and other Unix systems,
    ``~/Library/Application Support/tradesim`` on macOS, ``%LOCALAPPDATA%\\tradesim`` on Windows."""
    env = os.environ if environ is None else environ
    if sys.platform == "win32":
        base = Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "tradesim" / DB_NAME


def db_path_from_env() -> Path:
    """The server's game file: ``$TRADESIM_DB`` (set by ``tradesim app``), else :func:`default_db_path`."""
    return Path(os.environ[DB_ENV]) if os.environ.get(DB_ENV) else default_db_path()


def _reason(exc: BaseException, path: Path) -> str:
    """Why a read or write of ``path`` failed, in words."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith("SQLITE_FULL") or "disk is full" in str(exc) or getattr(exc, "errno", None) in (28, 122):
        return f"the disk holding {path} is full"
    return _read_only(path) or f"{path}: {exc}"


def _read_only(path: Path) -> str | None:
    """"The folder ... is read-only for this server" (or the file is), else None.  ``os.access`` answers for
    this process: also for root, and on a file system mounted read-only."""
    folder = next(p for p in path.parents if p.exists())
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is read-only for this server"
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} is read-only for this server"
    return None


@dataclass
class SavedGame:
    """One game as the file holds it (what :meth:`ui.classgame.ClassGame.rebuild` replays)."""

    code: str
    setup: dict[str, Any]
    teacher_hash: str
    created: float
    touched: float
    phase: str
    round: int
    finished: float | None
    clock: dict[str, Any] | None
    events: list[tuple[str, dict[str, Any]]]
    model: str | None = None


@dataclass(frozen=True)
class Header:
    """What :meth:`ClassStore.save` writes in a game's row besides its journal."""

    code: str
    setup: dict[str, Any]
    teacher_hash: str
    created: float
    phase: str
    round: int
    finished: float | None


class ClassStore:
    """The server's game file.  Thread-safe (one connection, one lock); nothing is created on disk until
    the first game is saved, so a server that never hosts a class game leaves no file behind."""

    def __init__(self, path: str | Path, keep_days: float = KEEP_DAYS, clock=time.time):
        self.path = Path(path)
        self.keep_days = keep_days
        self._now = clock
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self.problem: str | None = None  # why the last write or open failed (None: all saved)

    # ------------------------------------------------------------------ the connection
    def _connect(self, create: bool) -> sqlite3.Connection | None:
        """The open connection; None when the file does not exist and ``create`` is false."""
        if self._conn is not None:
            return self._conn
        if not create and not self.path.exists():
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            try:
                self._check_file(conn)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")  # a commit is on disk before a move is acknowledged
                conn.executescript(_SCHEMA)
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            except BaseException:
                conn.close()
                raise
        except NotAGameFile:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(_reason(exc, self.path)) from None
        self._conn = conn
        return conn

    def _check_file(self, conn: sqlite3.Connection) -> None:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise NotAGameFile(f"{self.path} is not a tradesim class-game file ({exc})") from None
            raise
        if tables and app_id != APPLICATION_ID:
            raise NotAGameFile(f"{self.path} is an SQLite file of another program, not tradesim's class games")
        if version > SCHEMA_VERSION:
            raise NotAGameFile(f"{self.path} was written by a newer tradesim (file version {version}); "
                             "use that version, or another --db")

    def writable(self) -> str | None:
        """Why the file could not be written now (a read-only folder or file), or None.  Creates nothing."""
        return _read_only(self.path)

    def check(self) -> None:
        """Open the file if it exists (StoreError if it is not a class-game file); create nothing."""
        with self._lock:
            self._connect(create=False)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # ------------------------------------------------------------------ writing
    def save(self, header: Header, journal: list[tuple[str, dict[str, Any]]], saved: int,
             clock: dict[str, Any] | None) -> int:
        """Write the game's row, its clock and the journal entries from ``saved`` on, in one transaction,
        committed to disk before returning; the number of entries now on disk (``len(journal)``).

        StoreError (with the reason) when that fails; nothing of this call is then on disk, and a later
        call with the same ``saved`` writes the whole backlog."""
        now = self._now()
        with self._lock:
            try:
                conn = self._connect(create=True)
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute(
                        "INSERT INTO games (code, setup, teacher_hash, created, touched, phase, round, finished, clock,"
                        " model) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(code) DO UPDATE SET"
                        " touched=excluded.touched, phase=excluded.phase, round=excluded.round,"
                        " finished=excluded.finished, clock=excluded.clock",
                        (header.code, json.dumps(header.setup), header.teacher_hash, header.created, now, header.phase,
                         header.round, header.finished, json.dumps(clock) if clock is not None else None,
                         model_fingerprint()))
                    conn.executemany("INSERT INTO events (code, seq, kind, data, at) VALUES (?, ?, ?, ?, ?)",
                                     [(header.code, seq, kind, json.dumps(data), now)
                                      for seq, (kind, data) in enumerate(journal[saved:], start=saved)])
                    conn.execute("COMMIT")
                except BaseException:
                    _rollback(conn)
                    raise
            except sqlite3.IntegrityError:  # the journal already has these entries: not from this server
                self.problem = (f"another tradesim server is saving game {header.code} in {self.path} too; stop one "
                                "of them (each server needs its own --db)")
                raise StoreError(self.problem) from None
            except (sqlite3.Error, OSError) as exc:
                self.problem = _reason(exc, self.path)
                raise StoreError(self.problem) from None
            except StoreError as exc:
                self.problem = str(exc)
                raise
            self.problem = None
            return len(journal)

    def delete(self, code: str, reason: str = "deleted") -> None:
        """Remove a game and its journal for good; its code is remembered as ``reason`` (deleted, expired)."""
        with self._lock:
            try:
                conn = self._connect(create=True)
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute("DELETE FROM events WHERE code = ?", (code,))
                    conn.execute("DELETE FROM games WHERE code = ?", (code,))
                    conn.execute("INSERT OR REPLACE INTO removed (code, removed, reason) VALUES (?, ?, ?)",
                                 (code, self._now(), reason))
                    conn.execute("COMMIT")
                except BaseException:
                    _rollback(conn)
                    raise
            except (sqlite3.Error, OSError) as exc:
                self.problem = _reason(exc, self.path)
                raise StoreError(self.problem) from None

    def expire(self) -> list[str]:
        """Remove the games finished (or untouched) more than ``keep_days`` ago; their codes."""
        cutoff = self._now() - self.keep_days * 86400
        with self._lock:
            conn = self._connect(create=False)
            if conn is None:
                return []
            codes = [row[0] for row in conn.execute(
                "SELECT code FROM games WHERE (finished IS NOT NULL AND finished < ?) OR touched < ?",
                (cutoff, cutoff))]
            for code in codes:
                self.delete(code, "expired")
            return codes

    # ------------------------------------------------------------------ reading
    def load(self, code: str) -> SavedGame | None:
        """The game with this code as saved, or None."""
        with self._lock:
            try:
                conn = self._connect(create=False)
                if conn is None:
                    return None
                row = conn.execute("SELECT code, setup, teacher_hash, created, touched, phase, round, finished, clock,"
                                   " model FROM games WHERE code = ?", (code,)).fetchone()
                if row is None:
                    return None
                events = [(kind, json.loads(data)) for kind, data in conn.execute(
                    "SELECT kind, data FROM events WHERE code = ? ORDER BY seq", (code,))]
            except sqlite3.Error as exc:
                raise StoreError(_reason(exc, self.path)) from None
        return SavedGame(code=row[0], setup=json.loads(row[1]), teacher_hash=row[2], created=row[3], touched=row[4],
                         phase=row[5], round=row[6], finished=row[7], clock=json.loads(row[8]) if row[8] else None,
                         events=events, model=row[9])

    def codes(self, unfinished_only: bool = False) -> list[str]:
        """The codes of the saved games (most recently changed first)."""
        with self._lock:
            conn = self._connect(create=False)
            if conn is None:
                return []
            where = " WHERE phase != 'finished'" if unfinished_only else ""
            return [row[0] for row in conn.execute(f"SELECT code FROM games{where} ORDER BY touched DESC")]

    def removed(self, code: str) -> tuple[float, str] | None:
        """When and why a game with this code was removed (deleted or expired), or None."""
        with self._lock:
            conn = self._connect(create=False)
            if conn is None:
                return None
            row = conn.execute("SELECT removed, reason FROM removed WHERE code = ?", (code,)).fetchone()
            return (row[0], row[1]) if row else None

    def known(self, code: str) -> bool:
        """Whether the code is used by a saved game or was used by a removed one (a new game needs a fresh code)."""
        with self._lock:
            conn = self._connect(create=False)
            if conn is None:
                return False
            return conn.execute("SELECT 1 FROM games WHERE code = ? UNION SELECT 1 FROM removed WHERE code = ?",
                                (code, code)).fetchone() is not None

    def counts(self) -> tuple[int, int]:
        """Saved games under way (lobby or open) and finished."""
        with self._lock:
            try:
                conn = self._connect(create=False)
            except StoreError:
                return 0, 0
            if conn is None:
                return 0, 0
            rows = dict(conn.execute("SELECT phase = 'finished', COUNT(*) FROM games GROUP BY phase = 'finished'"))
            return rows.get(0, 0), rows.get(1, 0)


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass  # the transaction is already gone (SQLite rolls back by itself on some errors)
