"""``tradesim sweep``: run a parameter sweep from a TOML spec into Parquet."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="run a parameter sweep from a TOML spec into Parquet",
                       description="Run a parameter sweep (see docs/sweeps.md). Results go to DIR as "
                                   "part-*.parquet files plus manifest.json, written as runs finish.")
    p.add_argument("config", help="sweep spec (.toml), e.g. experiments/configs/deterrence.toml")
    p.add_argument("--workers", default=None, metavar="N",
                   help="local worker processes (default: all cores; 0 = run in this process)")
    p.add_argument("--out", default=None, help="output directory (default: sweeps/<name>)")
    p.add_argument("--resume", action="store_true", help="finish an interrupted sweep in --out: skip runs already written")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786 (instead of local processes)")
    p.add_argument("--no-workers-timeout", default=None, metavar="SECONDS",
                   help="with --scheduler: stop (resumably) when the cluster has had no worker this long (default 60)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--analyze", action="store_true", help="run `tradesim analyze` on the output when done")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from pathlib import Path

    from cli.options import checked
    from sim.world.errors import UserError
    from sim.world.schema import NO_WORKERS_TIMEOUT, WORKERS_OPTION

    workers = checked(WORKERS_OPTION, args.workers)
    no_workers_timeout = checked(NO_WORKERS_TIMEOUT, args.no_workers_timeout)
    if args.scheduler and workers is not None:
        raise UserError("give either --workers (local processes) or --scheduler (Dask), not both")
    if args.scheduler:
        from experiments.executors import parse_address

        parse_address(args.scheduler)
    from experiments.spec import load_spec
    from experiments.sweep import run_sweep
    from sim.world.paths import check_output_dir

    spec = load_spec(args.config)
    out = check_output_dir(Path(args.out) if args.out else Path("sweeps") / spec.name, "--out")

    def announce(manifest: dict) -> None:  # once the folder, the inputs and the backend are checked
        print(f"tradesim sweep: {spec.name}: {spec.n_runs():,} runs ({spec.n_points():,} points x "
              f"{spec.replications} replications) of {spec.scenario} -> {out}"
              + (f" ({manifest['runs_done']:,} already done)" if manifest["runs_done"] else ""), flush=True)

    manifest = run_sweep(spec, out, workers=workers, scheduler=args.scheduler, resume=args.resume,
                         progress=not args.no_progress, no_workers_timeout=no_workers_timeout, on_start=announce)
    print(f"tradesim sweep: {manifest['status']}: {manifest['runs_done']:,} of {manifest['run_count']:,} runs in {out}")
    if args.analyze:
        from experiments.analyze import analyze

        analyze(out)
    return 0
