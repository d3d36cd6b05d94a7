"""Play a country, the debrief, exercises and the fast figures (ui.play, ui.session), no browser.

Outcomes are not hard-coded: the model's behavioural parameters are recalibrated from time
to time, so these tests check structure and consistency, not particular moves.
"""

from __future__ import annotations

import pytest

from benchmarks.app_update import full_update, measure_update_time
from sim.world.errors import UserError
from ui.exercises import exercise_settings, list_exercises
from ui.play import consequence, history_of, load_history, option_label, play_view
from ui.session import Session, round_view
from ui.settings import ALL_COUNTRIES, default_settings
from ui.texts import ABOUT_HTML


def playing(country="Canada", scenario="section232_2018", rounds=3, **params):
    settings = default_settings(scenario)
    settings.params.update(params)
    settings.country, settings.rounds = country, rounds
    return Session(settings)


def test_played_country_is_human_and_others_stay_agents():
    session = playing()
    strategies = {c.name: c.strategy for c in session.model.countries}
    assert strategies["Canada"] == "human"
    assert all(s != "human" for name, s in strategies.items() if name != "Canada")
    assert session.play.shadow.countries[0].strategy == "expected_utility"
    with pytest.raises(UserError):
        session.step()  # Step is for watching; a played game advances with play_round


def test_shadow_uses_expected_utility_even_when_all_countries_follow_another_rule():
    settings = default_settings()
    settings.strategies = {ALL_COUNTRIES: "tit_for_tat"}
    settings.country = "EU"
    session = Session(settings)
    shadow = {c.name: c.strategy for c in session.play.shadow.countries}
    assert shadow["EU"] == "expected_utility" and shadow["Canada"] == "tit_for_tat"


def test_unknown_country_is_a_user_error():
    settings = default_settings()
    settings.country = "Atlantis"
    with pytest.raises(UserError, match="Atlantis"):
        Session(settings)


def test_round_brief_lists_demands_china_and_options():
    session = playing()
    view = round_view(session)["play"]
    assert view["country"] == "Canada" and view["round"] == 0 and view["next_round"] == 1
    assert view["rounds_total"] == 3
    world = session.model.world
    asked = [d for j, d in enumerate(world.demand_ids) if world.applicable[0, j]]
    assert [d["id"] for d in view["demands"]] == asked and "korus" not in asked  # only what Canada is asked
    assert [s["stance"] for s in view["stances"]] == ["wait", "retaliate", "wto", "hedge"]
    assert all(s["help"] for s in view["stances"])
    assert "China" in " ".join(view["china"])
    # Canada is still exempt before round 1: no WTO case, there is no measure to challenge
    assert len(view["utilities"]) == 2 ** len(asked) + 2  # every subset with "wait", retaliate, hedge
    assert "wto" not in dict(view["utilities"])
    assert next(s for s in view["stances"] if s["stance"] == "wto")["best_option"] is None
    values = [u for _, u in view["utilities"]]
    assert values == sorted(values, reverse=True)


def test_preview_is_exactly_what_the_round_then_weighs():
    session = playing(rounds=5)
    session.play_round(["export_cap"], "wait")
    preview = dict(session.play.preview())
    session.play_round([], "retaliate")
    actual = session.model.countries[0].option_utilities()
    assert preview.keys() == actual.keys()
    assert all(abs(preview[k] - actual[k]) < 1e-9 for k in actual)
    assert session.model.round == 2  # the preview did not advance the game


def test_moves_reach_the_model_and_shadow_moves_in_lockstep():
    session = playing()
    session.play_round(["export_cap", "security"], "wait")
    i = session.play.index
    assert session.model.state.accepted[i].sum() == 2
    assert sorted(session.model.countries[i].accepted_demands) == ["export_cap", "security"]
    session.play_round([], "retaliate")
    assert session.model.countries[i].stance == "retaliate"
    assert session.model.countries[i].counter_tariffs == "announced"  # published; in force once it faces the tariffs
    assert not session.model.state.retaliated_ever[i]
    assert session.model.round == session.play.shadow.round == 2
    assert [m["you"] for m in session.play.moves] == ["accept export_cap, security", "retaliate"]
    assert session.series.rounds == [0, 1, 2]


def test_bad_moves_are_user_errors_and_do_not_advance():
    session = playing()
    with pytest.raises(UserError):
        session.play_round(["export_cap"], "retaliate")
    with pytest.raises(UserError):
        session.play_round([], "surrender")
    assert session.model.round == 0


def test_game_ends_after_its_rounds_with_a_debrief():
    session = playing(rounds=3)
    for stance in ("wait", "retaliate", "wto"):
        session.play_round([], stance)
    assert session.play.finished
    with pytest.raises(UserError):
        session.play_round([], "wait")
    view = round_view(session)["play"]
    info = view["debrief"]
    assert info["rounds"] == 3 and info["country"] == "Canada"
    model, shadow, i = session.model, session.play.shadow, session.play.index
    assert info["you"]["cum_welfare_bn"] == pytest.approx(float(model.state.cum_welfare[i]))
    assert info["agent"]["cum_welfare_bn"] == pytest.approx(float(shadow.state.cum_welfare[i]))
    assert info["you"]["retaliated"] is True
    assert info["agent"]["retaliated"] == bool(shadow.state.retaliated_ever[i])
    assert info["verdict"]
    assert len(info["moves"]) == 3
    odds = info["model"]  # the model's own odds over its posterior predictive, with intervals
    assert odds["runs"] == 30 and odds["note"]
    for key in ("retaliated", "settled"):
        low, high = odds[f"{key}_90"]
        assert 0 <= low <= odds[key] <= high <= 1 and high - low > 0


def test_finish_early_and_history_comparison():
    session = playing(rounds=15)
    session.play_round([], "wait")
    session.play.finish()
    info = round_view(session)["play"]["debrief"]
    table = load_history("section232_2018")
    if table is None:
        assert info["history"] is None and not info["history_available"]
        return
    row = table["economies"]["Canada"]
    assert info["history"]["retaliated"] == row["retaliated"]
    assert info["history"]["settled"] == row["settled"]
    assert info["history"]["source"]
    assert any("reality" in note for note in info["notes"])


def test_history_missing_falls_back():
    assert load_history("classroom") is None
    assert history_of("classroom", "Country 1") is None
    session = playing(country="Japan", scenario="reciprocal_2025", rounds=1)
    session.play_round([], "wait")
    info = round_view(session)["play"]["debrief"]
    assert info["history_available"] is (history_of("reciprocal_2025", "Japan") is not None)


def test_classroom_play_offers_two_stances():
    session = playing(country="Country 1", scenario="classroom", rounds=2)
    view = round_view(session)["play"]
    assert [s["stance"] for s in view["stances"]] == ["wait", "retaliate"]
    assert view["demands"] == []
    session.play_round([], "retaliate")
    session.play_round([], "wait")
    assert round_view(session)["play"]["debrief"]["unit"] == "payoff units"


def test_option_label_and_consequence():
    session = playing()
    model = session.model
    assert option_label(model, "Canada", [], "wait") == "wait (refuse all)"
    assert option_label(model, "Canada", ["security", "export_cap"], "wait") == "accept export_cap, security"
    assert option_label(model, "Canada", model.world.demand_ids, "wait") == "comply (accept all)"
    asked_of_canada = [d for j, d in enumerate(model.world.demand_ids) if model.world.applicable[0, j]]
    assert option_label(model, "Canada", asked_of_canada, "wait") == "comply (accept all)"  # korus is not asked
    assert option_label(model, "Canada", [], "hedge") == "hedge"
    view = play_view(session.play)
    labels = [name for name, _ in view["utilities"]]
    assert "rank" in consequence(view, labels[-1]) or "best" in consequence(view, labels[-1])
    assert "best option" in consequence(view, labels[0])


@pytest.mark.parametrize("exercise", list_exercises(), ids=lambda e: e.name)
def test_every_exercise_preset_starts(exercise):
    settings = exercise_settings(exercise)
    assert settings.scenario == exercise.scenario
    session = Session(settings)
    for key, value in exercise.params.items():
        if key != "strategy":
            assert session.model.params[key] == value
    if exercise.country:
        assert session.play is not None and session.play.country == exercise.country
        assert session.play.rounds_total == exercise.rounds
        session.play_round([], "wait")
    else:
        assert session.play is None
        session.step()
    assert session.model.round == 1
    for name in ("WHAT IS IT", "HOW TO RUN", "THINGS TO NOTICE", "QUESTIONS"):
        assert exercise.sections.get(name)


def test_about_text_links_the_model_description_without_loading_anything():
    assert "docs/model.md" in ABOUT_HTML
    assert "<img" not in ABOUT_HTML and "<script" not in ABOUT_HTML and "http" not in ABOUT_HTML
    for heading in ("WHAT IS IT", "HOW A ROUND WORKS", "HOW TO USE IT", "THINGS TO NOTICE"):
        assert heading in ABOUT_HTML


def test_full_update_plays_a_round_in_a_played_game():
    session = playing(rounds=4)
    out = full_update(session, "Canada")
    assert session.model.round == 1 and out["play"]["round"] == 1
    for key in ("tariffs", "counts", "welfare", "network"):
        assert out[key].startswith("<svg")


def test_figures_are_reused_and_unchanged_plots_are_cached():
    session = Session()
    first = session.render()
    plots = session.plots
    assert session.render()["network"] is first["network"]  # nothing changed: the same text, not rebuilt
    session.step(3)
    assert session.render()["network"] is not first["network"]
    assert session.plots is plots
    session.reset(session.settings)
    assert session.plots is not plots


def test_update_time_is_measured():
    # no timing bound here: speed goals are measured and recorded by benchmarks/
    times = measure_update_time(at_rounds=(3, 60), repeats=3, details=True)
    assert set(times) == {3, 60}
    for value in times.values():
        assert value["mean"] > 0 and len(value["timings"]) == 3
        assert value["max"] >= value["mean"]
