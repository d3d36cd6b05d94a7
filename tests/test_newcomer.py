"""What a newcomer meets first: the README's command list and the weight of the install."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _command_list() -> str:
    """The README's ``## The command line`` block."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## The command line"):]
    block = section[section.index("```text\n") + 8:]
    return block[: block.index("\n```")]


def test_the_readme_command_list_names_every_command_and_option():
    import cli

    listing = _command_list()
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    missing = []
    for name, sub in commands.items():
        # the lines of this command: its own, and their indented continuations
        lines = re.findall(rf"^tradesim {name}\b.*(?:\n {{10,}}.*)*", listing, flags=re.M)
        if not lines:
            missing.append(f"tradesim {name}")
            continue
        text = "\n".join(lines)
        missing += [f"tradesim {name} {option}" for action in sub._actions for option in action.option_strings
                    if option.startswith("--") and option != "--help" and not re.search(rf"{option}\b", text)]
    assert missing == [], f"the README's command list leaves out: {', '.join(missing)}"
