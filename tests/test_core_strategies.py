"""Each repeated-game rule plays the expected move sequence (axelrod-style tests)."""

import pytest

from sim import NegotiationModel


def play(first: str, second: str, rounds: int = 6, seed: int = 0, **params) -> tuple[str, str]:
    model = NegotiationModel(scenario_name="classroom", rng=seed, n_countries=2,
                             overrides={"Country 1.strategy": first, "Country 2.strategy": second, **params})
    moves = ["", ""]
    for _ in range(rounds):
        model.step()
        for i in range(2):
            moves[i] += "D" if model.state.stance[i] == 1 else "C"
    return moves[0], moves[1]


@pytest.mark.parametrize("first, second, expected_first, expected_second", [
    ("tit_for_tat", "always_retaliate", "CDDDDD", "DDDDDD"),
    ("tit_for_tat", "always_comply", "CCCCCC", "CCCCCC"),
    ("grim", "always_comply", "CCCCCC", "CCCCCC"),
    ("always_retaliate", "always_comply", "DDDDDD", "CCCCCC"),
    ("win_stay_lose_shift", "always_retaliate", "CDCDCD", "DDDDDD"),
    ("win_stay_lose_shift", "tit_for_tat", "CCCCCC", "CCCCCC"),
])
def test_deterministic_sequences(first, second, expected_first, expected_second):
    assert play(first, second) == (expected_first, expected_second)


def against_one_defection(rule: str, rounds: int) -> str:
    """Moves of ``rule`` against a partner that defects only in round 2."""
    model = NegotiationModel(scenario_name="classroom", rng=0, n_countries=2,
                             overrides={"Country 1.strategy": rule, "Country 2.strategy": "human"})
    moves = ""
    for r in range(rounds):
        model.set_human_choice("Country 2", stance="retaliate" if r == 1 else "wait")
        model.step()
        moves += "D" if model.state.stance[0] == 1 else "C"
    return moves


def test_grim_never_forgives():
    assert against_one_defection("grim", 6) == "CCDDDD"


def test_tit_for_tat_forgives_after_one_round():
    assert against_one_defection("tit_for_tat", 5) == "CCDCC"


def test_generous_tit_for_tat_forgives_about_a_third_of_defections():
    first, _ = play("generous_tit_for_tat", "always_retaliate", rounds=600, seed=3)
    forgiving = first[1:].count("C") / len(first[1:])
    assert 0.27 < forgiving < 0.40


def test_execution_noise_makes_tit_for_tat_echo():
    first, second = play("tit_for_tat", "tit_for_tat", rounds=200, seed=1, execution_noise=0.05)
    assert "D" in first and "D" in second
    clean = play("tit_for_tat", "tit_for_tat", rounds=200, seed=1)
    assert "D" not in clean[0] + clean[1]


def test_expected_utility_defects_in_the_one_shot_economics():
    model = NegotiationModel(scenario_name="classroom", rng=0, n_countries=50, strategy="expected_utility",
                             decision_noise=0.0, patience=0.0)
    model.step()
    assert (model.state.stance == 1).all()  # T > R and P > S: retaliation is dominant


def test_strategies_registry_matches_the_parameter_choices():
    from agents.strategies import STRATEGIES
    from sim.world.params import STRATEGY_NAMES

    assert set(STRATEGIES) == set(STRATEGY_NAMES)
    for cls in STRATEGIES.values():
        assert cls.__doc__ and len(cls.__doc__.split()) > 8
        assert "memory_depth" in cls.classifier
