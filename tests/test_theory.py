"""Theory checks on the model's own economics and decision rule (DESIGN.md, "Checks the model must pass")."""

import numpy as np
import pytest

from agents.classroom import classroom_payoffs, folk_theorem_threshold
from experiments import theory
from sim import NegotiationModel
from sim.world import economics


# ---------------------------------------------------------------- stage game
def test_symmetric_stage_game_is_a_prisoners_dilemma_from_the_economics():
    game, pay = theory.stage_game()
    assert pay["T"] > pay["R"] > pay["P"] > pay["S"]  # derived from tariff_outcome, not a table
    assert theory.pure_equilibria(game) == [(theory.RETALIATE, theory.RETALIATE)]
    equilibria = list(game.support_enumeration())
    assert len(equilibria) == 1  # no mixed equilibrium either
    nash = game[equilibria[0]]
    both_open = game[np.array([1.0, 0.0]), np.array([1.0, 0.0])]
    assert all(o > n for o, n in zip(both_open, nash))  # mutual openness Pareto-dominates


def test_retaliation_is_dominant_and_war_costs_both():
    _, pay = theory.stage_game(theory.classroom_params(war_tariff=0.2, market_share=0.7))
    assert pay["T"] > pay["R"] and pay["P"] > pay["S"]
    assert pay["P"] < pay["R"]
    # a war tariff far above the optimum 1/eps_res destroys the temptation: no dilemma
    _, high = theory.stage_game(theory.classroom_params(war_tariff=0.5, market_share=0.3))
    assert high["T"] < high["R"]


def test_johnson_large_country_wins_the_tariff_war():
    game, pay = theory.asymmetric_stage_game(0.9)
    assert theory.pure_equilibria(game) == [(theory.RETALIATE, theory.RETALIATE)]
    assert pay["large"][1, 1] > pay["large"][0, 0]  # the large country gains from the war
    assert pay["small"][1, 1] < pay["small"][0, 0]  # the small one loses
    assert pay["eps_large"] < pay["eps_small"]  # via residual supply elasticities
    # with equal sizes, the war hurts both: the structure flips with relative size
    _, sym = theory.asymmetric_stage_game(0.5)
    assert sym["large"][1, 1] < 0 and sym["small"][1, 1] < 0


def test_johnson_flip_also_with_a_common_war_tariff():
    _, pay = theory.asymmetric_stage_game(0.9, tariff=0.3)
    assert pay["large"][1, 1] > 0 > pay["small"][1, 1]


# ---------------------------------------------------------------- optimal tariff
OPTIMAL_TARIFF_TOL = 1e-4  # absolute, numerical optimum vs 1/e*


@pytest.mark.parametrize("elasticity", [1.0, 2.0, 3.0, 5.0, 10.0])
def test_large_economy_optimal_tariff_matches_johnson(elasticity):
    t = theory.numerical_optimal_tariff(elasticity, market_share=1.0)
    assert t > 0.01
    assert abs(t - 1.0 / elasticity) < OPTIMAL_TARIFF_TOL


def test_optimal_tariff_falls_as_foreign_supply_gets_more_elastic():
    rows = theory.optimal_tariff_table((1.0, 2.0, 3.0, 5.0, 10.0, 20.0))
    values = [r["numerical"] for r in rows]
    assert all(a > b for a, b in zip(values, values[1:]))
    # and a positive tariff beats free trade for the large buyer
    gain = economics.tariff_outcome(1.0, values[2], 2.5, 3.0)["importer_welfare"]
    assert gain > 0


def test_small_economy_optimal_tariff_is_about_zero():
    t = theory.numerical_optimal_tariff(3.0, market_share=0.0005)
    assert t < 1e-3
    assert abs(t - 0.0005 / 3.0) < OPTIMAL_TARIFF_TOL


# ---------------------------------------------------------------- folk theorem
def test_folk_theorem_threshold_from_model_payoffs():
    pay = classroom_payoffs(theory.classroom_params())
    delta_star = folk_theorem_threshold(pay)
    assert 0 < delta_star < 1
    assert delta_star == pytest.approx((pay["T"] - pay["R"]) / (pay["T"] - pay["P"]))


@pytest.mark.parametrize("offset", [0.01, 0.05, 0.3])
def test_cooperation_holds_above_delta_star(offset):
    delta_star = folk_theorem_threshold(classroom_payoffs(theory.classroom_params()))
    assert theory.cooperation_against_grim(delta_star + offset, rounds=30) == 1.0


@pytest.mark.parametrize("offset", [0.01, 0.05, 0.15])
def test_cooperation_collapses_below_delta_star(offset):
    delta_star = folk_theorem_threshold(classroom_payoffs(theory.classroom_params()))
    model = NegotiationModel(
        scenario_name="classroom", rng=0,
        overrides={"Country 1.strategy": "expected_utility", "Country 2.strategy": "grim",
                   "Country 1.patience": delta_star - offset},
        decision_noise=0.0, partner_model="grim",
    )
    stances = []
    for _ in range(10):
        model.step()
        stances.append(model.state.stance.copy())
    stances = np.array(stances)
    assert stances[0, 0] == theory.RETALIATE  # defects at once
    assert (stances[1:, :] == theory.RETALIATE).all()  # and the grim partner punishes for ever


def test_folk_threshold_moves_with_the_economics():
    """A higher war tariff changes T and P, and the model's break point follows (T-R)/(T-P)."""
    params = theory.classroom_params(war_tariff=0.15)
    delta_star = folk_theorem_threshold(classroom_payoffs(params))
    assert theory.cooperation_against_grim(delta_star + 0.02, rounds=10, war_tariff=0.15) == 1.0
    assert theory.cooperation_against_grim(delta_star - 0.02, rounds=10, war_tariff=0.15) == 0.0


def test_myopic_belief_model_always_defects():
    coop = theory.cooperation_against_grim(0.95, rounds=10)
    assert coop == 1.0
    from sim import NegotiationModel as M

    model = M(scenario_name="classroom", rng=0, overrides={"Country 1.strategy": "expected_utility",
                                                          "Country 2.strategy": "grim", "Country 1.patience": 0.95},
              decision_noise=0.0, partner_model="myopic").run(5)
    assert model.state.retaliated_ever[0]


# ---------------------------------------------------------------- the textbook table
def test_the_textbook_table_gives_the_textbook_threshold():
    """payoff_source = "table" plays Axelrod's R, S, T, P = 3, 0, 5, 1: grim trigger holds from delta 1/2."""
    params = theory.classroom_params(payoff_source="table")
    pay = classroom_payoffs(params)
    assert pay == {"R": 3.0, "S": 0.0, "T": 5.0, "P": 1.0}
    assert folk_theorem_threshold(pay) == pytest.approx(0.5)
    assert theory.cooperation_against_grim(0.55, rounds=10, payoff_source="table") == 1.0
    assert theory.cooperation_against_grim(0.45, rounds=10, payoff_source="table") == 0.0


def test_classroom_utilities_follow_the_belief_models():
    """Myopic: expected stage payoffs against the believed share of retaliators.  Grim: per-round
    averages of cooperating for ever against defecting once and being punished for ever."""
    from agents.classroom import classroom_utilities
    from agents.options import CLASSROOM_STANCES, build_options
    from sim.world.vocabulary import Stance

    pay = {"R": 3.0, "S": -1.0, "T": 5.0, "P": 1.0}
    options = build_options(0, CLASSROOM_STANCES)
    retaliate = options.stance == Stance.RETALIATE
    myopic = classroom_utilities(options, np.array([0.0, 1.0, 0.25]), pay, stake=2.0)
    assert myopic[:, ~retaliate][:, 0] == pytest.approx(50 * np.array([3.0, -1.0, 0.75 * 3 - 0.25]))
    assert myopic[:, retaliate][:, 0] == pytest.approx(50 * np.array([5.0, 1.0, 0.75 * 5 + 0.25]))
    grim = classroom_utilities(options, np.zeros(2), pay, stake=1.0, patience=np.array([0.6, 0.6]),
                               triggered=np.array([False, True]), partner_model="grim")
    assert grim[0, ~retaliate][0] == pytest.approx(100 * 3.0)  # cooperate for ever: R each round
    assert grim[0, retaliate][0] == pytest.approx(100 * (0.4 * 5 + 0.6 * 1))  # T once, then P
    assert grim[1, ~retaliate][0] == pytest.approx(100 * (0.4 * -1 + 0.6 * 1))  # punished: S once, then P
    assert grim[1, retaliate][0] == pytest.approx(100 * 1.0)
    default = classroom_utilities(options, np.zeros(1), pay, stake=1.0, partner_model="grim")
    assert default[0, retaliate][0] == pytest.approx(100 * (0.1 * 5 + 0.9 * 1))  # patience 0.9 unless given


def test_stage_payoffs_average_over_the_partners():
    from agents.classroom import observe_partners, stage_payoffs

    pay = {"R": 3.0, "S": -1.0, "T": 5.0, "P": 1.0}
    welfare, share = stage_payoffs(np.array([True, False, False]), pay)
    assert share.tolist() == [0.0, 0.5, 0.5]
    assert welfare == pytest.approx([5.0, 1.0, 1.0])  # T against two open; (R + S) / 2 for the others
    counts = np.array([[1.0, 1.0], [2.0, 0.0], [0.0, 2.0]])
    observe_partners(counts, share)
    assert counts.tolist() == [[1.0, 2.0], [2.5, 0.5], [0.5, 2.5]]


def test_the_myopic_belief_follows_what_the_partners_did():
    """Against a partner that always retaliates, the believed share of retaliators rises round by round, so the
    value of staying open falls from R toward S (per-partner payoffs, percent of the trade at stake)."""
    model = NegotiationModel(scenario_name="classroom", rng=0, decision_noise=1.0, partner_model="myopic",
                             overrides={"Country 1.strategy": "expected_utility",
                                        "Country 2.strategy": "always_retaliate"})
    pay = classroom_payoffs(model.params)
    stake = model.params["trade_per_partner_bn"]
    opened = []
    for _ in range(8):
        model.step()
        opened.append(model.state.utilities[0, model.refuse_all_option])
    assert all(later < earlier for earlier, later in zip(opened, opened[1:]))
    low, high = sorted((100 * pay["S"] / stake, 100 * pay["R"] / stake))
    assert all(low <= value <= high for value in opened)


def test_a_country_that_defected_against_grim_partners_expects_punishment():
    """Grim trigger: once it has retaliated, the partners punish for ever, so opening again is worth less than
    staying closed (the triggered branch), even before any partner has retaliated."""
    model = NegotiationModel(scenario_name="classroom", rng=0, decision_noise=0.0, partner_model="grim",
                             overrides={"Country 1.strategy": "expected_utility", "Country 2.strategy": "grim",
                                        "Country 1.patience": 0.95})
    model.step()
    assert model.state.stance[0] != theory.RETALIATE  # patient: it cooperates
    model.state.retaliated_ever[0] = True  # as if it had trembled into a retaliation
    model.step()
    assert model.state.stance[0] == theory.RETALIATE
