"""The round protocol, determinism, records and the CLI output."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from agents.utility import UTILITY_TERMS
from sim import NegotiationModel
from sim.records import country_frame
from sim.world.vocabulary import Stance


def test_json_output_has_the_documented_shape_and_is_byte_identical_per_seed(tradesim, tradesim_process):
    args = ("run", "section232_2018", "--rounds", "24", "--json", "--seed", "7")
    first = tradesim_process(*args, check=True).stdout  # the command as a user runs it
    assert first == tradesim(*args).stdout
    data = json.loads(first)
    assert {"scenario", "seed", "rounds", "params", "events", "countries"} <= set(data)
    assert data["scenario"] == "section232_2018" and data["seed"] == 7 and data["rounds"] == 24
    assert all(isinstance(line, str) and line.startswith("Round ") for line in data["events"])
    for country in data["countries"]:
        assert country["final_treatment"] in {"tariffed", "quota", "exempt", "deal", "rate_deal"}
        assert isinstance(country["retaliated_ever"], bool) and isinstance(country["settled_ever"], bool)
        assert {"name", "final_tariff", "welfare_change"} <= set(country)


def test_different_seeds_can_differ():
    outputs = {json.dumps(NegotiationModel(scenario_name="section232_2018", rng=s).run(24).summary()["countries"])
               for s in range(6)}
    assert len(outputs) > 1


def test_same_seed_same_records_in_python():
    a = NegotiationModel(scenario_name="reciprocal_2025", rng=11).run(12)
    b = NegotiationModel(scenario_name="reciprocal_2025", rng=11).run(12)
    pd.testing.assert_frame_equal(country_frame(a), country_frame(b))
    assert a.event_log == b.event_log


def test_seed_from_a_text_box_is_accepted_and_bad_seed_is_a_user_error():
    from sim.world.errors import ParameterError

    assert NegotiationModel(scenario_name="classroom", rng="42").seed == 42
    with pytest.raises(ParameterError, match="seed got .forty-two.; expected a whole number"):
        NegotiationModel(scenario_name="classroom", rng="forty-two")


def test_datacollector_gives_model_and_country_frames():
    model = NegotiationModel(scenario_name="section232_2018", rng=1).run(6)
    totals = model.datacollector.get_model_vars_dataframe()
    assert len(totals) == 7
    assert {"deals", "retaliators", "escalation_index", "china_isolation", "us_welfare"} <= set(totals.columns)
    records = country_frame(model)
    assert len(records) == 7 * len(model.world.names)
    assert {"treatment", "tariff", "exports_to_us", "retaliation", "alignment", "welfare_change"} <= set(records.columns)


SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def test_every_record_file_and_frame_has_snake_case_columns(tradesim, tmp_path):
    """What a user loads in pandas (run --out, the DataCollector frames, the class game's move file) is named alike."""
    from ui.classgame import MOVE_COLUMNS

    out = tmp_path / "records.csv"
    assert tradesim("run", "section232_2018", "--rounds", "2", "--out", out).returncode == 0
    written = list(pd.read_csv(out).columns)
    assert {"round", "country", "exports_to_us", "welfare_change"} <= set(written)
    model = NegotiationModel(scenario_name="section232_2018", rng=1).run(1)
    totals = list(model.datacollector.get_model_vars_dataframe().columns)
    for columns in (written, totals, list(country_frame(model).columns), list(MOVE_COLUMNS)):
        assert [c for c in columns if not SNAKE_CASE.fullmatch(c)] == [], columns


def _playing(country: str, **overrides):
    model = NegotiationModel(scenario_name="section232_2018", rng=2, overrides={f"{country}.strategy": "human", **overrides})
    return model, model.world.names.index(country)


def test_tariffs_apply_when_the_temporary_exemption_ends():
    model, i = _playing("EU", relief_probability=0.0)
    model.set_human_choice("EU", stance="wait")
    model.step()
    assert model.state.avg_tariff[i] == 0.0  # exempt until May 1 (the end of round 2)
    model.set_human_choice("EU", stance="wait")
    model.step()
    assert model.state.avg_tariff[i] > 0.1
    assert any("EU's temporary exemption ends" in line for line in model.event_log)


def test_a_deadline_moves_once_for_a_partner_in_talks():
    """Proclamations 9758/9759: partners still negotiating on April 30, 2018 kept their exemption a month longer."""
    talks, i = _playing("EU", relief_probability=0.0)
    silent, _ = _playing("EU", relief_probability=0.0)
    for round_ in range(1, 5):
        talks.set_human_choice("EU", accepted=["steel_forum"], stance="wait")
        silent.set_human_choice("EU", stance="wait")
        talks.step()
        silent.step()
        if round_ == 2:  # the May 1 deadline: the one in talks is still exempt
            assert silent.state.avg_tariff[i] > 0.1 and talks.state.avg_tariff[i] == 0.0
    assert talks.state.avg_tariff[i] > 0.1  # one extension only: June 1 holds
    assert talks.state.deadline[i] == 3 and any("extends EU's exemption" in line for line in talks.event_log)


def test_human_choice_every_demand_can_be_accepted_or_refused_on_its_own():
    for scenario in ("section232_2018", "us_china_2018", "reciprocal_2025"):
        probe = NegotiationModel(scenario_name=scenario, rng=0)
        country = next(c.name for c in probe.countries if c.data.role == "partner") if any(
            c.data.role == "partner" for c in probe.countries) else probe.countries[0].name
        i = probe.world.names.index(country)
        applicable = [d for j, d in enumerate(probe.world.demand_ids) if probe.world.applicable[i, j]]
        for demand in applicable:
            model = NegotiationModel(scenario_name=scenario, rng=0, overrides={f"{country}.strategy": "human"})
            model.set_human_choice(country, accepted=[demand], stance="wait")
            model.step()
            agent = model.countries[i]
            assert agent.accepted_demands == [demand], (scenario, demand)
            others = [d for d in applicable if d != demand]
            model.set_human_choice(country, accepted=others, stance="wait")
            model.step()
            assert sorted(agent.accepted_demands) == sorted(others)


def test_the_inspector_explains_the_choice():
    model = NegotiationModel(scenario_name="section232_2018", rng=1).run(2)
    canada = model.countries[0]
    utilities = canada.option_utilities()
    assert "retaliate" in utilities and "comply (accept all)" in utilities
    assert list(utilities.values()) == sorted(utilities.values(), reverse=True)
    assert set(canada.beliefs()) == {"escalation if retaliating", "China punishes alignment"}


def test_the_breakdown_adds_up_to_each_utility_and_moves_with_its_parameter():
    """Every option's utility is the sum of the named terms the inspector and `tradesim explain` show."""
    model = NegotiationModel(scenario_name="section232_2018", rng=3).run(6)
    utilities = model.state.utilities
    terms = model.utility_terms
    assert set(terms) == set(UTILITY_TERMS)
    total = sum(terms.values())
    valid = np.isfinite(utilities)
    np.testing.assert_allclose(total[valid], utilities[valid], atol=1e-9)
    vietnam = model.countries[model.world.names.index("Vietnam")]
    explanation = vietnam.explain()
    assert explanation["options"][0] == model.options.label(int(model.state.option[vietnam.index]), model.world.demand_ids)
    assert len(set(explanation["options"])) == len(explanation["options"]) >= 3
    for k, option_total in enumerate(explanation["totals"]):
        assert sum(values[k] for _, values in explanation["terms"]) == pytest.approx(option_total)
    assert 0 < explanation["probabilities"][0] <= 1
    # a package's deal is shown with the rates it would leave; other stances have none
    for option, deal in zip(explanation["options"], explanation["deals"]):
        assert (deal is None) == option.startswith(("retaliate", "wto", "hedge"))
        if deal and deal["exists"]:
            assert 0 < deal["relief"] <= 1 and set(deal["rates"]) == set(model.world.sector_names)
    assert NegotiationModel(scenario_name="section232_2018", rng=0).countries[0].explain() == {}  # no decision yet


def test_only_a_country_facing_tariffs_can_file_a_wto_case():
    model = NegotiationModel(scenario_name="section232_2018", rng=0).run(1)  # deadline at round 3
    wto = int(np.flatnonzero(model.options.stance == Stance.WTO)[0])
    facing = model.outlook.facing
    utilities = model.state.utilities[:, wto]
    assert facing.any() and (~facing).any()
    assert np.isfinite(utilities[facing]).all() and np.isinf(utilities[~facing]).all()
    assert not (model.state.stance[~facing] == Stance.WTO).any()


def test_cli_explain_prints_the_terms_and_rejects_unknown_countries(tradesim, tradesim_process):
    cmd = ["explain", "section232_2018"]
    result = tradesim_process(*cmd, "Taiwan", "--rounds", "5", "--json", check=True)
    info = json.loads(result.stdout)
    assert info["country"] == "Taiwan" and info["round"] == 5
    assert set(info["terms"]) == set(UTILITY_TERMS)
    for k, total in enumerate(info["totals"]):
        assert sum(values[k] for values in info["terms"].values()) == pytest.approx(total)
    text = tradesim(*cmd, "Taiwan", "--rounds", "5").stdout
    assert "Why Taiwan chose" in text and "organised import-competers" in text and "chance of the stance" in text
    assert "a year" in text and "% of stake" not in text and "nested logit" in text
    tiny = tradesim("explain", "reciprocal_2025", "Vietnam", "--rounds", "6", "--seed", "1").stdout
    assert "security " in tiny and " -0.00" not in tiny  # a term that rounds to nothing prints as 0.00
    bad = tradesim(*cmd, "Narnia")
    assert bad.returncode == 2 and "Vietnam" in bad.stderr and "Traceback" not in bad.stderr
    classroom = tradesim("explain", "classroom", "Country 1")
    assert classroom.returncode == 2 and "classroom" in classroom.stderr


def test_cli_text_output_and_record_files(tmp_path, tradesim):
    result = tradesim("run", "section232_2018", "--rounds", "4", "--out", tmp_path / "r.parquet")
    assert result.returncode == 0 and "Round   1:" in result.stdout and "Canada" in result.stdout
    full = tradesim("run", "reciprocal_2025", "--rounds", "3", "--seed", "7", "--all-events").stdout
    short = tradesim("run", "reciprocal_2025", "--rounds", "3", "--seed", "7").stdout
    assert "more events (--all-events shows them)" in short and "more events" not in full
    assert full.count("\n           - ") > short.count("\n           - ")
    frame = pd.read_parquet(tmp_path / "r.parquet")
    assert set(frame["round"]) == {0, 1, 2, 3, 4}
    assert (frame["seed"] == 0).all()
    classroom = tradesim("run", "classroom", "--rounds", "3", "--set", "patience=0.1", "--set",
                         "strategy=expected_utility", "--out", tmp_path / "r.csv").stdout
    assert len(pd.read_csv(tmp_path / "r.csv")) == 4 * 2
    # a classroom game is reported as one: who stayed open, no U.S. tariffs or welfare
    assert "share of rounds open" in classroom and "U.S. welfare" not in classroom
    assert "Round   3:   0 of 2 open,   2 retaliating" in classroom  # impatient countries defect (folk theorem)


def test_classroom_scales_to_many_countries():
    model = NegotiationModel(scenario_name="classroom", rng=1, n_countries=500, strategy="expected_utility").run(3)
    assert len(model.countries) == 500
    assert np.isfinite(model.state.welfare).all()


def test_mesa_batch_run_works_on_the_model():
    import mesa

    rows = mesa.batch_run(NegotiationModel, parameters={"scenario_name": "section232_2018", "us_toughness": [0.1, 0.9]},
                          rng=[1], max_steps=3, number_processes=1, display_progress=False)
    frame = pd.DataFrame(rows)
    assert sorted(frame["us_toughness"].unique()) == [0.1, 0.9]
    assert {"deals", "retaliators", "escalation_index"} <= set(frame.columns)


def test_a_looming_deadline_weighs_more_as_it_nears():
    """In a grace period the coming tariffs count with weight patience ** rounds left."""
    model = NegotiationModel(scenario_name="section232_2018", rng=0, deadline_round=6,
                             overrides={"Canada.strategy": "human"})
    i = model.world.names.index("Canada")
    start_index = model.state.price_index.copy()
    flows = []
    for _ in range(5):
        model.state.price_index = start_index  # the same market each time: only the deadline moves
        from agents.utility import TERM, price_outlook

        flows.append(price_outlook(model).war["now"][TERM["exporters' surplus"], i])
        model.set_human_choice("Canada", stance="wait")
        model.step()
    assert flows[0] < 0 and all(later < earlier for earlier, later in zip(flows, flows[1:]))


def test_a_country_that_changes_the_demands_it_offers_gets_an_event_line():
    """Offering other demands with the same kind of move (partial -> partial) is a change the log shows."""
    model, i = _playing("South Korea", relief_probability=0.0)
    model.set_human_choice("South Korea", accepted=["export_cap", "security"])
    model.step()
    model.set_human_choice("South Korea", accepted=["export_cap", "steel_forum", "security"])
    model.step()
    lines = [e for e in model.events if e["round"] == 2 and e["country"] == "South Korea" and e["kind"] == "choice"]
    assert [e["accepted"] for e in lines] == [["export_cap", "steel_forum", "security"]]
    assert lines[0]["text"] == "South Korea now offers export_cap, steel_forum, security (before: export_cap, security)"
    model.set_human_choice("South Korea", accepted=["export_cap", "steel_forum", "security"])
    model.step()
    assert not [e for e in model.events if e["round"] == 3 and e["country"] == "South Korea" and e["kind"] == "choice"]


def test_the_deal_on_offer_lies_between_the_announced_rates_and_the_floor():
    """`tradesim explain` shows, for each package, the deal the U.S. would strike: a cut a share of
    the way to the floor, leaving rates between the floor and the announced ones, or no deal at all."""
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=1).run(2)
    rates = model.outlook.extras["rates"]
    partial = refused = 0
    for agent in model.countries:
        for deal in agent.explain()["deals"]:
            if deal is None:
                continue
            assert set(deal) == {"exists", "relief", "rates"}
            if not deal["exists"]:
                assert deal["relief"] == 0.0 and deal["rates"] == {}
                refused += 1
                continue
            assert list(deal["rates"]) == list(model.world.sector_names)
            offered = np.array(list(deal["rates"].values()))
            top, floor = rates["deal_none"][agent.index], rates["deal_full"][agent.index]
            assert (offered <= top + 1e-12).all() and (offered >= floor - 1e-12).all()
            if 0 < deal["relief"] < 1 and (top > floor).any():
                partial += 1
                assert (offered < top)[top > floor].all() and (offered > floor)[top > floor].all()
                assert offered.sum() < top.sum()
    assert partial >= 3 and refused >= 3
