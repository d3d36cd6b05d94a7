"""The instructor guide's expected results are what the presets give today (ui.teaching computes them)."""

import re
from pathlib import Path

import pytest

from ui import teaching

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "instructor-guide.md"


def _tables(text: str) -> list[str]:
    """The markdown tables of a text, each as one string."""
    return [m.group(0).strip() for m in re.finditer(r"(?:^\|.*\|$\n?)+", text, flags=re.M)]


@pytest.mark.parametrize("section", list(teaching.SECTIONS))
def test_the_guide_shows_what_the_seeded_presets_give(section):
    """A teacher checks students' numbers against the guide: every table must be today's."""
    guide = GUIDE.read_text()
    for table in _tables(teaching.SECTIONS[section]()):
        assert table in guide, f"docs/instructor-guide.md is out of date for '{section}'; " \
                               "paste the output of `uv run python -m ui.teaching`"


def test_a_changed_outcome_is_caught():
    """The check compares numbers, not only headers: one changed figure is missing from the guide."""
    table = _tables(teaching.SECTIONS["5. Bloc or bilateral?"]())[0]
    changed = re.sub(r"\| bloc \| (\d)\.(\d\d)", lambda m: f"| bloc | {m.group(1)}.{int(m.group(2)) ^ 1:02d}", table)
    assert changed != table and changed not in GUIDE.read_text()
