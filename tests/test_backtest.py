"""Historical back-test: the history table, the scoring, the CLI and (slow) the accuracy target."""

import json

import numpy as np
import pytest

from experiments.backtest import (
    fit_two_threshold_rule,
    load_history,
    run_backtest,
    score_category,
    two_threshold_baseline,
)
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
    result = run_backtest("section232_2018", seeds=2, with_leave_one_out=False)
    assert result["rounds"] == 15 and result["seeds"] == 2
    assert result["history_file"] == "sim/scenarios/section232_2018_history.toml"  # not an absolute path
    assert {e["name"] for e in result["economies"]} == ECONOMIES
    for e in result["economies"]:
        assert {"p_retaliate", "p_settle", "p_exemption", "p_quota", "p_rate_deal", "p_deal", "tariff_end",
                "history_retaliated", "history_settled", "history_settlement", "history_tariff_end"} <= set(e)
        assert e["p_retaliate"] in (0.0, 0.5, 1.0) and e["p_settle"] in (0.0, 0.5, 1.0)
        assert e["p_exemption"] + e["p_quota"] + e["p_rate_deal"] + e["p_deal"] <= 1.0 + 1e-9  # one type at a time
    assert set(result["scores"]) == {"retaliated", "settled", "exemption", "quota", "rate_deal", "deal"}
    for name, s in result["scores"].items():
        assert 0 <= s["balanced_accuracy"] <= 1 and s["baseline_balanced_accuracy"] == 0.5
        if name != "rate_deal":  # no economy had one in 2018: one class, no interval
            low, high = s["interval_95"]["balanced_accuracy"]
            assert 0 <= low <= high <= 1
    assert result["prediction"]["note"]
    path = result["tariff_path"]
    assert path["of"] == 14 and 0 <= path["within"] <= 14
    assert {"two_threshold_rule", "majority_class"} <= set(result["baselines"])
    assert "india_not_retaliated" in result["alternative_codings"]


def test_the_two_threshold_rule_is_fitted_and_scored_out_of_sample():
    deficit = np.array([-0.5, -0.4, -0.3, 0.2, 0.3, 0.4, 0.5, 0.6])
    security = np.array([0.5, 0.5, 0.5, 0.9, 0.9, 0.1, 0.1, 0.0])
    truth = {"settled": deficit < 0, "retaliated": (deficit > 0) & (security < 0.5)}
    fit = fit_two_threshold_rule(deficit, security, truth)
    assert -0.3 < fit["deficit_below"] < 0.2 and 0.1 < fit["security_below"] < 0.9
    baseline = two_threshold_baseline(deficit, security, truth)
    assert baseline["in_sample"]["settled"]["balanced_accuracy"] == 1.0
    assert baseline["in_sample"]["retaliated"]["balanced_accuracy"] == 1.0
    assert baseline["leave_one_out"]["settled"]["balanced_accuracy"] >= 0.75  # refit without each point


def test_leave_one_out_predicts_each_economy_from_the_draws_that_fit_the_others():
    """No peeking: an economy is predicted from the reference draws nearest to history on the other economies,
    even where other draws would fit it better."""
    from experiments.scoring import held_out

    observed = {"retaliated": np.array([1.0, 0.0, 1.0, 0.0]), "settled": np.array([0.0, 1.0, 0.0, 1.0]),
                "tariff": np.array([0.2, 0.0, 0.2, 0.0])}
    right = {"retaliated": [1, 0, 1, 0], "settled": [0, 1, 0, 1], "tariff": [0.2, 0.0, 0.2, 0.0]}
    wrong_on_a = {"retaliated": [0, 0, 1, 0], "settled": [1, 1, 0, 1], "tariff": [0.0, 0.0, 0.2, 0.0]}
    far = {"retaliated": [0, 1, 0, 1], "settled": [1, 0, 1, 0], "tariff": [0.0, 0.2, 0.0, 0.2]}
    rows = [wrong_on_a] * 10 + [far] * 90
    table = {"predictions": {k: [r[k] for r in rows] for k in observed}, "importance": [1.0] * 100}
    exclude_a = np.array([True, False, False, False])
    assert held_out(table, observed, exclude=exclude_a)["retaliated"][0] == pytest.approx(0.0)  # wrong on A, chosen
    rows = [right] * 10 + [far] * 90
    table = {"predictions": {k: [r[k] for r in rows] for k in observed}, "importance": [1.0] * 100}
    assert held_out(table, observed, exclude=exclude_a)["retaliated"][0] == pytest.approx(1.0)
    # importance weights count: the same draws, weighted toward the far ones, move the prediction
    mixed = [right] * 5 + [wrong_on_a] * 5 + [far] * 90
    table = {"predictions": {k: [r[k] for r in mixed] for k in observed}, "importance": [1.0] * 5 + [3.0] * 5 + [1.0] * 90}
    assert held_out(table, observed, exclude=exclude_a)["retaliated"][0] == pytest.approx(0.25)


def test_backtest_is_reproducible():
    assert run_backtest("section232_2018", seeds=2, with_leave_one_out=False) == run_backtest(
        "section232_2018", seeds=2, with_leave_one_out=False)


def test_cli_json_keys(tradesim_process):
    out = tradesim_process("backtest", "section232_2018", "--seeds", "2", "--json", check=True)
    data = json.loads(out.stdout)
    assert {"economies", "scores", "baselines", "tariff_path", "alternative_codings", "leave_one_out",
            "prediction", "seed_sets"} <= set(data)
    assert data["seed_sets"]["second"]["runs"] == "2-3"  # a disjoint set of runs
    assert {"name", "p_retaliate", "p_settle", "history_retaliated", "history_settled"} <= set(data["economies"][0])
    # the table is named by a path inside the project, not the install folder
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
def test_backtest_retaliated_reaches_the_accuracy_target(full_backtest):
    assert full_backtest["scores"]["retaliated"]["balanced_accuracy"] >= 0.8
