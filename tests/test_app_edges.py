"""The student's rough edges of issue 16, each checked without a browser (the browser ones are in
tests/test_app_browser.py).  Each test failed on the app as it stood before the fix."""

from __future__ import annotations

import re
import threading

import pytest

from sim.world.errors import UserError
from ui.figures import tariff_svg
from ui.inspector import inspect_country, recent_events, status_line
from ui.links import GameState, from_query, to_query
from ui.session import Session, SessionCount
from ui.settings import controls_for, default_settings, parse_rounds, parse_seed
from ui.texts import ABOUT_HTML


def _counts(status: str) -> list[int]:
    """The numbers of the status line after the round ("...month 3: 2 with relief, 4 waiting, ... (of 14)")."""
    counted = status.split(": ", 1)[1].rsplit(" (of", 1)[0]
    return [int(n) for n in re.findall(r"(\d+) [a-z]", counted)]


# ---------------------------------------------------------------------------- labels
def test_demands_are_not_refused_before_anyone_moved():
    session = Session()
    info = inspect_country(session.model, "Canada")
    asked = [d["status"] for d in info["demands"] if d["status"] != "n/a"]  # n/a: a demand not put to Canada
    assert asked and set(asked) == {"not decided yet"}
    session.step(1)
    assert {d["status"] for d in inspect_country(session.model, "Canada")["demands"]} <= {"accepted", "refused", "n/a"}


@pytest.mark.parametrize("scenario, rounds", [("section232_2018", 3), ("bloc_game", 4), ("reciprocal_2025", 6),
                                              ("classroom", 2)])
def test_status_line_counts_every_country(scenario, rounds):
    session = Session(default_settings(scenario))
    session.step(rounds)
    status = status_line(session.model, session.series)
    assert sum(_counts(status)) == session.model.world.n, status
    assert f"(of {session.model.world.n})" in status


def test_event_log_does_not_say_china_hedges_toward_china():
    session = Session(default_settings())
    session.model.set_strategy("China", "human")
    session.model.set_human_choice("China", stance="hedge")
    session.step(1)
    assert any(e["text"] == "China hedges toward China" for e in session.model.events)  # the model's own words
    lines = recent_events(session.model, limit=400)
    assert not any("China hedges toward China" in line for line in lines)
    assert any("China keeps its distance from the U.S." in line for line in lines)


def test_played_country_rule_is_not_called_human():
    settings = default_settings()
    settings.country, settings.rounds = "Canada", 3
    session = Session(settings)
    session.play_round((), "wait")
    why = inspect_country(session.model, "Canada")["why"]
    assert "human" not in why and "played by a person" in why
    grim = default_settings()
    grim.strategies = {"All countries": "always_comply"}
    session = Session(grim)
    session.step(1)
    why = inspect_country(session.model, "Canada")["why"]
    assert "always comply" in why and "whatever happened before" in why and "last round" not in why


def test_debrief_names_yearly_rates_and_counts_rounds_in_words():
    import solara

    from ui.components import Debrief
    from ui.play import debrief

    settings = default_settings()
    settings.country, settings.rounds = "Canada", 1
    session = Session(settings)
    session.play_round((), "wait")
    info = debrief(session.play)
    assert info["played"] == "1 month"
    box, rc = solara.render(Debrief(info, lambda: None), handle_error=False)
    html = _html_of(rc)
    assert "after 1 month" in html and "1 rounds" not in html
    assert "welfare change per round" not in html and "a yearly rate, $ per year" in html and "/yr<" in html
    rc.close()


def _html_of(rc) -> str:
    """All the HTML text a rendered component shows."""
    import ipyvue

    return " ".join(str(getattr(w, "unsafe_innerHTML", "")) for w in rc.find(ipyvue.Html).widgets) + " ".join(
        str(getattr(w, "unsafe_innerHTML", "")) for w in rc.find(ipyvue.VueTemplate).widgets)


# ---------------------------------------------------------------------------- hard to read
def test_tariff_plot_stays_readable_at_round_300():
    session = Session()
    session.step(300)
    svg = tariff_svg(session.model, session.series)
    for name in session.model.world.names:  # one labelled row per country, not 14 overlapping lines
        assert f">{name}</text>" in svg
    assert "<polyline" not in svg and "<path" not in svg
    assert svg.count("<rect") < 600 and len(svg) < 120_000  # runs of equal colour, not a cell per round
    assert "#" in svg and "Tariff" in svg  # a colour key


def test_terms_and_stake_are_explained_where_they_appear():
    import solara

    from ui.components import Inspector

    session = Session()
    session.step(8)
    box, rc = solara.render(Inspector(session, 1, threading.RLock()), handle_error=False)
    html = _html_of(rc)
    assert "$ a year: every option" in html and "% of stake" not in html
    for term in ("organised import-competers", "security", "audience cost"):
        if f">{term}<" in html:  # a term in the table is explained under it
            assert f"<b>{term}</b>: " in html
    assert ">security<" in html
    rc.close()


def test_about_panel_has_no_links_a_student_cannot_open():
    assert not re.search(r"href=['\"](?!https?:|#)", ABOUT_HTML)
    assert "docs/model.md" in ABOUT_HTML  # still named, for the teacher


# ---------------------------------------------------------------------------- play panel
def test_no_wto_case_while_exempt():
    from ui.play import play_view

    settings = default_settings()
    settings.country, settings.rounds = "Canada", 3  # Canada starts temporarily exempt
    session = Session(settings)
    view = play_view(session.play)
    wto = next(s for s in view["stances"] if s["stance"] == "wto")
    assert not wto["open"] and "WTO case needs a measure" in wto["closed_reason"]
    with pytest.raises(UserError, match="WTO case needs a measure"):
        session.play_round((), "wto")
    assert session.model.round == 0


def test_rounds_to_play_is_checked():
    assert parse_rounds("") == 0 and parse_rounds("15") == 15 and parse_rounds(" 3 ") == 3
    for bad in ("abc", "100000", "-1", "2.5"):
        with pytest.raises(UserError, match="whole number from 0 to"):
            parse_rounds(bad)


def test_a_long_seed_is_called_too_long():
    with pytest.raises(UserError, match="too long \\(5,000 digits\\)"):
        parse_seed("9" * 5000)
    with pytest.raises(UserError, match="whole number"):
        parse_seed("abc")


# ---------------------------------------------------------------------------- links
def test_a_link_replays_a_watched_and_a_played_game():
    watched = Session()
    watched.step(7)
    again = Session()
    again.restore(from_query(to_query(watched.state())))
    assert again.model.round == 7 and again.series.tariffs[-1].tolist() == watched.series.tariffs[-1].tolist()
    assert again.series.categories == watched.series.categories

    settings = default_settings("section232_2018")
    settings.country, settings.rounds, settings.seed = "South Korea", 4, "11"
    settings.params["us_toughness"] = 0.85
    played = Session(settings)
    played.play_round(("export_cap", "security"), "wait")
    played.play_round((), "retaliate")
    query = to_query(played.state())
    assert "play=South" in query and "moves=" in query and "us_toughness=0.85" in query
    replay = Session()
    replay.restore(from_query(query))
    assert replay.settings == played.settings
    assert [m["you"] for m in replay.play.moves] == [m["you"] for m in played.play.moves]
    assert replay.play.moves[-1]["you_welfare"] == played.play.moves[-1]["you_welfare"]


def test_links_open_a_scenario_seed_and_exercise():
    from ui.actions import _link_settings

    state = from_query("?scenario=classroom&seed=3", _link_settings)
    assert state.settings.scenario == "classroom" and state.settings.seed == "3"
    state = from_query("exercise=replay-2018", _link_settings)
    assert state.exercise == "replay-2018" and state.settings.country == "Canada" and state.settings.rounds == 15
    assert from_query("", _link_settings) is None and from_query("utm=1", _link_settings) is None
    with pytest.raises(UserError):
        from_query("exercise=nowhere", _link_settings)
    with pytest.raises(UserError):
        from_query("round=abc")
    with pytest.raises(UserError):
        Session().restore(from_query("scenario=atlantis"))
    with pytest.raises(UserError, match="from 0 to 2000"):  # a link replays a bounded game
        from_query("scenario=classroom&round=99999")
    assert isinstance(from_query("scenario=classroom&round=20"), GameState)
    # a count in a link is written in digits, as everywhere else: 1e1 is not taken for 10
    with pytest.raises(UserError, match="in digits only: 10, not 10.0"):
        Session().restore(from_query("scenario=section232_2018&set=deadline_round=1e1"))
    assert from_query("scenario=section232_2018&set=deadline_round=4;us_toughness=0.5").settings.params[
        "deadline_round"] == 4


def test_bad_link_leaves_a_working_game():
    from ui.actions import PageActions

    actions = PageActions("seed=abc")
    assert "could not be opened" in actions.error.value and actions.session.model.round == 0
    actions = PageActions("scenario=classroom&seed=3&round=4")
    assert actions.session.model.round == 4 and actions.scenario.value == "classroom"
    assert "round=4" in actions.address.value
    actions.step(2)
    assert "round=6" in actions.address.value


# ---------------------------------------------------------------------------- controls that do nothing
def test_classroom_hides_the_us_and_china_controls():
    shown = controls_for("classroom")
    assert not {"us_toughness", "escalation_step", "deadline_round", "china_active"} & set(shown)
    assert {"decision_noise", "patience"} <= set(shown)
    assert "us_toughness" in controls_for("section232_2018")


def test_classroom_event_log_has_a_line_per_round():
    session = Session(default_settings("classroom"))
    session.step(3)
    lines = recent_events(session.model, series=session.series)
    assert [line.split(":")[0] for line in lines] == ["Round 3", "Round 2", "Round 1"]


# ---------------------------------------------------------------------------- the class
def test_session_count_turns_away_the_tab_over_the_cap():
    count = SessionCount(limit=2)
    assert count.admit() and count.admit() and not count.admit()
    count.release()
    assert count.admit() and count.open == 2


def test_closing_a_session_drops_its_game():
    import gc
    import weakref

    session = Session()
    session.step(2)
    model = weakref.ref(session.model)
    session.close()
    gc.collect()
    assert model() is None


def test_app_command_checks_the_class_options(tradesim):
    bad_cull = tradesim("app", "--cull", "soon")
    assert bad_cull.returncode == 2 and "--cull must be a duration" in bad_cull.stderr
    bad_cap = tradesim("app", "--max-sessions", "0")
    assert bad_cap.returncode == 2 and "--max-sessions = '0' is out of range" in bad_cap.stderr
