"""The U.S. rule: Nash bargaining over the rate, counter-tariff lists, escalation, threats.

Each test fails if its mechanism goes (docs/validation.md lists the mutation that checks it).
"""

import dataclasses

import numpy as np
import pytest

from agents import us_rule
from sim import NegotiationModel, load_scenario
from sim.world.arrays import build_world
from sim.world.scenario import Threat
from sim.world.vocabulary import CounterTariffs, Stance, Treatment

# Parameters under which the package costs only what the data say (no China punishment, no security cost), so
# that deals exist for the partners these tests use whatever the fitted parameters are.
OPEN = {"balance_weight": 0.5, "relief_probability": 1.0, "decision_noise": 0.0, "security_linkage": 0.0,
        "china_punishment": 0.0, "audience_cost": 0.0}


def _human(country: str, scenario: str = "section232_2018", seed: int = 3, **overrides):
    model = NegotiationModel(scenario_name=scenario, rng=seed, overrides={f"{country}.strategy": "human", **overrides})
    return model, model.world.names.index(country)


def _play(model, country: str, rounds: int, stance: str = "wait", accepted=()):
    for _ in range(rounds):
        model.set_human_choice(country, accepted=list(accepted), stance=stance)
        model.step()


# --------------------------------------------------------------------------- Nash bargaining
@pytest.mark.parametrize("a, h, b, k, beta", [(-0.2, 1.0, 0.5, 1.0, 0.5), (0.1, 2.0, 0.3, 0.5, 0.3),
                                              (-0.05, 0.4, 0.9, 2.0, 0.8), (-0.5, 1.0, 2.0, 1.0, 0.5)])
def test_the_relief_maximises_the_nash_product(a, h, b, k, beta):
    """x* is the argmax of (a + h x)^beta (b - k x)^(1 - beta) over the relief both prefer to the war path."""
    x, exists = us_rule.nash_relief(np.array([a]), np.array([h]), np.array([b]), np.array([k]), beta)
    grid = np.linspace(0, 1, 200001)
    partner, us = a + h * grid, b - k * grid
    product = np.where((partner >= 0) & (us >= 0), np.maximum(partner, 0) ** beta * np.maximum(us, 0) ** (1 - beta), -1)
    assert exists[0] and x[0] == pytest.approx(grid[np.argmax(product)], abs=1e-4)


def test_no_deal_when_the_reservations_do_not_meet_and_full_relief_when_it_costs_the_us_nothing():
    x, exists = us_rule.nash_relief(np.array([-1.0, -0.1, -0.1]), np.array([1.0, 1.0, 0.0]),
                                    np.array([0.2, 0.0, 1.0]), np.array([1.0, 0.0, 1.0]), 0.5)
    assert not exists[0]  # the partner needs x >= 1, the U.S. gives at most 0.2
    assert exists[1] and x[1] == 1.0  # relief is free for the U.S. (a partner with a U.S. surplus)
    assert not exists[2]  # a partner that gains nothing from relief (it pays only the floor) has no deal to make


def test_a_stronger_partner_gets_more_relief():
    x = [us_rule.nash_relief(np.array([-0.2]), np.array([1.0]), np.array([0.8]), np.array([1.0]), beta)[0][0]
         for beta in (0.2, 0.5, 0.8)]
    assert x[0] < x[1] < x[2] and x[1] == pytest.approx(0.5 * 0.8 + 0.5 * 0.2)


def test_the_larger_the_deficit_the_more_of_the_package_buys_full_relief():
    """EO 14257 Annex I set the rates from the deficit; 2018 exclusions went to partners with U.S. surpluses."""
    data = load_scenario("section232_2018")
    world = build_world(data)
    q = us_rule.required_compliance(world, {**data.params, "balance_weight": 1.0})
    d = us_rule.deficit_share(world)
    vietnam, australia = world.names.index("Vietnam"), world.names.index("Australia")
    assert d[vietnam] > 0.6 > 0 > d[australia]
    assert q[vietnam] > q[australia]
    assert us_rule.required_compliance(world, {**data.params, "balance_weight": 0.0})[vietnam] == pytest.approx(
        data.params["relief_threshold"])


def test_a_deal_can_land_between_the_announced_rate_and_the_floor():
    """Bargaining over the rate, not a switch: part of the package buys part of the relief."""
    model, i = _human("Vietnam", **OPEN)
    model.set_human_choice("Vietnam", accepted=["steel_forum", "security"], stance="wait")
    model.step()
    announced = model.state.schedule[i, :2]
    assert model.state.settled_ever[i] and model.countries[i].treatment == "rate_deal"
    assert (0 < model.state.tariffs[i, :2]).all() and (model.state.tariffs[i, :2] < announced).all()


def test_more_of_the_package_buys_more_relief():
    relief = []
    for accepted in (["steel_forum"], ["steel_forum", "security"], ["steel_forum", "security", "address_china"]):
        model, i = _human("Vietnam", **OPEN)
        model.set_human_choice("Vietnam", accepted=accepted, stance="wait")
        model.step()
        relief.append(model.state.deal_relief[i])
    assert 0 < relief[0] < relief[1] < relief[2] <= 1


def test_a_deal_with_the_export_cap_is_a_quota():
    """South Korea took a quota with the KORUS revision (Proclamation 9740)."""
    model, i = _human("South Korea", **OPEN, linkage_cost=0.0)
    _play(model, "South Korea", 1, accepted=["export_cap", "korus", "security"])
    assert model.countries[i].treatment == "quota" and model.state.quota[i, :2].all()
    assert "quota" in " ".join(model.event_log)


def test_a_linked_negotiation_is_a_condition_of_any_deal():
    """Canada's exemption hung on NAFTA (President Trump, 5 Mar 2018); its cost is linkage_cost of its exports."""
    model, i = _human("Canada", **OPEN)
    asked = [d for j, d in enumerate(model.world.demand_ids) if model.world.applicable[i, j] and d != "export_cap"]
    _play(model, "Canada", 1, accepted=[d for d in asked if d != "nafta"])
    assert not model.state.settled_ever[i]
    _play(model, "Canada", 1, accepted=asked)
    assert model.state.settled_ever[i]
    j = model.world.demand_ids.index("nafta")
    exports = model.world.exports[i].sum()
    assert model.world.demand_cost_bn[i, j] == pytest.approx(model.params["linkage_cost"] * exports)


def test_a_deal_that_changes_no_rate_is_not_a_settlement():
    """A partner paying only the floor rate has nothing to bargain for (the 2025 baseline is not a settlement)."""
    model, i = _human("United Kingdom", "reciprocal_2025", **OPEN)
    world = model.world
    other = world.sector_names.index("other")
    assert model.state.schedule[i, other] == pytest.approx(world.floor[other])  # the UK pays the 10% baseline
    data = load_scenario("reciprocal_2025")
    only_floor = dataclasses.replace(data, sectors=tuple(dataclasses.replace(s, negotiable=(s.name == "other"))
                                                         for s in data.sectors))
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=3, scenario_data=only_floor,
                             overrides={"United Kingdom.strategy": "human", **OPEN})
    asked = [d for j, d in enumerate(world.demand_ids) if world.applicable[i, j]]
    _play(model, "United Kingdom", 2, accepted=asked)
    assert not model.state.settled_ever[i]


def test_2025_section_232_sectors_are_negotiable_and_not_paused():
    """19 U.S.C. 1862(c)(3)(A) provides for agreements on Section 232 sectors; EO 14266 paused only the reciprocal rates."""
    model, i = _human("Japan", "reciprocal_2025", **OPEN)
    world = model.world
    autos = world.sector_names.index("autos")
    assert world.negotiable[autos] and not world.grace[autos]
    assert model.state.tariffs[i, autos] == pytest.approx(0.25)  # in force during the pause
    _play(model, "Japan", 1)
    feasible = np.flatnonzero(model.outlook.feasible[0, i] & (model.options.stance == Stance.WAIT))
    assert len(feasible)  # some package buys relief
    package = [world.demand_ids[j] for j in np.flatnonzero(model.options.accept[feasible[-1]])]
    _play(model, "Japan", 1, accepted=package)
    assert model.state.settled_ever[i] and model.state.tariffs[i, autos] < 0.25


# --------------------------------------------------------------------------- counter-tariff lists
def test_a_list_is_announced_then_takes_effect_once_the_partner_faces_the_tariffs():
    """The EU published its list on 7 Mar 2018 and applied it on 22 Jun, after its exemption ended."""
    model, i = _human("EU", relief_probability=0.0, us_toughness=0.0)
    assert model.state.counter[i] == CounterTariffs.ANNOUNCED  # the scenario starts with it announced
    _play(model, "EU", 1, stance="retaliate")
    assert model.state.avg_tariff[i] == 0.0 and not model.state.retaliated_ever[i]  # exempt: nothing to answer yet
    _play(model, "EU", 1, stance="retaliate")  # the exemption ends (May 1 = the end of round 2)
    assert model.state.counter[i] == CounterTariffs.IN_FORCE and model.state.retaliated_ever[i]
    assert model.state.retaliation_value[i] > 1.0 and any("EU's counter-tariffs on $" in e for e in model.event_log)


def test_a_list_stays_in_force_until_a_deal_lifts_it_or_the_partner_backs_down():
    # a light political weight: protection for Turkey's import-competers would make lifting its list too dear a deal
    model, i = _human("Turkey", **{**OPEN, "us_toughness": 0.0, "relief_probability": 0.0, "political_weight": 0.03})
    _play(model, "Turkey", 2, stance="retaliate")
    assert model.state.counter[i] == CounterTariffs.IN_FORCE
    _play(model, "Turkey", 3, accepted=["steel_forum"])  # talking while it holds the list: the list stays
    assert model.state.counter[i] == CounterTariffs.IN_FORCE and model.state.retaliation_value[i] > 0
    model.params["relief_probability"] = 1.0
    asked = [d for j, d in enumerate(model.world.demand_ids) if model.world.applicable[i, j]]
    _play(model, "Turkey", 1, accepted=asked)
    assert model.countries[i].treatment == "deal" and model.state.counter[i] == CounterTariffs.NONE
    assert model.state.retaliation_value[i] == 0.0 and model.state.retaliated_ever[i]
    # backing down: offering nothing while holding a list withdraws it, at the audience cost
    backs, i = _human("Turkey", **{**OPEN, "us_toughness": 0.0, "relief_probability": 0.0, "audience_cost": 2.0})
    _play(backs, "Turkey", 2, stance="retaliate")
    refuse = backs.options.refuse_all()
    _play(backs, "Turkey", 1)
    assert backs.state.counter[i] == CounterTariffs.NONE and any("withdraws its counter-tariffs" in e for e in backs.event_log)
    _play(backs, "Turkey", 1, stance="retaliate")  # a new list, announced
    backs.step()
    assert backs.utility_terms["audience cost"][i, refuse] == pytest.approx(-2.0 * backs.world.gdp[i] * 1e-4)


def test_one_round_of_retaliate_is_not_a_retaliation():
    """A list announced and withdrawn in a deal before it takes effect: retaliated_ever stays false."""
    model, i = _human("Mexico", "mexico_2019", **OPEN)
    _play(model, "Mexico", 1, stance="retaliate")  # announced during the week before the tariffs start
    assert model.state.counter[i] == CounterTariffs.ANNOUNCED
    _play(model, "Mexico", 1, accepted=["migration"])
    assert model.state.settled_ever[i] and not model.state.retaliated_ever[i]


def test_a_list_taking_effect_during_a_pause_ends_the_pause():
    """EO 14257 sec. 4(b) / EO 14266: the 2025 pause was for partners that had not retaliated."""
    model, i = _human("Japan", "reciprocal_2025", us_toughness=0.0, relief_probability=0.0)
    other = model.world.sector_names.index("other")
    _play(model, "Japan", 1, stance="retaliate")
    assert model.state.tariffs[i, other] == pytest.approx(0.10)  # paused: the list is only announced
    _play(model, "Japan", 1, stance="retaliate")
    assert model.state.counter[i] == CounterTariffs.IN_FORCE
    assert model.state.tariffs[i, other] == pytest.approx(0.24)  # its announced rate, at once
    assert any("during its pause" in e for e in model.event_log)


def test_the_list_matches_the_duties_and_is_bounded_by_what_the_partner_buys():
    """Rebalancing: counter-duties equal to the U.S. duties (Safeguards Art. 8.2), at most all U.S. exports to it."""
    data = load_scenario("section232_2018")
    world = build_world(data)
    lists = us_rule.matched_list(world, data.params, world.schedule0)
    duties = (world.schedule0 * world.exports).sum(axis=1)
    assert lists == pytest.approx(np.minimum(duties / data.params["retaliation_rate"], world.imports_from_us))
    assert (lists <= world.imports_from_us + 1e-12).all()


# --------------------------------------------------------------------------- escalation
def test_escalation_answers_each_new_challenge_up_to_the_ceiling():
    """Not a ratchet: a list in force and unchanged brings nothing more; a list that grows is a new challenge
    (China 2018-19); the ceiling stops the spiral (Turkey: doubled once, to 50%)."""
    model = NegotiationModel(scenario_name="section232_2018", rng=2,
                             overrides={"Turkey.strategy": "always_retaliate", "us_toughness": 1.0})
    i = model.world.names.index("Turkey")
    announced = model.state.schedule[i].copy()
    model.run(8)
    assert model.state.tariffs[i] == pytest.approx(2 * announced)  # escalation_ceiling 1: doubled, once
    assert sum("escalates against Turkey" in e for e in model.event_log) == 1
    spiral = NegotiationModel(scenario_name="section232_2018", rng=2,
                              overrides={"Turkey.strategy": "always_retaliate", "us_toughness": 1.0,
                                         "escalation_ceiling": 3.0})
    spiral.run(12)
    assert spiral.state.tariffs[i] == pytest.approx(4 * announced)  # three escalations, each after the list grew
    assert sum("Turkey enlarges its counter-tariffs" in e for e in spiral.event_log) == 3  # the last meets the ceiling
    keep = NegotiationModel(scenario_name="section232_2018", rng=2,
                            overrides={"Turkey.strategy": "human", "us_toughness": 1.0, "escalation_ceiling": 3.0})
    _play(keep, "Turkey", 2, stance="retaliate")
    _play(keep, "Turkey", 6, stance="wait")  # keeps its list, does not enlarge it
    assert keep.state.escalation[i] == pytest.approx(1.0)


def test_hedging_toward_china_is_answered_once_on_everything_the_partner_sells():
    model, i = _human("Japan", us_toughness=1.0, escalation_ceiling=3.0)  # room for more than one escalation
    _play(model, "Japan", 3, stance="hedge")
    _play(model, "Japan", 1)  # a pause in the hedging does not make the next hedge a new challenge
    _play(model, "Japan", 2, stance="hedge")
    assert sum("escalates against Japan" in e for e in model.event_log) == 1
    other = model.world.sector_names.index("other")
    assert model.state.tariffs[i, other] > 0.2  # the whole relationship, not only steel


def test_a_threat_on_record_extends_what_an_escalation_reaches():
    """President Trump, 3 Mar 2018: retaliation by the EU would be met with 'a Tax on their Cars'."""
    world = build_world(load_scenario("section232_2018"))
    eu, japan = world.names.index("EU"), world.names.index("Japan")
    other = world.sector_names.index("other")
    scope = world.threat_scope(1)
    assert scope[eu, other] == pytest.approx(0.09) and scope[japan, other] == 0.0
    assert (scope[:, :2] == 1.0).all()  # steel and aluminium are escalable for everyone


def test_partners_expect_the_rule_the_us_follows_and_learn_from_what_it_does():
    """The belief's prior mean is us_toughness (the rule is public); escalations seen against others raise it."""
    tough = NegotiationModel(scenario_name="section232_2018", rng=0, us_toughness=0.8)
    soft = NegotiationModel(scenario_name="section232_2018", rng=0, us_toughness=0.1)
    from agents.beliefs import Beliefs

    assert Beliefs.mean(tough.beliefs.escalation) == pytest.approx(0.8)
    assert Beliefs.mean(soft.beliefs.escalation) == pytest.approx(0.1)
    model = NegotiationModel(scenario_name="section232_2018", rng=2,
                             overrides={"strategy": "always_comply", "Turkey.strategy": "always_retaliate",
                                        "us_toughness": 0.3})  # Turkey alone challenges the U.S.
    japan = model.world.names.index("Japan")
    before = Beliefs.mean(model.beliefs.escalation)[japan]
    while not model.state.escalated.any() and model.round < 20:
        model.step()
    assert model.state.escalated.any()
    assert Beliefs.mean(model.beliefs.escalation)[japan] > before


def test_with_a_credible_threat_and_a_large_stake_toughness_deters_retaliation():
    """Threats bite: with a threat on record reaching the partners' other goods (a large stake), a U.S. that
    carries threats out more often leaves fewer retaliators (seeds 0-9; no list announced at the start, so
    every retaliation is a choice)."""
    data = load_scenario("section232_2018")
    threatened = dataclasses.replace(
        data, threats=(Threat(round=1, source="test", sectors=("other",), coverage=0.2),),
        countries=tuple(dataclasses.replace(c, counter_tariffs="none") for c in data.countries))
    params = {"decision_noise": 0.3, "security_linkage": 0.05, "political_weight": 0.5, "audience_cost": 0.1,
              "balance_weight": 2.0}

    def retaliators(toughness: float) -> float:
        return np.mean([NegotiationModel(scenario_name=data.name, rng=s, scenario_data=threatened,
                                         us_toughness=toughness, **params).run(12).state.retaliated_ever.mean()
                        for s in range(10)])

    soft, tough = retaliators(0.02), retaliators(0.6)
    assert soft > 0.2 and tough < soft - 0.15


# --------------------------------------------------------------------------- the pieces, one at a time
def test_no_deal_means_no_relief():
    """Where the reservations do not meet, the relief is zero, not merely flagged as 'no deal'."""
    x, exists = us_rule.nash_relief(np.array([-1.0]), np.array([1.0]), np.array([0.2]), np.array([1.0]), 0.5)
    assert not exists[0] and x[0] == 0.0


def test_a_list_that_hits_pivotal_exporters_costs_the_us_more_than_its_dollar_damage():
    """The retaliation's sting: (1 + political_weight x pivotal share) x the damage; with no political weight
    (or no pivotal share) it is the damage alone."""
    world = type("W", (), {"pivotal_weight": np.array([0.0, 1.0, 3.0])})()
    damage = np.array([2.0, 2.0, 2.0])
    assert np.allclose(us_rule.us_war_cost(world, {"political_weight": 0.0}, damage), damage)
    cost = us_rule.us_war_cost(world, {"political_weight": 0.5}, damage)
    assert cost[0] == pytest.approx(2.0) and cost[0] < cost[1] < cost[2]
    assert cost[2] / damage[2] == pytest.approx(1 + 0.5 * 3.0)


def test_the_us_answers_each_list_and_only_the_first_hedge():
    hedge, wait = Stance.HEDGE, Stance.WAIT
    stance = np.array([hedge, hedge, wait, wait])
    new_list = np.array([False, False, True, False])
    challenged = np.array([False, True, True, False])  # the second partner's hedge was answered already
    assert us_rule.escalates_on(stance, new_list, challenged).tolist() == [True, False, True, False]


def test_the_list_matches_the_duties_above_the_floor_on_dutiable_goods_up_to_what_the_partner_buys():
    """$10bn of exports at 25% with 25% counter-duties: a $10bn list; half duty-free: $5bn; a 10% floor
    (the duties above it only): $6bn; buying only $4bn from the U.S.: $4bn."""
    def world(floor=0.0, duty_free=0.0, imports=100.0):
        return type("W", (), {"floor": np.array([floor]), "exports": np.array([[10.0]]),
                              "duty_free": np.array([[duty_free]]), "imports_from_us": np.array([imports])})()
    params = {"retaliation_rate": 0.25, "retaliation_match": 1.0}
    rates = np.array([[0.25]])
    assert us_rule.matched_list(world(), params, rates)[0] == pytest.approx(10.0)
    assert us_rule.matched_list(world(duty_free=0.5), params, rates)[0] == pytest.approx(5.0)
    assert us_rule.matched_list(world(floor=0.1), params, rates)[0] == pytest.approx(6.0)
    assert us_rule.matched_list(world(imports=4.0), params, rates)[0] == pytest.approx(4.0)


def test_a_rate_deal_holds_the_rate_between_the_announced_one_and_the_floor():
    model, i = _human("Japan", scenario="reciprocal_2025")
    model.state.deal_relief[i] = 0.5
    rates = us_rule.rates_under(model)
    schedule, floor = model.state.schedule[i], model.world.floor
    negotiable = model.world.negotiable
    assert negotiable.any() and (schedule[negotiable] > floor[negotiable]).any()
    assert np.allclose(rates["held"][i][negotiable], (schedule[negotiable] + floor[negotiable]) / 2)
    assert np.allclose(rates["held"][i][~negotiable], schedule[~negotiable])


def test_a_grace_period_weighs_the_announced_rates_more_as_the_deadline_nears():
    """While a pause lasts, the announced rates count with weight patience ** (months left); a grace with no
    deadline (an indefinite exemption) does not weigh them at all."""
    model, i = _human("Japan", scenario="reciprocal_2025")
    model.state.temp_exempt[i] = True
    patience = model.world.patience[i]
    looming = []
    for left in (3, 2, 1):
        model.state.deadline[i] = model.round + left
        looming.append(us_rule.rates_under(model)["looming"][i])
    assert looming == pytest.approx([patience ** 3, patience ** 2, patience]) and looming[0] < looming[2]
    model.state.deadline[i] = 0
    assert us_rule.rates_under(model)["looming"][i] == 0.0


def test_beliefs_count_their_own_experience_and_the_public_record_of_others():
    """Three partners; the first two challenged the U.S., which escalated on the first only. Each adds its own
    observation at weight 1 and the rate it saw among the others at weight ``social``."""
    from agents.beliefs import Beliefs, learn

    counts = np.zeros((3, 2))
    mask = np.array([True, True, False])
    escalated = np.array([True, False, False])
    learn(counts, mask, escalated, social=0.5)
    assert counts.tolist() == [[1.0, 0.5],  # own escalation; the other challenger was spared
                               [0.5, 1.0],  # spared itself; saw one escalation in one challenge
                               [0.25, 0.25]]  # saw one in two
    before = counts.copy()
    learn(counts, np.zeros(3, dtype=bool), escalated, social=0.5)  # no challenge: nothing learnt
    assert (counts == before).all()
    Beliefs.observe(counts, np.array([False, False, True]), np.array([0.0, 0.0, 1.0]))
    assert counts[2].tolist() == [1.25, 0.25]
    # a lone challenger learns from its own experience only: there is no public record of others yet
    alone = np.zeros((2, 2))
    learn(alone, np.array([True, False]), np.array([True, False]), social=0.5)
    assert alone.tolist() == [[1.0, 0.0], [0.5, 0.0]]


def test_partners_learn_chinas_punishment_of_those_aligned_with_the_us():
    from types import SimpleNamespace

    from agents.beliefs import Beliefs

    beliefs = Beliefs(escalation=np.zeros((2, 2)), china_punishment=np.zeros((2, 2)))
    state = SimpleNamespace(escalated=np.array([False, False]), alignment=np.array([0.4, 0.0]),
                            china_punished=np.array([True, False]))
    beliefs.update(state, challengers=np.array([False, False]), social=1.0, china_active=True)
    assert beliefs.china_punishment.tolist() == [[1.0, 0.0], [1.0, 0.0]]  # partly aligned: punished; seen by the other
    beliefs.update(state, challengers=np.array([False, False]), social=1.0, china_active=False)
    assert beliefs.china_punishment.tolist() == [[1.0, 0.0], [1.0, 0.0]]  # no China in the game: nothing to learn


def test_the_package_asked_is_a_share_between_nothing_and_all_of_it():
    world = build_world(load_scenario("reciprocal_2025"))
    q = us_rule.required_compliance(world, {"relief_threshold": 0.0, "balance_weight": 50.0})
    d = us_rule.deficit_share(world)
    assert (d < 0).any() and (d > 0.05).any()
    assert q.min() == 0.0 and q.max() == 1.0  # a U.S. surplus asks nothing; a large deficit asks all, not more
    assert np.all(q[d < 0] == 0.0) and np.all(q[d > 0.05] == 1.0)


def test_a_deal_ends_the_escalation_holds_while_kept_and_is_withdrawn_when_broken():
    model, i = _human("Turkey", **{**OPEN, "us_toughness": 1.0, "relief_probability": 0.0, "political_weight": 0.03})
    state = model.state

    def turkey(kind):
        return [e for e in model.events if e["country"] == "Turkey" and e["kind"] == kind]

    _play(model, "Turkey", 2, stance="retaliate")
    assert state.escalation[i] > 0 and state.counter[i] == CounterTariffs.IN_FORCE
    model.params["relief_probability"] = 1.0
    asked = [d for j, d in enumerate(model.world.demand_ids) if model.world.applicable[i, j]]
    _play(model, "Turkey", 1, accepted=asked)
    assert model.countries[i].treatment == "deal" and state.relieved[i] and state.deal_relief[i] > 0
    assert state.escalation[i] == 0.0 and not state.challenged[i]  # the deal ends the dispute and its escalation
    assert len(turkey("deal")) == 1
    relief = state.deal_relief[i]
    model.params["relief_probability"] = 0.0  # no new deal could be struck: the one held is kept
    _play(model, "Turkey", 2, accepted=asked)
    assert state.relieved[i] and state.deal_relief[i] == relief and model.countries[i].treatment == "deal"
    assert len(turkey("deal")) == 1 and not turkey("withdraw")
    _play(model, "Turkey", 1)  # offers nothing: it no longer keeps its side
    assert not state.relieved[i] and state.deal_relief[i] == 0.0 and model.countries[i].treatment == "tariffed"
    assert not state.deal_accepted[i].any()
    [withdrawn] = turkey("withdraw")
    assert "withdraws Turkey's deal" in withdrawn["text"]


def test_scheduled_changes_take_effect_in_their_round_for_the_partners_they_name():
    """4 June 2025 (round 3): Section 232 metals to 50% for all but the U.K. (EO proclamation), 70% for China
    with the fentanyl duty stacked; the rest of the world's rate follows the general change."""
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=0)
    state, names = model.state, model.world.names
    metals = model.world.sector_names.index("metals")
    eu, uk, china = (names.index(c) for c in ("EU", "United Kingdom", "China"))
    model.run(2)
    before = state.schedule[:, metals].copy()
    assert before[eu] == pytest.approx(0.25) and state.row_schedule[metals] == pytest.approx(0.25)
    model.step()
    after = state.schedule[:, metals]
    assert after[eu] == pytest.approx(0.5) and after[uk] == pytest.approx(before[uk]) and after[china] == pytest.approx(0.7)
    assert state.row_schedule[metals] == pytest.approx(0.5)
    assert sum(e["kind"] == "announce" and "metals tariffs to 50%" in e["text"] for e in model.events) == 1
    model.step()
    np.testing.assert_allclose(state.schedule[:, metals], after)


def test_the_more_a_list_stings_the_us_the_more_relief_it_buys():
    """A partner holding a list bargains with its sting on the table: the heavier the pivotal (farm and swing-state)
    share of the U.S. goods it hits, the more relief and the more deals; without a list nothing changes."""
    from agents.utility import price_outlook

    model = NegotiationModel(scenario_name="section232_2018", rng=1).run(2)
    assert (model.state.counter != CounterTariffs.NONE).any()
    base = price_outlook(model)
    pivotal = model.world.pivotal_weight.copy()
    model.world.pivotal_weight[:] = 5 * pivotal
    try:
        heavier = price_outlook(model)
    finally:
        model.world.pivotal_weight[:] = pivotal
    np.testing.assert_array_equal(heavier.relief[0], base.relief[0])
    gained = heavier.relief[1] - base.relief[1]
    assert gained.min() >= 0 and gained.max() > 0.1
    assert (heavier.feasible[1] >= base.feasible[1]).all()


def test_keeping_a_list_in_force_is_no_new_challenge_but_enlarging_it_is():
    """Retaliating again with the list already in force changes nothing and risks no escalation; enlarging it to
    match the exports the U.S. now hits is a new challenge, priced with the chance of an escalation."""
    from agents.utility import total

    model = NegotiationModel(scenario_name="section232_2018", rng=0, us_toughness=0.6).run(6)
    outlook, state = model.outlook, model.state
    in_force = state.counter == CounterTariffs.IN_FORCE
    same = in_force & np.isclose(outlook.list_value, state.counter_value)
    grows = in_force & (outlook.list_value > 1.5 * state.counter_value)
    assert same.any() and grows.any() and (outlook.escalation_belief[same] > 0.3).all()
    gap = total(outlook.war["retaliating"]) - total(outlook.war["now"])
    assert np.allclose(gap[same], 0.0, atol=1e-12)
    assert (np.abs(gap[grows]) > 1e-3).all()


def test_retaliating_counts_on_a_later_deal_that_lifts_the_list():
    """The USMCA path: a partner that retaliates expects, some day, a deal that lifts its list, and pays for it then
    with the concessions and the audience cost of backing off (nothing, for a deal on a package that asks nothing);
    where no such deal exists it expects none."""
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=1).run(6)
    outlook, options = model.outlook, model.options
    retaliate = int(np.flatnonzero(options.stance == Stance.RETALIATE)[0])
    packages = (options.stance == Stance.WAIT)[None, :] & outlook.extras["open"]
    lifting = (outlook.feasible[1] & packages).any(axis=1)
    paid = model.utility_terms["cost of demands"][:, retaliate] + model.utility_terms["audience cost"][:, retaliate]
    assert lifting.any() and (~lifting).any()
    assert (paid[lifting] <= 0).all() and (paid[lifting] < 0).sum() >= 3 and (paid[~lifting] == 0).all()
