"""Historical back-test: the history table, the scoring, the CLI and (slow) the accuracy target."""

import json

import numpy as np
import pytest

from experiments.backtest import load_history, run_backtest, score_category
from sim.world.errors import UserError
from sim.world.loader import load_scenario

ECONOMIES = {"Canada", "Mexico", "EU", "Japan", "South Korea", "Australia", "Brazil", "Argentina",
             "India", "China", "Russia", "Turkey", "Vietnam", "Taiwan"}


def test_history_table_covers_the_scenario_with_sources():
    history = load_history("section232_2018")
    assert history["horizon_rounds"] == 15
    names = {row["name"] for row in history["economies"]}
    assert names == ECONOMIES
    assert names <= {c.name for c in load_scenario("section232_2018").countries}
    assert all(len(row["source"]) > 20 for row in history["economies"])
    by_name = {row["name"]: row for row in history["economies"]}
    assert {n for n, r in by_name.items() if r["retaliated"]} == {"Canada", "Mexico", "EU", "China", "Russia", "Turkey", "India"}
    assert {n for n, r in by_name.items() if r["settled"]} == {"Canada", "Mexico", "South Korea", "Australia",
                                                               "Brazil", "Argentina"}


def test_history_file_is_not_a_scenario():
    from sim.world.loader import builtin_names

    assert "section232_2018_history" not in builtin_names()


def test_scores_on_a_known_small_case():
    probs = np.array([0.9, 0.6, 0.2, 0.4, 0.1])
    truth = np.array([True, False, False, True, False])
    s = score_category(probs, truth)
    # predictions: T T F F F ; TP=1 of 2, TN=2 of 3
    assert s["accuracy"] == pytest.approx(3 / 5)
    assert s["true_positive_rate"] == pytest.approx(0.5)
    assert s["true_negative_rate"] == pytest.approx(2 / 3)
    assert s["balanced_accuracy"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert s["baseline_accuracy"] == pytest.approx(3 / 5)
    assert s["baseline_balanced_accuracy"] == 0.5
    assert s["brier"] == pytest.approx(np.mean((probs - truth) ** 2))


def test_perfect_and_majority_predictions():
    truth = np.array([True, True, False, False, False])
    assert score_category(truth.astype(float), truth)["balanced_accuracy"] == 1.0
    majority = score_category(np.zeros(5), truth)
    assert majority["accuracy"] == majority["baseline_accuracy"] == 0.6
    assert majority["balanced_accuracy"] == 0.5


def test_run_backtest_shape_and_probabilities():
    result = run_backtest("section232_2018", seeds=2)
    assert result["rounds"] == 15 and result["seeds"] == 2
    assert {e["name"] for e in result["economies"]} == ECONOMIES
    for e in result["economies"]:
        assert set(e) == {"name", "p_retaliate", "p_settle", "history_retaliated", "history_settled"}
        assert e["p_retaliate"] in (0.0, 0.5, 1.0) and e["p_settle"] in (0.0, 0.5, 1.0)
    assert set(result["scores"]) == {"retaliated", "settled"}
    for s in result["scores"].values():
        assert 0 <= s["balanced_accuracy"] <= 1 and s["baseline_balanced_accuracy"] == 0.5


def test_backtest_is_reproducible():
    assert run_backtest("section232_2018", seeds=2) == run_backtest("section232_2018", seeds=2)


def test_cli_json_keys(tradesim_process):
    out = tradesim_process("backtest", "section232_2018", "--seeds", "2", "--json", check=True)
    data = json.loads(out.stdout)
    assert {"economies", "scores"} <= set(data)
    # what happened is named as history; the table is named by a path inside the project, not the install folder
    assert {"name", "p_retaliate", "p_settle", "history_retaliated", "history_settled"} == set(data["economies"][0])
    assert data["history_file"] == "sim/scenarios/section232_2018_history.toml"
    assert "history" not in data


def test_cli_user_errors_have_no_traceback(tradesim):
    out = tradesim("backtest", "classroom")
    assert out.returncode == 2
    assert "history" in out.stderr and "Traceback" not in out.stderr
    with pytest.raises(UserError):
        run_backtest("section232_2018", seeds=0)


@pytest.fixture(scope="module")
def full_backtest():
    return run_backtest("section232_2018", seeds=30)


@pytest.mark.slow
def test_backtest_settled_reaches_the_accuracy_target(full_backtest):
    assert full_backtest["scores"]["settled"]["balanced_accuracy"] >= 0.8


@pytest.mark.slow
def test_backtest_beats_the_majority_baseline_on_retaliation(full_backtest):
    s = full_backtest["scores"]["retaliated"]
    assert s["balanced_accuracy"] > s["baseline_balanced_accuracy"]


@pytest.mark.slow
@pytest.mark.xfail(reason="known gap (docs/validation.md, issue 5): Canada takes a quota instead of retaliating and "
                          "Vietnam and Taiwan retaliate; retaliated balanced accuracy is 0.79", strict=False)
def test_backtest_retaliated_reaches_the_accuracy_target(full_backtest):
    assert full_backtest["scores"]["retaliated"]["balanced_accuracy"] >= 0.8
