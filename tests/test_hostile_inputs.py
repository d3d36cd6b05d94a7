"""Generated hostile inputs: every one gets a one-line error (exit 2) or a valid run, never a traceback or a hang.

Hypothesis breaks the inputs a user gives, starting from valid ones: scenario files,
``--set`` values, command-line numbers, sweep configs, damaged sweep folders and history
tables.  Each goes through the real command (``cli.main`` in this process, so an uncaught
exception fails the test with its traceback).  What counts as a clean answer:

* exit status 2 and exactly one line on stderr, ``tradesim: error: ...``; or
* exit status 0 and output without NaN or infinities (``--json`` is parsed strictly);

and exit status 2, never a run, when the input holds a mistake the test can see for itself: a
whole number written otherwise than in digits (``--rounds 1e3``, ``replications = 2.0``), or a
scenario whose only country is China with a demand to align against China.

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
from hypothesis import HealthCheck, assume, event, example, given, settings
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
                               "9223372036854775808", "-9223372036854775809", "100001", "0.5", "1",
                               "1e3", "1E1", "2.0", "24.0", "+3", " 7 ", "1.", "3e0"])
TEXT = st.one_of(NUMBER_TEXT, st.text(max_size=12), st.text(alphabet="0123456789.-+eE", max_size=8))
NUMBERS = st.one_of(
    st.sampled_from([math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324, -0.0, 0.5, 1.5, 2**63, -(2**63),
                     2**64, 10**30, 0, 1, -1, 100_001, 2.0, 3.0, 1e3]),
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
    """``doc`` with one to three mutations: a value replaced, a key deleted, a key added, a list emptied,
    a whole number written as a float (``2`` -> ``2.0``), or every country but China left out."""
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p, _ in _paths(doc) if p]
        path = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "empty", "as_float", "only_china"]))
        target = _get(doc, path)
        whole = [p for p, v in _paths(doc) if p and isinstance(v, int) and not isinstance(v, bool)]
        if action == "as_float" and whole:
            path = draw(st.sampled_from(whole))
            doc = _set(doc, path, float(_get(doc, path)))
        elif action == "only_china":
            doc = _only_china(doc)
        elif action == "replace":
            doc = _set(doc, path, draw(VALUES))
        elif action == "delete":
            doc = _delete(doc, path)
        elif action == "add" and isinstance(target, dict):
            doc = _set(doc, path, {**target, draw(extra_keys): draw(VALUES)})
        elif action == "empty" and isinstance(target, (list, dict)):
            doc = _set(doc, path, type(target)())
    return doc


def _only_china(doc):
    """The scenario with China (role = 'china') as its only country, and the demands that name others left out."""
    countries = doc.get("countries") if isinstance(doc, dict) else None
    if not isinstance(countries, list):
        return doc
    china = [c for c in countries if isinstance(c, dict) and c.get("role") == "china"]
    if not china:
        return doc
    demands = doc.get("demands")
    if isinstance(demands, list):
        doc = {**doc, "demands": [d for d in demands if not (isinstance(d, dict) and d.get("countries"))]}
    return {**doc, "countries": china}


# --------------------------------------------------------------------------- mistakes the test can see
WHOLE_TEXT = re.compile(r"\s*[+-]?[0-9]+\s*")  # a whole number in digits: the only way to write one


def floats_where_whole_numbers_go(doc) -> list[str]:
    """Places of a scenario or sweep document that take a whole number and hold a float (``rounds = 24.0``)."""
    from experiments.spec import SAMPLE_FIELDS, SWEEP_FIELDS
    from sim.world.params import PARAMS
    from sim.world.schema import COUNTRY, SCENARIO_HEAD

    if not isinstance(doc, dict):
        return []
    tables = [(name, doc.get(name), fields) for name, fields in (
        ("scenario", SCENARIO_HEAD), ("params", PARAMS), ("sweep", SWEEP_FIELDS), ("fixed", PARAMS),
        ("sample", SAMPLE_FIELDS))]
    countries = doc.get("countries")
    tables += [("countries", c, COUNTRY) for c in (countries if isinstance(countries, list) else [])]
    return [f"{name}.{key}" for name, table, fields in tables if isinstance(table, dict)
            for key, value in table.items()
            if key in fields and fields[key].kind is int and isinstance(value, float)]


def only_china_asked_to_align(doc) -> bool:
    """China (role = 'china') is the only country, and a demand asks for alignment against China."""
    countries = doc.get("countries") if isinstance(doc, dict) else None
    demands = doc.get("demands") if isinstance(doc, dict) else None
    return (isinstance(countries, list) and bool(countries) and isinstance(demands, list)
            and all(isinstance(c, dict) and c.get("role") == "china" for c in countries)
            and any(isinstance(d, dict) and d.get("kind") == "alignment" for d in demands))


def assert_refused_if(mistakes: list[str], result) -> None:
    """A mistake the test can see must be refused (exit 2), not run."""
    for mistake in mistakes:
        event(f"refused: {mistake.split(':')[0]}")
    if mistakes:
        assert result.returncode == 2, (mistakes, result.stdout[-500:])


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
        result = tradesim("run", path, "--rounds", "2", "--json")
        assert_clean(result, json_out=True)
        assert_refused_if([f"a whole number as a float: {place}" for place in floats_where_whole_numbers_go(doc)]
                          + (["only China, asked to align"] if only_china_asked_to_align(doc) else []), result)


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
@example(sets=[("n_countries", "3.0")], scenario="classroom")  # the cases of issue 22, always tried
@example(sets=[("deadline_round", "1e1"), ("Canada.commitment_round", "2.0")], scenario="section232_2018")
@given(sets=st.lists(st.tuples(SET_KEYS, st.one_of(TEXT, st.floats(0, 1).map(str))), min_size=1, max_size=3),
       scenario=st.sampled_from(["section232_2018", "classroom"]))
def test_hostile_set_values_give_one_line_or_a_valid_run(tradesim, sets, scenario):
    for key, value in sets:
        if key == "n_countries":  # valid but slow: hundreds of countries
            assume(_quick(value, 200))
    args = [item for key, value in sets for item in ("--set", f"{key}={value}")]
    result = tradesim("run", scenario, "--rounds", "2", "--json", *args)
    assert_clean(result, json_out=True)
    assert_refused_if([f"a whole number not in digits: --set {key}={value}" for key, value in sets
                       if _whole_number_field(key) and not WHOLE_TEXT.fullmatch(value)], result)


def _whole_number_field(key: str) -> bool:
    """Whether ``--set KEY=...`` takes a whole number (a parameter, or a country's field; not a scale factor)."""
    from sim.world.params import PARAMS
    from sim.world.schema import COUNTRY

    target, _, field = key.rpartition(".")
    if not target:
        return key in PARAMS and PARAMS[key].kind is int
    return target != "scale" and field in COUNTRY and COUNTRY[field].kind is int


def _quick(text: str, limit: int) -> bool:
    """A count that is either invalid or small enough to run now."""
    try:
        return not limit < float(text.strip()) <= 10**19
    except (ValueError, OverflowError):
        return True


@HOSTILE
@example(command="run", rounds="2.0", seed="1e3")  # the cases of issue 22 (`--rounds 1e3`), always tried
@example(command="backtest", rounds=None, seed="1.0")
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
    result = tradesim(*args, "--json")
    assert_clean(result, json_out=True)
    given = [seed] if command == "backtest" else [rounds, seed]
    assert_refused_if([f"a whole number not in digits: {text!r}" for text in given
                       if text is not None and not WHOLE_TEXT.fullmatch(text)], result)


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
        assert_refused_if([f"a whole number as a float: {place}" for place in floats_where_whole_numbers_go(doc)],
                          result)
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
