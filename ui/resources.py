"""Files the app and the exercises need beyond the code: the page (``app.py``) and the exercises.

A wheel ships them as package data in ``ui/_data/`` (see ``[tool.hatch.build]`` in
pyproject.toml); a source checkout has them in their own places (``app.py`` at the
top, the exercises in ``docs/exercises/``, where teachers read them).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent.parent
IN_CHECKOUT = {"app.py": SOURCE_ROOT / "app.py", "exercises": SOURCE_ROOT / "docs" / "exercises"}


def packaged(name: str) -> Path:
    """The shipped copy of ``name`` ("app.py" or "exercises") if installed from a wheel, else the checkout's."""
    shipped = resources.files("ui") / "_data" / name
    if shipped.is_file() or shipped.is_dir():
        return Path(str(shipped))
    return IN_CHECKOUT[name]
