"""``tradesim sweep``: run a parameter sweep from a TOML spec into Parquet."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="run a parameter sweep from a TOML spec into Parquet",
                       description="Run a parameter sweep (see docs/sweeps.md). Results go to DIR as "
                                   "part-*.parquet files plus manifest.json, written as runs finish.")
    p.add_argument("config", help="sweep spec (.toml), e.g. experiments/configs/deterrence.toml")
    p.add_argument("--workers", type=int, default=None,
                   help="local worker processes (default: all cores; 0 = run in this process)")
    p.add_argument("--out", default=None, help="output directory (default: sweeps/<name>)")
    p.add_argument("--resume", action="store_true", help="finish an interrupted sweep in --out: skip runs already written")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster, e.g. tcp://127.0.0.1:8786 (instead of local processes)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--analyze", action="store_true", help="run `tradesim analyze` on the output when done")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from pathlib import Path

    from experiments.spec import load_spec
    from experiments.sweep import run_sweep
    from sim.world.errors import UserError

    if args.workers is not None and args.workers < 0:
        raise UserError(f"--workers must be >= 0, got {args.workers}")
    if args.scheduler and args.workers is not None:
        raise UserError("give either --workers (local processes) or --scheduler (Dask), not both")
    spec = load_spec(args.config)
    out = Path(args.out) if args.out else Path("sweeps") / spec.name
    print(f"tradesim sweep: {spec.name}: {spec.n_runs()} runs ({spec.n_points()} points x {spec.replications} "
          f"replications) of {spec.scenario} -> {out}", flush=True)
    manifest = run_sweep(spec, out, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                         progress=not args.no_progress)
    print(f"tradesim sweep: {manifest['status']}: {manifest['runs_done']} of {manifest['run_count']} runs in {out}")
    if args.analyze:
        from experiments.analyze import analyze

        analyze(out)
    return 0
