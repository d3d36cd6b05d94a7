"""Choice without the red bus: a nested logit whose draws persist (agents.choice)."""

import dataclasses

import numpy as np
import pytest

from agents.choice import logit_probabilities, nested_choice, nested_probabilities, stance_values
from sim import NegotiationModel, load_scenario
from sim.world.scenario import Demand
from sim.world.vocabulary import Stance

N_STANCES = len(Stance)


def _wait_chance(data, noise_bp: float = 0.5):
    model = NegotiationModel(scenario_name=data.name, rng=1, scenario_data=data, decision_noise=noise_bp).run(3)
    utilities, stance = model.state.utilities, model.options.stance
    nested = nested_probabilities(utilities, stance, N_STANCES, model.outlook.noise)[:, Stance.WAIT]
    plain = np.array([logit_probabilities(utilities[i:i + 1], model.outlook.noise[i])[0][stance == Stance.WAIT].sum()
                      for i in range(model.world.n)])
    # partners holding a list are left out: for them offering nothing is backing down, not one package among others
    free = model.outlook.status == 0
    return nested[free], plain[free]


def test_more_demands_do_not_by_themselves_raise_the_chance_of_waiting():
    """A demand that costs nothing and counts for (almost) nothing doubles the waiting packages: a plain logit
    over all options then waits more (McFadden 1978's red bus); the nested logit does not."""
    base = load_scenario("section232_2018")
    idle = Demand(id="idle", label="an idle demand", kind="alignment", weight=1e-9, source="test")
    more = dataclasses.replace(base, demands=base.demands + (idle,))
    nested_base, plain_base = _wait_chance(base)
    nested_more, plain_more = _wait_chance(more)
    np.testing.assert_allclose(nested_more, nested_base, atol=1e-6)
    assert (plain_more > plain_base + 0.01).any()  # the check can fail: the plain logit moves


def test_the_stance_comes_first_then_the_best_package_within_it():
    utilities = np.array([[1.0, 3.0, 2.0, 0.0, -np.inf]])  # options 0-2 wait, 3 retaliate, 4 wto (closed)
    stance = np.array([0, 0, 0, 1, 2])
    assert stance_values(utilities, stance, 3).tolist() == [[3.0, 0.0, -np.inf]]
    assert nested_choice(utilities, stance, np.array([[0.0, 0.0, 0.0]]))[0] == 1  # the best package of "wait"
    assert nested_choice(utilities, stance, np.array([[0.0, 3.5, 0.0]]))[0] == 3  # a strong preference to retaliate
    assert nested_choice(utilities, stance, np.array([[0.0, 0.0, 99.0]]))[0] != 4  # a closed stance is never taken


def test_the_stance_chances_are_the_logit_of_the_stance_values():
    utilities = np.array([[1.0, 3.0, 0.0, 2.0]])
    stance = np.array([0, 0, 1, 2])
    p = nested_probabilities(utilities, stance, 3, np.array([1.0]))[0]
    expected = np.exp([3.0, 0.0, 2.0]) / np.exp([3.0, 0.0, 2.0]).sum()
    np.testing.assert_allclose(p, expected)
    assert nested_probabilities(utilities, stance, 3, np.array([0.0]))[0].tolist() == [1.0, 0.0, 0.0]
    # the Gumbel draws give those chances
    rng = np.random.default_rng(0)
    shocks = rng.gumbel(size=(20000, 3))
    picks = nested_choice(np.repeat(utilities, 20000, axis=0), stance, shocks)
    share = np.bincount(stance[picks], minlength=3) / 20000
    np.testing.assert_allclose(share, expected, atol=0.015)


def test_a_governments_preferences_persist_so_a_month_of_noise_is_not_a_retaliation():
    """The draws are made once per run: with the same values, a government makes the same choice every month."""
    model = NegotiationModel(scenario_name="section232_2018", rng=4)
    shocks = model.state.shocks.copy()
    model.run(6)
    assert np.array_equal(model.state.shocks, shocks)
    scale = model.params["decision_noise"] * model.world.gdp * 1e-4
    assert shocks.std() > 0 and np.abs(shocks / scale[:, None]).max() < 20  # Gumbel draws in units of the noise


def test_a_closed_stance_is_never_chosen_and_the_noise_scales_the_stance_values():
    utilities = np.array([[1.0, 0.0, 0.5]])
    stance = np.array([0, 1, 1])  # stance 2 has no option open
    values = stance_values(utilities, stance, 3)
    assert values[0, :2].tolist() == [1.0, 0.5] and values[0, 2] == -np.inf
    probabilities = nested_probabilities(utilities, stance, 3, np.array([2.0]))[0]
    odds = np.exp(1.0 / 2.0) / (np.exp(1.0 / 2.0) + np.exp(0.5 / 2.0))
    assert probabilities == pytest.approx([odds, 1 - odds, 0.0])
    # noise below one scales too, and without noise the best open stance is sure
    odds = np.exp(1.0 / 0.5) / (np.exp(1.0 / 0.5) + np.exp(0.5 / 0.5))
    assert nested_probabilities(utilities, stance, 3, np.array([0.5]))[0] == pytest.approx([odds, 1 - odds, 0.0])
    flipped = np.array([[0.0, 1.0, 0.5]])
    assert nested_probabilities(flipped, stance, 3, np.array([0.0]))[0].tolist() == [0.0, 1.0, 0.0]
    # however strongly a government leans toward the closed stance, it plays an open one
    chosen = nested_choice(utilities, stance, np.array([[0.0, 0.0, 1e9]]))
    assert chosen[0] == 0


def test_the_plain_logit_draws_what_its_probabilities_say():
    """The classroom rule and the pooled bloc choice: draws follow exp(U / noise), an impossible option
    (-inf) is never drawn, and no noise picks the best."""
    from agents.choice import logit_choice

    utilities = np.tile([[1.0, 0.0, -np.inf, 0.5]], (20000, 1))
    expected = logit_probabilities(utilities[:1], 2.0)[0]
    odds = np.exp(np.array([1.0, 0.0, 0.5]) / 2.0)
    assert expected == pytest.approx([odds[0] / odds.sum(), odds[1] / odds.sum(), 0.0, odds[2] / odds.sum()])
    for noise in (2.0, 0.5):
        expected = logit_probabilities(utilities[:1], noise)[0]
        drawn = logit_choice(utilities, noise, np.random.default_rng(1))
        shares = np.bincount(drawn, minlength=4) / len(drawn)
        assert shares[2] == 0.0 and shares == pytest.approx(expected, abs=0.015)
    assert logit_choice(utilities[:3], 0.0, np.random.default_rng(1)).tolist() == [0, 0, 0]
    assert logit_probabilities(utilities[:2], 0.0).tolist() == [[1.0, 0.0, 0.0, 0.0]] * 2
