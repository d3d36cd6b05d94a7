"""Each repeated-game rule plays the expected move sequence (axelrod-style tests)."""

import numpy as np
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


# ----------------------------------------------------------------------------- each rule, given a history
# As axelrod's own tests do: hand each rule histories and check the move it plays.
# Four countries decide at once, one column per history:
#   own last move     C  C  D  D
#   opponent's last   C  D  C  D
OWN = np.array([True, True, False, False])
OPPONENT = np.array([True, False, True, False])


def _history(round_=3, ever_defected=None):
    from agents.strategies import History

    ever = ~OPPONENT if ever_defected is None else np.asarray(ever_defected)
    return History(round=round_, own_cooperated=OWN.copy(), opponent_cooperated=OPPONENT.copy(),
                   opponent_ever_defected=ever)


def _moves(cooperate) -> str:
    return "".join("C" if c else "D" for c in cooperate)


@pytest.mark.parametrize("name, expected", [
    ("always_comply", "CCCC"),
    ("always_retaliate", "DDDD"),
    ("tit_for_tat", "CDCD"),  # copies the opponent's last move
    ("win_stay_lose_shift", "CDDC"),  # cooperates iff both made the same move
])
def test_each_rule_answers_a_history_with_its_move(name, expected):
    from agents.strategies import STRATEGIES

    rng = np.random.default_rng(0)
    assert _moves(STRATEGIES[name]().cooperate(_history(), rng)) == expected


def test_rules_cooperate_in_the_first_round_and_grim_remembers_any_defection():
    from agents.strategies import STRATEGIES

    rng = np.random.default_rng(0)
    for name in ("tit_for_tat", "win_stay_lose_shift", "generous_tit_for_tat"):
        assert _moves(STRATEGIES[name]().cooperate(_history(round_=1), rng)) == "CCCC", name
    # the opponent cooperated last round in columns 1 and 3, but defected once earlier in column 1
    grim = STRATEGIES["grim"]().cooperate(_history(ever_defected=[True, True, False, True]), rng)
    assert _moves(grim) == "DDCD"


def test_generous_tit_for_tat_forgives_with_its_generosity():
    from agents.strategies import STRATEGIES

    rng = np.random.default_rng(0)
    rule = STRATEGIES["generous_tit_for_tat"]
    assert _moves(rule({"generosity": 0.0}).cooperate(_history(), rng)) == "CDCD"  # tit-for-tat
    assert _moves(rule({"generosity": 1.0}).cooperate(_history(), rng)) == "CCCC"  # forgives everything


def _decision(utilities=None, tremble=0.0, noise=0.0, log=None):
    from agents.strategies import Decision

    utilities = np.zeros((4, 3)) if utilities is None else utilities
    extra = {"log": log} if log else {}
    return Decision(countries=np.arange(4), history=_history(), utilities=utilities, comply=np.array([5, 5, 6, 6]),
                    retaliate=9, refuse_all=0, rng=np.random.default_rng(0), noise=noise, tremble=tremble, **extra)


def test_a_repeated_game_rule_plays_comply_or_retaliate_and_trembles():
    from agents.strategies import TitForTat

    assert TitForTat().choose(_decision()).tolist() == [5, 9, 6, 9]  # C -> the country's comply option
    assert TitForTat().choose(_decision(tremble=1.0)).tolist() == [9, 5, 9, 6]  # every move flipped


def test_expected_utility_picks_the_best_option_without_noise():
    from agents.strategies import ExpectedUtility

    utilities = np.array([[0.0, 2.0, 1.0], [3.0, -np.inf, 1.0], [0.0, 0.0, 5.0], [-1.0, -2.0, -3.0]])
    assert ExpectedUtility().choose(_decision(utilities)).tolist() == [1, 0, 2, 0]


def test_a_human_plays_the_submitted_move_once_then_waits_and_is_told():
    from agents.strategies import Human

    lines = []
    human = Human()
    human.submit(2, 7)
    first = human.choose(_decision(log=lambda i, kind, text: lines.append((i, text))))
    assert first.tolist() == [0, 0, 7, 0]  # refuse-all where no move was given
    assert [i for i, _ in lines] == [0, 1, 3] and "no move given" in lines[0][1]
    assert human.choose(_decision()).tolist() == [0, 0, 0, 0]  # a move counts for one round only
