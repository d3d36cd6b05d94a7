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


# --------------------------------------------------------------------------- the weight of the install
def gpu_stack(lock_text: str) -> list[str]:
    """The packages of a uv.lock that belong to torch's GPU stack: torch, the nvidia-* CUDA wheels, triton."""
    import tomllib

    names = [package["name"] for package in tomllib.loads(lock_text).get("package", [])]
    return sorted(n for n in names if n in ("torch", "triton", "pytorch-triton") or n.startswith("nvidia-"))


def test_the_lock_holds_no_torch_cuda_or_triton():
    """Every environment the README creates comes from uv.lock: none of them may download the GPU stack.

    axelrod 4.14 requires torch, which brought 3 GB of CUDA wheels and 1 GB of triton (issue 22);
    pyproject.toml pins axelrod below 4.14.  Install sizes: benchmarks/install_size.py.
    """
    lock = (ROOT / "uv.lock").read_text()
    assert 'name = "axelrod"' in lock and 'name = "mesa"' in lock  # the whole lock, dev group included
    assert gpu_stack(lock) == []
