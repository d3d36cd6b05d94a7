"""The calibrated posterior in use: predictive runs, its fingerprint, and the point the scenarios ship.

The back-test, the forecasts and the app's comparison with history use the **posterior predictive**:
run ``k`` of ``K`` draws the ``k``-th parameter set from the posterior (resampled by weight with a
fixed seed) and runs it with seed ``k``, so the probabilities carry the uncertainty of the parameters
as well as the model's own randomness.  Without a posterior file (or with a stale one) they fall back
to the parameters in the scenario file and say so.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from experiments.calibrate import POSTERIOR_FILE, load_posterior, posterior_draws

FINGERPRINT_SCENARIO = "section232_2018"
FINGERPRINT_SEEDS = 30


def draws_for(seeds: int, posterior: dict[str, Any] | None = None) -> list[dict[str, float]] | None:
    """The parameter set of each of ``seeds`` runs (None without a posterior)."""
    posterior = posterior if posterior is not None else load_posterior()
    if posterior is None:
        return None
    return posterior_draws(posterior, seeds, seed=0)


def fingerprint(posterior: dict[str, Any]) -> dict[str, Any]:
    """The back-test's predictions for :data:`FINGERPRINT_SCENARIO` under this posterior: stored with it,
    compared by the back-test, so a posterior fitted on another model is never used."""
    from experiments.backtest import simulate
    from sim.world.history import load_history
    from sim.world.loader import load_scenario

    data = load_scenario(FINGERPRINT_SCENARIO)
    horizon = load_history(FINGERPRINT_SCENARIO)["horizon_rounds"]
    predicted = simulate(data, horizon, FINGERPRINT_SEEDS, draws_for(FINGERPRINT_SEEDS, posterior))
    return {"scenario": FINGERPRINT_SCENARIO, "seeds": FINGERPRINT_SEEDS,
            "predictions": {k: [round(float(v), 6) for v in predicted[k]] for k in ("retaliated", "settled", "tariff")}}


def current_posterior() -> tuple[dict[str, Any] | None, str]:
    """The posterior if it was fitted on the model as it is now, and a note saying which is in use."""
    posterior = load_posterior()
    if posterior is None:
        return None, f"no posterior ({POSTERIOR_FILE.name}): the scenario's parameters, one point"
    stored = posterior.get("fingerprint", {})
    now = fingerprint(posterior)
    if any(not np.allclose(stored.get("predictions", {}).get(k, []), now["predictions"][k], atol=1e-6)
           for k in now["predictions"]):
        return None, (f"the posterior in {POSTERIOR_FILE.name} was fitted on another model; rerun "
                      "`python -m experiments.calibrate` (using the scenario's parameters, one point)")
    return posterior, f"posterior predictive: parameter draws from {POSTERIOR_FILE.name}, one per seed"
