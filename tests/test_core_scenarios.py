"""Scenario loading, validation and overrides: every bad input gets a clear message."""

import re
from pathlib import Path

import pytest

from sim import NegotiationModel, load_scenario
from sim.world.errors import ParameterError, ScenarioError
from sim.world.loader import builtin_dir, builtin_names
from sim.world.schema import SOURCED_COUNTRY_FIELDS

SECTION232 = builtin_dir() / "section232_2018.toml"


def test_all_builtins_load_and_run():
    assert {"section232_2018", "us_china_2018", "reciprocal_2025", "classroom"} <= set(builtin_names())
    for name in builtin_names():
        model = NegotiationModel(scenario_name=name, rng=0).run(3)
        assert model.round == 3


def test_section232_has_twelve_economies_the_five_conditions_and_the_linked_talks():
    data = load_scenario("section232_2018")
    assert len(data.countries) >= 12
    kinds = [d.kind for d in data.demands]
    conditions = [d for d in data.demands if not d.countries]  # put to every partner
    assert len(conditions) == 5
    assert kinds.count("export_cap") == 1 and kinds.count("security") == 1 and kinds.count("alignment") == 3
    linked = {d.id: set(d.countries) for d in data.demands if d.kind == "linked"}
    assert linked == {"nafta": {"Canada", "Mexico"}, "korus": {"South Korea"}}


def test_every_country_figure_has_a_source():
    for name in builtin_names():
        data = load_scenario(name)
        for country in data.countries:
            for key in SOURCED_COUNTRY_FIELDS:
                if key == "security_dependence" and country.security_ties:
                    key = "security_ties"  # the score comes from the sourced ties
                assert country.sources.get(key), (name, country.name, key)
        for demand in data.demands:
            assert demand.source


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


def _mutate(tmp_path, old: str, new: str) -> Path:
    text = SECTION232.read_text()
    assert old in text
    return _write(tmp_path, text.replace(old, new, 1))


def test_unknown_scenario_lists_the_known_ones():
    with pytest.raises(ScenarioError, match="section232_2018") as info:
        load_scenario("section_232")
    assert "unknown scenario 'section_232'" in str(info.value)


def test_malformed_toml_names_the_file(tmp_path):
    path = _write(tmp_path, "[scenario\nname = 'x'")
    with pytest.raises(ScenarioError, match=re.escape(str(path))):
        load_scenario(path)


@pytest.mark.parametrize("old, new, message", [
    # a missing source names the country and field
    ('security_ties = "rubric: NATO treaty ally + NORAD / Five Eyes"\n', "",
     r"countries\[Canada\]\.sources\.security_ties: missing"),
    # negative trade values are rejected
    ("imports_from_us_bn = 282.3", "imports_from_us_bn = -282.3",
     r"countries\[Canada\]\.imports_from_us_bn = -282.3 is out of range; expected a number from 0 to 1,000,000"),
    ("steel = 4.84", "steel = -4.84", r"exports_to_us_bn\.steel"),
], ids=["missing-source", "negative-trade", "negative-sector-export"])
def test_bad_country_data_names_the_country_and_field(tmp_path, old, new, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(_mutate(tmp_path, old, new))


def test_non_positive_elasticity_is_rejected(tmp_path):
    path = _mutate(tmp_path, "demand_elasticity = 1.5", "demand_elasticity = 0")
    with pytest.raises(ScenarioError, match="demand_elasticity.*out of range"):
        load_scenario(path)
    with pytest.raises(ParameterError, match="supply_elasticity"):
        load_scenario("section232_2018", {"supply_elasticity": "-1"})


def test_wrong_type_and_unknown_choice(tmp_path):
    path = _mutate(tmp_path, 'security_ties = ["treaty_ally", "intelligence"]', 'security_dependence = "high"')
    with pytest.raises(ScenarioError, match=r"countries\[Canada\]\.security_dependence got 'high'; expected a number from 0 to 1"):
        load_scenario(path)
    path = _mutate(tmp_path, 'initial_treatment = "exempt"', 'initial_treatment = "friendly"')
    with pytest.raises(ScenarioError, match="expected one of tariffed, exempt"):
        load_scenario(path)


def test_one_declaration_one_wording_wherever_a_value_comes_from(tmp_path):
    """patience is declared once: a file, a parameter override and a country override say the same."""
    expected = "is out of range; expected a number from 0 to 0.999"
    with pytest.raises(ScenarioError, match=r"countries\[Canada\]\.patience = 1.5 " + expected):
        load_scenario(_mutate(tmp_path, "pivotal_export_share = 0.072", "pivotal_export_share = 0.072\npatience = 1.5"))
    with pytest.raises(ParameterError, match="parameter 'patience' = '1.5' " + expected):
        load_scenario("section232_2018", {"patience": "1.5"})
    with pytest.raises(ParameterError, match="Canada.patience = '1.5' " + expected):
        load_scenario("section232_2018", {"Canada.patience": "1.5"})


@pytest.mark.parametrize("old, new, message", [
    ('security_ties = ["treaty_ally", "intelligence"]', 'security_tie = ["treaty_ally", "intelligence"]',
     r"unknown field 'security_tie'. Did you mean security_ties"),
    ("[scenario]", "[scenaro]", r"top level: unknown table 'scenaro'. Did you mean scenario"),
    ("rounds = 24", "rounds = 1.5", r"scenario.rounds got 1.5; expected a whole number from 1 to 100,000 \(at most 100,000 rounds\)"),
    ("gdp_bn = 1647", "gdp_bn = inf", r"gdp_bn = inf is out of range; expected a number > 0 and <= 1,000,000"),
    ("demand_elasticity = 1.5", "demand_elasticty = 1.5", r"unknown parameter 'demand_elasticty'. Did you mean demand_elasticity"),
], ids=["misspelt-field", "misspelt-table", "fractional-rounds", "infinite-gdp", "misspelt-parameter"])
def test_misspelt_keys_and_impossible_numbers_are_refused(tmp_path, old, new, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(_mutate(tmp_path, old, new))


@pytest.mark.parametrize("overrides, message", [
    ({"n_countries": "2.5"}, "parameter 'n_countries' got '2.5'; expected a whole number from 2 to 100,000"),
    ({"us_toughness": "nan"}, "parameter 'us_toughness' = 'nan' is out of range"),
    ({"Canada.exports_to_us_bn:titanium": "5"}, "Canada.exports_to_us_bn:titanium: unknown sector 'titanium'"),
    ({"Canada.gdp_bn": "1e400"}, "Canada.gdp_bn = '1e400' is out of range; expected a number > 0 and <= 1,000,000"),
])
def test_override_values_are_checked_by_the_same_declarations(overrides, message):
    with pytest.raises(ParameterError, match=re.escape(message)):
        load_scenario("classroom" if "n_countries" in overrides else "section232_2018", overrides)


def test_a_demand_can_be_put_to_some_partners_only(tmp_path):
    anchor = '[[demands]]\nid = "security"'
    pledge = ('[[demands]]\nid = "pledge"\nkind = "pledge"\ncost_share = 0.05\ncountries = ["Japan", "South Korea"]\n'
              'source = "test"\n\n')
    model = NegotiationModel(scenario_name=str(_mutate(tmp_path, anchor, pledge + anchor)), rng=0)
    j = model.world.demand_ids.index("pledge")
    asked = {name for name, yes in zip(model.world.names, model.world.applicable[:, j]) if yes}
    assert asked == {"Japan", "South Korea"}
    with pytest.raises(ScenarioError, match=r"demands\[pledge\].countries.*unknown country 'Atlantis'"):
        load_scenario(_mutate(tmp_path, anchor, pledge.replace('"Japan"', '"Atlantis"') + anchor))


def test_overrides_are_validated_with_the_allowed_range():
    with pytest.raises(ParameterError, match=r"'us_toughness' = 1.5 is out of range; expected a number from 0 to 1"):
        load_scenario("section232_2018", {"us_toughness": 1.5})
    with pytest.raises(ParameterError, match="unknown parameter 'toughness'.*Did you mean us_toughness"):
        load_scenario("section232_2018", {"toughness": 0.5})
    with pytest.raises(ParameterError, match="unknown country 'Narnia'"):
        load_scenario("section232_2018", {"Narnia.security_dependence": 0.5})
    with pytest.raises(ParameterError, match="South Korea.security_dependence = '2' is out of range"):
        load_scenario("section232_2018", {"South_Korea.security_dependence": "2"})


def test_overrides_change_the_model():
    data = load_scenario("section232_2018", {"us_toughness": "0.9", "Canada.security_dependence": "0.1"})
    assert data.params["us_toughness"] == 0.9
    assert data.country("Canada").security_dependence == 0.1
    classroom = load_scenario("classroom", {"n_countries": 7})
    assert len(classroom.countries) == 7
    # all.FIELD and scale.FIELD work everywhere a --set does, not only in sweep specs
    every = load_scenario("section232_2018", {"all.security_dependence": "0.5", "Japan.security_dependence": 0.2})
    assert {c.security_dependence for c in every.countries if c.name != "Japan"} == {0.5}
    assert every.country("Japan").security_dependence == 0.2
    halved = load_scenario("section232_2018", {"scale.security_dependence": 0.5})
    assert halved.country("South Korea").security_dependence == pytest.approx(0.45)


@pytest.mark.parametrize("args, message", [
    (["run", "nowhere"], "unknown scenario 'nowhere'"),
    (["run", "section232_2018", "--set", "us_toughness=high"], "expected a number from 0 to 1"),
    (["run", "section232_2018", "--set", "bogus=1"], "Valid parameters:"),
    (["run", "section232_2018", "--set", "novalue"], "--set expects KEY=VALUE"),
    (["run", "section232_2018", "--seed", "abc"], "--seed got 'abc'; expected a whole number from 0 to"),
    (["run", "section232_2018", "--out", "records.txt"], "--out must end in .csv or .parquet"),
    (["backtest", "section_232"], "unknown scenario 'section_232'. Built-in scenarios:"),
])
def test_cli_user_errors_exit_2_without_traceback(args, message, tradesim):
    result = tradesim(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_help_lists_every_subcommand(tradesim_process):
    result = tradesim_process("--help")
    assert result.returncode == 0, result.stderr
    for command in ("scenarios", "run", "sweep", "analyze", "backtest", "bench", "app"):
        assert command in result.stdout


HEAVY = ("mesa", "pandas", "scipy", "numpy", "matplotlib", "networkx", "dask", "distributed", "SALib", "pyarrow",
         "solara")
IMPORTS_AFTER = """
import contextlib, io, json, sys
import cli
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        cli.main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))
"""


def _top_level_imports(*args) -> set[str]:
    import json
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", IMPORTS_AFTER, *args], capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("args", [["--help"], ["scenarios"], ["run", "--help"], ["run", "x", "--rounds", "abc"],
                                  ["sweep"], ["nonsense"]])
def test_help_listing_and_argument_errors_import_nothing_heavy(args):
    """`tradesim --help`, `tradesim scenarios` and argument errors answer at once (no model, no pandas)."""
    assert _top_level_imports(*args).isdisjoint(HEAVY)


def test_a_run_imports_no_plotting_dask_or_sensitivity_libraries():
    loaded = _top_level_imports("run", "section232_2018", "--rounds", "2")
    assert "mesa" in loaded  # it did run the model
    assert loaded.isdisjoint({"matplotlib", "dask", "distributed", "SALib", "solara"})
