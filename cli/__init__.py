"""The ``tradesim`` command line: one module per subcommand.

    tradesim scenarios
    tradesim params [NAME ...]
    tradesim run SCENARIO [--rounds N] [--seed S] [--set key=value ...] [--out FILE] [--json]
    tradesim explain SCENARIO COUNTRY [--rounds N] [--seed S] [--set key=value ...] [--json]
    tradesim sweep CONFIG [--workers N] [--out DIR] [--resume] [--scheduler ADDRESS]
    tradesim analyze DIR
    tradesim backtest SCENARIO [--seeds K] [--json]
    tradesim bench [--quick]
    tradesim app [--host 127.0.0.1] [--port P]

Building the parser imports nothing heavy: each subcommand imports the model,
pandas or Dask inside its handler, so ``--help`` and argument errors answer at
once.  User errors print a one-line message and exit with status 2; no traceback.
Nothing in sim, agents, experiments, benchmarks or ui imports this package.
"""

from __future__ import annotations

import argparse
import sys

from cli import analyze, app, backtest, bench, explain, params, run, scenarios, sweep

# In the order `tradesim --help` lists them.
SUBCOMMANDS = (scenarios, params, run, explain, sweep, analyze, backtest, bench, app)


def version() -> str:
    """The installed tradesim's version (from its metadata; the source's when not installed)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("tradesim")
    except PackageNotFoundError:  # pragma: no cover - a bare checkout
        import sim

        return sim.__version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tradesim",
        description="Agent-based simulator of trade negotiations under U.S. tariff pressure.",
    )
    parser.add_argument("--version", action="version", version=f"tradesim {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from sim.world.errors import UserError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except UserError as exc:
        print(f"tradesim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:  # Ctrl-C (130); a sweep stopped by SIGTERM or SIGHUP: 128 + the signal
        signum = getattr(exc, "signum", None)
        if signum is None:
            print("tradesim: interrupted", file=sys.stderr)
        return 128 + (signum or 2)
    except BrokenPipeError:  # e.g. `tradesim run ... --json | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
