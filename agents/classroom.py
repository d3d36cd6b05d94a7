"""The classroom game: N symmetric countries in a repeated tariff prisoner's dilemma.

No U.S. and no China: each country keeps its market open (cooperates) or retaliates
(defects) against all the others at once.  The stage payoffs come from the trade
economics (or, for comparisons with the literature, from a payoff table), and the
expected-utility rule weighs them against what it believes its partners play.
"""

from __future__ import annotations

import numpy as np

from agents.beliefs import prior
from agents.options import OptionTable
from sim.world import economics
from sim.world.vocabulary import Stance


def classroom_payoffs(params: dict) -> dict[str, float]:
    """Per-partner stage-game payoffs R, S, T, P of the symmetric tariff game.

    With ``payoff_source = "economics"`` they come from the trade model: a
    defector sets ``war_tariff`` on a flow of ``trade_per_partner_bn``, facing a
    residual supply elasticity ``(supply_elasticity + (1 - share) demand_elasticity) / share``
    with ``share = market_share`` (:func:`sim.world.economics.residual_supply_elasticity`).
    """
    if params["payoff_source"] == "table":
        return {key: float(params[f"pd_{key}"]) for key in "RSTP"}
    eps = economics.residual_supply_elasticity(params["supply_elasticity"], params["market_share"],
                                               params["demand_elasticity"])
    outcome = economics.tariff_outcome(params["trade_per_partner_bn"], params["war_tariff"],
                                       params["demand_elasticity"], eps)
    gain = float(outcome["importer_welfare"])  # own tariff: terms-of-trade gain net of consumer loss
    loss = float(outcome["exporter_welfare"])  # partner's tariff on my exports
    return {"R": 0.0, "S": loss, "T": gain, "P": gain + loss}


def classroom_utilities(options: OptionTable, p_partner_defects: np.ndarray, payoffs: dict[str, float],
                        stake: float, patience: np.ndarray | None = None, triggered: np.ndarray | None = None,
                        partner_model: str = "myopic") -> np.ndarray:
    """Utility of opening (wait) or retaliating in the classroom game, in percent of ``stake``.

    Two belief models about the partners (parameter ``partner_model``):

    * ``"myopic"``: a best reply to this round only.  With ``p`` the believed
      share of partners that retaliate (Beta belief from past rounds),
      ``U(open) = (1-p) R + p S`` and ``U(retaliate) = (1-p) T + p P``.
      Retaliation is then dominant: the one-shot prisoner's dilemma.
    * ``"grim"``: forward-looking against partners believed to play grim trigger
      (Friedman 1971), discounting with the country's own ``patience`` delta.
      While nobody has defected (``triggered`` False), cooperating for ever is worth
      ``R/(1-delta)`` and defecting once then facing punishment for ever
      ``T + delta P/(1-delta)``.  Utilities are these values times ``(1-delta)``
      (per-round averages, so the logit noise keeps its scale)::

          U(open)      = R
          U(retaliate) = (1-delta) T + delta P

      so a noiseless country cooperates iff ``delta >= (T-R)/(T-P)`` (the folk
      theorem threshold).  Once triggered, the grim partner retaliates for ever:
      ``U(open) = (1-delta) S + delta P`` and ``U(retaliate) = P``.
    """
    p = np.asarray(p_partner_defects, dtype=float)
    if partner_model == "grim":
        delta = np.broadcast_to(np.asarray(0.9 if patience is None else patience, dtype=float), p.shape)
        hit = np.zeros(p.shape, dtype=bool) if triggered is None else np.asarray(triggered, dtype=bool)
        R, S, T, P = (payoffs[k] for k in "RSTP")
        open_value = np.where(hit, (1 - delta) * S + delta * P, R)
        defect_value = np.where(hit, P, (1 - delta) * T + delta * P)
    else:
        open_value = (1 - p) * payoffs["R"] + p * payoffs["S"]
        defect_value = (1 - p) * payoffs["T"] + p * payoffs["P"]
    values = np.where(options.stance[None, :] == Stance.RETALIATE, defect_value[:, None], open_value[:, None])
    return 100.0 * values / stake


def folk_theorem_threshold(payoffs: dict[str, float]) -> float:
    """Critical discount factor ``delta* = (T-R)/(T-P)`` for grim trigger to sustain cooperation."""
    return (payoffs["T"] - payoffs["R"]) / (payoffs["T"] - payoffs["P"])


def partner_priors(n: int, params: dict) -> np.ndarray:
    """[n, 2] Beta pseudo-counts (defect, cooperate) of each country's belief about its partners."""
    return prior(n, params["prior_defection"], params)


def observe_partners(counts: np.ndarray, share_defecting: np.ndarray) -> None:
    """Add what the partners did this round (the share that defected) to the beliefs."""
    counts[:, 0] += share_defecting
    counts[:, 1] += 1 - share_defecting


def stage_payoffs(defect: np.ndarray, payoffs: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Each country's payoff this round against all the others, and the share of others defecting."""
    n = len(defect)
    others_defecting = defect.sum() - defect
    share = others_defecting / max(n - 1, 1)
    welfare = np.where(defect, (1 - share) * payoffs["T"] + share * payoffs["P"],
                       (1 - share) * payoffs["R"] + share * payoffs["S"])
    return welfare, share
