"""Choice rules: the logit (quantal-response) rule of McKelvey & Palfrey (1995), and its nested form.

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


def stance_values(utilities: np.ndarray, stance: np.ndarray, n_stances: int) -> np.ndarray:
    """[n, stances] the value of each stance: its best option (``-inf`` where none is open)."""
    values = np.full((utilities.shape[0], n_stances), -np.inf)
    for s in range(n_stances):
        columns = stance == s
        if columns.any():
            values[:, s] = utilities[:, columns].max(axis=1)
    return values


def nested_choice(utilities: np.ndarray, stance: np.ndarray, shocks: np.ndarray) -> np.ndarray:
    """The option each row plays: the stance with the largest value plus its preference shock, then the
    best option within that stance.

    A nested logit whose within-nest correlation is one (McFadden 1978; Train, *Discrete Choice
    Methods with Simulation*, ch. 4): every package of a stance shares that stance's shock, so
    adding packages (more demands put to a country) cannot by itself raise the chance of the
    stance, the red-bus problem of a plain logit over overlapping options.  With Gumbel shocks of
    scale ``s`` the stance is chosen with the logit probabilities of :func:`nested_probabilities`.
    ``shocks`` [n, stances] persist through a run: a government's preferences do not flip month to month.
    """
    values = stance_values(utilities, stance, shocks.shape[1])
    chosen_stance = np.argmax(np.where(np.isfinite(values), values + shocks, -np.inf), axis=1)
    masked = np.where(stance[None, :] == chosen_stance[:, None], utilities, -np.inf)
    return np.argmax(masked, axis=1)


def nested_probabilities(utilities: np.ndarray, stance: np.ndarray, n_stances: int,
                         noise: np.ndarray) -> np.ndarray:
    """[n, stances] the chance of each stance under :func:`nested_choice` with Gumbel shocks of scale
    ``noise`` [n] (the shocks integrated out)."""
    values = stance_values(utilities, stance, n_stances)
    noise = np.asarray(noise, dtype=float).reshape(-1, 1)
    safe = np.where(noise > 0, noise, 1.0)
    finite = np.isfinite(values)
    scaled = np.where(finite, values / safe, -np.inf)
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    weights = np.where(finite, np.exp(scaled), 0.0)
    soft = weights / weights.sum(axis=1, keepdims=True)
    best = np.zeros_like(values)
    best[np.arange(len(values)), np.argmax(np.where(finite, values, -np.inf), axis=1)] = 1.0
    return np.where(noise > 0, soft, best)
