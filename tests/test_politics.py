"""Country decisions on observables: the political terms are functions of sourced data and of the
trade outcome, not per-country constants.  Each test fails if its mechanism goes."""

import numpy as np
import pytest

from sim import NegotiationModel, load_scenario
from sim.world.loader import builtin_names
from sim.world.vocabulary import Treatment
from sim.world.schema import SECURITY_ADDITIONS, SECURITY_BASE, security_score


def test_every_security_score_is_the_rubric_of_its_sourced_ties():
    """The rubric is applied by its written rules: no discretion left in the files."""
    checked = 0
    for name in builtin_names():
        for country in load_scenario(name).countries:
            if not country.security_ties:
                continue
            base = [t for t in country.security_ties if t in SECURITY_BASE]
            expected = SECURITY_BASE[base[0]] + sum(SECURITY_ADDITIONS[t] for t in country.security_ties
                                                    if t in SECURITY_ADDITIONS)
            assert country.security_dependence == pytest.approx(min(1.0, expected)), (name, country.name)
            assert country.sources["security_ties"], (name, country.name)
            checked += 1
    assert checked >= 34
    rio = {c.name: c.security_dependence for c in load_scenario("section232_2018").countries}
    assert rio["Brazil"] == rio["Argentina"] == 0.5  # Rio Treaty parties are treaty allies by the rule


def test_the_rubric_refuses_impossible_ties(tmp_path):
    with pytest.raises(ValueError, match="exactly one base"):
        security_score(["treaty_ally", "rival"])
    with pytest.raises(ValueError, match="unknown tie"):
        security_score(["treaty_ally", "friendship"])
    text = load_scenario("section232_2018").path
    bad = tmp_path / "bad.toml"
    raw = open(text).read().replace('security_ties = ["no_alliance"]', 'security_ties = ["no_alliance", "rival"]', 1)
    bad.write_text(raw)
    from sim.world.errors import ScenarioError

    with pytest.raises(ScenarioError, match=r"countries\[Mexico\]\.security_ties: needs exactly one base"):
        load_scenario(bad)


def test_domestic_pressure_grows_with_the_harm_of_the_tariff():
    """Not an on/off switch: a 1-point tariff presses less than a 40-point one."""
    def pressure(rate):
        model = NegotiationModel(scenario_name="section232_2018", rng=0,
                                 overrides={"Vietnam.strategy": "human", "Vietnam.exports_to_us_bn:steel": 0.58})
        i = model.world.names.index("Vietnam")
        model.state.schedule[:] = np.where(model.state.schedule > 0, rate, 0.0)  # everyone: no diversion
        for _ in range(2):  # the second round's outlook prices replies at the market the first one cleared
            model.set_human_choice("Vietnam", stance="wait")
            model.step()
        return model.state.pressure[i], model.outlook.harm[i]

    low, high = pressure(0.01), pressure(0.40)
    assert 0 < low[0] < high[0] < 1 and 0 < low[1] < high[1] < 1


def test_standing_firm_pays_politically_only_when_no_deal_is_on_offer():
    model = NegotiationModel(scenario_name="section232_2018", rng=0).run(1)
    terms, outlook = model.utility_terms, model.outlook
    retaliate = int(np.flatnonzero(model.options.stance == 1)[0])
    gain = terms["political gain"][:, retaliate]
    exempt = model.world.names.index("Canada")  # in its grace period in round 1: a deal is on offer
    tariffed = model.world.names.index("Vietnam")
    assert not outlook.tariffed_now[exempt] and gain[exempt] == 0.0
    assert outlook.tariffed_now[tariffed] and gain[tariffed] > 0


def test_conceding_costs_an_audience_only_after_a_public_commitment():
    """Canada published its retaliation list on 31 May 2018 (round 3): conceding before it costs nothing at home."""
    model = NegotiationModel(scenario_name="section232_2018", rng=0)
    i = model.world.names.index("Canada")
    assert model.world.commitment_round[i] == 3
    comply = model.comply_option[i]
    model.run(1)
    assert not model.state.committed[i] and model.utility_terms["audience cost"][i, comply] == 0.0
    model.run(2)
    assert model.state.committed[i] and model.utility_terms["audience cost"][i, comply] < 0


def test_a_government_holding_relief_at_its_commitment_date_does_not_commit():
    """The dated commitment answers tariffs; a partner exempted before that date keeps its settlement at no audience cost."""
    facing = NegotiationModel(scenario_name="section232_2018", rng=0)
    holding = NegotiationModel(scenario_name="section232_2018", rng=0)
    i = facing.world.names.index("Canada")
    comply = facing.comply_option[i]
    for model in (facing, holding):
        model.run(2)
    holding.state.relieved[i] = True  # as if the U.S. had granted Canada relief before 31 May 2018
    holding.state.treatment[i] = Treatment.EXEMPT
    for model in (facing, holding):
        model.run(1)
    assert facing.state.committed[i] and facing.utility_terms["audience cost"][i, comply] < 0
    assert not holding.state.committed[i] and holding.utility_terms["audience cost"][i, comply] == 0.0


def test_lost_export_sales_count_with_the_political_weight():
    """Grossman-Helpman: the exporters' losses weigh beside welfare; without the weight the term is gone."""
    weighted = NegotiationModel(scenario_name="section232_2018", rng=0).run(1)
    welfare_only = NegotiationModel(scenario_name="section232_2018", rng=0, political_weight=0.0).run(1)
    assert (weighted.utility_terms["exporters' sales"] <= 0).all()
    assert weighted.utility_terms["exporters' sales"].min() < 0
    assert (welfare_only.utility_terms["exporters' sales"] == 0).all()
