"""Generated hostile inputs: every one gets a one-line error (exit 2) or a valid run, never a traceback or a hang.

Hypothesis breaks the inputs a user gives, starting from valid ones: scenario files,
``--set`` values, command-line numbers, sweep configs, damaged sweep folders and history
tables.  Each goes through the real command (``cli.main`` in this process, so an uncaught
exception fails the test with its traceback).  What counts as a clean answer:

* exit status 2 and exactly one line on stderr, ``tradesim: error: ...``; or
* exit status 0 and output without NaN or infinities (``--json`` is parsed strictly).

Valid inputs that would legitimately run for long (a million runs, 100,000 rounds) are
kept out with ``assume`` and checked by the bounds tests instead.  The number of
examples per test is set by ``HYPOTHESIS_EXAMPLES`` (default below), so a long hunt is
``HYPOTHESIS_EXAMPLES=2000 HYPOTHESIS_RANDOM=1 uv run pytest tests/test_hostile_inputs.py``
(``HYPOTHESIS_RANDOM=1``: new examples each time; by default the same ones, so a failure repeats).
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from sim.world.loader import builtin_dir
from toml_text import dumps

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "60"))
HOSTILE = settings(max_examples=EXAMPLES, deadline=None, database=None,
                   derandomize=os.environ.get("HYPOTHESIS_RANDOM") != "1",  # fixed examples unless asked
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                          HealthCheck.filter_too_much, HealthCheck.data_too_large])

SCENARIOS = {name: tomllib.loads((builtin_dir() / f"{name}.toml").read_text()) for name in
             ("section232_2018", "classroom", "us_china_2018")}
HISTORY = tomllib.loads((builtin_dir() / "section232_2018_history.toml").read_text())


# --------------------------------------------------------------------------- what a clean answer is
def assert_clean(result, *, json_out: bool = False) -> None:
    """Exit 0 with finite output, or exit 2 with one line `tradesim: error: ...`; nothing else."""
    event(f"exit {result.returncode}")  # --hypothesis-show-statistics counts valid runs and refusals
    assert "Traceback" not in result.stderr
    if result.returncode == 0:
        if json_out:
            def refuse(constant):
                raise AssertionError(f"{constant} in the JSON output")

            json.loads(result.stdout, parse_constant=refuse)
        else:
            assert not re.search(r"\b(nan|inf)\b", result.stdout, flags=re.I), result.stdout[-500:]
        return
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tradesim: error: "), result.stderr[-2000:]


# --------------------------------------------------------------------------- hostile values
NUMBER_TEXT = st.sampled_from(["", " ", "inf", "-inf", "nan", "1e400", "-1e400", "1e308", "2.5", "-1", "0", "-0",
                               "1e-320", "9" * 30, "0x10", "1_000", "١٢", "½", "True", "none", "3 4", "=", ".",
                               "9223372036854775808", "-9223372036854775809", "100001", "0.5", "1"])
TEXT = st.one_of(NUMBER_TEXT, st.text(max_size=12), st.text(alphabet="0123456789.-+eE", max_size=8))
NUMBERS = st.one_of(
    st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, -0.0, 0.5, 1.5, 2**63, -(2**63),
                     2**64, 10**30, 0, 1, -1, 100_001]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-5, max_value=50),
)
LEAVES = st.one_of(NUMBERS, TEXT, st.booleans())
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=6)


def _paths(doc, prefix=()):
    """Every place in a parsed TOML document: (path, value)."""
    yield prefix, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


def _set(doc, path, new):
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {**doc, head: _set(doc[head], rest, new)}
    return [(_set(v, rest, new) if i == head else v) for i, v in enumerate(doc)]


def _delete(doc, path):
    if len(path) == 1:
        return ({k: v for k, v in doc.items() if k != path[0]} if isinstance(doc, dict)
                else [v for i, v in enumerate(doc) if i != path[0]])
    return _set(doc, path[:-1], _delete(_get(doc, path[:-1]), path[-1:]))


def _get(doc, path):
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def broken(draw, doc: dict, extra_keys=st.text(max_size=10)):
    """``doc`` with one to three mutations: a value replaced, a key deleted, a key added, a list emptied."""
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p, _ in _paths(doc) if p]
        path = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "empty"]))
        target = _get(doc, path)
        if action == "replace":
            doc = _set(doc, path, draw(VALUES))
        elif action == "delete":
            doc = _delete(doc, path)
        elif action == "add" and isinstance(target, dict):
            doc = _set(doc, path, {**target, draw(extra_keys): draw(VALUES)})
        elif action == "empty" and isinstance(target, (list, dict)):
            doc = _set(doc, path, type(target)())
    return doc


def _too_long(doc) -> bool:
    """Valid but slow: rounds or countries far beyond what a quick check needs."""
    params = doc.get("params") if isinstance(doc, dict) else None
    n = params.get("n_countries") if isinstance(params, dict) else None
    return isinstance(n, (int, float)) and not isinstance(n, bool) and 200 < n <= 100_000


# --------------------------------------------------------------------------- scenario files
@HOSTILE
@given(data=st.data(), name=st.sampled_from(sorted(SCENARIOS)))
def test_broken_scenario_files_give_one_line_or_a_valid_run(tradesim, data, name):
    doc = data.draw(broken(SCENARIOS[name]))
    assume(not _too_long(doc))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hostile.toml"
        path.write_text(dumps(doc), encoding="utf-8")
        assert_clean(tradesim("run", path, "--rounds", "2", "--json"), json_out=True)


@HOSTILE
@given(content=st.one_of(st.text(max_size=200).map(str.encode), st.binary(max_size=200),
                         st.integers(1, 3000).map(lambda n: ("a = " + "[" * n + "]" * n).encode()),
                         st.integers(1, 3000).map(lambda n: ("a = " + "{b = " * n + "1" + "}" * n).encode()),
                         st.integers(1, 3000).map(lambda n: ("[" + ".".join(["t"] * n) + "]").encode())))
def test_garbage_and_deeply_nested_files_give_one_line(tradesim, content):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "garbage.toml"
        path.write_bytes(content)
        assert_clean(tradesim("run", path, "--rounds", "1", "--json"), json_out=True)


# --------------------------------------------------------------------------- --set and arguments
COUNTRY_FIELDS = ["gdp_bn", "total_exports_bn", "imports_from_us_bn", "trade_with_china_bn", "security_dependence",
                  "retaliation_pressure", "commitment_round", "pivotal_export_share", "security_ties", "patience", "strategy", "initial_treatment", "exports_to_us_bn:steel",
                  "exports_to_us_bn:", "exports_to_us_bn:titanium", "steel", "", "name", "sources"]
SET_KEYS = st.one_of(
    st.sampled_from(["us_toughness", "n_countries", "deadline_round", "decision_noise", "strategy", "china_active",
                     "bloc_mode", "pd_R", "trade_per_partner_bn", "patience", "toughness", ""]),
    st.builds(lambda c, f: f"{c}.{f}", st.sampled_from(["Canada", "South_Korea", "all", "scale", "Narnia", "",
                                                        "Country 1", "China"]),
              st.sampled_from(COUNTRY_FIELDS)),
    st.text(max_size=15),
)


@HOSTILE
@given(sets=st.lists(st.tuples(SET_KEYS, st.one_of(TEXT, st.floats(0, 1).map(str))), min_size=1, max_size=3),
       scenario=st.sampled_from(["section232_2018", "classroom"]))
def test_hostile_set_values_give_one_line_or_a_valid_run(tradesim, sets, scenario):
    for key, value in sets:
        if key == "n_countries":  # valid but slow: hundreds of countries
            assume(_quick(value, 200))
    args = [item for key, value in sets for item in ("--set", f"{key}={value}")]
    assert_clean(tradesim("run", scenario, "--rounds", "2", "--json", *args), json_out=True)


def _quick(text: str, limit: int) -> bool:
    """A count that is either invalid or small enough to run now."""
    try:
        return not limit < float(text.strip()) <= 10**19
    except (ValueError, OverflowError):
        return True


@HOSTILE
@given(command=st.sampled_from(["run", "explain", "backtest"]), rounds=st.one_of(st.none(), TEXT),
       seed=st.one_of(st.none(), TEXT))
def test_hostile_numbers_on_the_command_line_give_one_line(tradesim, command, rounds, seed):
    assume(rounds is None or _quick(rounds, 30))
    args = {"run": ["run", "section232_2018"], "explain": ["explain", "section232_2018", "Canada"],
            "backtest": ["backtest", "section232_2018"]}[command]
    if command == "backtest":
        assume(seed is None or _quick(seed, 2))
        args += ["--seeds", seed if seed is not None else "1"]
    else:
        args += ([] if rounds is None else ["--rounds", rounds]) + ([] if seed is None else ["--seed", seed])
        args += ["--rounds", "3"] if rounds is None else []
    assert_clean(tradesim(*args, "--json"), json_out=True)


# --------------------------------------------------------------------------- sweep configs
SWEEP = {
    "sweep": {"name": "hostile", "scenario": "classroom", "rounds": 3, "replications": 2, "base_seed": 5,
              "part_size": 2, "metrics": ["cooperation", "share_retaliating"]},
    "fixed": {"n_countries": 2, "strategy": "grim"},
    "grid": {"patience": {"start": 0.1, "stop": 0.9, "num": 2}, "decision_noise": [0.5, 1.0]},
}
SAMPLE_SWEEP = {**{k: v for k, v in SWEEP.items() if k != "grid"},
                "sample": {"method": "lhs", "n": 3, "ranges": {"patience": [0.1, 0.9], "decision_noise": [0.1, 2.0]}}}


@HOSTILE
@given(data=st.data(), base=st.sampled_from([SWEEP, SAMPLE_SWEEP]))
def test_broken_sweep_configs_give_one_line_or_a_valid_sweep(tradesim, data, base):
    from experiments.spec import load_spec
    from sim.world.errors import UserError
    from sim.world.schema import MAX_SWEEP_RUNS

    doc = data.draw(broken(base, extra_keys=st.sampled_from(["name", "seeds", "step", "num", "bogus", "method",
                                                               "us_toughness", "all.patience", "x"])))
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "sweep.toml"
        config.write_text(dumps(doc), encoding="utf-8")
        try:
            spec = load_spec(config)
        except UserError:
            spec = None
        if spec is not None:  # valid: bounded, and small ones run
            assert 1 <= spec.n_runs() <= MAX_SWEEP_RUNS
            assume(spec.n_runs() <= 12 and (spec.rounds or 10) <= 10)
        result = tradesim("sweep", config, "--out", Path(tmp) / "out", "--workers", "0", "--no-progress")
        assert_clean(result)
        if result.returncode == 0:
            assert (Path(tmp) / "out" / "manifest.json").exists()


# --------------------------------------------------------------------------- damaged sweep folders
@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory):
    from experiments.sweep import run_sweep

    folder = tmp_path_factory.mktemp("finished")
    config = folder / "sweep.toml"
    config.write_text(dumps(SWEEP), encoding="utf-8")
    run_sweep(config, folder / "out", workers=0, progress=False)
    return config, folder / "out"


DAMAGE = st.sampled_from(["truncate", "garbage", "empty", "json", "copy_part", "drop_manifest", "swap_columns"])


@HOSTILE
@given(target=st.sampled_from(["manifest.json", "runs/part-00001.parquet", "runs/part-00003.parquet"]),
       damage=DAMAGE, cut=st.integers(0, 4000), junk=st.binary(max_size=64), replacement=VALUES,
       command=st.sampled_from(["analyze", "resume"]))
def test_damaged_sweep_folders_give_one_line(tradesim, finished_sweep, target, damage, cut, junk, replacement,
                                            command):
    config, original = finished_sweep
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        shutil.copytree(original, out)
        path = out / target
        data = path.read_bytes()
        if damage == "truncate":
            path.write_bytes(data[: cut % max(len(data), 1)])
        elif damage == "garbage":
            path.write_bytes(junk)
        elif damage == "empty":
            path.write_bytes(b"")
        elif damage == "json" and target == "manifest.json":
            manifest = json.loads(data)
            key = sorted(manifest)[cut % len(manifest)]
            manifest[key] = replacement
            path.write_text(json.dumps(manifest), encoding="utf-8")
        elif damage == "copy_part":
            shutil.copy(out / "runs" / "part-00001.parquet", out / "runs" / "part-00009.parquet")
        elif damage == "drop_manifest":
            (out / "manifest.json").unlink()
        elif damage == "swap_columns" and target.endswith(".parquet"):
            import pandas as pd

            frame = pd.read_parquet(path)
            frame.columns = list(reversed(frame.columns))
            frame.to_parquet(path, index=False)
        if command == "analyze":
            result = tradesim("analyze", out, "--no-plots")
        else:
            result = tradesim("sweep", config, "--out", out, "--workers", "0", "--no-progress", "--resume")
        assert_clean(result)


# --------------------------------------------------------------------------- history tables
@HOSTILE
@given(data=st.data())
def test_broken_history_tables_give_one_line_or_a_valid_backtest(tradesim, data):
    doc = data.draw(broken(HISTORY))
    head = doc.get("history") if isinstance(doc, dict) else None
    horizon = head.get("horizon_rounds") if isinstance(head, dict) else None
    assume(not (isinstance(horizon, (int, float)) and not isinstance(horizon, bool) and 40 < horizon <= 100_000))
    with tempfile.TemporaryDirectory() as tmp:
        scenario = Path(tmp) / "s232.toml"
        shutil.copy(builtin_dir() / "section232_2018.toml", scenario)
        (Path(tmp) / "s232_history.toml").write_text(dumps(doc), encoding="utf-8")
        assert_clean(tradesim("backtest", scenario, "--seeds", "1", "--json"), json_out=True)
