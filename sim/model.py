"""NegotiationModel: the round protocol of tariff negotiations on Mesa 3.

Each round (``step``):

1. the U.S. announces tariffs, demands and deadlines;
2. China announces its stance toward aligners and hedgers;
3. countries choose, simultaneously (nobody sees another's move this round);
4. the U.S. resolves relief or escalation, and China acts;
5. trade and welfare update;
6. beliefs update;
7. records are collected.

Usage::

    from sim import NegotiationModel
    model = NegotiationModel(scenario_name="section232_2018", rng=1)
    model.run(20)
    model.datacollector.get_model_vars_dataframe()
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from agents import classroom
from agents.beliefs import Beliefs
from agents.china import ChinaAgent
from agents.country import CountryAgent, decide_all
from agents.options import CLASSROOM_STANCES, US_STANCES, build_options
from agents.strategies import STRATEGIES
from agents.united_states import UnitedStatesAgent
from agents.us_rule import matched_list, package_share
from agents.utility import price_outlook, retaliation_self_effect, stance_noise
from sim import records
from sim.world import economics
from sim.collector import CountryDataCollector
from sim.world.errors import ParameterError
from sim.world.params import coerce_seed
from sim.world.loader import load_scenario
from sim.world.scenario import ScenarioData
from sim.world.state import NegotiationState
from sim.world.arrays import build_world
from sim.world.vocabulary import STANCE_NAMES, Action, CounterTariffs, Stance, StrategyName, Treatment


class NegotiationModel(mesa.Model):
    """Repeated trade negotiations under U.S. tariff pressure.

    Args:
        scenario_name: a built-in scenario name or the path to a scenario TOML file.
            (Not ``scenario``: Mesa 3.5 reserves that name.)
        rng: seed or numpy Generator; a string of digits (from a text box) is accepted.
        overrides: parameter or ``COUNTRY.FIELD`` overrides, validated.
        scenario_data: an already loaded :class:`~sim.world.scenario.ScenarioData` (skips loading).
        **params: parameter overrides by keyword, e.g. ``us_toughness=0.8``.
    """

    def __init__(self, scenario_name: str = "section232_2018", rng: Any = None,
                 overrides: dict[str, Any] | None = None, scenario_data: ScenarioData | None = None,
                 **params: Any):
        params.pop("scenario", None)  # SolaraViz may inject Mesa's own Scenario object here
        seed = coerce_seed(rng)
        super().__init__(rng=seed)
        merged = {**(overrides or {}), **params}
        if scenario_data is None:
            scenario_data = load_scenario(scenario_name, merged)
        elif merged:
            from sim.world.overrides import apply_overrides

            scenario_data = apply_overrides(scenario_data, merged)
        self.scenario_data = scenario_data
        self.scenario_name = scenario_data.name
        self.seed = seed  # an int, None, or the Generator passed in
        self.params = dict(scenario_data.params)
        self.world = build_world(scenario_data)
        self.round = 0
        self.events: list[dict] = []

        world = self.world
        self.is_classroom = not world.has_united_states
        stances = CLASSROOM_STANCES if self.is_classroom else US_STANCES
        self.options = build_options(len(world.demand_ids), stances)
        self.retaliate_option = int(np.flatnonzero(self.options.stance == Stance.RETALIATE)[0])
        self.refuse_all_option = self.options.refuse_all()
        self.comply_option = self.options.comply_options(world.applicable)
        self.beliefs = Beliefs.from_priors(world.n, self.params)
        self.state = NegotiationState.initial(world, self.options.size)
        self.state.deadline[:] = self.params["deadline_round"]
        if self.is_classroom:
            self.classroom_payoffs = classroom.classroom_payoffs(self.params)
            self.partner_defect_beliefs = classroom.partner_priors(world.n, self.params)

        self.united_states = None if self.is_classroom else UnitedStatesAgent(self)
        self.china = None
        if not self.is_classroom and (world.is_china.any() or "alignment" in world.demand_kind):
            self.china = ChinaAgent(self)
        self.countries = [
            CountryAgent(self, i, name, world.strategies[i]) for i, name in enumerate(world.names)
        ]
        self.utility_terms: dict[str, np.ndarray] = {}  # this round's utility terms (agents.country.evaluate_options)
        self.strategies = {name: cls(self.params) for name, cls in STRATEGIES.items()}  # one instance of each rule
        self.strategy_groups = _strategy_groups(world.strategies)
        self.outlook = None  # what each partner faces this round (agents.utility.price_outlook)
        if self.united_states is not None:
            # each government's persistent preference for each stance: the nested logit's draws, $bn/yr
            noise = stance_noise(world, self.params)
            self.state.shocks = self.rng.gumbel(size=self.state.shocks.shape) * noise[:, None]
            self.united_states.apply_treatment()
            self._initial_counter_tariffs()
            self._update_trade(self.state.retaliation_value, np.zeros(world.n))
        self.datacollector = CountryDataCollector(
            model_reporters=records.MODEL_REPORTERS,
            country_columns=records.COUNTRY_COLUMNS,
            labels=records.country_labels(self),
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ running
    def step(self) -> None:
        self.round += 1
        self.events_this_round = []
        if self.is_classroom:
            self._classroom_round()
        else:
            self._us_round()
        self.datacollector.collect(self)

    def run(self, rounds: int | None = None) -> "NegotiationModel":
        """Run ``rounds`` rounds (default: the scenario's length); returns the model."""
        count = self.scenario_data.rounds if rounds is None else int(rounds)
        if count < 0:
            raise ParameterError(f"rounds must be >= 0, got {count}")
        for _ in range(count):
            self.step()
        return self

    def _us_round(self) -> None:
        state, world = self.state, self.world
        us = self.united_states
        us.announce()  # 1
        if self.china is not None:
            self.china.announce()  # 2
        self.outlook = price_outlook(self)
        previous_actions, previous_accepted = state.action_codes(), state.accepted.copy()
        decide_all(self)  # 3
        chosen_stance = state.stance.copy()
        state.compliance = package_share(world, state.accepted)
        self._log_choices(previous_actions, previous_accepted)
        us.resolve(self.outlook)  # 4
        state.retaliation_value = np.where(state.counter == CounterTariffs.IN_FORCE, state.counter_value, 0.0)
        china_effect = self.china.act() if self.china is not None else np.zeros(world.n)
        us.apply_treatment()  # 5
        self._update_trade(state.retaliation_value, china_effect)
        self.beliefs.update(state, us.challenged_now, self.params["social_learning"],
                            china_active=self.china is not None and self.china.active)  # 6
        tariffed = (state.treatment == Treatment.TARIFFED) & (state.tariffs > world.floor[None, :] + 1e-12).any(axis=1)
        state.own_cooperated = (chosen_stance != Stance.RETALIATE) & (chosen_stance != Stance.HEDGE)
        state.opponent_cooperated = ~tariffed & ~state.escalated
        state.opponent_ever_defected |= ~state.opponent_cooperated

    def _initial_counter_tariffs(self) -> None:
        """Lists announced or in force before round 1 (the scenario's ``counter_tariffs``), valued as given
        or by the matching rule on the exports the announced rates hit."""
        state, world, params = self.state, self.world, self.params
        matched = matched_list(world, params, state.schedule)
        listed = state.counter != CounterTariffs.NONE
        state.counter_value = np.where(listed, np.where(np.isnan(world.counter_value0), matched, world.counter_value0), 0.0)
        state.retaliation_value = np.where(state.counter == CounterTariffs.IN_FORCE, state.counter_value, 0.0)

    # ------------------------------------------------------------------ a person's move
    def set_human_choice(self, country: str, accepted: list[str] | tuple[str, ...] = (), stance: str = "wait") -> None:
        """Record a person's move for ``country`` for the next round.

        ``accepted`` lists demand ids; ``stance`` is wait, retaliate, wto or hedge.
        Only "wait" can be combined with accepted demands.
        """
        i = self.world.names.index(country)
        if stance not in STANCE_NAMES or (self.is_classroom and stance not in ("wait", "retaliate")):
            raise ParameterError(f"stance must be one of {', '.join(STANCE_NAMES)}, got {stance!r}")
        unknown = [d for d in accepted if d not in self.world.demand_ids]
        if unknown:
            raise ParameterError(f"unknown demand(s) {unknown}; demands are {', '.join(self.world.demand_ids)}")
        if accepted and stance != "wait":
            raise ParameterError("demands can only be accepted together with the stance 'wait'")
        wanted = np.isin(self.world.demand_ids, list(accepted)) & self.world.applicable[i]
        self.strategies[StrategyName.HUMAN].submit(i, self.options.index(STANCE_NAMES.index(stance), wanted))

    def set_strategy(self, country: str, strategy: str) -> None:
        """Let ``country`` follow ``strategy`` from the next round on (e.g. a person takes or leaves its seat)."""
        if strategy not in STRATEGIES:
            raise ParameterError(f"unknown strategy {strategy!r}; strategies are {', '.join(STRATEGIES)}")
        i = self.world.names.index(country)
        self.world.strategies[i] = strategy
        self.countries[i].strategy = strategy
        self.strategy_groups = _strategy_groups(self.world.strategies)

    # ------------------------------------------------------------------ economics
    def _update_trade(self, retaliation_value: np.ndarray, china_effect: np.ndarray) -> None:
        state, world, params = self.state, self.world, self.params
        market = economics.us_market(
            world.exports, state.tariffs, world.supply_elasticity, sigma=world.sigma, eta=world.eta,
            row_value=world.row_value, row_tariff=state.row_schedule, duty_free=world.duty_free,
            cap=np.where(state.quota, world.cap_share, np.inf), exporter_rent=world.exporter_rent,
            start=state.price_index)
        exporter, volume = market["exporter_welfare"], market["volume"]
        state.price_index = market["price_index"]
        counter = retaliation_self_effect(world, retaliation_value, params)
        stake = world.stake(world.schedule0)
        # concessions cost what the partner committed to in a deal (the data, the trade rules, security)
        if self.outlook is not None:
            per_demand = self.outlook.extras["deal_cost"] + self.outlook.extras["security_cost"]
        else:
            per_demand = world.demand_cost_bn
        concessions = (state.deal_accepted * per_demand).sum(axis=1)
        us_gains = (state.deal_accepted * world.us_gain_share[None, :]).sum(axis=1) * stake
        state.welfare = exporter.sum(axis=1) + counter["importer_welfare"] + china_effect - concessions
        state.cum_welfare += state.welfare / self.scenario_data.rounds_per_year
        state.us_welfare = float(market["importer_welfare"].sum() + counter["exporter_welfare"].sum() + us_gains.sum())
        state.exports_now = volume.sum(axis=1)
        # domestic pressure: the share of the export sales at stake that the tariffs cost
        state.pressure = np.clip(-market["sales"].sum(axis=1) / stake, 0.0, 1.0)
        # the reported tariff averages over the sectors the dispute covers (e.g. steel and aluminium)
        covered = world.exports * world.disputed[None, :]
        total = covered.sum(axis=1)
        state.avg_tariff = np.where(total > 0, (covered * state.tariffs).sum(axis=1) / np.maximum(total, 1e-12), 0.0)
        alignment_weights = np.array([k == "alignment" for k in world.demand_kind]) * world.demand_weight
        applicable_alignment = world.applicable * alignment_weights[None, :]
        denominator = applicable_alignment.sum(axis=1)
        committed = state.deal_accepted * applicable_alignment  # what it bound itself to in a deal
        state.alignment = np.where(denominator > 0, committed.sum(axis=1) / np.maximum(denominator, 1e-12), 0.0)

    def escalation_index(self) -> float:
        state, world = self.state, self.world
        if self.is_classroom:
            return 100.0 * self.params["war_tariff"] * (np.count_nonzero(state.stance == Stance.RETALIATE) / world.n)
        us_side = (world.exports * state.tariffs).sum()
        partner_side = (state.retaliation_value * self.params["retaliation_rate"]).sum()
        trade = world.exports.sum() + world.imports_from_us.sum()
        return 100.0 * float(us_side + partner_side) / max(float(trade), 1e-12)

    # ------------------------------------------------------------------ classroom
    def _classroom_round(self) -> None:
        state, world, params = self.state, self.world, self.params
        previous_actions = state.action_codes() if world.n <= 50 else None
        decide_all(self)
        defect = state.stance == Stance.RETALIATE
        n = world.n
        state.welfare, share = classroom.stage_payoffs(defect, self.classroom_payoffs)
        state.cum_welfare += state.welfare
        state.avg_tariff = params["war_tariff"] * share
        state.retaliation_value = np.where(defect, params["trade_per_partner_bn"] * (n - 1), 0.0)
        state.retaliated_ever |= defect
        state.own_cooperated = ~defect
        state.opponent_cooperated = share <= 0.5
        state.opponent_ever_defected |= ~state.opponent_cooperated
        classroom.observe_partners(self.partner_defect_beliefs, share)
        if previous_actions is not None:
            self._log_choices(previous_actions)
        else:
            self.log(None, "summary", f"{int(defect.sum())} of {n} countries retaliate")

    # ------------------------------------------------------------------ events
    def log(self, index: int | None, kind: str, text: str, **details) -> None:
        """An event line; ``details`` (e.g. the demand ids a country accepts) let a view reword it."""
        country = None if index is None else self.world.names[index]
        self.events.append({"round": self.round, "country": country, "kind": kind, "text": text, **details})

    @property
    def event_log(self) -> list[str]:
        """Readable event lines, e.g. "Round 3: Canada retaliates on $11.2bn of U.S. goods (...)"."""
        return [f"Round {e['round']}: {e['text']}" for e in self.events]

    def _log_choices(self, previous_actions: np.ndarray, previous_accepted: np.ndarray | None = None) -> None:
        """An event line for each country whose move changed: its stance, or the demands it accepts
        (and for every partial move of round 1)."""
        state, world = self.state, self.world
        actions = state.action_codes()
        for i in range(world.n):
            action = Action(int(actions[i]))
            same_demands = previous_accepted is None or bool((previous_accepted[i] == state.accepted[i]).all())
            if action == previous_actions[i] and same_demands and not (action == Action.PARTIAL and self.round == 1):
                continue
            name = world.names[i]
            details: dict = {}
            if action == Action.RETALIATE:
                if not self.is_classroom and state.counter[i] == CounterTariffs.NONE:
                    continue  # the U.S. agent logs the list it announces
                text = f"{name} retaliates" if self.is_classroom else f"{name} keeps its counter-tariffs and refuses to talk"
            elif action == Action.WTO:
                text = f"{name} files a WTO case"
            elif action == Action.HEDGE:
                text = f"{name} hedges toward China"
            elif action == Action.COMPLY:
                text = f"{name} offers the whole package"
            elif action == Action.PARTIAL:
                accepted = [world.demand_ids[j] for j in np.flatnonzero(state.accepted[i])]
                details = {"accepted": accepted}
                text = f"{name} offers {', '.join(accepted)}"
                if action == previous_actions[i] and self.round > 1:  # the same kind of move, other demands
                    before = [world.demand_ids[j] for j in np.flatnonzero(previous_accepted[i])]
                    details["before"] = before
                    text = f"{name} now offers {', '.join(accepted)} (before: {', '.join(before)})"
            else:
                text = f"{name} waits" + (" and opens its market" if self.is_classroom else "")
            self.log(i, "choice", text, **details)

    # ------------------------------------------------------------------ outputs
    def summary(self) -> dict:
        """The run as a JSON-ready dict (see ``tradesim run --json``)."""
        return records.run_summary(self)


def _strategy_groups(strategies: list[str]) -> dict[str, np.ndarray]:
    """The countries that follow each rule, in rule-name order (the order in which the rules draw)."""
    return {name: np.flatnonzero(np.array(strategies) == name) for name in sorted(set(strategies))}
