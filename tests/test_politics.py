"""A government's objective (Grossman-Helpman) on one absolute scale: the terms are functions of sourced data
and of the trade outcome, never a share of the dispute's stake and never a per-country constant.  Each test
fails if its mechanism goes."""

import dataclasses

import numpy as np
import pytest

from sim import NegotiationModel, load_scenario
from sim.world.loader import builtin_names
from agents.utility import BP, TERM, UTILITY_TERMS, total
from sim.world.scenario import Threat
from sim.world.vocabulary import CounterTariffs, Stance
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



def _outlook(data=None, rounds: int = 1, seed: int = 0, **params):
    model = NegotiationModel(scenario_name="section232_2018", rng=seed, scenario_data=data, decision_noise=0.0, **params)
    model.run(rounds)
    return model, model.outlook


def test_domestic_pressure_grows_with_the_harm_of_the_tariff():
    """Not an on/off switch: a 1-point tariff presses less than a 40-point one."""
    def pressure(rate):
        model = NegotiationModel(scenario_name="section232_2018", rng=0,
                                 overrides={"Vietnam.strategy": "human", "Vietnam.exports_to_us_bn:steel": 0.58})
        i = model.world.names.index("Vietnam")
        model.state.schedule[:] = np.where(model.state.schedule > 0, rate, 0.0)  # everyone: no diversion
        pressures = []
        for _ in range(2):  # the second round's outlook prices replies at the market the first one cleared
            model.set_human_choice("Vietnam", stance="wait")
            model.step()
            pressures.append(model.state.pressure[i])
        # the first round's pressure: from the second on the U.S. escalates on those who retaliate and trade
        # diverts to Vietnam, which can offset a 1-point tariff altogether
        return pressures[0], model.outlook.harm[i]

    low, high = pressure(0.01), pressure(0.40)
    assert 0 < low[0] < high[0] < 1 and 0 < low[1] < high[1]


def test_the_political_terms_are_in_basis_points_of_gdp_not_a_share_of_the_stake():
    """A dispute forty times larger leaves the security and audience terms where they were, in dollars."""
    small = load_scenario("section232_2018")
    large = dataclasses.replace(small, countries=tuple(
        dataclasses.replace(c, exports_to_us_bn={k: 40 * v for k, v in c.exports_to_us_bn.items()}) for c in small.countries))
    params = {"security_linkage": 2.0, "audience_cost": 3.0}
    for data in (small, large):
        model, outlook = _outlook(data, **params)
        world = model.world
        security = outlook.war["retaliating"][TERM["security"]]
        assert security == pytest.approx(-2.0 * world.security * world.gdp * BP)
        # announcing a list commits: conceding the whole package then costs audience_cost bp of GDP
        eu = world.names.index("EU")
        comply = model.comply_option[eu]
        assert outlook.deal[1][TERM["audience cost"], eu, comply] == pytest.approx(-3.0 * world.gdp[eu] * BP)
        assert outlook.deal[0][TERM["audience cost"], eu, comply] == 0.0  # no list, no audience cost
        # a partner holding a list weighs that cost in talking: in every package it could strike a deal on
        holding = outlook.status == 1
        dealable = holding[:, None] & outlook.feasible[1] & (model.options.stance == Stance.WAIT)[None, :]
        assert dealable.any()
        assert (model.utility_terms["audience cost"][dealable] < 0).all()


def test_organised_exporters_count_with_the_political_weight():
    """Grossman-Helpman: the organised exporters' surplus counts once more, at the political weight."""
    weighted = _outlook(political_weight=0.4)[1]
    welfare_only = _outlook(political_weight=0.0)[1]
    for outlook, weight in ((weighted, 0.4), (welfare_only, 0.0)):
        war = outlook.war["now"]
        assert war[TERM["organised exporters"]] == pytest.approx(weight * war[TERM["exporters' surplus"]])
    assert weighted.war["now"][TERM["organised exporters"]].min() < 0


def test_counter_tariffs_reward_organised_import_competers_by_the_list_not_by_the_harm():
    """The gain from reverting to the non-cooperative tariff (Grossman-Helpman 1995) is the political weight on
    the domestic producers of the listed goods: it grows with the list, never with the harm as such."""
    model, outlook = _outlook(political_weight=0.3)
    gain = outlook.war["retaliating"][TERM["organised import-competers"]]
    assert (gain > 0).all() and (outlook.war["now"][TERM["organised import-competers"]][outlook.status == 0] == 0).all()
    none = _outlook(political_weight=0.0)[1]
    assert (none.war["retaliating"][TERM["organised import-competers"]] == 0).all()
    # the same list, a harsher tariff: the gain does not move
    harsher = load_scenario("section232_2018", {"retaliation_match": 1 / 1.6})
    harsher = dataclasses.replace(harsher, sectors=tuple(dataclasses.replace(s, tariff=1.6 * s.tariff) for s in harsher.sectors))
    model2, outlook2 = _outlook(harsher, political_weight=0.3)
    np.testing.assert_allclose(outlook2.list_value, outlook.list_value, rtol=1e-9)
    np.testing.assert_allclose(outlook2.war["retaliating"][TERM["organised import-competers"]], gain, rtol=1e-9)


def _retaliation_gain(data, **params) -> np.ndarray:
    """What announcing a list adds to each partner's war path ($bn/yr): everything it changes."""
    model, outlook = _outlook(data, **params)
    fresh = outlook.status == 0
    return np.where(fresh, total(outlook.war["retaliating"]) - total(outlook.war["now"]), np.nan)


def test_more_harm_never_by_itself_makes_retaliation_more_attractive():
    """A harsher tariff, with the list unchanged, leaves retaliating no better against the war path: the
    escalation it risks grows with the rates; nothing rewards standing firm in proportion to the harm."""
    base = load_scenario("section232_2018")
    harsher = load_scenario("section232_2018", {"retaliation_match": 1 / 1.6})
    harsher = dataclasses.replace(harsher, sectors=tuple(dataclasses.replace(s, tariff=1.6 * s.tariff) for s in harsher.sectors))
    params = {"political_weight": 0.3, "us_toughness": 0.3}
    before, after = _retaliation_gain(base, **params), _retaliation_gain(harsher, **params)
    fresh = np.isfinite(before)
    assert fresh.sum() >= 10 and (after[fresh] <= before[fresh] + 1e-9).all()
    # and in the value of the option it chooses: only the trade terms move, and they fall (but for the few $m a
    # year a partner not hit gains from the demand diverted to it)
    values = []
    for data in (base, harsher):
        model = _outlook(data, **params)[0]
        retaliate = int(np.flatnonzero(model.options.stance == Stance.RETALIATE)[0])
        values.append({name: model.utility_terms[name][:, retaliate] for name in UTILITY_TERMS})
    trade = ("exporters' surplus", "organised exporters")
    for name in UTILITY_TERMS:
        change = values[1][name] - values[0][name]
        assert (change[fresh] <= 1e-4).all() if name in trade else np.allclose(change[fresh], 0.0, atol=1e-12), name


def test_more_exposure_never_by_itself_makes_retaliation_more_attractive():
    """Bown (2004): a partner that sells more to the U.S. has more at risk. With a threat on record reaching its other
    goods, twice the exports there make retaliating no better."""
    base = load_scenario("section232_2018")
    threat = (Threat(round=1, source="test", sectors=("other",), coverage=0.2),)
    base = dataclasses.replace(base, threats=threat)
    exposed = dataclasses.replace(base, countries=tuple(dataclasses.replace(
        c, exports_to_us_bn={**c.exports_to_us_bn, "other": 2 * c.exports_to_us_bn["other"]},
        total_exports_bn=c.total_exports_bn + c.exports_to_us_bn["other"]) for c in base.countries))
    params = {"political_weight": 0.3, "us_toughness": 0.3}
    before, after = _retaliation_gain(base, **params), _retaliation_gain(exposed, **params)
    fresh = np.isfinite(before)
    assert fresh.sum() >= 10 and (after[fresh] < before[fresh]).all()


def test_the_usmca_share_enters_the_partners_own_decision():
    """What enters duty free under USMCA is not at stake: the partner's harm and its war path know it."""
    data = load_scenario("reciprocal_2025")
    zeroed = dataclasses.replace(data, countries=tuple(
        dataclasses.replace(c, duty_free_share={}) if c.name == "Mexico" else c for c in data.countries))
    with_share = NegotiationModel(scenario_name="reciprocal_2025", rng=0, decision_noise=0.0).run(1)
    without = NegotiationModel(scenario_name="reciprocal_2025", rng=0, decision_noise=0.0, scenario_data=zeroed).run(1)
    i = with_share.world.names.index("Mexico")
    assert with_share.world.duty_free[i].max() > 0.5
    assert without.outlook.harm[i] > 1.3 * with_share.outlook.harm[i]
    assert total(without.outlook.war["now"])[i] < total(with_share.outlook.war["now"])[i]


def test_every_term_is_named_and_explained():
    model, outlook = _outlook()
    assert set(model.utility_terms) == set(UTILITY_TERMS) and all(UTILITY_TERMS[name] for name in UTILITY_TERMS)
    assert outlook.war["now"].shape == (len(UTILITY_TERMS), model.world.n)
    fresh = NegotiationModel(scenario_name="section232_2018", rng=0)
    assert fresh.state.counter[fresh.world.names.index("EU")] == CounterTariffs.ANNOUNCED  # published 7 Mar 2018


@pytest.mark.parametrize("scenario", ["section232_2018", "reciprocal_2025"])
def test_a_deal_held_keeps_costing_what_its_demands_cost(scenario):
    """A partner in a deal keeps paying for what it conceded: the costs of the demands, the security
    ties and China's punishment of its alignment are the same as when the package was on offer, and
    they count against holding the deal."""
    from sim.world.vocabulary import Stance

    model = NegotiationModel(scenario_name=scenario, rng=1).run(8)
    outlook = model.outlook
    costly = 0
    for i in np.flatnonzero(model.state.relieved):
        k = model.options.index(Stance.WAIT, model.state.deal_accepted[i])
        offered = outlook.deal[int(outlook.status[i])]
        for term in ("cost of demands", "security", "China"):
            held = outlook.current_deal[TERM[term], i]
            assert held == pytest.approx(offered[TERM[term], i, k]) and held <= 0, (model.world.names[i], term)
        costly += outlook.current_deal[[TERM["cost of demands"], TERM["security"], TERM["China"]], i].sum() < -0.01
    assert costly >= 1


def test_the_spread_of_stance_preferences_is_in_basis_points_of_gdp():
    """`tradesim explain` states the spread as decision_noise basis points of GDP, and it is the scale of
    the persistent preferences the government was drawn."""
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=4, decision_noise=2.0).run(1)
    gdp = model.world.gdp
    spreads = [agent.explain()["noise_bn"] for agent in model.countries]
    assert spreads == pytest.approx(2.0 * BP * gdp)
    # Gumbel draws: their standard deviation is the scale times pi / sqrt(6), for every country alike
    scaled = model.state.shocks / np.array(spreads)[:, None]
    assert scaled.std() == pytest.approx(np.pi / np.sqrt(6), rel=0.25)


def test_the_transshipment_rule_adds_its_trade_cost_to_the_demands_data_cost():
    """No transshipment (EO 14326's 40% on goods routed through a partner): the Chinese value added in the
    partner's exports would pay China's rate, a cost on top of the demand's own (its size by partner:
    tests/test_markets.py)."""
    model = NegotiationModel(scenario_name="reciprocal_2025", rng=0).run(1)
    world = model.world
    j = world.demand_ids.index("no_transshipment")
    extra = model.outlook.extras["deal_cost"][:, j] - world.demand_cost_bn[:, j]
    partners = ~world.is_china & world.applicable[:, j]
    assert (extra[partners] >= 0).all() and extra[world.names.index("Vietnam")] > 0.1
