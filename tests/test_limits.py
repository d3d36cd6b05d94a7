"""Every input class of issue 15, by example: a one-line error naming the file, field or flag and the allowed range.

The generated inputs of tests/test_hostile_inputs.py cover the same classes at random;
these are the cases a reader can check by eye, with the wording a user sees.  Docs:
docs/limits.md.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import tomllib
from pathlib import Path

import pytest

from experiments import store
from experiments.sweep import run_sweep
from sim.world.loader import builtin_dir
from toml_text import dumps

SECTION232 = builtin_dir() / "section232_2018.toml"
CLASSROOM = builtin_dir() / "classroom.toml"
LONG = "x" * 300


def refused(result, *words: str) -> str:
    """Exit 2, one line `tradesim: error: ...` containing every one of ``words``, nothing on stdout."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tradesim: error: "), result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert result.stdout == "", "the error came after work had started"
    return lines[0]


# --------------------------------------------------------------------------- counts are bounded
@pytest.mark.parametrize("args, words", [
    (["run", "section232_2018", "--rounds", "100001"], ["--rounds", "at most 100,000 rounds"]),
    (["run", "section232_2018", "--rounds", str(2**63)], ["--rounds", "at most 100,000 rounds"]),
    (["run", "section232_2018", "--rounds", "1e6"], ["--rounds", "at most 100,000 rounds"]),
    (["run", "section232_2018", "--rounds", "2.5"], ["--rounds got '2.5'", "whole number"]),
    (["run", "section232_2018", "--rounds", "inf"], ["--rounds = 'inf' is out of range"]),
    (["explain", "section232_2018", "Canada", "--rounds", "1000000"], ["--rounds", "at most 100,000 rounds"]),
    (["explain", "section232_2018", "Canada", "--rounds", "0"], ["--rounds", "from 1 to 100,000"]),
    (["backtest", "section232_2018", "--seeds", "100000000"], ["--seeds", "at most 10,000 seeded runs"]),
    (["run", "section232_2018", "--seed", str(2**64)], ["--seed", "9,223,372,036,854,775,807"]),
    (["run", "classroom", "--set", "n_countries=inf"], ["n_countries", "from 2 to 100,000"]),
    (["run", "classroom", "--set", "n_countries=1e400"], ["n_countries", "out of range"]),
    (["run", "classroom", "--set", "n_countries=2.5"], ["n_countries", "got '2.5'"]),
    (["run", "section232_2018", "--set", "scale.gdp_bn=inf"], ["scale.gdp_bn", "out of range"]),
    (["run", "section232_2018", "--set", "all.gdp_bn=1e308"], ["gdp_bn", "<= 1,000,000"]),
    (["run", "section232_2018", "--set", "Canada.exports_to_us_bn:titanium=5"], ["unknown sector 'titanium'",
                                                                                "steel, aluminium, other"]),
    (["run", "section232_2018", "--set", "Canada.exports_to_us_bn:=5"], ["unknown sector ''"]),
    (["sweep", "experiments/configs/deterrence.toml", "--workers", "-1"], ["--workers", "from 0 to 1,024"]),
    (["app", "--port", "99999"], ["--port", "from 1 to 65,535"]),
    (["analyze", "sweeps/none", "--rows", "-3"], ["--rows"]),
    # a whole number is written in digits: 1e3 is not taken for 1000, nor 2.0 for 2
    (["run", "section232_2018", "--rounds", "1e3"], ["--rounds got '1e3'", "in digits only: 1000, not '1e3'"]),
    (["run", "section232_2018", "--rounds", "24.0"], ["--rounds got '24.0'", "in digits only: 24, not '24.0'"]),
    (["run", "section232_2018", "--seed", "7.0"], ["--seed got '7.0'", "in digits only"]),
    (["run", "classroom", "--set", "n_countries=1e1"], ["n_countries' got '1e1'", "in digits only: 10"]),
    (["backtest", "section232_2018", "--seeds", "2.0"], ["--seeds got '2.0'", "in digits only: 2, not '2.0'"]),
])
def test_counts_and_numbers_are_bounded_and_the_bound_is_stated(tradesim, args, words):
    refused(tradesim(*args), *words)


def test_a_port_in_use_is_refused_before_serving(tradesim):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        refused(tradesim("app", "--port", port), f"--port {port}", "in use")


def test_scaling_to_a_huge_value_is_clipped_to_the_field_range_not_infinity(tradesim):
    result = tradesim("run", "section232_2018", "--rounds", "2", "--set", "scale.gdp_bn=1e308", "--json")
    assert result.returncode == 0, result.stderr
    json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in the output"))


# --------------------------------------------------------------------------- paths
def test_output_paths_are_checked_before_the_run(tradesim, tmp_path):
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "null.csv").symlink_to("/dev/null")
    (tmp_path / "file").write_text("x")
    cases = [
        (tmp_path / "missing" / "x.csv", ["the folder", "does not exist"]),
        (tmp_path / "folder.csv", ["is a folder"]),
        (tmp_path / "null.csv", ["not a regular file"]),
        ("/proc/x.csv", ["--out '/proc/x.csv' cannot be written"]),
        (tmp_path / (LONG + ".csv"), ["is not a usable path", "at most 255"]),
        (tmp_path / "file" / "x.csv", ["the folder", "is a file"]),
    ]
    for out, words in cases:
        refused(tradesim("run", "section232_2018", "--out", out), "--out", *words)


def test_long_and_impossible_input_paths_are_refused(tradesim, tmp_path):
    refused(tradesim("run", LONG), "is not a usable path", "at most 255")
    refused(tradesim("run", tmp_path / (LONG + ".toml")), "is not a usable path")
    refused(tradesim("sweep", tmp_path / (LONG + ".toml")), "is not a usable path")
    refused(tradesim("analyze", tmp_path / LONG), "is not a usable path")
    refused(tradesim("sweep", tmp_path), "sweep config not found (it is a folder)")
    config = tmp_path / "ok.toml"
    config.write_text(dumps(SMALL))
    (tmp_path / "file").write_text("x")
    refused(tradesim("sweep", config, "--out", tmp_path / "file" / "out"), "--out", "cannot be created")


# --------------------------------------------------------------------------- scenario files
def mutate(tmp_path: Path, old: str, new: str, source: Path = SECTION232) -> Path:
    text = source.read_text()
    assert old in text
    path = tmp_path / "edited.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize("old, new, words", [
    ('name = "Canada"', 'name = ""', ["countries[0].name", "a non-empty name"]),
    ('name = "Canada"', 'name = "   "', ["a non-empty name"]),
    ("rounds = 24", "rounds = 1.5", ["scenario.rounds got 1.5", "at most 100,000 rounds"]),
    ("rounds = 24", "rounds = 24.0", ["scenario.rounds got 24.0", "in digits only: 24, not 24.0"]),
    ('security_ties = ["treaty_ally", "intelligence"]', 'security_tie = ["treaty_ally", "intelligence"]',
     ["Did you mean security_ties"]),
    ("gdp_bn = 1647", "gdp_bn = inf", ["gdp_bn = inf is out of range"]),
    ("gdp_bn = 1647", "gdp_bn = nan", ["gdp_bn = nan is out of range"]),
])
def test_bad_scenario_files_are_refused_naming_file_and_field(tradesim, tmp_path, old, new, words):
    path = mutate(tmp_path, old, new)
    refused(tradesim("run", path, "--rounds", "1"), str(path), *words)


def test_degenerate_scenarios_are_refused(tradesim, tmp_path):
    text = SECTION232.read_text()
    head = text[: text.index("[[countries]]")]
    empty = tmp_path / "empty.toml"
    empty.write_text("countries = []\n" + head)
    refused(tradesim("run", empty), "no countries")
    classroom = CLASSROOM.read_text()
    lonely = tmp_path / "lonely.toml"
    china = {"name": "China", "role": "china", "gdp_bn": 13600, "total_exports_bn": 2400, "exports_to_us_bn": {},
             "imports_from_us_bn": 150, "trade_with_china_bn": 0, "security_dependence": 0,
             "sources": {k: "x" for k in ("gdp_bn", "total_exports_bn", "exports_to_us_bn", "imports_from_us_bn",
                                           "trade_with_china_bn", "security_dependence")}}
    lonely.write_text(dumps({"sectors": [], "countries": [china]}) + classroom[: classroom.index("[generate]")])
    refused(tradesim("run", lonely), "needs at least two countries")
    # China alone facing the U.S. is a game (us_china_2018); China alone asked to align against China is not
    only_china = tomllib.loads(text)
    only_china["countries"] = [c for c in only_china["countries"] if c["name"] == "China"]
    only_china["demands"] = [d for d in only_china["demands"] if not d.get("countries")]
    alone = tmp_path / "only_china.toml"
    alone.write_text(dumps(only_china))
    refused(tradesim("run", alone), str(alone), "demands[address_china]: is put to no country",
            "never put to China")
    assert tradesim("run", "us_china_2018", "--rounds", "1").returncode == 0


def test_generate_is_validated(tradesim, tmp_path):
    path = mutate(tmp_path, "gdp_bn = 1000", 'gdp_bn = "big"', CLASSROOM)
    refused(tradesim("run", path), "generate.gdp_bn got 'big'", "a number > 0")


@pytest.mark.parametrize("nesting", ["a = " + "[" * 5000 + "]" * 5000, "a = " + "{b = " * 300 + "1" + "}" * 300])
def test_deeply_nested_toml_is_refused(tradesim, tmp_path, nesting):
    path = tmp_path / "deep.toml"
    path.write_text(nesting)
    refused(tradesim("run", path), "nested too deeply", "at most 100 levels")
    refused(tradesim("sweep", path), "nested too deeply")


# --------------------------------------------------------------------------- sweep configs
SMALL = {
    "sweep": {"name": "small", "scenario": "classroom", "rounds": 3, "replications": 2, "base_seed": 5,
              "part_size": 2, "metrics": ["cooperation", "share_retaliating"]},
    "fixed": {"n_countries": 2, "strategy": "grim"},
    "grid": {"patience": [0.1, 0.9]},
}


def sweep_config(tmp_path: Path, **tables) -> Path:
    doc = {key: (value if value is not None else None) for key, value in {**SMALL, **tables}.items()}
    path = tmp_path / "sweep.toml"
    path.write_text(dumps({k: v for k, v in doc.items() if v is not None}))
    return path


@pytest.mark.parametrize("tables, words", [
    ({"grid": {"patience": {"start": 0.1, "stop": float("inf"), "num": 3}}}, ["grid.patience.stop = inf"]),
    ({"grid": {"patience": {"start": float("nan"), "stop": 0.5, "num": 3}}}, ["grid.patience.start = nan"]),
    ({"grid": {"patience": {"start": 0.0, "stop": 0.9, "step": 1e-12}}}, ["at most 10,000 values"]),
    ({"grid": {"patience": {"start": 0.0, "stop": 0.9, "num": 10**9}}}, ["grid.patience.num", "at most 10,000 values"]),
    ({"grid": {"patience": [0.1, "0.2"]}}, ["grid.patience got '0.2'", "expected a number"]),
    ({"grid": {"patience": [0.1], "us_toughness": [0.1], "decision_noise": {"start": 0, "stop": 1, "num": 9000},
               "pd_R": {"start": 0, "stop": 1, "num": 9000}}}, ["points x replications", "at most 1,000,000 runs"]),
    ({"grid": None, "sample": {"method": "lhs", "n": 10**9, "ranges": {"patience": [0.1, 0.9]}}},
     ["sample.n", "at most 100,000 samples"]),
    ({"sweep": {**SMALL["sweep"], "replications": 10**9}}, ["sweep.replications", "at most 100,000 replications"]),
    ({"sweep": {**SMALL["sweep"], "replications": 2.0}}, ["sweep.replications got 2.0", "in digits only: 2, not 2.0"]),
    ({"fixed": {"n_countries": 3.0}}, ["fixed.n_countries", "in digits only: 3, not 3.0"]),
    ({"sweep": {**SMALL["sweep"], "rounds": 10**6}}, ["sweep.rounds", "100,000"]),
    ({"sweep": {**SMALL["sweep"], "name": "../../escape"}}, ["sweep.name got '../../escape'", "not a path"]),
    ({"sweep": {**SMALL["sweep"], "name": "/tmp/anywhere"}}, ["sweep.name", "not a path"]),
    ({"sweep": {**SMALL["sweep"], "bogus": 1}}, ["unknown field 'bogus'"]),
    ({"grid": {"patience": {"start": 0, "stop": 1, "nun": 3}}}, ["unknown field 'nun'. Did you mean num"]),
    ({"extra": {"a": 1}}, ["unknown table 'extra'"]),
])
def test_bad_sweep_configs_are_refused_before_any_run(tradesim, tmp_path, tables, words):
    config = sweep_config(tmp_path, **tables)
    refused(tradesim("sweep", config, "--out", tmp_path / "out", "--workers", "0"), str(config), *words)
    assert not (tmp_path / "out").exists()


def test_a_sweep_name_is_never_a_path(tradesim, tmp_path, monkeypatch):
    """Without --out a sweep goes to sweeps/<name>; a name with a path in it is refused, a file name made plain."""
    monkeypatch.chdir(tmp_path)
    odd = tmp_path / "../odd name!.toml"
    odd.write_text(dumps({**SMALL, "sweep": {k: v for k, v in SMALL["sweep"].items() if k != "name"}}))
    result = tradesim("sweep", odd, "--workers", "0", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "sweeps").iterdir()] == ["odd_name_"]


# --------------------------------------------------------------------------- a sweep pinned to its inputs
@pytest.fixture
def finished(tmp_path):
    scenario = tmp_path / "classroom_copy.toml"
    shutil.copy(CLASSROOM, scenario)
    config = sweep_config(tmp_path, sweep={**SMALL["sweep"], "scenario": str(scenario)})
    out = tmp_path / "out"
    run_sweep(config, out, workers=0, progress=False)
    return config, scenario, out


def test_resume_refuses_when_the_scenario_file_changed(tradesim, finished):
    config, scenario, out = finished
    scenario.write_text(scenario.read_text().replace("war_tariff = 0.12", "war_tariff = 0.13", 1))
    refused(tradesim("sweep", config, "--out", out, "--resume", "--workers", "0"),
            "--resume refused: the scenario", "would mix two models")


def test_resume_refuses_when_the_code_changed(tradesim, finished):
    config, _, out = finished
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["inputs"]["code"] = "0" * 16  # as if written by another version of the model
    (out / "manifest.json").write_text(json.dumps(manifest))
    refused(tradesim("sweep", config, "--out", out, "--resume", "--workers", "0"), "the model's code")


def test_resume_refuses_parts_without_a_manifest_and_another_grid(tradesim, finished, tmp_path):
    config, _, out = finished
    (out / "manifest.json").unlink()
    other = sweep_config(tmp_path, grid={"patience": [0.2, 0.8]})
    refused(tradesim("sweep", other, "--out", out, "--resume", "--workers", "0"), "no manifest.json",
            "could mix two sweeps")


def test_analyze_refuses_a_copied_part_and_a_part_of_another_sweep(tradesim, finished, tmp_path):
    config, _, out = finished
    runs = out / "runs"
    shutil.copy(runs / "part-00001.parquet", runs / "part-00099.parquet")
    refused(tradesim("analyze", out, "--no-plots"), "part-00099.parquet repeats run 0", "counted once")
    (runs / "part-00099.parquet").unlink()
    other = tmp_path / "other"
    run_sweep(sweep_config(tmp_path, sweep={**SMALL["sweep"], "base_seed": 6}), other, workers=0, progress=False)
    shutil.copy(other / "runs" / "part-00001.parquet", runs / "part-00099.parquet")
    refused(tradesim("analyze", out, "--no-plots"), "does not belong to this sweep", "another seed")


@pytest.mark.parametrize("target, content, words", [
    ("manifest.json", b"", ["manifest.json is damaged (not valid JSON)"]),
    ("manifest.json", b"[1, 2]", ["not a JSON object"]),
    ("manifest.json", b'{"name": "x"}', ["is damaged (no spec"]),
    ("runs/part-00001.parquet", b"PAR1garbage", ["part-00001.parquet is damaged", "--resume"]),
])
def test_damaged_sweep_files_give_one_line(tradesim, finished, target, content, words):
    config, _, out = finished
    (out / target).write_bytes(content)
    refused(tradesim("analyze", out, "--no-plots"), *words)
    refused(tradesim("sweep", config, "--out", out, "--resume", "--workers", "0"), *words)


def test_analyze_outputs_are_checked_before_any_work(tradesim, finished):
    _, _, out = finished
    (out / "summary.csv").mkdir()
    refused(tradesim("analyze", out), "summary.csv' is a folder")
    (out / "summary.csv").rmdir()
    (out / "plots").write_text("a file where the plots go")
    refused(tradesim("analyze", out), "plots' exists and is not a folder")
    assert not (out / "summary.csv").exists()


def test_confidence_intervals_of_shares_stay_inside_0_and_1(finished):
    import numpy as np

    from experiments.analyze import analyze, bootstrap_interval

    rng = np.random.default_rng(0)
    nearly_all = np.array([1.0] * 9 + [0.8])  # mean 0.98: a Student t interval reaches above 1
    low, high = bootstrap_interval(nearly_all, rng)
    assert 0.8 <= low < 0.98 < high <= 1.0
    assert bootstrap_interval(np.zeros(5), rng) == (0.0, 0.0)
    assert all(np.isnan(bootstrap_interval(np.array([0.5]), rng)))
    summary = analyze(finished[2], plots=False, echo=False)["summary"]
    for metric in ("cooperation", "share_retaliating"):
        assert summary[f"{metric}_ci_low"].between(0, 1).all() and summary[f"{metric}_ci_high"].between(0, 1).all()


# --------------------------------------------------------------------------- history tables
@pytest.mark.parametrize("edit, words", [
    (lambda h: {**h, "economies": [1, 2]}, ["economies[0]: expected a table"]),
    (lambda h: {**h, "history": {**h["history"], "horizon_rounds": 10**9}}, ["horizon_rounds", "at most 100,000 rounds"]),
    (lambda h: {**h, "history": {**h["history"], "horizon_rounds": 2.5}}, ["horizon_rounds got 2.5"]),
    (lambda h: {**h, "economies": [{**h["economies"][0], "retaliated": "yes"}]}, ["retaliated got 'yes'"]),
    (lambda h: {**h, "economies": [{**h["economies"][0], "setled": True}]}, ["Did you mean settled"]),
])
def test_bad_history_tables_give_one_line(tradesim, tmp_path, edit, words):
    import tomllib

    history = tomllib.loads((builtin_dir() / "section232_2018_history.toml").read_text())
    scenario = tmp_path / "s232.toml"
    shutil.copy(SECTION232, scenario)
    (tmp_path / "s232_history.toml").write_text(dumps(edit(history)))
    refused(tradesim("backtest", scenario, "--seeds", "1"), "s232_history.toml", *words)


# --------------------------------------------------------------------------- output that says what it means
def test_run_output_separates_the_final_treatment_from_what_happened_at_some_point(tradesim):
    result = tradesim("run", "section232_2018", "--rounds", "24", "--seed", "7")
    assert "ever retaliated" in result.stdout and "ever settled" in result.stdout
    assert "At some point in the run:" in result.stdout
    assert re.search(r"Escalation index: \d+\.\d\d% \(the trade-weighted mean tariff", result.stdout)
    summary = json.loads(tradesim("run", "section232_2018", "--rounds", "24", "--seed", "7", "--json").stdout)
    china = next(c for c in summary["countries"] if c["name"] == "China")
    assert {"final_treatment", "settled_ever", "retaliated_ever"} <= set(china) and "settled" not in china


def test_run_out_names_the_file_it_wrote_and_keeps_json_clean(tradesim, tmp_path):
    import pandas as pd

    out = tmp_path / "records.parquet"
    result = tradesim("run", "classroom", "--rounds", "2", "--out", out, "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["rounds"] == 2
    assert result.stderr.splitlines() == [f"wrote {out} (6 rows: one per country and round)"]
    assert len(pd.read_parquet(out)) == 6  # 2 countries, rounds 0-2


def test_version_parameters_and_exercises_are_listed(tradesim, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # help text unwrapped
    import cli

    assert tradesim("--version").stdout.strip() == f"tradesim {cli.version()}"
    listing = tradesim("params").stdout
    from sim.world.params import PARAMS

    for name, field in PARAMS.items():
        assert f"  {name} = " in listing and f"({field.describe_range(count=False)})" in listing
    assert "security_dependence    (a number from 0 to 1)" in listing
    # one bracket per range, the unit after it: not "(a whole number from 0 to 1,000 (at most 1,000 round))"
    assert "  deadline_extension = 0    (a whole number from 0 to 1,000) [rounds]" in listing
    assert "  deadline_round = 0    (a whole number from 0 to 1,000)\n" in listing
    assert [line for line in listing.splitlines() if re.search(r"\([^)]*\(", line) and "at most" in line] == []
    assert f"us_toughness = {PARAMS['us_toughness'].default:g}    (a number from 0 to 1)" in tradesim(
        "params", "us_toughness").stdout
    run_help = tradesim("run", "--help").stdout
    from ui.exercises import list_exercises

    for exercise in list_exercises():
        assert exercise.name in run_help


def test_every_count_names_its_unit_in_the_plural():
    """A whole number with a unit is a count, stated as "at most 1,000 rounds": never "at most 1,000 round"."""
    from experiments import spec
    from sim.world import schema
    from sim.world.params import PARAMS

    fields = [*PARAMS.values(), *schema.COUNTRY.values(), *schema.SCENARIO_HEAD.values(), schema.ROUNDS_OPTION,
              schema.BACKTEST_SEEDS, schema.WORKERS_OPTION, schema.MAX_SESSIONS_OPTION, *spec.SWEEP_FIELDS.values()]
    counts = [field for field in fields if field.kind is int and field.unit]
    assert {field.name for field in counts} >= {"rounds", "--rounds", "--seeds", "n_countries", "replications"}
    assert [f"{field.name}: {field.unit}" for field in counts if not field.unit.endswith("s")] == []


def test_sweeps_folder_is_git_ignored():
    root = Path(__file__).resolve().parent.parent
    assert "/sweeps/" in (root / ".gitignore").read_text().split()


def test_store_refuses_runs_outside_the_sweep(finished):
    """A part with run ids this sweep does not have is foreign, even with the right columns."""
    import pandas as pd

    from experiments.spec import load_spec

    config, _, out = finished
    part = out / "runs" / "part-00001.parquet"
    frame = pd.read_parquet(part)
    frame["run_id"] += 1000
    frame.to_parquet(part, index=False)
    with pytest.raises(store.StoreError, match="run ids are not this sweep's"):
        store.verify_parts(out, load_spec(config), store.result_columns(load_spec(config)))
