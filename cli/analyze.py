"""``tradesim analyze``: summary tables, plots and sensitivity indices of a sweep."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("analyze", help="summarise a sweep: table with 95%% CIs, plots, sensitivity indices")
    p.add_argument("dir", help="a sweep output directory (from tradesim sweep --out)")
    p.add_argument("--no-plots", action="store_true", help="print tables only")
    p.add_argument("--rows", default=None, metavar="N", help="points shown in the printed table (default 40; all go to summary.csv)")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from cli.options import checked
    from sim.world.schema import ROWS_OPTION

    rows = checked(ROWS_OPTION, args.rows)
    from experiments.analyze import analyze

    analyze(args.dir, plots=not args.no_plots, max_rows=rows)
    return 0
