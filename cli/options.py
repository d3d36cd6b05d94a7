"""Options shared by several subcommands, and their checking (light imports only).

Numbers are read as text and checked by their Field in :mod:`sim.world.schema`, so a bad
``--rounds`` gets the same one-line wording and the same bound as a bad scenario file
(``--rounds = 200000 is out of range; expected ... (at most 100,000 rounds)``).
"""

from __future__ import annotations

import argparse
from typing import Any

from sim.world.schema import MAX_ROUNDS, Field


def add_model_options(p: argparse.ArgumentParser, rounds_help: str = "number of rounds") -> None:
    """--rounds, --seed and --set, as `run` and `explain` take them."""
    p.add_argument("--rounds", default=None, metavar="N",
                   help=f"{rounds_help} (default: the scenario's; at most {MAX_ROUNDS:,})")
    p.add_argument("--seed", default=None, metavar="S", help="random seed (default: 0)")
    add_set_option(p)


def add_set_option(p: argparse.ArgumentParser, help_text: str | None = None) -> None:
    p.add_argument("--set", dest="sets", action="append", metavar="KEY=VALUE", default=[],
                   help=help_text or "override a parameter (e.g. us_toughness=0.8) or a country field "
                                     "(Canada.security_dependence=0.3); `tradesim params` lists them")


def checked(field: Field, value: Any) -> Any:
    """An option's value checked by its Field (raises ParameterError); its default when not given."""
    return field.default if value is None else field.coerce(value, field.name)
