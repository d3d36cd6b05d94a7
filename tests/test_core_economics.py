"""The trade economics that every payoff comes from."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import NegotiationModel
from sim.world import economics

positive = st.floats(min_value=0.1, max_value=20.0)


@given(value=st.floats(0.01, 1000), tariff=st.floats(0.001, 2.0), eta=positive, eps=positive)
@settings(max_examples=200, deadline=None)
def test_a_tariff_lowers_exports_and_hurts_the_exporter(value, tariff, eta, eps):
    out = economics.tariff_outcome(value, tariff, eta, eps)
    assert out["volume"] < value
    assert out["exporter_welfare"] < 0
    assert out["consumer_surplus"] < 0  # the importer's consumers pay part of the tariff
    assert out["revenue"] > 0


@given(value=st.floats(1, 100), eta=positive, eps=positive, low=st.floats(0.01, 0.5), extra=st.floats(0.01, 1.0))
@settings(max_examples=100, deadline=None)
def test_a_higher_tariff_cuts_exports_further(value, eta, eps, low, extra):
    small = economics.tariff_outcome(value, low, eta, eps)
    large = economics.tariff_outcome(value, low + extra, eta, eps)
    assert large["volume"] < small["volume"]
    assert large["exporter_welfare"] < small["exporter_welfare"]


def test_retaliation_costs_a_small_retaliators_consumers():
    # a buyer with 1% of the seller's market faces near-perfectly elastic supply
    eps = economics.residual_supply_elasticity(3.0, 0.01, 2.5)
    out = economics.tariff_outcome(10.0, 0.25, 2.5, eps)
    assert out["consumer_surplus"] < 0
    assert out["importer_welfare"] < 0  # revenue does not make up for it


def test_pass_through_is_complete_when_supply_is_elastic():
    out = economics.tariff_outcome(10.0, 0.25, 2.5, 1e6)
    assert out["importer_price"] == pytest.approx(1.25, rel=1e-4)
    assert out["exporter_price"] == pytest.approx(1.0, rel=1e-4)


def test_importer_gain_peaks_at_the_bickerdike_tariff():
    eps = 4.0
    rates = np.linspace(0.0, 1.0, 2001)
    gain = economics.tariff_outcome(10.0, rates, 2.0, eps)["importer_welfare"]
    assert rates[np.argmax(gain)] == pytest.approx(economics.optimal_tariff(eps), abs=1e-3)


def test_a_voluntary_export_restraint_hands_the_rent_to_the_exporter():
    tariff = economics.tariff_outcome(10.0, 0.25, 2.5, 3.0)
    ver = economics.quota_outcome(10.0, tariff["volume"] / 10.0, 2.5, 3.0, rent_share=1.0)
    assert ver["volume"] == pytest.approx(tariff["volume"])
    assert ver["exporter_welfare"] > tariff["exporter_welfare"]
    assert ver["importer_welfare"] < tariff["importer_welfare"]


@pytest.mark.parametrize("eta, eps", [(2.5, 3.0), (1.5, 0.8), (4.0, 10.0)])
def test_a_quota_is_equivalent_to_the_tariff_that_allows_the_same_volume(eta, eps):
    """Bhagwati's equivalence: a quota at the volume a tariff leaves gives the same prices and
    consumer surplus; its scarcity rent is the tariff's revenue, and whoever holds it gains it."""
    for rate in (0.1, 0.25, 0.6):
        tariff = economics.tariff_outcome(10.0, rate, eta, eps)
        cap = tariff["volume"] / 10.0
        auctioned = economics.quota_outcome(10.0, cap, eta, eps, rent_share=0.0)
        ver = economics.quota_outcome(10.0, cap, eta, eps)  # exporter-administered by default
        for key in ("volume", "exporter_price", "importer_price", "consumer_surplus"):
            assert auctioned[key] == pytest.approx(tariff[key], rel=1e-9), key
        assert auctioned["rent"] == pytest.approx(tariff["revenue"], rel=1e-9)
        assert auctioned["importer_welfare"] == pytest.approx(tariff["importer_welfare"], rel=1e-9)
        assert auctioned["exporter_welfare"] == pytest.approx(tariff["exporter_welfare"], rel=1e-9)
        assert ver["revenue"] == 0.0 and ver["importer_welfare"] == pytest.approx(tariff["consumer_surplus"])
        assert ver["exporter_welfare"] == pytest.approx(tariff["exporter_welfare"] + tariff["revenue"], rel=1e-9)
        half = economics.quota_outcome(10.0, cap, eta, eps, rent_share=0.5)
        assert half["revenue"] == pytest.approx(0.5 * tariff["revenue"])


def test_a_cap_above_the_baseline_volume_does_not_bind():
    for cap in (1.0, 1.35, 3.0):
        free = economics.quota_outcome([10.0, 4.0], cap, 2.5, 3.0)
        assert free["volume"] == pytest.approx([10.0, 4.0])
        for key in ("exporter_price", "importer_price"):
            assert free[key] == pytest.approx(1.0)
        for key in ("consumer_surplus", "revenue", "importer_welfare", "exporter_welfare", "rent"):
            assert free[key] == pytest.approx(0.0, abs=1e-12), key


def test_alignment_costs_trade_with_china():
    """A partner that commits to the anti-China demands in a deal is punished by China; one that refuses is not.
    (It does not expect the punishment here, prior_china_punishment 0, so that the deal is made.)"""

    def welfare_when(accepted):
        model = NegotiationModel(
            scenario_name="section232_2018", rng=3,
            overrides={"South Korea.strategy": "human", "china_punish_probability": 1.0, "relief_probability": 1.0,
                       "prior_china_punishment": 0.0, "balance_weight": 0.5, "linkage_cost": 0.0,
                       "security_linkage": 0.0},
        )
        model.set_human_choice("South Korea", accepted=accepted, stance="wait")
        model.step()
        i = model.world.names.index("South Korea")
        return model.state.welfare[i], model.state.china_punished[i]

    refused, punished_refused = welfare_when([])
    aligned, punished_aligned = welfare_when(["address_china", "wto_cases", "korus"])
    assert punished_aligned and not punished_refused
    assert aligned < refused - 0.1  # $bn per year lost on trade with China


def test_china_courts_a_hedger_with_a_share_of_its_trade_and_says_so():
    from agents.options import Stance

    model = NegotiationModel(scenario_name="section232_2018", rng=2, overrides={"china_inducement": 0.02}).run(1)
    state, world = model.state, model.world
    vietnam, china = world.names.index("Vietnam"), world.names.index("China")
    state.stance[:] = Stance.WAIT
    state.stance[[vietnam, china]] = Stance.HEDGE  # China cannot court itself
    state.deal_accepted[:] = False
    before = len(model.events)
    effect = model.china.act()
    assert effect[vietnam] == pytest.approx(0.02 * world.china_trade[vietnam]) and effect[vietnam] > 0
    assert np.count_nonzero(effect) == 1
    assert state.china_courted.tolist() == [i == vietnam for i in range(world.n)] and not state.china_punished.any()
    [event] = model.events[before:]
    assert event["country"] == "Vietnam" and event["kind"] == "china" and "China courts Vietnam" in event["text"]
    # partners expect the courting when they weigh hedging; without an active China there is none to expect
    from agents.utility import TERM, price_outlook

    expected = model.outlook.war["hedging"][TERM["China"]]
    assert expected == pytest.approx(0.02 * world.china_trade) and expected[vietnam] > 0
    model.params["china_active"] = False
    assert not model.china.act().any() and not state.china_courted.any()
    inactive = price_outlook(model)
    assert not inactive.war["hedging"][TERM["China"]].any() and not inactive.deal[0][TERM["China"]].any()


def test_retaliation_costs_the_retaliator_in_the_model():
    def welfare(stance):
        model = NegotiationModel(
            scenario_name="section232_2018", rng=5,
            overrides={"Argentina.strategy": "human", "us_toughness": 0.0, "deadline_round": 1},
        )
        model.set_human_choice("Argentina", stance=stance)
        model.step()
        i = model.world.names.index("Argentina")
        return model.state.welfare[i]

    assert welfare("retaliate") < welfare("wait")


def test_event_amounts_are_readable():
    from sim.world.units import money

    assert money(11.19) == "$11.2bn"
    assert money(0.0033) == "$3.3m"
    assert money(-0.45) == "-$450m"
    assert money(375.2) == "$375bn"
