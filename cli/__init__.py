"""The ``tradesim`` command line: one module per subcommand.

    tradesim scenarios
    tradesim params [NAME ...]
    tradesim run SCENARIO [--rounds N] [--seed S] [--set key=value ...] [--out FILE] [--json]
    tradesim run --exercise NAME
    tradesim explain SCENARIO COUNTRY [--rounds N] [--seed S] [--set key=value ...] [--json]
    tradesim sweep CONFIG [--workers N] [--out DIR] [--resume] [--scheduler ADDRESS]
    tradesim analyze DIR
    tradesim backtest SCENARIO [--seeds K] [--json]
    tradesim bench [--quick] [--out DIR | --record]
    tradesim app [--host 127.0.0.1] [--port P]

(README.md's command list has every option; tests/test_newcomer.py checks it.)

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


class Parser(argparse.ArgumentParser):
    """argparse, with its errors in the one-line form of every other error (exit status 2)."""

    def error(self, message: str):
        from sim.world.errors import one_line

        self.exit(2, f"tradesim: error: {one_line(message)} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tradesim",
        description="Agent-based simulator of trade negotiations under U.S. tariff pressure.",
    )
    parser.add_argument("--version", action="version", version=f"tradesim {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from sim.world.errors import UserError, one_line

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or an argument error already printed
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except UserError as exc:
        print(f"tradesim: error: {one_line(exc)}", file=sys.stderr)
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
