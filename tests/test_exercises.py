"""Every exercise has all its sections, non-empty, and its preset loads and runs (NetLogo-style check)."""


import pytest

from sim import NegotiationModel
from ui.exercises import SECTIONS, list_exercises

EXERCISES = list_exercises()


def test_there_are_at_least_the_five_required_exercises():
    names = {ex.name for ex in EXERCISES}
    assert {"find-delta-star", "replay-2018", "ninety-day-pause", "two-level-ratification", "bloc-or-bilateral"} <= names


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda ex: ex.name)
def test_exercise_has_every_section_non_empty(exercise):
    for heading in SECTIONS:
        assert heading in exercise.sections, f"{exercise.path}: missing section {heading}"
        assert len(exercise.sections[heading].split()) >= 10, f"{exercise.path}: section {heading} is too short"


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda ex: ex.name)
def test_exercise_preset_loads_and_runs_ten_rounds(exercise):
    overrides = dict(exercise.params)
    if exercise.country:
        overrides[f"{exercise.country}.strategy"] = "human"
    model = NegotiationModel(scenario_name=exercise.scenario, rng=1, overrides=overrides)
    if exercise.country:
        assert exercise.country in model.world.names
    model.run(10)
    assert model.round == 10


def test_cli_runs_an_exercise_and_rejects_unknown_names(tradesim):
    ok = tradesim("run", "--exercise", "find-delta-star", "--rounds", "5")
    assert ok.returncode == 0 and "Country 1" in ok.stdout
    bad = tradesim("run", "--exercise", "nope")
    assert bad.returncode == 2 and "Exercises: " in bad.stderr
