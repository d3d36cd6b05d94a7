import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")

ROOT = Path(__file__).resolve().parent.parent
# The console script the README's commands run (`uv run tradesim ...`).
TRADESIM = Path(sys.executable).parent / "tradesim"


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def tradesim(capsys):
    """Run ``tradesim ARGS`` in this process (no interpreter start-up): ``tradesim("run", ...)``.

    An uncaught exception propagates and fails the test, so "no traceback" is checked too.
    """
    from cli import main

    def run(*args) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


@pytest.fixture
def tradesim_process():
    """Run the real ``tradesim`` console script in a subprocess, as a user does."""

    def run(*args, check: bool = False, **kwargs) -> CliResult:
        command = [str(TRADESIM) if TRADESIM.exists() else sys.executable, *([] if TRADESIM.exists() else ["-m", "cli"])]
        done = subprocess.run([*command, *map(str, args)], capture_output=True, text=True, cwd=kwargs.pop("cwd", ROOT),
                              **kwargs)
        if check and done.returncode != 0:
            raise AssertionError(f"tradesim {' '.join(map(str, args))} exited {done.returncode}:\n{done.stderr}")
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run


class Clock:
    """A clock the test moves by hand (no timer threads)."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()
