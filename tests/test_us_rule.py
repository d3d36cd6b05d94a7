"""The U.S. rule as the proclamations and executive orders wrote it.  Each test fails if its mechanism goes."""

import numpy as np
import pytest

from agents import us_rule
from sim import NegotiationModel, load_scenario
from sim.world.arrays import build_world
from sim.world.vocabulary import Stance, Treatment


def _human(country: str, scenario: str = "section232_2018", **overrides):
    model = NegotiationModel(scenario_name=scenario, rng=3, overrides={f"{country}.strategy": "human", **overrides})
    return model, model.world.names.index(country)


def test_the_whole_package_buys_relief_whatever_the_deficit():
    """EO 14257 sec. 4(c): a partner that aligns sufficiently gets its duties lowered; no deficit rules it out."""
    world = build_world(load_scenario("section232_2018"))
    required = us_rule.required_compliance(world, load_scenario("section232_2018").params)
    assert (required <= 1.0).all()
    assert us_rule.deficit_share(world)[world.names.index("Vietnam")] > 0.6  # a large deficit
    model, i = _human("Vietnam", relief_probability=1.0)
    asked = [d for j, d in enumerate(model.world.demand_ids) if model.world.applicable[i, j]]
    model.set_human_choice("Vietnam", accepted=asked, stance="wait")
    model.step()
    assert model.state.settled_ever[i] and model.state.avg_tariff[i] == 0.0


def test_a_linked_negotiation_is_a_condition_of_relief_and_has_a_shared_cost():
    """Canada's exemption hung on NAFTA (President Trump, 5 Mar 2018); one linkage_cost for every linked demand."""
    model, i = _human("Canada", relief_probability=1.0)
    world = model.world
    asked = [d for j, d in enumerate(world.demand_ids) if world.applicable[i, j]]
    assert "nafta" in asked
    model.set_human_choice("Canada", accepted=[d for d in asked if d != "nafta"], stance="wait")
    model.step()
    assert not model.state.settled_ever[i]  # everything but NAFTA: no relief
    model.set_human_choice("Canada", accepted=asked, stance="wait")
    model.step()
    assert model.state.settled_ever[i]
    j = world.demand_ids.index("nafta")
    cheap = build_world(load_scenario("section232_2018", {"linkage_cost": 0.0}))
    assert world.cost_share[j] == pytest.approx(model.params["linkage_cost"]) and cheap.cost_share[j] == 0.0


def test_the_settlement_chance_is_the_same_in_a_small_and_a_large_dispute():
    """Scale-free: damage relative to the stake, so $44bn and $2,000bn disputes mean the same."""
    data = load_scenario("section232_2018")
    world = build_world(data)
    damage, stake = np.full(world.n, 0.3), np.full(world.n, 10.0)
    small = us_rule.settlement_chance(world, data.params, damage, stake)
    large = us_rule.settlement_chance(world, data.params, 45 * damage, 45 * stake)
    assert small == pytest.approx(large)


def test_retaliation_that_hits_farm_states_buys_a_deal_sooner():
    """The political sting: damage weighed by the pivotal (farm) share of what the partner buys."""
    def chance(share):
        data = load_scenario("section232_2018", {"Canada.pivotal_export_share": share})
        world = build_world(data)
        return us_rule.settlement_chance(world, data.params, np.full(world.n, 0.3), np.full(world.n, 10.0))[0]

    assert chance(0.30) > chance(0.03) > 0
    assert chance(0.30) == pytest.approx(10 * chance(0.03))
    world = build_world(load_scenario("section232_2018"))
    assert world.pivotal_weight[world.names.index("Vietnam")] > 1 > world.pivotal_weight[world.names.index("EU")]


def test_hedging_toward_china_is_answered_like_retaliation_once():
    model, i = _human("Japan", us_toughness=1.0)
    for _ in range(4):
        model.set_human_choice("Japan", stance="hedge")
        model.step()
    assert model.state.escalation[i] == pytest.approx(model.params["escalation_step"])
    assert sum("escalates against Japan" in e for e in model.event_log) == 1


def test_a_partner_in_a_deal_expects_to_lose_it_if_it_hedges_or_retaliates():
    """A lifting deal holds while the partner keeps its side: waiting keeps it, hedging toward China ends it,
    and the partner's utilities know the difference (they once valued hedging as if the deal held)."""
    model = NegotiationModel(scenario_name="section232_2018", rng=0)
    i = model.world.names.index("Mexico")
    while model.state.treatment[i] != Treatment.DEAL:
        model.step()
        assert model.round < 24, "Mexico reaches its lifting deal in seed 0"
    model.step()
    sales = model.utility_terms["exporters' sales"][i]
    wait = model.options.refuse_all()
    hedge = int(np.flatnonzero(model.options.stance == Stance.HEDGE)[0])
    assert sales[wait] > 0 > sales[hedge]  # the deal's market access against the tariffs back
