"""Blocs: members decide together in bloc mode, alone in bilateral mode."""

from sim import NegotiationModel
from sim.records import country_frame


def _actions_per_round(mode: str, seed: int = 2):
    model = NegotiationModel(scenario_name="bloc_game", rng=seed, bloc_mode=mode, decision_noise=5.0).run(12)
    frame = country_frame(model)
    frame = frame[frame["round"] > 0]
    return frame.groupby("round")["action"].nunique()


def test_bloc_members_always_move_together():
    assert (_actions_per_round("bloc") == 1).all()


def test_bilateral_members_can_split():
    assert (_actions_per_round("bilateral") > 1).any()


def test_a_human_member_decides_alone_inside_a_bloc():
    model = NegotiationModel(scenario_name="bloc_game", rng=1, overrides={"Member A.strategy": "human"})
    model.set_human_choice("Member A", stance="retaliate")
    model.step()
    assert model.countries[0].action == "retaliate"
    assert len({c.action for c in model.countries[1:]}) == 1


def test_two_members_left_to_the_rule_still_decide_together():
    """With three of the five members played by people, the other two still act as one (a bloc of two)."""
    people = {"Member A": "retaliate", "Member B": "wto", "Member C": "wait"}
    model = NegotiationModel(scenario_name="bloc_game", rng=2, decision_noise=5.0,
                             overrides={f"{name}.strategy": "human" for name in people})
    rest = [c for c in model.countries if c.name.startswith("Member") and c.name not in people]
    assert len(rest) == 2
    for _ in range(12):
        for name, stance in people.items():
            model.set_human_choice(name, stance=stance)
        model.step()
        assert model.countries[0].action == "retaliate"
        assert rest[0].action == rest[1].action
