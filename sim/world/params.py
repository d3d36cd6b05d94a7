"""The registry of model parameters: names, defaults, ranges and meaning.

One list serves the model (defaults and validation), the CLI (``--set``), the
browser app (sliders) and sweeps (valid names).  Scenario files may change a
default in their ``[params]`` table; users override on top of that.

Behavioural parameters are shared by all countries: country differences come
only from the sourced country data in the scenario file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.world.errors import ParameterError


@dataclass(frozen=True)
class ParamSpec:
    name: str
    default: Any
    kind: type
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    group: str = "behaviour"

    def describe_range(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind is bool:
            return "true or false"
        return f"a {'whole number' if self.kind is int else 'number'} from {self.low:g} to {self.high:g}"

    def coerce(self, value: Any, where: str = "") -> Any:
        """Convert ``value`` (possibly a string from the CLI or a text box) and check the range."""
        prefix = f"{where}: " if where else ""
        try:
            if self.kind is bool:
                if isinstance(value, str):
                    low = value.strip().lower()
                    if low in ("1", "true", "yes", "on"):
                        return True
                    if low in ("0", "false", "no", "off"):
                        return False
                    raise ValueError
                if isinstance(value, (bool, int)):
                    return bool(value)
                raise ValueError
            if self.kind is str:
                text = str(value).strip()
                if self.choices and text not in self.choices:
                    raise ValueError
                return text
            if self.kind is int:
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError
                number = int(float(value)) if isinstance(value, str) else int(value)
            else:
                if isinstance(value, bool):
                    raise ValueError
                number = float(value)
        except (TypeError, ValueError):
            raise ParameterError(
                f"{prefix}parameter '{self.name}' got {value!r}; expected {self.describe_range()}"
            ) from None
        if number != number or (self.low is not None and number < self.low) or (
            self.high is not None and number > self.high
        ):
            raise ParameterError(
                f"{prefix}parameter '{self.name}' = {value!r} is out of range; expected {self.describe_range()}"
            )
        return number


STRATEGY_NAMES = (
    "expected_utility",
    "tit_for_tat",
    "grim",
    "generous_tit_for_tat",
    "win_stay_lose_shift",
    "always_comply",
    "always_retaliate",
    "human",
)

_SPECS = [
    # --- U.S. policy rule -------------------------------------------------
    ParamSpec("us_toughness", 0.6, float, "probability that the U.S. escalates against a partner that retaliates, per round (0..1); also how much retaliation damage the U.S. absorbs before settling", 0.0, 1.0, group="united_states"),
    ParamSpec("escalation_step", 0.25, float, "tariff points added per escalation (0.25 = +25 percentage points)", 0.0, 1.0, group="united_states"),
    ParamSpec("tariff_ceiling", 0.5, float, "highest U.S. tariff rate per sector (0.5 = 50%)", 0.0, 2.0, group="united_states"),
    ParamSpec("relief_threshold", 0.5, float, "weighted share of the demand package a partner must accept to be offered relief (0..1)", 0.0, 1.0, group="united_states"),
    ParamSpec("balance_weight", 1.5, float, "how much more of the package the U.S. asks per unit of its bilateral deficit share d = (partner exports - imports) / bilateral trade (negative for a U.S. surplus): relief needs relief_threshold + balance_weight x d of the package, and deal chances scale with clip(1 - balance_weight x d, 0, 1)", 0.0, 10.0, group="united_states"),
    ParamSpec("relief_probability", 0.85, float, "probability that the U.S. grants relief to a partner that meets the threshold, per round", 0.0, 1.0, group="united_states"),
    ParamSpec("settlement_tolerance", 0.3, float, "cumulative damage to U.S. exporters from one partner's retaliation ($bn) at which the U.S. is sure to offer a mutual lifting deal; the chance per round is (1 - us_toughness) x g x damage / tolerance, g = clip(1 - balance_weight x d, 0, 1)", 0.001, 100000.0, group="united_states"),
    ParamSpec("deadline_round", 0, int, "round at which temporary exemptions or a pause end and the announced rates apply (0 = no deadline)", 0, 1000, group="united_states"),
    # --- economics ----------------------------------------------------------
    ParamSpec("demand_elasticity", 2.5, float, "import demand elasticity (eta > 0)", 0.05, 20.0, group="economics"),
    ParamSpec("supply_elasticity", 3.0, float, "export supply elasticity of a seller that sells only to one market (eps > 0); the residual elasticity a buyer faces is eps / (buyer's share of the seller's sales)", 0.05, 100.0, group="economics"),
    ParamSpec("retaliation_rate", 0.25, float, "counter-tariff rate a retaliator applies to U.S. goods", 0.0, 2.0, group="economics"),
    ParamSpec("retaliation_match", 1.0, float, "value of U.S. goods targeted per dollar of own exports hit (1 = dollar for dollar)", 0.0, 5.0, group="economics"),
    ParamSpec("quota_rent_share", 1.0, float, "share of the quota (VER) scarcity rent kept by the exporter", 0.0, 1.0, group="economics"),
    ParamSpec("china_punishment", 0.01, float, "surplus lost on the trade with China at stake when China punishes alignment, as a fraction of that trade", 0.0, 1.0, group="china"),
    ParamSpec("china_inducement", 0.0001, float, "gain China offers a hedger, as a fraction of its trade with China", 0.0, 1.0, group="china"),
    ParamSpec("china_punish_probability", 0.5, float, "probability that China punishes a partner that accepted an alignment demand, per round", 0.0, 1.0, group="china"),
    ParamSpec("china_active", True, bool, "whether China punishes aligners and courts hedgers", group="china"),
    # --- behaviour (shared by all countries) --------------------------------
    ParamSpec("strategy", "expected_utility", str, "decision rule for every country without its own strategy", choices=STRATEGY_NAMES),
    ParamSpec("bloc_mode", "bloc", str, "how members of a bloc (countries sharing a 'bloc' field) decide: together, maximising the bloc's summed utility (bloc), or each on its own, open to U.S. peel-off offers (bilateral)", choices=("bloc", "bilateral")),
    ParamSpec("decision_noise", 1.0, float, "logit noise: 0 = always the best option; larger = more random (in percent-of-stake utility units)", 0.0, 100.0),
    ParamSpec("patience", 0.9, float, "discount factor: weight on the U.S. reply (next period) against the present", 0.0, 0.999),
    ParamSpec("political_gain", 15.0, float, "domestic gain from standing firm (retaliating while facing tariffs), percent of stake x pressure", 0.0, 1000.0),
    ParamSpec("audience_cost", 25.0, float, "domestic cost of conceding the whole package, percent of stake x pressure", 0.0, 1000.0),
    ParamSpec("security_value", 6.0, float, "value of security cooperation with the U.S. at full dependence, percent of stake", 0.0, 1000.0),
    ParamSpec("security_cost", 2.0, float, "cost of the security cooperation asked for, percent of stake", 0.0, 1000.0),
    ParamSpec("security_linkage", 15.0, float, "expected security cost of retaliating against the U.S. at full dependence, percent of stake (issue linkage)", 0.0, 1000.0),
    ParamSpec("wto_value", 2.0, float, "expected value of a WTO case, percent of stake", 0.0, 1000.0),
    ParamSpec("pressure", 0.5, float, "initial domestic pressure to retaliate (0..1) for countries without their own value", 0.0, 1.0),
    ParamSpec("pressure_adaptation", 0.2, float, "speed at which domestic pressure moves toward 1 while tariffed and toward 0 otherwise", 0.0, 1.0),
    ParamSpec("prior_relief", 0.7, float, "prior belief that compliance brings U.S. relief", 0.0, 1.0, group="beliefs"),
    ParamSpec("prior_escalation", 0.2, float, "prior belief that retaliation brings U.S. escalation", 0.0, 1.0, group="beliefs"),
    ParamSpec("prior_settlement", 0.1, float, "prior belief that retaliation brings a mutual lifting deal", 0.0, 1.0, group="beliefs"),
    ParamSpec("prior_china_punishment", 0.5, float, "prior belief that China punishes alignment", 0.0, 1.0, group="beliefs"),
    ParamSpec("belief_weight", 4.0, float, "strength of the prior beliefs, in pseudo-observations", 0.01, 1000.0, group="beliefs"),
    ParamSpec("social_learning", 0.5, float, "weight on what the U.S. did to other partners, relative to one's own experience", 0.0, 1.0, group="beliefs"),
    # --- classroom (symmetric repeated prisoner's dilemma) -------------------
    ParamSpec("n_countries", 2, int, "number of symmetric countries (classroom scenario only)", 2, 100000, group="classroom"),
    ParamSpec("war_tariff", 0.3, float, "tariff a country sets when it defects (classroom)", 0.0, 2.0, group="classroom"),
    ParamSpec("market_share", 0.5, float, "each buyer's share of a seller's sales, which sets its market power (classroom)", 0.0001, 1.0, group="classroom"),
    ParamSpec("trade_per_partner_bn", 10.0, float, "baseline bilateral trade with each partner, $bn per year (classroom)", 0.0001, 1e6, group="classroom"),
    ParamSpec("payoff_source", "economics", str, "classroom payoffs from the trade economics, or from the table pd_R/pd_S/pd_T/pd_P (for comparisons with the literature)", choices=("economics", "table"), group="classroom"),
    ParamSpec("pd_R", 3.0, float, "table payoff: both open (reward)", -1e6, 1e6, group="classroom"),
    ParamSpec("pd_S", 0.0, float, "table payoff: open against a retaliator (sucker)", -1e6, 1e6, group="classroom"),
    ParamSpec("pd_T", 5.0, float, "table payoff: retaliate against an open partner (temptation)", -1e6, 1e6, group="classroom"),
    ParamSpec("pd_P", 1.0, float, "table payoff: both retaliate (punishment)", -1e6, 1e6, group="classroom"),
    ParamSpec("partner_model", "grim", str, "what a classroom country using the expected-utility rule believes its partners play: grim trigger (forward-looking: cooperate iff patience >= (T-R)/(T-P)) or myopic (one-round best reply)", choices=("grim", "myopic"), group="classroom"),
    ParamSpec("generosity", 1.0 / 3.0, float, "probability that generous tit-for-tat forgives a defection", 0.0, 1.0),
    ParamSpec("execution_noise", 0.0, float, "probability that a chosen move comes out flipped (trembling hand) for rule-based strategies", 0.0, 1.0),
]

PARAMS: dict[str, ParamSpec] = {spec.name: spec for spec in _SPECS}


def defaults() -> dict[str, Any]:
    return {name: spec.default for name, spec in PARAMS.items()}


def spec(name: str) -> ParamSpec:
    try:
        return PARAMS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, PARAMS, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ParameterError(
            f"unknown parameter '{name}'.{hint} Valid parameters: {', '.join(sorted(PARAMS))}; "
            "country fields are set as COUNTRY.FIELD (e.g. Canada.security_dependence=0.5)"
        ) from None


def resolve(overrides: dict[str, Any], base: dict[str, Any] | None = None, where: str = "") -> dict[str, Any]:
    """Validate ``overrides`` and merge them over ``base`` (default: the registry defaults)."""
    merged = dict(defaults() if base is None else base)
    for name, value in overrides.items():
        merged[name] = spec(name).coerce(value, where)
    return merged


def coerce_seed(rng: Any) -> Any:
    """Accept ints, numpy generators, None, and digit strings typed into a text box."""
    import numpy as np

    if rng is None or isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, float) and rng.is_integer():
        rng = int(rng)
    if isinstance(rng, str) and rng.strip() == "":
        return None
    if isinstance(rng, bool) or not isinstance(rng, (str, int, np.integer)):
        raise ParameterError(f"seed must be a whole number, got {rng!r}")
    try:
        value = int(rng.strip()) if isinstance(rng, str) else int(rng)
    except ValueError:
        raise ParameterError(f"seed must be a whole number, got {rng!r}") from None
    if value < 0:
        raise ParameterError(f"seed must be >= 0, got {value}")
    return value
