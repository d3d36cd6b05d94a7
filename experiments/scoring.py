"""Scores a referee asks for: balanced accuracy and Brier with bootstrap intervals, the two-threshold
baseline rule (in sample and by leave-one-out), and the model's own leave-one-out from the calibration's
reference table (:func:`held_out`).

Used by the back-test (:mod:`experiments.backtest`) and the calibration (:mod:`experiments.calibrate`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

CATEGORIES = ("retaliated", "settled")
BOOTSTRAP = 2000
TARIFF_WEIGHT = 0.5  # the calibration's weight of the tariff gap (per 25 points, a full Section 232 rate) beside the outcomes
TARIFF_UNIT = 0.25


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
        "true_positive_rate": recalls[0] if positives else None,  # undefined without positives (JSON null)
        "true_negative_rate": recalls[-1] if n - positives else None,
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
    if len(deficit) < 3:  # nothing to refit on: the rule is scored in sample only
        return {"rule": "settle if deficit share < a; retaliate if not settled and security dependence < b",
                "fitted": fit, "in_sample": {c: scored(in_sample[c], truth[c]) for c in CATEGORIES},
                "leave_one_out": {c: scored(in_sample[c], truth[c]) for c in CATEGORIES}}
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


# --------------------------------------------------------------------------- the calibration's distance, held out
def distance_parts(predicted: dict[str, np.ndarray], observed: dict[str, np.ndarray]) -> np.ndarray:
    """Each economy's contribution to the distance: squared errors of the two outcomes, plus the tariff gap
    (per :data:`TARIFF_UNIT`, at weight :data:`TARIFF_WEIGHT`) where history has one."""
    gap = np.nan_to_num((np.asarray(predicted["tariff"]) - observed["tariff"]) / TARIFF_UNIT)
    return ((np.asarray(predicted["retaliated"]) - observed["retaliated"]) ** 2
            + (np.asarray(predicted["settled"]) - observed["settled"]) ** 2 + TARIFF_WEIGHT * gap ** 2)


def held_out(table: dict[str, Any], observed: dict[str, np.ndarray], keep_share: float = 0.1,
             exclude: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The ABC posterior predictive from the reference table, fitted without the economies in ``exclude``
    (bool over economies; None: fitted on all): the ``keep_share`` of draws nearest to history on the
    other economies, importance-weighted.  Returns per-economy probabilities and tariffs."""
    predictions = {k: np.asarray(v) for k, v in table["predictions"].items()}
    parts = np.array([distance_parts({k: predictions[k][i] for k in predictions}, observed)
                      for i in range(len(predictions["retaliated"]))])
    used = np.ones(parts.shape[1], dtype=bool) if exclude is None else ~exclude
    distance = parts[:, used].sum(axis=1)
    keep = distance <= np.quantile(distance, keep_share)
    weights = np.asarray(table["importance"]) * keep
    weights = weights / weights.sum()
    return {k: (weights[:, None] * v).sum(axis=0) for k, v in predictions.items()}


def leave_one_out(table: dict[str, Any], observed: dict[str, np.ndarray], groups: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Each group of economies (one economy, or one episode) predicted from the posterior of all the others."""
    n = len(observed["retaliated"])
    out = {k: np.zeros(n) for k in ("retaliated", "settled", "tariff")}
    for group in groups:
        mask = np.zeros(n, dtype=bool)
        mask[group] = True
        predicted = held_out(table, observed, exclude=mask)
        for k in out:
            out[k][mask] = predicted[k][mask]
    return out


