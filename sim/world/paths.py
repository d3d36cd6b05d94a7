"""Paths a user gives: checked before any work starts, and file-system errors in words.

* :func:`path_problem`: what is wrong with a path as a name (too long, a NUL byte);
* :func:`check_output_file` / :func:`check_output_dir`: a file or folder we are about
  to write is a file (or a folder), its name fits, and writing there works -- checked by
  creating and removing a small probe file, since permission bits say nothing for root
  or on a read-only mount;
* :func:`os_error_text`: an ``OSError`` as a reason a person understands ("the disk is
  full", "the folder is read-only").

Every problem raises :class:`~sim.world.errors.UserError` naming the flag and the path,
so ``tradesim run --out /proc/x.csv`` fails at once, not after the run.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from sim.world.errors import UserError

NAME_MAX = 255  # bytes in one part of a path (Linux, macOS)
PATH_MAX = 4096  # bytes in a whole path

_REASONS = {
    errno.ENOSPC: "the disk is full (no space left on device)",
    errno.EDQUOT: "the disk quota is exhausted",
    errno.EFBIG: "a file grew beyond the size this process may write",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied (the folder is read-only or belongs to someone else)",
    errno.EPERM: "operation not permitted (the folder is read-only or immutable)",
    errno.ENAMETOOLONG: f"a name is too long (at most {NAME_MAX} bytes per part, {PATH_MAX} in all)",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder",
}

DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def os_error_text(exc: OSError) -> str:
    """The reason behind an ``OSError``, in words."""
    return _REASONS.get(exc.errno, exc.strerror or str(exc))


def path_problem(path: str | Path) -> str | None:
    """What makes ``path`` unusable as a name, or None."""
    text = os.fspath(path)
    if "\x00" in text:
        return "it contains a NUL byte"
    encoded = os.fsencode(text)
    if len(encoded) > PATH_MAX:
        return f"it is too long ({len(encoded):,} bytes; at most {PATH_MAX:,})"
    for part in encoded.split(b"/"):
        if len(part) > NAME_MAX:
            return f"a part of it is too long ({len(part):,} bytes; at most {NAME_MAX} per part)"
    return None


def check_name(path: str | Path, where: str) -> Path:
    """``path`` as a Path, or a UserError when it cannot be a name at all."""
    problem = path_problem(path)
    if problem:
        raise UserError(f"{where} '{_short(path)}' is not a usable path: {problem}")
    return Path(path)


def check_output_file(path: str | Path, where: str) -> Path:
    """A file we will write: a regular file or a new name in an existing, writable folder."""
    path = check_name(path, where)
    if path.is_dir():
        raise UserError(f"{where} '{path}' is a folder; give a file name")
    if path.exists() or path.is_symlink():
        if not path.is_file():
            raise UserError(f"{where} '{path}' exists and is not a regular file")
        try:
            with open(path, "ab"):
                pass
        except OSError as exc:
            raise UserError(f"{where} '{path}' cannot be written: {os_error_text(exc)}") from None
        return path
    parent = path.parent
    if not parent.is_dir():
        reason = "is a file" if parent.exists() else "does not exist"
        raise UserError(f"{where} '{path}': the folder '{parent}' {reason}")
    _probe(parent, f"{where} '{path}'")
    return path


def check_output_dir(path: str | Path, where: str) -> Path:
    """A folder we will write into: created if missing (with its parents), and writable."""
    path = check_name(path, where)
    if path.exists() and not path.is_dir():
        raise UserError(f"{where} '{path}' exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{where} '{path}' cannot be created: {os_error_text(exc)}") from None
    _probe(path, f"{where} '{path}'")
    return path


def _probe(folder: Path, subject: str) -> None:
    """Create and remove a small file in ``folder``; a failure says why writing there fails."""
    try:
        handle, name = tempfile.mkstemp(prefix=".tradesim-probe-", dir=folder)
    except OSError as exc:
        raise UserError(f"{subject} cannot be written: {os_error_text(exc)}") from None
    os.close(handle)
    os.unlink(name)


def _short(path: str | Path, limit: int = 80) -> str:
    text = os.fspath(path).replace("\x00", "\\0")
    return text if len(text) <= limit else text[: limit - 25] + "..." + text[-22:]
