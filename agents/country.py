"""Country agents: one per economy, each a view on its row of the model's arrays.

Decisions are taken for all countries at once, grouped by strategy
(:func:`decide_all`); the agent object is what users, reporters and the app
inspect: its data, its demands, what it chose and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents import decision
from agents.strategies import History
from sim.world.arrays import STANCE_NAMES, TREATMENT_NAMES

if TYPE_CHECKING:
    from sim.model import NegotiationModel


class CountryAgent(mesa.Agent):
    """An economy facing U.S. demands (or, in classroom games, its symmetric partners).

    State lives in the model's arrays at row ``index``; the properties below give
    it in domain units ($bn per year, rates as fractions, 0..1 indices).
    """

    def __init__(self, model: "NegotiationModel", index: int, name: str, strategy: str):
        super().__init__(model)
        self.index = index
        self.name = name
        self.strategy = strategy

    def __repr__(self) -> str:
        return f"CountryAgent({self.name!r}, {self.strategy})"

    # --- static data -----------------------------------------------------------
    @property
    def data(self):
        return self.model.scenario_data.countries[self.index]

    @property
    def security_dependence(self) -> float:
        return float(self.model.world.security[self.index])

    # --- state, as reported ------------------------------------------------------
    @property
    def treatment(self) -> str:
        return TREATMENT_NAMES[self.model.state.treatment[self.index]]

    @property
    def tariff(self) -> float:
        """Trade-weighted U.S. tariff on the country's exports in the sectors under dispute (fraction)."""
        return float(self.model.state.avg_tariff[self.index])

    @property
    def exports_to_us_bn(self) -> float:
        return float(self.model.state.exports_now[self.index])

    @property
    def retaliation_bn(self) -> float:
        """Value of U.S. goods under the country's counter-tariffs this round ($bn/yr)."""
        return float(self.model.state.retaliation_value[self.index])

    @property
    def alignment(self) -> float:
        """Weighted share of the alignment (anti-China) demands accepted, 0..1."""
        return float(self.model.state.alignment[self.index])

    @property
    def compliance(self) -> float:
        return float(self.model.state.compliance[self.index])

    @property
    def welfare_change_bn(self) -> float:
        """Economic welfare change against free trade this round ($bn/yr)."""
        return float(self.model.state.welfare[self.index])

    @property
    def action(self) -> str:
        return self.model.state.action_label(self.index)

    @property
    def stance(self) -> str:
        return STANCE_NAMES[self.model.state.stance[self.index]]

    @property
    def pressure(self) -> float:
        return float(self.model.state.pressure[self.index])

    @property
    def accepted_demands(self) -> list[str]:
        ids = self.model.world.demand_ids
        return [ids[j] for j in np.flatnonzero(self.model.state.accepted[self.index])]

    def option_utilities(self) -> dict[str, float]:
        """Utility of each composite option last round (percent of stake), best first."""
        state, options = self.model.state, self.model.options
        utilities = state.utilities[self.index]
        out = {}
        for k in np.argsort(-utilities):
            if np.isfinite(utilities[k]):
                out[options.label(k, self.model.world.demand_ids)] = float(utilities[k])
        return out

    def explain(self) -> dict:
        """Why the country chose what it did last round, term by term.

        Returns ``{"options": [label, ...], "probabilities": [...], "terms": [(term, [value per
        option]), ...], "totals": [...]}``: the chosen option first, then the best option of each other
        stance (wait, retaliate, WTO, hedge), each utility split into the terms of
        :data:`agents.decision.UTILITY_TERMS` (percent of stake), with the chance the
        logit rule gave each option (:func:`agents.decision.logit_probabilities`).  Empty before the
        first round and in classroom games, whose utilities have no such terms.
        """
        model = self.model
        terms = model.utility_terms
        if not terms or model.round == 0:
            return {}
        utilities = model.state.utilities[self.index]
        options = model.options
        chosen = int(model.state.option[self.index])
        columns = [chosen]
        for stance in range(len(STANCE_NAMES)):
            if stance == options.stance[chosen]:
                continue
            candidates = np.flatnonzero((options.stance == stance) & np.isfinite(utilities))
            if len(candidates):
                columns.append(int(candidates[np.argmax(utilities[candidates])]))
        probability = decision.logit_probabilities(utilities, model.params["decision_noise"])[0]
        return {
            "options": [options.label(k, model.world.demand_ids) for k in columns],
            "probabilities": [float(probability[k]) for k in columns],
            "terms": [(name, [float(value[self.index, k]) + 0.0 for k in columns]) for name, value in terms.items()],
            "totals": [float(utilities[k]) for k in columns],
        }

    def beliefs(self) -> dict[str, float]:
        b = self.model.beliefs
        i = self.index
        return {
            "relief if compliant": float(decision.Beliefs.mean(b.relief)[i]),
            "escalation if retaliating": float(decision.Beliefs.mean(b.escalation)[i]),
            "settlement if retaliating": float(decision.Beliefs.mean(b.settlement)[i]),
            "China punishes alignment": float(decision.Beliefs.mean(b.china_punishment)[i]),
        }


def _history(model: "NegotiationModel", idx: np.ndarray) -> History:
    state = model.state
    return History(
        round=model.round,
        own_cooperated=state.own_cooperated[idx],
        opponent_cooperated=state.opponent_cooperated[idx],
        opponent_ever_defected=state.opponent_ever_defected[idx],
    )


def decide_all(model: "NegotiationModel") -> None:
    """Every country chooses, simultaneously: utilities for all, then each rule picks.

    Writes ``state.option`` (chosen option index per country) and ``state.utilities``.
    """
    state = model.state
    utilities = model.evaluate_options()
    state.utilities = utilities
    n = model.world.n
    chosen = np.zeros(n, dtype=int)
    noise = model.params["decision_noise"]
    for name, idx in model.strategy_groups.items():
        if name == "expected_utility":
            group_utilities = utilities if len(idx) == n else utilities[idx]  # no copy when all use it
            chosen[idx] = decision.logit_choice(group_utilities, noise, model.rng)
        elif name == "human":
            chosen[idx] = [model.take_human_choice(i) for i in idx]
        else:
            rule = model.strategy_rules[name]
            cooperate = rule.cooperate(_history(model, idx), model.rng)
            tremble = model.params["execution_noise"]
            if tremble > 0:
                flip = model.rng.random(len(idx)) < tremble
                cooperate = np.where(flip, ~cooperate, cooperate)
            chosen[idx] = np.where(cooperate, model.comply_option[idx], model.retaliate_option)
    if model.params["bloc_mode"] == "bloc" and model.world.blocs:
        _decide_blocs(model, utilities, chosen)
    state.option = chosen
    state.accepted = model.options.accept[chosen] & model.world.applicable
    state.stance = model.options.stance[chosen]


def _decide_blocs(model: "NegotiationModel", utilities: np.ndarray, chosen: np.ndarray) -> None:
    """Members of a bloc that use the expected-utility rule choose one option together.

    The bloc acts as a unitary actor (as the EU does in trade policy, an exclusive
    competence): it maximises its members' summed utility in dollars, i.e. the
    stake-weighted mean of their utilities in percent of stake, with logit noise.
    Members with other rules (e.g. a human player) decide for themselves.
    """
    stake = model.outlook.stake if hasattr(model, "outlook") else np.ones(model.world.n)
    strategies = np.array(model.world.strategies)
    for members in model.world.blocs.values():
        voters = members[strategies[members] == "expected_utility"]
        if len(voters) < 2:
            continue
        weights = stake[voters] / stake[voters].sum()
        joint = np.where(np.isfinite(utilities[voters]), utilities[voters], -np.inf)
        pooled = (weights[:, None] * np.where(np.isfinite(joint), joint, 0.0)).sum(axis=0)
        pooled = np.where(np.isfinite(joint).all(axis=0), pooled, -np.inf)
        choice = decision.logit_choice(pooled[None, :], model.params["decision_noise"], model.rng)[0]
        chosen[voters] = choice


__all__ = ["CountryAgent", "decide_all"]
