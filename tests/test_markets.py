"""The U.S. market and the economics from the record: suppliers compete, quotas by who fills them,
residual elasticities, USMCA duty-free shares, sectors with dated and stacked rates, pledges,
transshipment.  Each test fails if its mechanism is taken out."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.utility import mechanism_costs
from agents.us_rule import rates_under
from sim import NegotiationModel, load_scenario
from sim.world import economics

SIGMA, ETA = np.array([2.5]), np.array([1.5])


def _market(tariffs, **kwargs):
    exports = np.array([[10.0], [10.0], [5.0]])
    return economics.us_market(exports, np.asarray(tariffs, dtype=float).reshape(3, 1), np.full((3, 1), 3.0),
                               sigma=SIGMA, eta=ETA, row_value=np.array([20.0]), row_tariff=np.array([0.0]), **kwargs)


def test_a_tariff_on_one_supplier_diverts_us_demand_to_the_others():
    """Fajgelbaum, Goldberg, Kennedy, Khandelwal & Taglioni (2024): bystanders gain from the trade war."""
    free = _market([0.0, 0.0, 0.0])
    war = _market([0.5, 0.0, 0.0])
    assert war["price_index"][0] > 1.0
    assert war["volume"][0, 0] < 10.0 and war["exporter_welfare"][0, 0] < 0
    assert (war["volume"][1:, 0] > free["volume"][1:, 0]).all()  # the others sell more
    assert (war["exporter_welfare"][1:, 0] > 0).all()  # and gain, against free trade


@given(share=st.floats(0.01, 1.0), eps=st.floats(0.1, 20.0), eta=st.floats(0.1, 10.0))
@settings(max_examples=100, deadline=None)
def test_the_residual_supply_elasticity_counts_the_sellers_other_markets(share, eps, eta):
    residual = float(economics.residual_supply_elasticity(eps, share, eta))
    assert residual == pytest.approx((eps + (1 - share) * eta) / share)
    assert residual >= eps / share - 1e-9  # the other markets' demand makes supply to this buyer more elastic


def test_a_quota_filled_by_us_customs_leaves_the_rent_with_us_importers():
    cap = np.array([[0.8], [np.inf], [np.inf]])
    ver = _market([0.0, 0.25, 0.25], cap=cap, exporter_rent=1.0)
    customs = _market([0.0, 0.25, 0.25], cap=cap, exporter_rent=0.0)
    assert ver["volume"][0, 0] == pytest.approx(customs["volume"][0, 0]) == pytest.approx(8.0)
    assert ver["exporter_welfare"][0, 0] > 0 > customs["exporter_welfare"][0, 0]  # the rent moves sides
    assert customs["importer_welfare"][0] > ver["importer_welfare"][0]
    data = load_scenario("section232_2018")
    cap_demand = next(d for d in data.demands if d.kind == "export_cap")
    assert cap_demand.administration == "importer" and "QB 18-137" in cap_demand.source


def test_what_enters_duty_free_under_usmca_pays_no_tariff():
    without = _market([0.25, 0.25, 0.25])
    usmca = _market([0.25, 0.25, 0.25], duty_free=np.array([[0.6], [0.0], [0.0]]))
    assert usmca["exporter_welfare"][0, 0] > without["exporter_welfare"][0, 0]
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=0)
    i, k = model.world.names.index("Canada"), model.world.sector_names.index("other")
    assert model.world.duty_free[i, k] == pytest.approx(0.7)  # qualifying, not only claimed (the source says why)


@given(tariffs=st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3),
       duty_free=st.lists(st.sampled_from([0.0, 0.3, 0.7]), min_size=3, max_size=3),
       caps=st.lists(st.sampled_from([np.inf, 1.2, 0.95, 0.7, 0.4]), min_size=3, max_size=3),
       rent=st.sampled_from([0.0, 0.5, 1.0]), quota=st.booleans())
@settings(max_examples=80, deadline=None)
def test_the_price_taking_supplier_sees_what_the_market_clears_at(tariffs, duty_free, caps, rent, quota):
    """Each supplier's own outlook (the price index taken as given) agrees with the market that clears: the same
    surplus, quota rent and change in receipts, with USMCA duty-free shares and quotas binding or not."""
    rates, free = np.array(tariffs).reshape(3, 1), np.array(duty_free).reshape(3, 1)
    cap = np.array(caps).reshape(3, 1) if quota else None  # None: no export cap in the scenario at all
    out = _market(tariffs, duty_free=free, cap=cap, exporter_rent=rent)
    exports = np.array([[10.0], [10.0], [5.0]])
    seen = economics.supplier_outcome(exports, rates, np.full((3, 1), 3.0), out["price_index"], sigma=SIGMA, eta=ETA,
                                      duty_free=free, cap=cap, exporter_rent=rent)
    assert seen["welfare"] == pytest.approx(out["exporter_welfare"], rel=1e-6, abs=1e-9)
    assert seen["sales"] == pytest.approx(out["sales"], rel=1e-6, abs=1e-9)


def test_2025_sectors_have_their_own_dated_and_stacked_rates():
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=0)
    world, names = model.world, model.world.names
    metals, autos, other = (world.sector_names.index(s) for s in ("metals", "autos", "other"))
    china, uk, japan = (names.index(n) for n in ("China", "United Kingdom", "Japan"))
    assert model.state.schedule[china, other] == pytest.approx(0.54)  # 34% reciprocal + 20% fentanyl
    assert model.state.schedule[japan, metals] == pytest.approx(0.25)
    model.run(3)  # 4 June 2025: metals to 50%, the UK stays at 25%
    assert model.state.schedule[japan, metals] == pytest.approx(0.50)
    assert model.state.schedule[uk, metals] == pytest.approx(0.25)
    assert model.state.schedule[china, metals] == pytest.approx(0.70)  # 50% + the 20% fentanyl duty, stacked
    assert world.negotiable[metals] and world.negotiable[autos] and world.negotiable[other]
    assert not world.grace[metals] and not world.grace[autos] and world.grace[other]
    rates = rates_under(model)
    assert rates["deal_full"][japan, autos] == 0.0 and rates["deal_full"][japan, other] == pytest.approx(0.10)
    assert rates["grace"][japan, autos] == pytest.approx(0.25)  # the pause left the Section 232 rates in force


def test_the_2025_test_set_has_twenty_economies_with_sources():
    data = load_scenario("reciprocal_2025")
    names = {c.name for c in data.countries}
    assert {"Switzerland", "Indonesia", "Malaysia", "Thailand", "Philippines", "Cambodia"} <= names
    assert len(names) == 20
    for country in data.countries:
        assert country.sources["exports_to_us_bn"] and country.sources["security_ties"]


def test_an_investment_pledge_moves_wages_it_is_not_a_transfer():
    """A pledge in a deal moves plants: the U.S. gains the wages (pledge_output_share of it), not the dollars."""
    open_params = {"balance_weight": 0.0, "relief_probability": 1.0, "decision_noise": 0.0, "security_linkage": 0.0,
                   "china_punishment": 0.0, "audience_cost": 0.0, "pledge_output_share": 0.05}
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=0, overrides={"Japan.strategy": "human", **open_params})
    i, j = model.world.names.index("Japan"), model.world.demand_ids.index("investment_pledge")
    model.set_human_choice("Japan", stance="wait")
    model.step()
    with_pledge = np.flatnonzero(model.outlook.feasible[0, i] & model.options.accept[:, j])
    assert len(with_pledge), "a deal with the pledge exists"
    package = [model.world.demand_ids[d] for d in np.flatnonzero(model.options.accept[with_pledge[0]])]
    model.set_human_choice("Japan", accepted=package, stance="wait")
    model.step()
    assert model.state.relieved[i] and model.state.deal_accepted[i, j]
    pledged = model.state.us_welfare
    model.state.deal_accepted[i, j] = False  # the same deal, without the pledge
    model._update_trade(model.state.retaliation_value, np.zeros(model.world.n))
    moved = pledged - model.state.us_welfare
    stake = model.world.stake(model.world.schedule0)[i]
    pledge_per_year = load_scenario("reciprocal_2025").demands[j].cost_share * stake
    assert moved == pytest.approx(pledge_per_year * model.params["pledge_output_share"], rel=0.01)
    assert moved < 0.5 * pledge_per_year  # far from one for one


def test_transshipment_rules_cost_more_where_more_chinese_value_is_embedded():
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=0)
    world = model.world
    j = world.demand_ids.index("no_transshipment")
    rates = rates_under(model)
    costs = mechanism_costs(world, rates["deal_full"], rates["tariffed"], model.state.price_index, model.params)
    stake = world.stake(model.state.schedule)
    share = costs[:, j] / stake
    vietnam, japan, china = (world.names.index(n) for n in ("Vietnam", "Japan", "China"))
    assert world.china_value_added[vietnam] > world.china_value_added[japan]
    assert share[vietnam] > share[japan] > 0
    assert costs[china, j] == 0.0
    no_content = NegotiationModel(scenario_name="reciprocal_2025", rng=0, overrides={"Vietnam.exports_to_us_bn:other": 136.6})
    assert no_content.world.china_value_added[vietnam] == world.china_value_added[vietnam]  # data, not a knob


def test_guarding_against_diverted_chinese_goods_costs_more_the_more_china_trade_and_the_higher_chinas_rate():
    """No absorption: a partner puts China's U.S. rate on the Chinese goods the U.S. tariff diverts toward it (on half
    its trade with China [est.]).  For buyers too small to move China's prices it is a loss, larger with more trade
    with China and with a higher U.S. rate on China (more is diverted)."""
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=0)
    world = model.world
    j = world.demand_ids.index("no_absorption")
    rates = rates_under(model)
    cost = mechanism_costs(world, rates["deal_full"], rates["tariffed"], model.state.price_index, model.params)[:, j]
    china = world.names.index("China")
    partners = np.flatnonzero(~world.is_china)
    assert cost[china] == 0.0 and (cost[partners] > 0).all()
    by_trade = partners[np.argsort(world.china_trade[partners])]
    assert (np.diff(cost[by_trade]) >= -1e-12).all() and cost[world.names.index("EU")] > 1.0
    higher = rates["tariffed"].copy()
    higher[china] += 0.5
    more = mechanism_costs(world, rates["deal_full"], higher, model.state.price_index, model.params)[:, j]
    assert (more[partners] > cost[partners]).all()


@given(tariff=st.floats(0.0, 1.0), free=st.floats(0.0, 1.0), others=st.lists(st.floats(0.0, 0.6), min_size=2, max_size=2))
@settings(max_examples=60, deadline=None)
def test_a_duty_free_share_is_a_supplier_of_its_own_that_pays_no_tariff(tariff, free, others):
    """USMCA: the part of a flow that qualifies enters free and competes like any other duty-free supplier, so a
    market with a duty-free share is the market with that part split off as a supplier of its own at no tariff."""
    exports = np.array([[10.0], [10.0], [5.0]])
    rates = np.array([[tariff], [others[0]], [others[1]]])
    shared = economics.us_market(exports, rates, np.full((3, 1), 3.0), sigma=SIGMA, eta=ETA, row_value=np.array([20.0]),
                                 row_tariff=np.array([0.0]), duty_free=np.array([[free], [0.0], [0.0]]))
    split_exports = np.array([[10.0 * (1 - free)], [10.0 * free], [10.0], [5.0]])
    split = economics.us_market(split_exports, np.array([[tariff], [0.0], [others[0]], [others[1]]]), np.full((4, 1), 3.0),
                                sigma=SIGMA, eta=ETA, row_value=np.array([20.0]), row_tariff=np.array([0.0]))
    assert shared["price_index"] == pytest.approx(split["price_index"], rel=1e-9)
    for key in ("volume", "exporter_welfare", "sales", "revenue"):
        joined = np.vstack([split[key][:2].sum(axis=0, keepdims=True), split[key][2:]])
        assert shared[key] == pytest.approx(joined, rel=1e-7, abs=1e-9), key
    for key in ("consumer_surplus", "importer_welfare"):
        assert shared[key] == pytest.approx(split[key], rel=1e-9, abs=1e-12), key
