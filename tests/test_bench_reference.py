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


def test_bench_writes_a_scratch_folder_and_says_so_and_records_only_when_asked(tmp_path, monkeypatch, capsys,
                                                                                  tradesim):
    """`python -m benchmarks` as the README gives it leaves the committed results alone and names what it wrote.

    (--quick, without the sweep and app rows: they start worker pools and render figures, and have their own tests.)
    """
    import benchmarks.__main__ as bench
    from benchmarks import report

    monkeypatch.setattr(report, "RESULTS", tmp_path / "results")
    monkeypatch.setattr(report, "SCRATCH", tmp_path / "scratch")
    monkeypatch.chdir(tmp_path)
    assert bench.main(["--quick", "--skip", "app", "--skip", "sweeps"]) == 0
    out, err = capsys.readouterr()
    assert not (tmp_path / "results").exists()
    data = json.loads((tmp_path / "scratch" / "latest.json").read_text())
    assert {row["id"] for row in data["rows"]} >= {"single_run", "scaling", "reference", "boltzmann"}
    assert "model / numpy reference" in (tmp_path / "scratch" / "latest.md").read_text()
    assert "model / numpy reference" in out
    assert err.splitlines()[-2:] == ["wrote scratch/latest.json", "wrote scratch/latest.md"]

    elsewhere = tmp_path / "elsewhere"
    assert bench.main(["--quick", "--skip", "app", "--skip", "sweeps", "--out", str(elsewhere)]) == 0
    assert capsys.readouterr().err.splitlines()[-2:] == ["wrote elsewhere/latest.json", "wrote elsewhere/latest.md"]
    # --record is the only way into the committed folder, and never with --quick's meaningless figures
    for args, words in ((["--quick", "--record"], "not with --quick"),
                        (["--record", "--out", "x"], "not allowed with argument --record"),
                        (["--out", str(tmp_path / "scratch" / "latest.md" / "x")], "--out")):
        result = tradesim("bench", *args)
        assert result.returncode == 2 and result.stdout == "", result
        assert len(result.stderr.splitlines()) == 1 and words in result.stderr, result.stderr
    assert not (tmp_path / "results").exists()
    assert report.output_dir(bench.build_parser().parse_args(["--record"])) == tmp_path / "results"


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
