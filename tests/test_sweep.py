"""Parameter sweeps: determinism across backends, kill-and-resume, Dask, output format, errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments import store
from experiments.spec import SpecError, load_spec
from experiments.sweep import load_results, run_sweep
from sim.world.errors import UserError
from toml_text import dumps

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "experiments" / "configs"

DOCUMENTED_ID_COLUMNS = ["run_id", "point_id", "replication", "seed"]


def small_spec(**sweep) -> dict:
    spec = {
        "sweep": {"name": "small", "scenario": "section232_2018", "rounds": 3, "replications": 3,
                  "base_seed": 7, "part_size": 4, **sweep},
        "fixed": {"decision_noise": 1.5},
        "grid": {"us_toughness": [0.2, 0.8], "all.security_dependence": [0.0, 1.0]},
    }
    return spec


def classroom_spec(replications=4, part_size=5, rounds=10, n=40) -> dict:
    return {
        "sweep": {"name": "classroom_small", "scenario": "classroom", "rounds": rounds, "replications": replications,
                  "base_seed": 11, "part_size": part_size,
                  "metrics": ["mean_cooperation", "cooperation", "share_retaliating"]},
        "fixed": {"n_countries": 2, "strategy": "grim", "Country 1.strategy": "expected_utility",
                  "decision_noise": 0.3},
        "grid": {"patience": {"start": 0.05, "stop": 0.6, "num": n}},
    }


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in ("run_id", "round") if k in frame.columns]
    return frame.sort_values(keys).reset_index(drop=True)


# --------------------------------------------------------------------------- determinism


def test_one_and_two_workers_give_identical_results(tmp_path):
    spec = small_spec()
    run_sweep(spec, tmp_path / "inline", workers=0, progress=False)
    run_sweep(spec, tmp_path / "one", workers=1, progress=False)
    run_sweep(spec, tmp_path / "two", workers=2, progress=False)
    inline = sorted_frame(load_results(tmp_path / "inline"))
    one = sorted_frame(load_results(tmp_path / "one"))
    two = sorted_frame(load_results(tmp_path / "two"))
    assert len(one) == 2 * 2 * 3
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(one, inline)
    # several part files were written (part_size = 4 runs)
    assert len(store.part_files(tmp_path / "two")) >= 3


def test_seeds_are_reproducible_and_distinct():
    spec = load_spec(small_spec())
    seeds = [task[3] for task in spec.tasks()]
    assert seeds == [task[3] for task in load_spec(small_spec()).tasks()]
    assert len(set(seeds)) == len(seeds)
    assert all(0 <= s < 2**63 for s in seeds)
    other = [task[3] for task in load_spec(small_spec(base_seed=8)).tasks()]
    assert set(other).isdisjoint(seeds)
    common = load_spec(small_spec(seeds="common"))
    assert common.seed_for(0, 1) == common.seed_for(3, 1) != common.seed_for(0, 2)


# --------------------------------------------------------------------------- output format


def test_parquet_columns_and_manifest(tmp_path):
    out = tmp_path / "out"
    manifest = run_sweep(small_spec(), out, workers=0, progress=False)
    frame = pd.read_parquet(out / "runs").sort_values("run_id").reset_index(drop=True)  # all parts at once
    spec = load_spec(small_spec())
    expected = DOCUMENTED_ID_COLUMNS + ["decision_noise", "us_toughness", "all.security_dependence"] + list(spec.metrics)
    assert list(frame.columns) == expected == manifest["columns"]
    assert frame["run_id"].is_unique and sorted(frame["run_id"]) == list(range(spec.n_runs()))
    for metric in ("share_retaliating", "share_settled", "deals", "retaliators", "cooperation",
                   "escalation_index", "us_welfare", "mean_welfare_change"):
        assert pd.api.types.is_numeric_dtype(frame[metric]), metric
    assert frame["share_retaliating"].between(0, 1).all()
    assert set(frame["us_toughness"]) == {0.2, 0.8}
    # seeds in the file are the documented derivation
    for row in frame.itertuples():
        assert row.seed == spec.seed_for(row.point_id, row.replication)
    saved = store.read_manifest(out)
    assert saved["status"] == "complete" and saved["run_count"] == 12 and saved["runs_done"] == 12
    assert saved["base_seed"] == 7
    assert {"tradesim", "mesa", "numpy", "python"} <= set(saved["versions"])
    assert saved["start_time"] and saved["end_time"]
    assert load_spec(saved["spec"]).fingerprint() == spec.fingerprint()


def test_every_round_records(tmp_path):
    spec = small_spec(record="every_round", metrics=["retaliators", "cooperation", "mean_cooperation"])
    run_sweep(spec, tmp_path / "rounds", workers=0, progress=False)
    frame = load_results(tmp_path / "rounds")
    assert "round" in frame.columns
    assert len(frame) == 12 * 3
    assert frame.groupby("run_id")["round"].apply(list).map(lambda r: r == [1, 2, 3]).all()
    final = run_sweep(small_spec(metrics=["retaliators", "cooperation", "mean_cooperation"]),
                      tmp_path / "final", workers=0, progress=False)
    assert final["status"] == "complete"
    last = frame[frame["round"] == 3].reset_index(drop=True).drop(columns=["round"])
    pd.testing.assert_frame_equal(last, load_results(tmp_path / "final"))


def test_all_and_scale_expansion():
    from experiments.overrides import expand_overrides
    from sim.world.loader import load_scenario

    data = load_scenario("section232_2018")
    out = expand_overrides(data, {"all.security_dependence": 0.3, "us_toughness": 0.5})
    assert out["us_toughness"] == 0.5
    assert {k for k in out if k.endswith(".security_dependence")} == {f"{c.name}.security_dependence" for c in data.countries}
    scaled = expand_overrides(data, {"scale.security_dependence": 2.0})
    for c in data.countries:
        assert scaled[f"{c.name}.security_dependence"] == pytest.approx(min(1.0, 2 * c.security_dependence))
    classroom = load_scenario("classroom")
    assert len([k for k in expand_overrides(classroom, {"n_countries": 5, "all.patience": 0.5})
                if k.endswith(".patience")]) == 5


# --------------------------------------------------------------------------- kill and resume


def _write_config(path: Path, spec: dict) -> Path:
    path.write_text(dumps(spec), encoding="utf-8")
    return path


def test_killed_sweep_resumes_without_loss_or_repeat(tmp_path):
    spec = classroom_spec(replications=5, part_size=5, rounds=20, n=40)  # 200 runs
    config = _write_config(tmp_path / "kill.toml", spec)
    out = tmp_path / "killed"
    # the `tradesim` console script, run with this interpreter
    cmd = [sys.executable, "-c", "import sys; from cli import main; sys.exit(main())", "sweep", str(config), "--out", str(out), "--workers", "1", "--no-progress"]
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    try:
        while time.time() < deadline and len(store.part_files(out)) < 3 and proc.poll() is None:
            time.sleep(0.05)
        assert proc.poll() is None, f"sweep ended before it could be killed: {proc.stderr.read().decode()}"
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI, its fork server and its worker, mid-sweep
    finally:
        proc.wait(timeout=30)
    partial = store.done_run_ids(out)
    total = load_spec(spec).n_runs()
    assert 0 < len(partial) < total
    assert store.read_manifest(out)["status"] == "running"

    with pytest.raises(UserError, match="--resume"):
        run_sweep(spec, out, workers=0, progress=False)
    manifest = run_sweep(spec, out, workers=0, progress=False, resume=True)
    assert manifest["status"] == "complete" and manifest["runs_done"] == total
    frame = load_results(out)
    assert frame["run_id"].is_unique
    assert sorted(frame["run_id"]) == list(range(total))
    assert len(manifest["sessions"]) == 2
    # the resumed sweep equals one run straight through
    run_sweep(spec, tmp_path / "straight", workers=0, progress=False)
    pd.testing.assert_frame_equal(sorted_frame(frame), sorted_frame(load_results(tmp_path / "straight")))
    # resuming a finished sweep runs nothing and changes nothing
    parts = store.part_files(out)
    run_sweep(spec, out, workers=0, progress=False, resume=True)
    assert store.part_files(out) == parts


def test_resume_refuses_a_different_spec(tmp_path):
    run_sweep(small_spec(), tmp_path / "a", workers=0, progress=False)
    with pytest.raises(UserError, match="different sweep"):
        run_sweep(small_spec(base_seed=99), tmp_path / "a", workers=0, progress=False, resume=True)


# --------------------------------------------------------------------------- dask


def test_dask_scheduler_gives_same_results_as_local(tmp_path):
    distributed = pytest.importorskip("distributed")
    spec = small_spec()
    run_sweep(spec, tmp_path / "local", workers=0, progress=False)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        manifest = run_sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=False)
    assert manifest["sessions"][-1]["backend"] == "dask"
    assert manifest["sessions"][-1]["scheduler"].startswith("tcp://127.0.0.1:")
    assert "distributed" in manifest["versions"]
    pd.testing.assert_frame_equal(sorted_frame(load_results(tmp_path / "local")),
                                  sorted_frame(load_results(tmp_path / "dask")))


# --------------------------------------------------------------------------- analysis


def test_analyze_grid_writes_table_and_plots(tmp_path, capsys):
    from experiments.analyze import analyze

    run_sweep(small_spec(), tmp_path / "g", workers=0, progress=False)
    report = analyze(tmp_path / "g")
    text = capsys.readouterr().out
    assert "share_retaliating" in text and "[" in text
    summary = report["summary"]
    assert len(summary) == 4 and (summary["n"] == 3).all()
    assert (summary["share_retaliating_ci_low"] <= summary["share_retaliating_mean"] + 1e-12).all()
    assert (tmp_path / "g" / "summary.csv").exists()
    assert (tmp_path / "g" / "plots" / "share_retaliating.png").stat().st_size > 1000
    assert report["sensitivity"] is None


def test_analyze_sobol_gives_indices(tmp_path, capsys):
    from experiments.analyze import analyze

    spec = {
        "sweep": {"name": "tiny_sobol", "scenario": "classroom", "rounds": 10, "replications": 1, "base_seed": 3,
                  "metrics": ["mean_cooperation", "mean_cumulative_welfare"]},
        "fixed": {"n_countries": 2, "strategy": "expected_utility", "partner_model": "grim"},
        "sample": {"method": "sobol", "n": 16, "ranges": {"patience": [0.05, 0.6], "decision_noise": [0.0, 1.0]}},
    }
    run_sweep(spec, tmp_path / "s", workers=0, progress=False)
    report = analyze(tmp_path / "s")
    indices = report["sensitivity"]
    assert set(indices["parameter"]) == {"patience", "decision_noise"}
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(indices.columns)
    assert "Sobol sensitivity indices" in capsys.readouterr().out
    assert (tmp_path / "s" / "plots" / "sensitivity.png").exists()


def test_shipped_configs_are_valid():
    for name in ("deterrence", "patience_threshold", "sobol_section232"):
        spec = load_spec(CONFIGS / f"{name}.toml")
        assert spec.n_runs() > 0
        assert spec.n_runs() <= 3000  # each must finish in minutes on 2 cores


# --------------------------------------------------------------------------- errors


def test_unknown_parameter_lists_valid_names(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[sweep]\nscenario = "section232_2018"\nbase_seed = 1\n[grid]\nus_tuoghness = [0.1, 0.2]\n')
    with pytest.raises(SpecError) as info:
        load_spec(config)
    message = str(info.value)
    assert str(config) in message and "grid.us_tuoghness" in message
    assert "Did you mean us_toughness" in message and "decision_noise" in message


@pytest.mark.parametrize("text, fragment", [
    ('[sweep]\nscenario = "section232_2018"\n[grid]\nus_toughness = [0.1]\n', "sweep.base_seed is missing; expected a whole number from 0 to 9,223,372,036,854,775,807"),
    ('[sweep]\nscenario = "section232_2018"\nbase_seed = 1\n[grid]\nus_toughness = [0.1, 7]\n', "out of range"),
    ('[sweep]\nscenario = "nowhere"\nbase_seed = 1\n[grid]\nus_toughness = [0.1]\n', "scenario"),
    ('[sweep]\nscenario = "section232_2018"\nbase_seed = 1\nmetrics = ["nope"]\n[grid]\nus_toughness = [0.1]\n',
     "unknown metric 'nope'"),
    ('[sweep]\nscenario = "section232_2018"\nbase_seed = 1\nreplications = 0\n[grid]\nus_toughness = [0.1]\n',
     "sweep.replications"),
    ('[sweep]\nscenario = "section232_2018"\nbase_seed = 1\n', "nothing to vary"),
    ('[sweep]\nscenario = "section232_2018"\nbase_seed = 1\n[sample]\nmethod = "sobol"\nn = 10\n'
     '[sample.ranges]\nus_toughness = [0, 1]\npatience = [0.1, 0.9]\n', "power of 2"),
    ('[sweep]\nscenario = "section232_2018"\nbase_seed = 1\n[grid]\n"Atlantis.security_dependence" = [0.1]\n',
     "unknown country 'Atlantis'"),
    ('[sweep]\nscenario = "section232_2018"\nbase_seed = 1\n[grid]\nus_toughness = { start = 0 }\n', "grid.us_toughness.stop is missing"),
    ('[sweep]\nscenario = "section232_2018"\nbase_seed = 1\n[grid]\nus_toughness = { start = 0, stop = 1 }\n', "a range needs"),
    ('[sweep\n', "not valid TOML"),
])
def test_bad_config_names_file_key_and_problem(tmp_path, text, fragment):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(SpecError) as info:
        load_spec(config)
    assert str(config) in str(info.value)
    assert fragment in str(info.value)


def test_cli_reports_user_errors_in_one_line(tmp_path, capsys):
    from cli import main

    assert main(["sweep", str(tmp_path / "missing.toml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tradesim: error:") and "not found" in err and "Traceback" not in err
    config = _write_config(tmp_path / "ok.toml", small_spec())
    assert main(["sweep", str(config), "--out", str(tmp_path / "o"), "--workers", "0", "--no-progress"]) == 0
    assert main(["sweep", str(config), "--out", str(tmp_path / "o"), "--workers", "0", "--no-progress"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path / "nothing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert main(["analyze", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err


def test_mean_cooperation_is_the_mean_of_the_recorded_rounds():
    from experiments.metrics import METRICS
    from sim import NegotiationModel

    model = NegotiationModel(scenario_name="classroom", rng=3, execution_noise=0.3).run(6)
    per_round = model.datacollector.get_model_vars_dataframe()["cooperation"].iloc[1:]
    assert 0 < per_round.mean() < 1  # a mix, so the mean is not trivially 0 or 1
    assert METRICS["mean_cooperation"](model) == pytest.approx(per_round.mean())
