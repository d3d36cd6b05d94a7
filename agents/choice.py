"""The logit (quantal-response) choice rule: McKelvey & Palfrey (1995).

Each option is drawn with probability proportional to ``exp(utility / noise)``;
``noise = 0`` picks the best option.  Options with ``-inf`` utility are never drawn.
"""

from __future__ import annotations

import numpy as np


def logit_probabilities(utilities: np.ndarray, noise: float) -> np.ndarray:
    """The chance :func:`logit_choice` gives each option, per row (``-inf`` options get 0)."""
    utilities = np.atleast_2d(utilities)
    if noise <= 0:
        best = np.zeros(utilities.shape)
        best[np.arange(len(utilities)), np.argmax(utilities, axis=1)] = 1.0
        return best
    weights = np.exp((utilities - utilities.max(axis=1, keepdims=True)) / noise)
    return weights / weights.sum(axis=1, keepdims=True)


def logit_choice(utilities: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Draw one option per row with probability proportional to exp(U / noise).

    ``noise = 0`` picks the best option (the first, on ties).  Invalid options
    carry ``-inf`` utility and are never drawn.
    """
    if noise <= 0:
        return np.argmax(utilities, axis=1)
    scaled = utilities / noise
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    weights = np.exp(scaled)
    cumulative = np.cumsum(weights, axis=1)
    draws = rng.random(utilities.shape[0]) * cumulative[:, -1]
    return np.minimum((cumulative < draws[:, None]).sum(axis=1), utilities.shape[1] - 1)
