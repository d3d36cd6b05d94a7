"""Country agents: one per economy, each a view on its row of the model's arrays.

Decisions are taken for all countries at once (:func:`decide_all`): the value of
every option for every country (:func:`evaluate_options`, from :mod:`agents.utility`
or :mod:`agents.classroom`), then each strategy chooses for the countries that
follow it.  The agent object is what users, reporters and the app inspect: its
data, its demands, what it chose and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents import classroom
from agents.beliefs import Beliefs
from agents.choice import logit_choice, logit_probabilities
from agents.strategies import STRATEGIES, Decision, History
from agents.utility import us_game_utilities
from sim.world.vocabulary import STANCE_NAMES, TREATMENT_NAMES, Treatment

if TYPE_CHECKING:
    from sim.model import NegotiationModel


def _state_value(array: str, doc: str) -> property:
    """A property giving the country's entry of ``model.state.<array>`` as a float."""

    def value(self) -> float:
        return float(getattr(self.model.state, array)[self.index])

    return property(value, doc=doc)


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
    def asked(self) -> np.ndarray:
        """[D] bool: the demands the U.S. puts to this country."""
        return self.model.world.applicable[self.index]

    @property
    def security_dependence(self) -> float:
        return float(self.model.world.security[self.index])

    # --- state, as reported ------------------------------------------------------
    @property
    def treatment(self) -> str:
        return TREATMENT_NAMES[self.model.state.treatment[self.index]]

    tariff = _state_value("avg_tariff", "Trade-weighted U.S. tariff on the country's exports in the sectors under dispute (fraction).")
    exports_to_us_bn = _state_value("exports_now", "Exports to the U.S. this round ($bn/yr at baseline prices).")
    retaliation_bn = _state_value("retaliation_value", "Value of U.S. goods under the country's counter-tariffs this round ($bn/yr).")
    alignment = _state_value("alignment", "Weighted share of the alignment (anti-China) demands accepted, 0..1.")
    compliance = _state_value("compliance", "Weighted share of the U.S. package accepted, 0..1.")
    welfare_change_bn = _state_value("welfare", "Economic welfare change against free trade this round ($bn/yr).")
    pressure = _state_value("pressure", "Domestic pressure to retaliate, 0..1.")

    @property
    def action(self) -> str:
        return self.model.state.action_label(self.index)

    @property
    def stance(self) -> str:
        return STANCE_NAMES[self.model.state.stance[self.index]]

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
                out[options.label(k, self.model.world.demand_ids, self.asked)] = float(utilities[k])
        return out

    def explain(self) -> dict:
        """Why the country chose what it did last round, term by term.

        Returns ``{"options": [label, ...], "probabilities": [...], "terms": [(term, [value per
        option]), ...], "totals": [...]}``: the chosen option first, then the best option of each other
        stance (wait, retaliate, WTO, hedge), each utility split into the terms of
        :data:`agents.utility.UTILITY_TERMS` (percent of stake), with the chance the
        logit rule gave each option (:func:`agents.choice.logit_probabilities`).  Empty before the
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
        probability = logit_probabilities(utilities, model.params["decision_noise"])[0]
        return {
            "options": [options.label(k, model.world.demand_ids, self.asked) for k in columns],
            "probabilities": [float(probability[k]) for k in columns],
            "terms": [(name, [float(value[self.index, k]) + 0.0 for k in columns]) for name, value in terms.items()],
            "totals": [float(utilities[k]) for k in columns],
        }

    def beliefs(self) -> dict[str, float]:
        b = self.model.beliefs
        i = self.index
        return {
            "relief if compliant": float(Beliefs.mean(b.relief)[i]),
            "escalation if retaliating": float(Beliefs.mean(b.escalation)[i]),
            "settlement if retaliating": float(Beliefs.mean(b.settlement)[i]),
            "China punishes alignment": float(Beliefs.mean(b.china_punishment)[i]),
        }


def _history(model: "NegotiationModel", idx: np.ndarray) -> History:
    state = model.state
    return History(
        round=model.round,
        own_cooperated=state.own_cooperated[idx],
        opponent_cooperated=state.opponent_cooperated[idx],
        opponent_ever_defected=state.opponent_ever_defected[idx],
    )


def evaluate_options(model: "NegotiationModel") -> np.ndarray:
    """Utility [n, K] of every option for every country this round (percent of stake).

    In U.S. games the terms of the utilities are kept in ``model.utility_terms`` (for
    :meth:`CountryAgent.explain`).
    """
    if model.is_classroom:
        beliefs = model.partner_defect_beliefs
        p = beliefs[:, 0] / (beliefs[:, 0] + beliefs[:, 1])  # (a row sum over two columns is slow in numpy)
        stake = model.params["trade_per_partner_bn"] if model.params["payoff_source"] == "economics" else 100.0
        triggered = model.state.retaliated_ever | model.state.opponent_ever_defected
        utilities = classroom.classroom_utilities(model.options, p, model.classroom_payoffs, stake,
                                                  patience=model.world.patience, triggered=triggered,
                                                  partner_model=model.params["partner_model"])
        # [n, 2] in column order: the logit's row-wise max, cumsum and count then run along
        # two long columns instead of n short rows (half the cost of the choice at N = 1,000)
        return np.asfortranarray(utilities)
    model.utility_terms = {}
    return us_game_utilities(
        model.world, model.options, model.outlook, model.beliefs, model.state.committed, model.params,
        china_active=model.china is not None and model.china.active,
        rounds_per_year=model.scenario_data.rounds_per_year, terms_out=model.utility_terms,
    )


def update_commitments(model: "NegotiationModel") -> None:
    """Governments make their public commitment to answer the tariffs (``state.committed``).

    A commitment is a dated public step in the scenario (a WTO rebalancing notification, a
    published retaliation list).  It binds from that round, but only a government then facing
    the tariffs makes it: one holding relief or a deal at that date had nothing to answer, so
    keeping that settlement costs no audience cost.  Once made, a commitment stays.
    """
    state = model.state
    rounds = model.world.commitment_round
    due = (rounds > 0) & (model.round >= rounds)
    facing = ~state.relieved & (state.treatment != Treatment.DEAL)
    state.committed |= due & facing


def decide_all(model: "NegotiationModel") -> None:
    """Every country chooses, simultaneously: utilities for all, then each strategy chooses for its countries.

    Writes ``state.option`` (chosen option index per country), ``state.utilities``,
    ``state.accepted`` and ``state.stance``.
    """
    state = model.state
    utilities = evaluate_options(model)
    state.utilities = utilities
    chosen = np.zeros(model.world.n, dtype=int)
    params = model.params

    def log(i: int, kind: str, text: str) -> None:
        model.log(i, kind, f"{model.world.names[i]}: {text}")

    for name, idx in model.strategy_groups.items():  # in name order: the draws come in a fixed order
        decision = Decision(countries=idx, history=_history(model, idx), utilities=utilities,
                            comply=model.comply_option[idx], retaliate=model.retaliate_option,
                            refuse_all=model.refuse_all_option, rng=model.rng, noise=params["decision_noise"],
                            tremble=params["execution_noise"], log=log)
        chosen[idx] = model.strategies[name].choose(decision)
    if params["bloc_mode"] == "bloc" and model.world.blocs:
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
    pooling = np.array([STRATEGIES[name].pools_in_bloc for name in model.world.strategies])
    for members in model.world.blocs.values():
        voters = members[pooling[members]]
        if len(voters) < 2:
            continue
        weights = stake[voters] / stake[voters].sum()
        joint = np.where(np.isfinite(utilities[voters]), utilities[voters], -np.inf)
        pooled = (weights[:, None] * np.where(np.isfinite(joint), joint, 0.0)).sum(axis=0)
        pooled = np.where(np.isfinite(joint).all(axis=0), pooled, -np.inf)
        choice = logit_choice(pooled[None, :], model.params["decision_noise"], model.rng)[0]
        chosen[voters] = choice


__all__ = ["CountryAgent", "decide_all", "evaluate_options"]
