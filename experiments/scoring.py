"""Scores a referee asks for: balanced accuracy and Brier with bootstrap intervals, the two-threshold
baseline rule (in sample and by leave-one-out), and the model's own leave-one-out from a grid.

Used by the back-test (:mod:`experiments.backtest`) and the calibration (:mod:`experiments.calibrate`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

CATEGORIES = ("retaliated", "settled")
BOOTSTRAP = 2000


# --------------------------------------------------------------------------- scoring
def score_category(probabilities: np.ndarray, truth: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """Accuracy, balanced accuracy, the majority-class baseline and the Brier score of one yes/no category."""
    probabilities = np.asarray(probabilities, dtype=float)
    truth = np.asarray(truth, dtype=bool)
    predicted = probabilities >= threshold
    n = len(truth)
    positives = int(truth.sum())
    recalls = []
    if positives:
        recalls.append(float((predicted & truth).sum() / positives))
    if n - positives:
        recalls.append(float((~predicted & ~truth).sum() / (n - positives)))
    return {
        "n": n,
        "positives": positives,
        "accuracy": float((predicted == truth).mean()),
        "balanced_accuracy": float(np.mean(recalls)),
        "true_positive_rate": recalls[0] if positives else float("nan"),
        "true_negative_rate": recalls[-1] if n - positives else float("nan"),
        "baseline_accuracy": max(positives, n - positives) / n,
        "baseline_balanced_accuracy": 0.5,
        "brier": float(np.mean((probabilities - truth) ** 2)),
    }

def bootstrap_interval(probabilities: np.ndarray, truth: np.ndarray, draws: int = BOOTSTRAP,
                       seed: int = 0) -> dict[str, list[float]]:
    """95% percentile intervals of balanced accuracy and Brier score, resampling economies.

    Resamples without both classes are redrawn (a balanced accuracy needs both).
    """
    rng = np.random.default_rng(seed)
    probabilities, truth = np.asarray(probabilities, dtype=float), np.asarray(truth, dtype=bool)
    n = len(truth)
    balanced, brier = [], []
    while len(balanced) < draws:
        pick = rng.integers(0, n, n)
        if truth[pick].all() or not truth[pick].any():
            continue
        s = score_category(probabilities[pick], truth[pick])
        balanced.append(s["balanced_accuracy"])
        brier.append(s["brier"])
    return {"balanced_accuracy": [float(np.percentile(balanced, 2.5)), float(np.percentile(balanced, 97.5))],
            "brier": [float(np.percentile(brier, 2.5)), float(np.percentile(brier, 97.5))]}

def scored(probabilities, truth) -> dict[str, Any]:
    """:func:`score_category` with its bootstrap interval (skipped for a category with one class)."""
    out = score_category(probabilities, truth)
    truth = np.asarray(truth, dtype=bool)
    if truth.any() and not truth.all():
        out["interval_95"] = bootstrap_interval(probabilities, truth)
    return out

# --------------------------------------------------------------------------- the two-threshold rule
def two_threshold_predictions(deficit: np.ndarray, security: np.ndarray, a: float, b: float) -> dict[str, np.ndarray]:
    """Settle if the deficit share is below ``a``; retaliate if not settled and security below ``b``."""
    settle = deficit < a
    return {"settled": settle.astype(float), "retaliated": (~settle & (security < b)).astype(float)}

def _candidates(values: np.ndarray) -> np.ndarray:
    """Thresholds between the observed values (and beyond both ends)."""
    v = np.unique(values)
    return np.concatenate([[v[0] - 1.0], (v[:-1] + v[1:]) / 2, [v[-1] + 1.0]])

def fit_two_threshold_rule(deficit: np.ndarray, security: np.ndarray, truth: dict[str, np.ndarray]) -> dict[str, float]:
    """The (a, b) that maximise the mean of the two balanced accuracies (ties: the smaller Brier score)."""
    best, best_key = None, None
    for a in _candidates(deficit):
        for b in _candidates(security):
            p = two_threshold_predictions(deficit, security, a, b)
            scores = [score_category(p[c], truth[c]) for c in CATEGORIES]
            key = (np.mean([s["balanced_accuracy"] for s in scores]), -np.mean([s["brier"] for s in scores]))
            if best_key is None or key > best_key:
                best, best_key = (float(a), float(b)), key
    return {"deficit_below": best[0], "security_below": best[1]}

def two_threshold_baseline(deficit: np.ndarray, security: np.ndarray, truth: dict[str, np.ndarray]) -> dict[str, Any]:
    """The rule fitted on all economies (in sample) and by leave-one-out (refit without each economy)."""
    fit = fit_two_threshold_rule(deficit, security, truth)
    in_sample = two_threshold_predictions(deficit, security, fit["deficit_below"], fit["security_below"])
    held_out = {c: np.zeros(len(deficit)) for c in CATEGORIES}
    keep = np.ones(len(deficit), dtype=bool)
    for i in range(len(deficit)):
        keep[:] = True
        keep[i] = False
        part = fit_two_threshold_rule(deficit[keep], security[keep], {c: truth[c][keep] for c in CATEGORIES})
        one = two_threshold_predictions(deficit[i:i + 1], security[i:i + 1], part["deficit_below"], part["security_below"])
        for c in CATEGORIES:
            held_out[c][i] = one[c][0]
    return {
        "rule": "settle if deficit share < a; retaliate if not settled and security dependence < b",
        "fitted": fit,
        "in_sample": {c: scored(in_sample[c], truth[c]) for c in CATEGORIES},
        "leave_one_out": {c: scored(held_out[c], truth[c]) for c in CATEGORIES},
    }


def objective(predicted: dict[str, np.ndarray], truth: dict[str, np.ndarray], keep: np.ndarray | None = None) -> tuple:
    """(mean balanced accuracy, minus mean Brier score) over retaliated and settled: larger is better."""
    keep = np.ones(len(truth["retaliated"]), dtype=bool) if keep is None else keep
    scores = [score_category(np.asarray(predicted[c])[keep], truth[c][keep]) for c in ("retaliated", "settled")]
    return (float(np.mean([s["balanced_accuracy"] for s in scores])), -float(np.mean([s["brier"] for s in scores])))



def leave_one_out(content: dict[str, Any], truth: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each economy's probabilities at the grid point that fits the other economies best."""
    n = len(content["economies"])
    held_out = {c: np.zeros(n) for c in ("retaliated", "settled")}
    for i in range(n):
        keep = np.ones(n, dtype=bool)
        keep[i] = False
        best = max(range(len(content["points"])), key=lambda k: objective(content["predictions"][k], truth, keep))
        for c in held_out:
            held_out[c][i] = content["predictions"][best][c][i]
    return held_out

