"""Beliefs about how the U.S. and China reply: Beta pseudo-counts, learned from the record.

Each country holds, for each kind of reply, a Beta belief as pseudo-counts (success, failure):

* that a new challenge (counter-tariffs taking effect, a hedge toward China) brings a U.S.
  escalation.  Its prior mean is the U.S. rule's own probability, ``us_toughness``: the rule is
  public (EO 14257 sec. 4(b) announces that retaliation will be met with higher duties;
  Proclamation 9772 did it to Turkey in 2018), so a tougher U.S. is expected to be tougher;
* that China punishes alignment (prior ``prior_china_punishment``).

After each round it adds what happened to itself (weight 1) and what happened to the others
(weight ``social_learning``): escalations it has seen against others raise its belief.  What
the U.S. does in talks needs no belief: the bargaining rule is the same function for both
(:func:`agents.us_rule.nash_relief`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Beliefs:
    """Beta pseudo-counts (success, failure) per country for each reply type."""

    escalation: np.ndarray  # [n, 2]
    china_punishment: np.ndarray

    @classmethod
    def from_priors(cls, n: int, params: dict) -> "Beliefs":
        return cls(
            escalation=prior(n, params["us_toughness"], params),
            china_punishment=prior(n, params["prior_china_punishment"], params),
        )

    @staticmethod
    def mean(counts: np.ndarray) -> np.ndarray:
        return counts[:, 0] / counts.sum(axis=1)

    @staticmethod
    def observe(counts: np.ndarray, mask: np.ndarray, outcome: np.ndarray, weight: float = 1.0) -> None:
        """Add ``weight`` observations of ``outcome`` (bool) for the countries in ``mask``."""
        counts[mask, 0] += weight * outcome[mask]
        counts[mask, 1] += weight * (1 - outcome[mask])

    def update(self, state, challengers: np.ndarray, social: float, china_active: bool) -> None:
        """Learn from this round's replies (step 6 of the round): ``challengers`` met the U.S. with a new
        challenge, and ``state.escalated`` says whom it escalated against."""
        learn(self.escalation, challengers, state.escalated, social)
        if china_active:
            aligned = state.alignment > 0
            learn(self.china_punishment, aligned, state.china_punished, social)


def prior(n: int, mean: float, params: dict) -> np.ndarray:
    """``n`` rows of the prior pseudo-counts for a belief with this mean (``belief_weight`` strong)."""
    weight = params["belief_weight"]
    return np.tile([mean * weight, (1 - mean) * weight], (n, 1)).astype(float)


def learn(counts: np.ndarray, mask: np.ndarray, outcome: np.ndarray, social: float) -> None:
    """Own experience (weight 1) plus the public record of others (weight ``social``)."""
    if not mask.any():
        return
    Beliefs.observe(counts, mask, outcome.astype(float))
    others = mask.sum() - mask  # observations by others, per observer
    success = (outcome & mask).sum() - (outcome & mask)
    rate = np.where(others > 0, success / np.maximum(others, 1), 0.0)
    weight = social * (others > 0)
    counts[:, 0] += weight * rate
    counts[:, 1] += weight * (1 - rate)
