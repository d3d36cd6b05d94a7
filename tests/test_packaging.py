"""A non-editable install (a wheel in a fresh virtual environment) finds its page, exercises and scenarios.

The repository's own environment is an editable install that can read files next to
the code; a user who installs the wheel has only what it ships.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH (pip install uv); it builds and installs the wheel")
    venv = tmp_path_factory.mktemp("wheel") / "venv"
    subprocess.run([uv, "venv", "-q", "-p", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run([uv, "pip", "install", "-q", "--python", str(python), str(ROOT)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"uv pip install . failed:\n{done.stderr}")
    return venv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_wheel_runs_an_exercise_outside_the_checkout(wheel_env, tmp_path):
    done = subprocess.run([str(wheel_env / "bin" / "tradesim"), "run", "--exercise", "replay-2018", "--rounds", "2"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Section 232" in done.stdout and "Canada" in done.stdout
    listing = subprocess.run([str(wheel_env / "bin" / "tradesim"), "scenarios"], cwd=tmp_path, capture_output=True,
                             text=True, check=True).stdout
    assert "section232_2018" in listing and "classroom" in listing


def test_the_wheel_serves_the_app_from_its_package_data(wheel_env, tmp_path):
    python = wheel_env / "bin" / "python"
    where = subprocess.run([str(python), "-c", "from ui.resources import packaged; print(packaged('app.py'))"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(wheel_env)), where  # the shipped page, not the checkout's
    port = _free_port()
    log = tmp_path / "app.log"
    with open(log, "w") as out:
        server = subprocess.Popen([str(wheel_env / "bin" / "tradesim"), "app", "--port", str(port)], cwd=tmp_path,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 90
        while True:
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as page:
                    assert page.status == 200
                    break
            except OSError:
                assert time.time() < deadline, f"no answer on port {port}:\n{log.read_text()}"
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert "Traceback" not in log.read_text()
