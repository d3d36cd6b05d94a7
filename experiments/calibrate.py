"""Bayesian calibration of the shared behavioural parameters: ABC-SMC on the in-sample episodes.

    uv run --group calibrate python -m experiments.calibrate [--workers 2] [--scheduler ADDRESS] [--population 300]
                                           [--generations 8] [--minutes 14] [--reference 1500]

fits the six shared parameters of :data:`PRIOR` on every in-sample episode at once
(:data:`EPISODES`: the 2018 steel and aluminium tariffs, the 2018-19 Section 301 war with
China, the 2019 threat on Mexico; stakes from $44bn to $346bn), and writes the posterior to
``sim/scenarios/posterior.json`` (:mod:`sim.predictive` reads it).  The 2025 round is never run here: it is the
out-of-sample test.

**Why ABC-SMC (pyabc).**  The model's likelihood has no closed form (each run is a sequence of
discrete choices, bargains and draws), and a simulated likelihood needs many seeds per point to be
smooth enough for MCMC.  Approximate Bayesian computation needs only simulations and a distance;
the sequential Monte Carlo version (Toni et al. 2009; Beaumont et al. 2009; pyabc: Schälte et al.
2022) concentrates them where the posterior is, and its samplers run on local cores or on a Dask
cluster (``--scheduler``).  Each particle simulates every in-sample episode with a few seeds
(``--seeds-per-particle``); the summary statistics are each economy's share of seeds in which it
retaliated and settled, and its tariff at the horizon; the distance is their squared error
against history (a Brier score, the tariff gap counted per 25 points at half weight).  A generation
stops drawing once it would need more than ``population / --min-acceptance`` simulations.

**Leave-one-out** uses a reference table (:func:`reference_table`): ``--reference`` parameter
draws from a defensive mixture of the prior and the posterior, each simulated on every episode.
An economy's held-out prediction is the ABC posterior of the *other* economies, read off the
table (the draws nearest to history without it, importance-weighted prior / proposal), and its
predictive for the held-out economy.  The fit never sees the held-out outcome.

**The point estimate** (:func:`point_estimate`) is the particle nearest to history on fresh seeds: the
registry's defaults, which single runs use.  ``--point-only`` recomputes it for a fitted file.

The file also keeps a fingerprint of the model's behaviour (the back-test's predictions under the
posterior's draws), so a changed model is never scored with a stale posterior.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from experiments.backtest import history_targets
from experiments.scoring import TARIFF_WEIGHT, distance_parts
from sim import predictive

EPISODES = ("section232_2018", "us_china_2018", "mexico_2019")  # in sample; 2025 is out of sample
# The fitted shared parameters and their priors: wide enough that no posterior piles up at an edge.
# (low, high, scale): "log" draws log10 uniformly.
PRIOR: dict[str, tuple[float, float, str]] = {
    "political_weight": (0.003, 3.0, "log"),  # $ per $ of organised surplus (estimates: 0.01-0.1)
    "audience_cost": (0.01, 30.0, "log"),  # bp of GDP
    "security_linkage": (0.01, 30.0, "log"),  # bp of GDP
    "us_toughness": (0.0, 1.0, "linear"),  # probability
    "balance_weight": (0.0, 5.0, "linear"),  # share of the package per unit of deficit share
    "decision_noise": (0.003, 10.0, "log"),  # bp of GDP
}


# --------------------------------------------------------------------------- parameters
def to_model(theta: dict[str, float]) -> dict[str, float]:
    """ABC's parameters (log10 for the log-scaled ones) in model units."""
    return predictive.to_model(theta, PRIOR)


def to_abc(params: dict[str, float]) -> dict[str, float]:
    return {(f"log10_{n}" if PRIOR[n][2] == "log" else n): (math.log10(v) if PRIOR[n][2] == "log" else v)
            for n, v in params.items() if n in PRIOR}


def prior_bounds() -> dict[str, tuple[float, float]]:
    """ABC-space bounds of each parameter."""
    return {(f"log10_{n}" if s == "log" else n): ((math.log10(lo), math.log10(hi)) if s == "log" else (lo, hi))
            for n, (lo, hi, s) in PRIOR.items()}


# --------------------------------------------------------------------------- the simulations
class Episodes:
    """The in-sample episodes' data and history, loaded once per process."""

    _cache: dict[tuple, "Episodes"] = {}

    def __init__(self, names=EPISODES, overrides: dict[str, dict] | None = None):
        from sim.world.history import load_history
        from sim.world.loader import load_scenario

        self.names = tuple(names)
        self.data, self.history, self.truth, self.rows = {}, {}, {}, {}
        for name in self.names:
            data = load_scenario(name, (overrides or {}).get(name, {}))
            history = load_history(name)
            truth = history_targets(history, data)
            self.data[name], self.history[name], self.truth[name] = data, history, truth
            countries = [c.name for c in data.countries]
            self.rows[name] = np.array([countries.index(n) for n in truth["names"]])

    @classmethod
    def default(cls) -> "Episodes":
        if EPISODES not in cls._cache:
            cls._cache[EPISODES] = cls()
        return cls._cache[EPISODES]

    @property
    def economies(self) -> list[str]:
        """``episode/economy`` labels, in the order of :meth:`observed`."""
        return [f"{e}/{n}" for e in self.names for n in self.truth[e]["names"]]

    def observed(self) -> dict[str, np.ndarray]:
        """History as arrays over :attr:`economies`: retaliated, settled (0/1) and the tariff at the horizon."""
        return {key: np.concatenate([np.asarray(self.truth[e][key], dtype=float) for e in self.names])
                for key in ("retaliated", "settled", "tariff")}

    def simulate(self, params: dict[str, Any], seeds: int, first_seed: int = 0) -> dict[str, np.ndarray]:
        """Each economy's share of ``seeds`` runs (seeds ``first_seed``...) in which it retaliated and settled, and
        its mean tariff at the horizon, with the shared parameters ``params``."""
        from sim.world.overrides import apply_overrides

        out = {key: [] for key in ("retaliated", "settled", "tariff")}
        for name in self.names:
            data = apply_overrides(self.data[name], params) if params else self.data[name]
            predicted = predictive.simulate(data, self.history[name]["horizon_rounds"], seeds, first_seed=first_seed)
            for key in out:
                out[key].append(predicted[key][self.rows[name]])
        return {key: np.concatenate(value) for key, value in out.items()}


def _first_seed(theta: dict[str, float]) -> int:
    """A first seed derived from the parameter values: the same particle always gets the same runs."""
    digest = hashlib.sha256(json.dumps(sorted(theta.items())).encode()).digest()
    return int.from_bytes(digest[:4], "little")


def abc_model(theta: dict[str, float], seeds_per_particle: int = 4) -> dict[str, np.ndarray]:
    """pyabc's model: simulate every in-sample episode at ``theta`` (ABC units)."""
    episodes = Episodes.default()
    predicted = episodes.simulate(to_model(theta), seeds_per_particle, _first_seed(dict(theta)))
    return {key: np.asarray(value, dtype=float) for key, value in predicted.items()}


def abc_distance(simulated: dict, observed: dict) -> float:
    return float(distance_parts(simulated, observed).sum())


# --------------------------------------------------------------------------- the fit
def _require_pyabc():
    try:
        import pyabc  # noqa: F401
    except ImportError:  # pragma: no cover - the dev group installs it
        sys.exit("tradesim: error: the calibration needs pyabc: `uv run --group calibrate python -m experiments.calibrate`")
    import pyabc

    return pyabc


class _Progress(threading.Thread):
    """A progress bar over the simulations, read from pyabc's database while it runs."""

    def __init__(self, db: str, budget: int, minutes: float):
        super().__init__(daemon=True)
        self.db, self.budget, self.minutes, self.done = db, budget, minutes, threading.Event()

    def run(self) -> None:
        import sqlalchemy
        from tqdm import tqdm

        engine = sqlalchemy.create_engine(self.db)
        bar = tqdm(total=self.budget, unit="sim", desc="ABC-SMC", file=sys.stderr,
                   bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} particle simulations [{elapsed}<{remaining}] {postfix}")
        start = time.monotonic()
        while not self.done.wait(2.0):
            try:
                with engine.connect() as conn:
                    rows = conn.execute(sqlalchemy.text(
                        "SELECT t, epsilon, nr_samples FROM populations WHERE t >= 0 ORDER BY t")).fetchall()
            except Exception:  # noqa: BLE001 - the database may not exist yet
                continue
            done = int(sum(r[2] or 0 for r in rows))
            bar.n = min(done, bar.total)
            if rows:
                bar.set_postfix_str(f"generation {rows[-1][0] + 1}, tolerance {rows[-1][1]:.3g}, "
                                    f"{(time.monotonic() - start) / 60:.1f} of {self.minutes:g} min")
            bar.refresh()
        bar.close()


def run_abc(population: int = 200, generations: int = 10, minutes: float = 12.0, workers: int = 2,
            scheduler: str | None = None, seeds_per_particle: int = 2, progress: bool = True,
            min_acceptance: float = 0.1) -> dict[str, Any]:
    """ABC-SMC on the in-sample episodes; returns the final population and the run's record."""
    import datetime
    import logging

    pyabc = _require_pyabc()
    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("Epsilon").setLevel(logging.WARNING)
    logging.getLogger("Distance").setLevel(logging.WARNING)
    episodes = Episodes.default()
    observed = episodes.observed()
    prior = pyabc.Distribution(**{name: pyabc.RV("uniform", lo, hi - lo) for name, (lo, hi) in prior_bounds().items()})
    client = None
    if scheduler:
        from dask.distributed import Client

        client = Client(scheduler, timeout="30s")
        sampler = pyabc.sampler.DaskDistributedSampler(dask_client=client)
    elif workers > 1:
        sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
    else:
        sampler = pyabc.sampler.SingleCoreSampler()
    from functools import partial

    model = partial(abc_model, seeds_per_particle=seeds_per_particle)
    abc = pyabc.ABCSMC(model, prior, abc_distance, population_size=population, sampler=sampler)
    folder = tempfile.mkdtemp(prefix="tradesim-abc-")
    db = f"sqlite:///{folder}/abc.db"
    abc.new(db, observed)
    watcher = _Progress(db, budget=int(population * generations / min_acceptance), minutes=minutes) if progress else None
    if watcher:
        watcher.start()
    started = time.monotonic()
    try:
        history = abc.run(max_nr_populations=generations, max_walltime=datetime.timedelta(minutes=minutes),
                          min_acceptance_rate=min_acceptance)
    finally:
        if watcher:
            watcher.done.set()
            watcher.join(timeout=5)
        if client is not None:
            client.close()
    frame, weights = history.get_distribution()
    populations = history.get_all_populations()
    generations_run = [{"t": int(r.t), "epsilon": float(r.epsilon), "simulations": int(r.samples)}
                       for r in populations.itertuples() if r.t >= 0]
    particles = [{name: float(frame.iloc[k][name]) for name in prior_bounds()} for k in range(len(frame))]
    return {"particles": particles, "weights": [float(w) for w in weights], "generations": generations_run,
            "seconds": time.monotonic() - started, "simulations": int(history.total_nr_simulations),
            "seeds_per_particle": seeds_per_particle, "population": population}


# --------------------------------------------------------------------------- the reference table
def _proposal(posterior: np.ndarray, weights: np.ndarray):
    """A defensive mixture: half the prior, half a Gaussian kernel around the posterior particles (twice the
    posterior's covariance), so the table covers every leave-one-out posterior (Hesterberg 1995)."""
    bounds = np.array(list(prior_bounds().values()))
    cov = 2.0 * np.atleast_2d(np.cov(posterior.T, aweights=weights)) + 1e-9 * np.eye(posterior.shape[1])
    inv, det = np.linalg.inv(cov), np.linalg.det(cov)
    width = bounds[:, 1] - bounds[:, 0]

    def sample(rng: np.random.Generator, count: int) -> np.ndarray:
        out = np.empty((count, posterior.shape[1]))
        for k in range(count):
            if rng.random() < 0.5:
                out[k] = bounds[:, 0] + rng.random(posterior.shape[1]) * width
                continue
            while True:
                x = rng.multivariate_normal(posterior[rng.choice(len(posterior), p=weights)], cov)
                if ((x >= bounds[:, 0]) & (x <= bounds[:, 1])).all():
                    out[k] = x
                    break
        return out

    def density(x: np.ndarray) -> np.ndarray:
        inside = ((x >= bounds[:, 0]) & (x <= bounds[:, 1])).all(axis=1)
        prior = inside / np.prod(width)
        diff = x[:, None, :] - posterior[None, :, :]
        kernel = np.exp(-0.5 * np.einsum("ijk,kl,ijl->ij", diff, inv, diff)) / math.sqrt((2 * math.pi) ** x.shape[1] * det)
        return 0.5 * prior + 0.5 * (kernel * weights[None, :]).sum(axis=1) * inside

    return sample, density


def _table_row(args) -> dict[str, list[float]]:
    theta, seeds, first_seed = args
    episodes = Episodes.default()
    predicted = episodes.simulate(to_model(theta), seeds, first_seed)
    return {key: [float(v) for v in value] for key, value in predicted.items()}


def reference_table(posterior: dict[str, Any], draws: int = 1500, seeds_per_draw: int = 4, workers: int = 2,
                    scheduler: str | None = None, seed: int = 2018, progress: bool = True) -> dict[str, Any]:
    """``draws`` parameter points from the defensive mixture, each simulated on every episode, with their
    importance weights prior / proposal (the ingredients of the leave-one-out posteriors)."""
    from tqdm import tqdm

    names = list(prior_bounds())
    particles = np.array([[p[n] for n in names] for p in posterior["particles"]])
    weights = np.asarray(posterior["weights"]) / np.sum(posterior["weights"])
    sample, density = _proposal(particles, weights)
    rng = np.random.default_rng(seed)
    points = sample(rng, draws)
    importance = (1.0 / np.prod([hi - lo for lo, hi in prior_bounds().values()])) / density(points)
    jobs = [({n: float(v) for n, v in zip(names, row)}, seeds_per_draw, int(first)) for row, first in
            zip(points, rng.integers(0, 2**31, len(points)))]
    rows = list(tqdm(_map(_table_row, jobs, workers, scheduler), total=len(jobs), desc="reference table",
                     unit="draw", file=sys.stderr, disable=not progress))
    return {"points": points.tolist(), "importance": importance.tolist(), "seeds_per_draw": seeds_per_draw,
            "predictions": {key: [r[key] for r in rows] for key in ("retaliated", "settled", "tariff")}}


def _map(function, jobs: list, workers: int, scheduler: str | None):
    """Results in order, from local processes or a Dask cluster."""
    if scheduler:
        from dask.distributed import Client

        with Client(scheduler, timeout="30s") as client:
            futures = client.map(function, jobs, pure=False)
            for future in futures:
                yield future.result()
        return
    if workers <= 1:
        yield from map(function, jobs)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(function, jobs, chunksize=8)


# --------------------------------------------------------------------------- the point estimate
def _particle_distance(args) -> float:
    theta, seeds, first_seed = args
    episodes = Episodes.default()
    return abc_distance(episodes.simulate(to_model(theta), seeds, first_seed), episodes.observed())


def point_estimate(posterior: dict[str, Any], screen_seeds: int = 8, final_seeds: int = 30, finalists: int = 10,
                   workers: int = 2, scheduler: str | None = None, progress: bool = True) -> dict[str, Any]:
    """The one parameter set a single run uses (the registry's defaults): the posterior particle that comes
    nearest to history.  Every particle is simulated on ``screen_seeds`` common seeds; the ``finalists``
    nearest are simulated again on ``final_seeds`` fresh ones, which decide (so the winner is not the one the
    screening seeds happened to favour).  The marginal medians are no such point: put together, they can
    sit where the joint posterior is thin (on the 2018 fit they miss history by more than the median particle)."""
    from tqdm import tqdm

    particles = posterior["particles"]
    jobs = [(theta, screen_seeds, 7_000) for theta in particles]
    screened = list(tqdm(_map(_particle_distance, jobs, workers, scheduler), total=len(jobs), unit="particle",
                         desc="point estimate", file=sys.stderr, disable=not progress))
    best = [int(k) for k in np.argsort(screened)[:finalists]]
    final = list(_map(_particle_distance, [(particles[k], final_seeds, 9_000) for k in best], workers, scheduler))
    winner = best[int(np.argmin(final))]
    return {"particle": winner, "params": {n: float(v) for n, v in to_model(particles[winner]).items()},
            "distance": float(min(final)), "screen_seeds": screen_seeds, "final_seeds": final_seeds,
            "median_particle_distance": float(np.median(screened))}


# --------------------------------------------------------------------------- summaries
def summarise(posterior: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Posterior median and 90% interval of every parameter (model units), and where each sits in its prior."""
    names = list(prior_bounds())
    particles = np.array([[p[n] for n in names] for p in posterior["particles"]])
    weights = np.asarray(posterior["weights"]) / np.sum(posterior["weights"])
    out = {}
    for j, (name, (lo, hi, scale)) in enumerate(PRIOR.items()):
        values = particles[:, j]
        order = np.argsort(values)
        cumulative = np.cumsum(weights[order])
        quantile = lambda q: float(values[order][np.searchsorted(cumulative, q)])  # noqa: E731
        unit = (lambda v: 10 ** v) if scale == "log" else (lambda v: v)
        low, high = (math.log10(lo), math.log10(hi)) if scale == "log" else (lo, hi)
        edge = max(float(weights[values < low + 0.05 * (high - low)].sum()), float(weights[values > high - 0.05 * (high - low)].sum()))
        out[name] = {"median": unit(quantile(0.5)), "low_90": unit(quantile(0.05)), "high_90": unit(quantile(0.95)),
                     "prior": [lo, hi], "scale": scale, "mass_at_an_edge": edge}
    return out


def plot_marginals(posterior: dict[str, Any], path: Path) -> Path:
    """One panel per parameter: the weighted posterior histogram over its whole prior range."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(prior_bounds())
    particles = np.array([[p[n] for n in names] for p in posterior["particles"]])
    weights = np.asarray(posterior["weights"])
    summary = summarise(posterior)
    fig, axes = plt.subplots(2, 3, figsize=(11, 5.5))
    for ax, (j, (name, (lo, hi, scale))) in zip(axes.ravel(), enumerate(PRIOR.items())):
        low, high = (math.log10(lo), math.log10(hi)) if scale == "log" else (lo, hi)
        ax.hist(particles[:, j], bins=24, range=(low, high), weights=weights, color="#4C72B0", alpha=0.85)
        ax.axhline(weights.sum() / 24, color="0.5", ls="--", lw=1, label="flat prior")
        s = summary[name]
        med = math.log10(s["median"]) if scale == "log" else s["median"]
        ax.axvline(med, color="k", lw=1.2)
        ax.set_xlim(low, high)
        ax.set_title(f"{name}\nmedian {s['median']:.3g} [{s['low_90']:.3g}, {s['high_90']:.3g}]", fontsize=9)
        ax.set_xlabel(f"log10 {name}" if scale == "log" else name, fontsize=8)
        ax.set_yticks([])
    axes.ravel()[0].legend(fontsize=7)
    fig.suptitle("Posterior marginals over the whole prior range (ABC-SMC, in-sample episodes)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- the command
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments.calibrate", description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="local worker processes (default 2)")
    parser.add_argument("--scheduler", default=None, help="address of a Dask scheduler (tcp://host:8786) to run on")
    parser.add_argument("--population", type=int, default=200, help="particles per ABC-SMC generation (default 200)")
    parser.add_argument("--generations", type=int, default=10, help="at most this many generations (default 10)")
    parser.add_argument("--minutes", type=float, default=12.0,
                        help="no new generation starts after this many minutes (default 12)")
    parser.add_argument("--min-acceptance", type=float, default=0.1,
                        help="a generation stops after population / this many simulations, and the fit with it")
    parser.add_argument("--seeds-per-particle", type=int, default=2)
    parser.add_argument("--reference", type=int, default=1500, help="draws of the leave-one-out reference table")
    parser.add_argument("--out", type=Path, default=None, help="where to write it (default: sim/scenarios/posterior.json)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--point-only", action="store_true",
                        help="only recompute the point estimate (the defaults) of the fitted posterior in --out")
    args = parser.parse_args(argv)
    for name in ("workers", "population", "generations", "seeds_per_particle", "reference"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.minutes <= 0:
        parser.error("--minutes must be positive")
    if not 0 < args.min_acceptance < 1:
        parser.error("--min-acceptance must be between 0 and 1")
    if args.point_only:
        path = args.out or predictive.posterior_path()
        if not path.exists():
            parser.error(f"--point-only needs a fitted posterior; {path} does not exist")
        print_summary(update_point(path, args.workers, args.scheduler))
        return 0
    started = time.monotonic()
    fit = run_abc(args.population, args.generations, args.minutes, args.workers, args.scheduler,
                  args.seeds_per_particle, progress=not args.no_progress, min_acceptance=args.min_acceptance)
    table = reference_table(fit, args.reference, args.seeds_per_particle, args.workers, args.scheduler,
                            progress=not args.no_progress)
    fit["point"] = point_estimate(fit, workers=args.workers, scheduler=args.scheduler, progress=not args.no_progress)
    out = args.out or predictive.posterior_path()
    content = {"version": predictive.POSTERIOR_VERSION, "episodes": list(EPISODES), "economies": Episodes.default().economies,
               "observed": {k: [float(x) for x in v] for k, v in Episodes.default().observed().items()},
               "prior": {n: list(v) for n, v in PRIOR.items()}, "tariff_weight": TARIFF_WEIGHT, **fit,
               "reference": table, "seconds_total": time.monotonic() - started}
    content["summary"] = summarise(content)
    content["fingerprint"] = predictive.fingerprint(content)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(content) + "\n")
    print(f"wrote {out} ({len(fit['particles'])} particles, {fit['simulations']} simulations, "
          f"{content['seconds_total'] / 60:.1f} min)")
    print_summary(content)
    return 0


def print_summary(content: dict[str, Any]) -> None:
    point = content["point"]["params"]
    for name, s in content["summary"].items():
        print(f"  {name:<18} median {s['median']:.4g}  90% [{s['low_90']:.4g}, {s['high_90']:.4g}]  "
              f"point {point[name]:.4g}  prior [{s['prior'][0]:g}, {s['prior'][1]:g}] {s['scale']}")
    print("  the point estimate is the defaults of sim/world/params.py: copy it there after a new fit")


def update_point(path: Path, workers: int = 2, scheduler: str | None = None) -> dict[str, Any]:
    """Recompute the point estimate of a fitted posterior file in place (``--point-only``)."""
    content = json.loads(path.read_text())
    content["point"] = point_estimate(content, workers=workers, scheduler=scheduler)
    path.write_text(json.dumps(content) + "\n")
    return content


if __name__ == "__main__":
    raise SystemExit(main())
