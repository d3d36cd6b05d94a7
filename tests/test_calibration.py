"""The calibration a user relies on: the shipped posterior fits today's model, single runs use its point
estimate, the fit never sees the 2025 round, and the point estimate is the particle nearest to history."""

import json
import math

import pytest

from experiments import calibrate
from sim import predictive
from sim.world import params


def _shipped() -> dict:
    return json.loads(predictive.posterior_path().read_text())


def test_the_shipped_posterior_was_fitted_on_this_model():
    """A mechanism changed without a new fit would score the back-test with a stale posterior: the
    fingerprint check refuses it, and this test says so before a user sees 'fitted on another model'."""
    posterior, note = predictive.current_posterior()
    assert posterior is not None, note
    assert note.startswith("posterior predictive")


def test_single_runs_use_the_posterior_point_estimate():
    """`tradesim run` and the app use the registry's defaults: they are the fit's point estimate (3 digits)."""
    point = _shipped()["point"]["params"]
    assert set(point) == set(calibrate.PRIOR)
    for name, value in point.items():
        default = params.PARAMS[name].default
        assert default == pytest.approx(float(f"{value:.3g}"), rel=1e-9), \
            f"{name}: default {default} but the posterior's point estimate is {value:.3g}"


def test_the_fit_uses_only_in_sample_episodes():
    """The 2025 round is scored out of sample elsewhere: no 2025 economy or outcome enters the fit."""
    assert "reciprocal_2025" not in calibrate.EPISODES
    shipped = _shipped()
    assert shipped["episodes"] == list(calibrate.EPISODES)
    assert not any(e.startswith("reciprocal_2025") for e in shipped["economies"])
    assert len(shipped["observed"]["retaliated"]) == len(shipped["economies"])


def test_the_point_estimate_is_the_particle_nearest_to_history():
    """Between the shipped point and a particle that makes everyone give in at once (no political weight,
    no audience cost, a U.S. that never escalates), the one nearer to history wins, whichever comes first."""
    good = calibrate.to_abc(_shipped()["point"]["params"])
    bad = calibrate.to_abc({"political_weight": 0.003, "audience_cost": 0.01, "security_linkage": 30.0,
                            "us_toughness": 0.0, "balance_weight": 0.0, "decision_noise": 0.003})
    for particles, winner in (([bad, good], 1), ([good, bad], 0)):
        point = calibrate.point_estimate({"particles": particles}, screen_seeds=1, final_seeds=2, finalists=2,
                                         workers=1, progress=False)
        assert point["particle"] == winner
        assert point["distance"] < point["median_particle_distance"] + 1e-12
        assert math.isclose(point["params"]["us_toughness"], calibrate.to_model(particles[winner])["us_toughness"])
