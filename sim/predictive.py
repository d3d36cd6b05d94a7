"""The posterior predictive: runs whose parameters are drawn from the calibrated posterior.

The calibration (:mod:`experiments.calibrate`) writes the posterior of the shared behavioural
parameters to ``sim/scenarios/posterior.json``.  Run ``k`` of ``K`` draws the ``k``-th parameter
set from it (resampled by weight with a fixed seed) and runs with seed ``k``: its shares of runs
carry the uncertainty of the parameters as well as the model's own.  The back-test, the forecasts
and the app's comparison with history all read it here; without a posterior (or with one fitted
on another model, see :func:`current_posterior`) they fall back to the scenario's own parameters
and say so.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

POSTERIOR_VERSION = 1
FINGERPRINT_SCENARIO = "section232_2018"
FINGERPRINT_SEEDS = 30
OUTCOMES = ("retaliated", "settled", "exemption", "quota", "rate_deal", "deal")


def posterior_path() -> Path:
    return Path(str(resources.files("sim") / "scenarios" / "posterior.json"))


def load_posterior(path: Path | None = None) -> dict[str, Any] | None:
    """The posterior file's content, or None without one (or of another format)."""
    path = path or posterior_path()
    if not path.exists():
        return None
    content = json.loads(path.read_text())
    return content if content.get("version") == POSTERIOR_VERSION else None


def to_model(theta: dict[str, float], prior: dict[str, list]) -> dict[str, float]:
    """A particle (log10 for log-scaled parameters) in model units."""
    return {name: float(10 ** theta[f"log10_{name}"]) if scale == "log" else float(theta[name])
            for name, (_, _, scale) in prior.items()}


def posterior_draws(posterior: dict[str, Any], count: int, seed: int = 0) -> list[dict[str, float]]:
    """``count`` parameter sets (model units) from the posterior, resampled by weight; the same for the same seed."""
    weights = np.asarray(posterior["weights"], dtype=float)
    weights = weights / weights.sum()
    picks = np.random.default_rng(seed).choice(len(weights), size=count, p=weights)
    return [to_model(posterior["particles"][k], posterior["prior"]) for k in picks]


def simulate(data, horizon: int, seeds: int, draws: list[dict] | None = None, first_seed: int = 0) -> dict[str, np.ndarray]:
    """Per economy (scenario order): the share of runs in which it retaliated (counter-tariffs in force), settled
    (a deal lowered its rate) and by which deal it held at the horizon, and its mean trade-weighted U.S. rate there.
    Run ``k`` uses seed ``first_seed + k`` and, with ``draws``, the parameters ``draws[k]``."""
    from sim.model import NegotiationModel
    from sim.world.overrides import apply_overrides
    from sim.world.vocabulary import Treatment

    n = len(data.countries)
    counts = {key: np.zeros(n) for key in OUTCOMES}
    tariff = np.zeros(n)
    kinds = {"exemption": Treatment.EXEMPT, "quota": Treatment.QUOTA, "rate_deal": Treatment.RATE_DEAL,
             "deal": Treatment.DEAL}
    for k in range(seeds):
        run_data = apply_overrides(data, draws[k]) if draws else data
        state = NegotiationModel(scenario_name=data.name, rng=first_seed + k, scenario_data=run_data).run(horizon).state
        counts["retaliated"] += state.retaliated_ever
        counts["settled"] += state.settled_ever
        for kind, code in kinds.items():
            counts[kind] += state.relieved & (state.treatment == code)
        tariff += state.avg_tariff
    out = {key: value / seeds for key, value in counts.items()}
    out["tariff"] = tariff / seeds
    return out


def interval(share: float, runs: int, z: float = 1.645) -> list[float]:
    """The Wilson score interval of a share of ``runs`` (90% by default): the uncertainty of a share of
    posterior-predictive runs, parameters and seeds together."""
    centre = (share + z * z / (2 * runs)) / (1 + z * z / runs)
    half = z * np.sqrt(share * (1 - share) / runs + z * z / (4 * runs * runs)) / (1 + z * z / runs)
    return [float(max(0.0, centre - half)), float(min(1.0, centre + half))]


def fingerprint(posterior: dict[str, Any]) -> dict[str, Any]:
    """What the back-test of :data:`FINGERPRINT_SCENARIO` predicts under this posterior: stored with it and checked
    before use, so that a posterior fitted on another model is never used."""
    from sim.world.history import load_history
    from sim.world.loader import load_scenario

    data = load_scenario(FINGERPRINT_SCENARIO)
    horizon = load_history(FINGERPRINT_SCENARIO)["horizon_rounds"]
    predicted = simulate(data, horizon, FINGERPRINT_SEEDS, posterior_draws(posterior, FINGERPRINT_SEEDS))
    return {"scenario": FINGERPRINT_SCENARIO, "seeds": FINGERPRINT_SEEDS,
            "predictions": {k: [round(float(v), 6) for v in predicted[k]] for k in ("retaliated", "settled", "tariff")}}


@lru_cache(maxsize=4)
def _checked(path: str, mtime: float) -> tuple[dict[str, Any] | None, str]:
    posterior = load_posterior(Path(path))
    if posterior is None:
        return None, f"no posterior ({Path(path).name}): the scenario's parameters, one point"
    stored = posterior.get("fingerprint", {}).get("predictions", {})
    now = fingerprint(posterior)["predictions"]
    if any(len(stored.get(k, [])) != len(v) or not np.allclose(stored[k], v, atol=1e-6) for k, v in now.items()):
        return None, (f"the posterior in {Path(path).name} was fitted on another model; rerun "
                      "`uv run --group calibrate python -m experiments.calibrate` (meanwhile: the scenario's parameters, one point)")
    return posterior, f"posterior predictive: run k draws parameter set k from {Path(path).name} and seed k"


def current_posterior() -> tuple[dict[str, Any] | None, str]:
    """The posterior if it was fitted on the model as it is now (its fingerprint matches), and a note saying what
    the predictions rest on."""
    path = posterior_path()
    return _checked(str(path), path.stat().st_mtime if path.exists() else 0.0)


def predictive(data, horizon: int, seeds: int, first_seed: int = 0) -> tuple[dict[str, np.ndarray], str]:
    """:func:`simulate` with the current posterior's draws (the scenario's parameters without one), and the note."""
    posterior, note = current_posterior()
    draws = posterior_draws(posterior, first_seed + seeds)[first_seed:] if posterior is not None else None
    return simulate(data, horizon, seeds, draws, first_seed), note
