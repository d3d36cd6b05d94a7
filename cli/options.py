"""Options shared by several subcommands, and their parsing (light imports only)."""

from __future__ import annotations

import argparse


def add_model_options(p: argparse.ArgumentParser) -> None:
    """--rounds, --seed and --set, as `run` and `explain` take them."""
    p.add_argument("--rounds", type=int, default=None, help="number of rounds (default: the scenario's)")
    p.add_argument("--seed", default=None, help="random seed (default: 0)")
    add_set_option(p)


def add_set_option(p: argparse.ArgumentParser, help_text: str | None = None) -> None:
    p.add_argument("--set", dest="sets", action="append", metavar="KEY=VALUE", default=[],
                   help=help_text or "override a parameter (e.g. us_toughness=0.8) or a country field "
                                     "(Canada.security_dependence=0.3)")


def seed_option(text) -> int:
    """The --seed value as an int (default 0); a bad one raises ParameterError."""
    from sim.world.params import coerce_seed

    seed = coerce_seed(text)
    return 0 if seed is None else int(seed)
