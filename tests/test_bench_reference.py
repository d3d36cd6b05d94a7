"""The benchmark's numpy reference plays the same game as the model, and the bench runs.

The reference (benchmarks/reference.py) is the speed limit the model is
measured against, so it must compute the same thing: same seed -> same
stances, payoffs and records, round for round.  No timing assertions here.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.reference import run_reference
from sim import NegotiationModel

COLUMNS = ("action", "welfare_change", "tariff", "retaliation", "treatment", "pressure", "exports_to_us")


def _model(n, seed, **params):
    return NegotiationModel(scenario_name="classroom", rng=seed, n_countries=n,
                            strategy="expected_utility", **params)


@pytest.mark.parametrize("n,seed,params", [
    (2, 0, {}),
    (10, 1, {}),
    (100, 7, {}),
    (300, 3, {"decision_noise": 4.0}),
    (100, 5, {"partner_model": "myopic"}),
    (50, 2, {"partner_model": "myopic", "decision_noise": 0.5}),
    (20, 4, {"decision_noise": 0.0}),
    (20, 4, {"partner_model": "myopic", "decision_noise": 0.0}),
    (40, 9, {"patience": 0.5}),
    (40, 11, {"payoff_source": "table"}),
])
def test_reference_matches_model(n, seed, params):
    rounds = 30
    model = _model(n, seed, **params).run(rounds)
    ref = run_reference(model.params, rounds, seed, patience=model.world.patience)
    frame = model.datacollector.get_country_dataframe()
    labels = {"action": ("wait", "comply", "partial", "retaliate", "wto", "hedge"),
              "treatment": ("tariffed", "quota", "exempt", "deal")}
    for name in COLUMNS:
        got = frame[name].to_numpy().reshape(rounds + 1, n)
        want = ref.column(name)
        if name in labels:
            want = np.asarray(labels[name], dtype=object)[want]
            assert (got == want).all(), name
        else:
            np.testing.assert_array_equal(got, want, err_msg=name)
    totals = model.datacollector.get_model_vars_dataframe()
    for key in ("round", "retaliators", "waiters", "cooperation", "escalation_index", "mean_tariff"):
        np.testing.assert_allclose(totals[key].to_numpy(), [t[key] for t in ref.totals], rtol=1e-12, err_msg=key)
    # stances mix at least sometimes (the comparison is not trivially all-open)
    if params.get("decision_noise", 1.0) > 0:
        assert 0 < (ref.column("action") == 3).mean() < 1


def test_reference_consumes_the_rng_like_the_model():
    model = _model(30, 12).run(15)
    ref_rng = np.random.default_rng(12)
    for _ in range(15):
        ref_rng.random(30)
    assert model.rng.random() == ref_rng.random()


def test_bench_quick_smoke(tmp_path, capsys):
    """The benchmark command in --quick mode runs and writes its results (the sweep and app rows
    are left out: they start worker pools and render figures, and have their own tests)."""
    from benchmarks.__main__ import main

    assert main(["--quick", "--skip", "app", "--skip", "sweeps", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "latest.json").read_text())
    assert {row["id"] for row in data["rows"]} >= {"single_run", "scaling", "reference", "boltzmann"}
    table = (tmp_path / "latest.md").read_text()
    assert "model / numpy reference" in table
    assert "model / numpy reference" in capsys.readouterr().out


def test_missing_neighbours_give_not_available(monkeypatch):
    """Without benchmarks.sweep_bench or measure_update_time the rows say so; nothing raises."""
    from benchmarks import adapters

    real_import = adapters.importlib.import_module

    def fake_import(name):
        if name in ("benchmarks.sweep_bench", "benchmarks.app_update"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name)

    monkeypatch.setattr(adapters.importlib, "import_module", fake_import)
    rows = adapters.sweep_rows(quick=True) + [adapters.app_row(quick=True)]
    assert [row["id"] for row in rows] == ["sweep_speedup", "sweep_memory", "app"]
    for row in rows:
        assert row["summary"].startswith("not available") and row["met"] is None
