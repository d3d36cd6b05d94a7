"""Fast tests of the app's data preparation (the ui package), no browser."""

from __future__ import annotations

import pytest

from benchmarks.app_update import full_update
from sim.world.errors import UserError
from sim.world.loader import builtin_names
from ui.figures import Plots, network_svg, relation, ring_layout
from ui.inspector import inspect_country, recent_events
from ui.session import Session
from ui.settings import ALL_COUNTRIES, Settings, build_model, default_settings, parse_extra, parse_seed


def test_parse_seed_accepts_numbers_and_rejects_text():
    assert parse_seed("7") == 7
    assert parse_seed(" 12 ") == 12
    assert parse_seed(3) == 3
    for bad in ("", "   ", None, "abc", "1.5", "-1"):
        with pytest.raises(UserError):
            parse_seed(bad)


def test_parse_extra():
    assert parse_extra("escalation_ceiling=0.4, relief_threshold = 0.6") == {"escalation_ceiling": 0.4, "relief_threshold": 0.6}
    assert parse_extra("") == {}
    for bad in ("escalation_ceiling", "nonsense=1", "escalation_ceiling=abc", "escalation_ceiling=99"):
        with pytest.raises(UserError):
            parse_extra(bad)
    # every mistake is named at once, not only the first
    with pytest.raises(UserError, match="escalation_ceiling.*out of range.*unknown parameter 'foo'"):
        parse_extra("escalation_ceiling=50, foo=1")
    # country fields work as on the command line and reach the model
    settings = default_settings()
    settings.extra = "Canada.security_dependence=0.2, all.patience=0.5"
    model = build_model(settings)
    assert model.world.security[model.world.names.index("Canada")] == 0.2
    assert set(model.world.patience) == {0.5}


@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_scenario_renders(name):
    session = Session(default_settings(name))
    out = full_update(session)
    assert session.model.round == 1
    for key in ("tariffs", "counts", "welfare", "network"):
        assert out[key].startswith("<svg") and out[key].endswith("</svg>")
    assert out["inspector"]["name"] == session.model.world.names[0]


def test_settings_reach_the_model():
    settings = default_settings("section232_2018")
    settings.params["us_toughness"] = 0.9
    settings.params["china_active"] = False
    settings.strategies = {ALL_COUNTRIES: "always_comply", "Canada": "grim", "Atlantis": "grim"}
    model = build_model(settings)
    assert model.params["us_toughness"] == 0.9
    assert model.params["china_active"] is False
    strategies = {c.name: c.strategy for c in model.countries}
    assert strategies["Canada"] == "grim"
    assert strategies["Mexico"] == "always_comply"


def test_bad_input_keeps_the_old_game():
    session = Session()
    session.step(2)
    for bad in (Settings(seed="abc", params=dict(session.settings.params)),
                Settings(seed="", params=dict(session.settings.params)),
                Settings(scenario="nowhere"),
                Settings(extra="us_toughness=lots")):
        with pytest.raises(UserError):
            session.reset(bad)
    assert session.model.round == 2
    assert len(session.series.rounds) == 3


def test_history_appends_once_per_round_and_seed_replays():
    a, b = Session(), Session()
    a.step(5)
    b.step(5)
    assert a.series.rounds == [0, 1, 2, 3, 4, 5]
    assert [t.tolist() for t in a.series.tariffs] == [t.tolist() for t in b.series.tariffs]
    assert a.series.retaliators == b.series.retaliators
    frame = a.model.datacollector.get_model_vars_dataframe()
    assert list(frame["deals"]) == a.series.deals
    assert list(frame["retaliators"]) == a.series.retaliators
    assert list(frame["waiters"]) == a.series.waiters


def test_network_relations_and_layout_are_deterministic():
    session = Session()
    session.step(4)
    model = session.model
    assert {relation(model, i) for i in range(model.world.n)} <= {"aligned", "retaliating", "hedging", "neutral"}
    assert ring_layout(13).tolist() == ring_layout(13).tolist()  # the same places every time
    svg = network_svg(model)
    assert svg == network_svg(model)
    for name in set(model.world.names) - {"China"}:  # partners on the ring; China in the centre, beside the U.S.
        assert f"<title>{name}: " in svg
    assert svg.count("r='13'") == model.world.n - 1  # a node per partner


def test_inspector_and_events():
    session = Session()
    info0 = inspect_country(session.model, "Canada")
    assert info0["chosen"] is None and "Step" in info0["why"]
    session.step(3)
    info = inspect_country(session.model, "Canada")
    assert [d["id"] for d in info["demands"]] == [d.id for d in session.model.scenario_data.demands]
    assert info["utilities"] and info["chosen"]
    assert set(info["beliefs"]) == {"escalation if retaliating", "China punishes alignment"}
    assert info0["breakdown"] is None
    breakdown = info["breakdown"]
    assert breakdown["options"][0] == info["chosen"]
    for k, total in enumerate(breakdown["totals"]):  # rows left out are zero for every option shown
        assert sum(values[k] for _, values in breakdown["terms"]) == pytest.approx(total, abs=5e-4)
    events = recent_events(session.model, limit=5)
    assert len(events) <= 5 and events[0].startswith("Round 3:")


def test_figures_limit_history():
    session = Session(default_settings("classroom"))
    session.step(150)
    plots = Plots(session.model, session.series)
    svgs = plots.render()
    assert all(svg.startswith("<svg") for svg in svgs.values())
    assert len(session.series.sample()) <= 120
