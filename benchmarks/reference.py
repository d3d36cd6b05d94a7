"""Plain-numpy reference of the classroom round: the speed limit for the model.

The same economics and the same decision rule as
:class:`sim.model.NegotiationModel` in the ``classroom`` scenario with every
country on the ``expected_utility`` strategy, written as straight-line numpy
over all countries with no Mesa objects, no agents and no reporters:

1. utilities of open (C) and retaliate (D) from the partner model
   (``grim``: forward-looking against grim-trigger partners, with the
   country's patience; ``myopic``: one-round best reply to the believed share
   of retaliating partners);
2. logit choice, drawing one uniform number per country per round from the
   same generator, in the same order, as the model;
3. per-partner payoffs against the share of partners that retaliate;
4. history and belief updates;
5. records: the same per-country columns the model records (copied into a
   list per round) and the same round totals.

``tests/test_bench_reference.py`` checks that, for the same seed, this gives
the model's stances and payoffs round for round; ``benchmarks`` times both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.world import economics

# the model's option and action codes (sim.world, sim.reporters)
RETALIATE = 1
ACTION_WAIT, ACTION_RETALIATE = 0, 3


def stage_payoffs(params: dict) -> tuple[float, float, float, float]:
    """Per-partner stage payoffs R, S, T, P, from the trade economics or the table."""
    if params["payoff_source"] == "table":
        return tuple(float(params[f"pd_{k}"]) for k in "RSTP")
    eps = economics.residual_supply_elasticity(params["supply_elasticity"], params["market_share"],
                                               params["demand_elasticity"])
    out = economics.tariff_outcome(params["trade_per_partner_bn"], params["war_tariff"],
                                   params["demand_elasticity"], eps)
    gain, loss = float(out["importer_welfare"]), float(out["exporter_welfare"])
    return 0.0, loss, gain, gain + loss


@dataclass
class ReferenceRun:
    """Per-round records of a reference run (index 0 is the initial state)."""

    countries: list[dict[str, np.ndarray]] = field(default_factory=list)
    totals: list[dict[str, float]] = field(default_factory=list)

    def column(self, name: str) -> np.ndarray:
        """``[rounds + 1, n]`` array of one per-country column."""
        return np.stack([block[name] for block in self.countries])


def run_reference(params: dict, rounds: int, seed, patience: np.ndarray | None = None,
                  pressure: np.ndarray | None = None) -> ReferenceRun:
    """Run the classroom game for ``rounds`` rounds with ``params`` (resolved parameters).

    ``params`` are the scenario's resolved parameters (e.g.
    ``load_scenario("classroom", {"n_countries": 1000}).params``); ``patience``
    and ``pressure`` default to the shared patience and to no pressure (no U.S. tariffs in the classroom).
    """
    n = int(params["n_countries"])
    rng = np.random.default_rng(seed)
    R, S, T, P = stage_payoffs(params)
    stake = params["trade_per_partner_bn"] if params["payoff_source"] == "economics" else 100.0
    noise = params["decision_noise"]
    war_tariff = params["war_tariff"]
    partner_value = params["trade_per_partner_bn"] * (n - 1)
    grim = params["partner_model"] == "grim"
    if params["partner_model"] not in ("grim", "myopic"):
        raise ValueError(f"unknown partner_model {params['partner_model']!r}")

    delta = np.full(n, params["patience"]) if patience is None else np.asarray(patience, dtype=float)
    pressure = np.zeros(n) if pressure is None else np.asarray(pressure, dtype=float)  # no U.S.: no tariff harm
    # grim-trigger values, fixed per country: (open, retaliate) before and after a trigger
    open_calm, defect_calm = np.full(n, R), (1 - delta) * T + delta * P
    open_hit, defect_hit = (1 - delta) * S + delta * P, np.full(n, P)

    # beliefs: Beta pseudo-counts (partner retaliates, partner opens)
    weight = params["belief_weight"]
    believed_d = np.full(n, params["prior_defection"] * weight)
    believed_c = np.full(n, (1 - params["prior_defection"]) * weight)
    retaliated_ever = np.zeros(n, dtype=bool)
    opponent_ever_defected = np.zeros(n, dtype=bool)

    defect = np.zeros(n, dtype=bool)
    welfare = np.zeros(n)
    avg_tariff = np.zeros(n)
    retaliation = np.zeros(n)
    cum_welfare = np.zeros(n)
    zeros_f, zeros_i = np.zeros(n), np.zeros(n, dtype=int)
    country_ids = np.arange(n)

    run = ReferenceRun()

    def record(round_number: int) -> None:
        retaliators = int(defect.sum())
        run.countries.append({
            "country": country_ids.copy(),
            "treatment": zeros_i.copy(),
            "tariff": avg_tariff.copy(),
            "exports_to_us": zeros_f.copy(),
            "retaliation": retaliation.copy(),
            "alignment": zeros_f.copy(),
            "compliance": zeros_f.copy(),
            "welfare_change": welfare.copy(),
            "action": np.where(defect, ACTION_RETALIATE, ACTION_WAIT),
            "pressure": pressure.copy(),
        })
        run.totals.append({
            "round": round_number,
            "retaliators": retaliators,
            "waiters": n - retaliators,
            "cooperation": 1.0 - retaliators / n,
            "escalation_index": 100.0 * war_tariff * retaliators / n,
            "mean_tariff": float(avg_tariff.mean()),
        })

    record(0)
    for round_number in range(1, rounds + 1):
        # 1. utilities (percent of stake)
        if grim:
            triggered = retaliated_ever | opponent_ever_defected
            open_value = np.where(triggered, open_hit, open_calm)
            defect_value = np.where(triggered, defect_hit, defect_calm)
        else:
            p = believed_d / (believed_d + believed_c)
            open_value = (1 - p) * R + p * S
            defect_value = (1 - p) * T + p * P
        u_open = 100.0 * open_value / stake
        u_defect = 100.0 * defect_value / stake
        # 2. logit choice between the two options (as agents.choice.logit_choice)
        if noise <= 0:
            defect = u_defect > u_open
        else:
            top = np.maximum(u_open / noise, u_defect / noise)
            w_open = np.exp(u_open / noise - top)
            w_defect = np.exp(u_defect / noise - top)
            defect = w_open < rng.random(n) * (w_open + w_defect)
        # 3. payoffs against the share of partners that retaliate
        share = (defect.sum() - defect) / max(n - 1, 1)
        welfare = np.where(defect, (1 - share) * T + share * P, (1 - share) * R + share * S)
        cum_welfare += welfare
        avg_tariff = war_tariff * share
        retaliation = np.where(defect, partner_value, 0.0)
        # 4. history and beliefs
        retaliated_ever |= defect
        opponent_ever_defected |= share > 0.5
        believed_d += share
        believed_c += 1 - share
        # 5. records
        record(round_number)
    return run
