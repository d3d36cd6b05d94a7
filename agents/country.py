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
from agents.choice import logit_choice, nested_choice, nested_probabilities
from agents.strategies import STRATEGIES, Decision, History
from agents.utility import UTILITY_TERMS, us_game_utilities
from sim.world.vocabulary import STANCE_NAMES, TREATMENT_NAMES, CounterTariffs, Stance

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
    pressure = _state_value("pressure", "Share of its export sales at stake the tariffs cost, 0..1.")

    @property
    def counter_tariffs(self) -> str:
        """Its counter-tariffs: none, announced (a published list) or in_force."""
        return CounterTariffs(int(self.model.state.counter[self.index])).label

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
        """Value of each composite option last round ($bn a year), best first."""
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
        option]), ...], "totals": [...], "deals": [...]}``: the chosen option first, then the best
        option of each other stance (wait, retaliate, WTO, hedge), each value split into the terms of
        :data:`agents.utility.UTILITY_TERMS` ($bn a year), with the chance the nested logit gave its
        stance (:func:`agents.choice.nested_probabilities`) and, for a package, the deal the U.S.
        would strike for it (the share of the way to the floor, and the rates it leaves).  Empty
        before the first round and in classroom games, whose values have no such terms.
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
        outlook = model.outlook
        probability = nested_probabilities(utilities[None, :], options.stance, len(STANCE_NAMES),
                                           outlook.noise[self.index:self.index + 1])[0]
        return {
            "options": [options.label(k, model.world.demand_ids, self.asked) for k in columns],
            "probabilities": [float(probability[options.stance[k]]) for k in columns],
            "terms": [(name, [float(terms[name][self.index, k]) + 0.0 for k in columns]) for name in UTILITY_TERMS],
            "totals": [float(utilities[k]) for k in columns],
            "deals": [self.deal_on_offer(k) for k in columns],
            "noise_bn": float(outlook.noise[self.index]),
            "escalation_belief": float(outlook.escalation_belief[self.index]),
        }

    def deal_on_offer(self, k: int) -> dict | None:
        """The bargain the U.S. would strike for option ``k``'s package last round (None for other stances):
        ``{"exists", "relief" (share of the way from the announced rates to the floor), "rates" by sector}``."""
        model = self.model
        if model.options.stance[k] != Stance.WAIT or getattr(model, "outlook", None) is None:
            return None
        outlook, i = model.outlook, self.index
        status = int(outlook.status[i])
        if not outlook.feasible[status, i, k]:
            return {"exists": False, "relief": 0.0, "rates": {}}
        relief = float(outlook.relief[status, i, k])
        rates = outlook.extras["rates"]
        deal_rates = rates["deal_none"][i] - relief * (rates["deal_none"][i] - rates["deal_full"][i])
        return {"exists": True, "relief": relief,
                "rates": {sector: float(rate) for sector, rate in zip(model.world.sector_names, deal_rates)}}

    def beliefs(self) -> dict[str, float]:
        b = self.model.beliefs
        i = self.index
        return {
            "escalation if retaliating": float(Beliefs.mean(b.escalation)[i]),
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
    """Value [n, K] of every option for every country this round.

    In U.S. games the values are $bn a year (:mod:`agents.utility`) and their terms are kept in
    ``model.utility_terms`` (for :meth:`CountryAgent.explain`); in classroom games they are the
    classroom payoffs (:mod:`agents.classroom`).
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
    return us_game_utilities(model.outlook, model.options, model.world, model.params, terms_out=model.utility_terms)


def decide_all(model: "NegotiationModel") -> None:
    """Every country chooses, simultaneously: values for all, then each strategy chooses for its countries.

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
                            tremble=params["execution_noise"], log=log, option_stance=model.options.stance,
                            shocks=None if model.is_classroom else state.shocks[idx])
        chosen[idx] = model.strategies[name].choose(decision)
    if params["bloc_mode"] == "bloc" and model.world.blocs:
        _decide_blocs(model, utilities, chosen)
    state.option = chosen
    state.accepted = model.options.accept[chosen] & model.world.applicable
    state.stance = model.options.stance[chosen]


def _decide_blocs(model: "NegotiationModel", utilities: np.ndarray, chosen: np.ndarray) -> None:
    """Members of a bloc that use the expected-utility rule choose one option together.

    The bloc acts as a unitary actor (as the EU does in trade policy, an exclusive
    competence): it maximises its members' summed objective ($bn a year) with the summed
    preferences of its members (classroom games: a logit draw on the summed payoffs).
    Members with other rules (e.g. a human player) decide for themselves.
    """
    pooling = np.array([STRATEGIES[name].pools_in_bloc for name in model.world.strategies])
    for members in model.world.blocs.values():
        voters = members[pooling[members]]
        if len(voters) < 2:
            continue
        joint = utilities[voters]
        pooled = np.where(np.isfinite(joint).all(axis=0), np.where(np.isfinite(joint), joint, 0.0).sum(axis=0), -np.inf)
        if model.is_classroom:
            choice = logit_choice(pooled[None, :], model.params["decision_noise"], model.rng)[0]
        else:
            shocks = model.state.shocks[voters].sum(axis=0)[None, :]
            choice = nested_choice(pooled[None, :], model.options.stance, shocks)[0]
        chosen[voters] = choice


__all__ = ["CountryAgent", "decide_all", "evaluate_options"]
