"""The registry of model parameters: names, defaults, ranges and meaning.

One list serves the model (defaults and validation), the CLI (``--set``), the
browser app (sliders) and sweeps (valid names).  Scenario files may change a
default in their ``[params]`` table; users override on top of that.

Behavioural parameters are shared by all countries (none is per country): country
differences come from the country data in the scenario file, each figure with its
source (rough ones marked [est.]).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sim.world.errors import ParameterError
from sim.world.schema import PATIENCE, SEED, STRATEGY, Field, unknown_key
from sim.world.vocabulary import STRATEGY_NAMES  # noqa: F401 - re-exported: the valid strategy names

_SPECS = [
    # --- U.S. policy rule (agents.us_rule) ------------------------------------
    Field('us_toughness', float, 0.388, 0.0, 1.0, unit='probability', help='probability that the U.S. answers a partner whose counter-tariffs take effect (or that hedges toward China) with one escalation; partners know the rule, so it is also the mean of their prior belief that retaliation brings escalation', group='united_states'),
    Field('escalation_step', float, 1.0, 0.0, 5.0, unit='multiple of the announced rate', help="each escalation adds this multiple of the partner's announced rate on the sectors in its scope (1 = doubles it, as for Turkey in Aug 2018)", group='united_states'),
    Field('escalation_ceiling', float, 1.0, 0.0, 10.0, unit='multiple of the announced rate', help='escalation adds at most this multiple of the announced rate (1 = at most double)', group='united_states'),
    Field('relief_threshold', float, 0.5, 0.0, 1.0, unit='share of the package', help='weighted share of its demand package the U.S. asks of a partner with balanced trade in exchange for full relief (0..1): the rate of exchange between concessions and relief in its bargaining objective', group='united_states'),
    Field('balance_weight', float, 2.42, 0.0, 10.0, unit='share of the package per unit of deficit share', help='how much more of the package the U.S. asks per unit of its bilateral deficit share d = (partner exports - imports) / bilateral trade (negative for a U.S. surplus): full relief is worth min(1, relief_threshold + balance_weight x d) of the package to it', group='united_states'),
    Field('bargaining_power', float, 0.5, 0.0, 1.0, unit='Nash bargaining weight', help="the partner's weight in the Nash bargaining over its rate (the U.S. has 1 minus it); 0.5 is the symmetric Nash solution of Grossman-Helpman (1995) and Ossa (2014), in which bargaining power comes from the disagreement point", group='united_states'),
    Field('relief_probability', float, 0.85, 0.0, 1.0, unit='probability per round', help='probability per round that talks conclude, when a deal exists that both sides prefer to the war path', group='united_states'),
    Field('deadline_round', int, 0, 0, 1000, help='round at which temporary exemptions or a pause end and the announced rates apply (0 = no deadline)', group='united_states'),
    Field('deadline_extension', int, 0, 0, 1000, unit='rounds', help='rounds by which the deadline moves, once, for a partner in talks (offering part of the package) when it falls', group='united_states'),
    # --- economics ----------------------------------------------------------
    Field('demand_elasticity', float, 1.5, 0.05, 20.0, unit='elasticity', help="elasticity of a country's total import demand in a sector (eta > 0; the upper nest)", group='economics'),
    Field('substitution_elasticity', float, 2.5, 1.05, 50.0, unit='elasticity', help='elasticity of substitution between supplier countries in U.S. imports of a sector (sigma > 1; the lower nest): relative tariffs divert trade', group='economics'),
    Field('supply_elasticity', float, 3.0, 0.05, 100.0, unit='elasticity', help="export supply elasticity of a seller (eps > 0); the residual elasticity a buyer with share s of the seller's sales faces is (eps + (1 - s) x demand_elasticity) / s", group='economics'),
    Field('retaliation_rate', float, 0.25, 0.0, 2.0, unit='ad valorem rate', help='counter-tariff rate a retaliator applies to U.S. goods', group='economics'),
    Field('retaliation_match', float, 1.0, 0.0, 5.0, unit='$ of counter-duties per $ of U.S. duties', help="counter-duties a retaliation list levies per dollar of the duties the U.S. tariffs levy on the partner's exports above the floor (1 = substantially equivalent, the rebalancing of WTO Safeguards Art. 8.2); the list is at most all it buys from the U.S.", group='economics'),
    Field('pledge_output_share', float, 0.19, 0.0, 1.0, unit='$ of wages per $ pledged, per year', help='wages a pledged dollar of investment moves to the U.S. per year: output-capital ratio x labour share (a pledge relocates plants; it is not a transfer)', group='economics'),
    Field('linkage_cost', float, 0.0005, 0.0, 1.0, unit='share of exports to the U.S., per year', help="[est.] cost of the concessions a linked negotiation asks (the NAFTA or KORUS revision, migration or fentanyl measures, a digital services tax), per year, as a share of the partner's exports to the U.S. (the linked agreement covers the whole relationship); 0.0005 is $36m a year for South Korea in 2018, about the value of the KORUS revision's truck-tariff extension and car-standards quota", group='economics'),
    Field('wto_value', float, 0.02, 0.0, 1.0, unit='share of the harm', help="expected share of the tariffs' harm a WTO case recovers per year (the chance of a ruling the U.S. complies with)", group='economics'),
    Field('china_punishment', float, 0.01, 0.0, 1.0, unit='share of the trade with China', help='surplus lost on the trade with China at stake when China punishes alignment, as a fraction of that trade', group='china'),
    Field('china_inducement', float, 0.0001, 0.0, 1.0, unit='share of the trade with China', help='gain China offers a hedger, as a fraction of its trade with China', group='china'),
    Field('china_punish_probability', float, 0.5, 0.0, 1.0, unit='probability per round', help='probability that China punishes a partner that accepted an alignment demand, per round', group='china'),
    Field('china_active', bool, True, help='whether China punishes aligners and courts hedgers', group='china'),
    # --- behaviour (shared by all countries) --------------------------------
    STRATEGY,
    Field('bloc_mode', str, 'bloc', choices=('bloc', 'bilateral'), help="how members of a bloc (countries sharing a 'bloc' field) decide: together, maximising the bloc's summed objective (bloc), or each on its own, open to U.S. peel-off offers (bilateral)"),
    Field('decision_noise', float, 0.00472, 0.0, 1000.0, unit='basis points of GDP (classroom: percent of the trade per partner)', help="in U.S. games, the spread of each government's unobserved preference for each stance (a Gumbel scale drawn once per run: a nested logit whose draws persist), in basis points of its GDP; in classroom games, the logit noise of each round's move; 0 = always the best"),
    PATIENCE,
    Field('political_weight', float, 0.412, 0.0, 10.0, unit='$ per $ of producer surplus', help="Grossman-Helpman weight on organised producers' surplus beside welfare: on the partner's exporters hit by U.S. tariffs, and in the U.S. objective on the farm and swing-state exporters its counter-tariffs hit (scaled by their pivotal share)"),
    Field('audience_cost', float, 12.8, 0.0, 10000.0, unit='basis points of GDP', help="domestic cost of conceding the whole U.S. package after publicly announcing a retaliation list (Fearon 1994), per year, in basis points of the partner's GDP; in proportion to the share of the package conceded"),
    Field('security_linkage', float, 2.49, 0.0, 10000.0, unit='basis points of GDP', help="value of the security relationship with the U.S. at full dependence, per year, in basis points of GDP: retaliating puts security_linkage x dependence at risk (Maggi 2016); cooperating more on security costs security_linkage x (1 - dependence)"),
    Field('prior_china_punishment', float, 0.5, 0.0, 1.0, unit='probability', help='prior belief that China punishes alignment', group='beliefs'),
    Field('belief_weight', float, 4.0, 0.01, 1000.0, unit='pseudo-observations', help='strength of the prior beliefs, in pseudo-observations', group='beliefs'),
    Field('social_learning', float, 0.5, 0.0, 1.0, unit='weight', help="weight on what the U.S. did to other partners, relative to one's own experience", group='beliefs'),
    # --- classroom (symmetric repeated prisoner's dilemma) -------------------
    Field('n_countries', int, 2, 2, 100000, unit='countries', help='number of symmetric countries (classroom scenario only)', group='classroom'),
    Field('war_tariff', float, 0.3, 0.0, 2.0, unit='ad valorem rate', help='tariff a country sets when it defects (classroom)', group='classroom'),
    Field('market_share', float, 0.5, 0.0001, 1.0, unit='share', help="each buyer's share of a seller's sales, which sets its market power (classroom)", group='classroom'),
    Field('trade_per_partner_bn', float, 10.0, 0.0001, 1000000.0, unit='$bn per year', help='baseline bilateral trade with each partner, $bn per year (classroom)', group='classroom'),
    Field('payoff_source', str, 'economics', choices=('economics', 'table'), help='classroom payoffs from the trade economics, or from the table pd_R/pd_S/pd_T/pd_P (for comparisons with the literature)', group='classroom'),
    Field('pd_R', float, 3.0, -1000000.0, 1000000.0, unit='payoff', help='table payoff: both open (reward)', group='classroom'),
    Field('pd_S', float, 0.0, -1000000.0, 1000000.0, unit='payoff', help='table payoff: open against a retaliator (sucker)', group='classroom'),
    Field('pd_T', float, 5.0, -1000000.0, 1000000.0, unit='payoff', help='table payoff: retaliate against an open partner (temptation)', group='classroom'),
    Field('pd_P', float, 1.0, -1000000.0, 1000000.0, unit='payoff', help='table payoff: both retaliate (punishment)', group='classroom'),
    Field('partner_model', str, 'grim', choices=('grim', 'myopic'), help='what a classroom country using the expected-utility rule believes its partners play: grim trigger (forward-looking: cooperate iff patience >= (T-R)/(T-P)) or myopic (one-round best reply)', group='classroom'),
    Field('prior_defection', float, 0.2, 0.0, 1.0, unit='probability', help='prior belief that the partners defect (classroom)', group='classroom'),
    Field('generosity', float, 1.0 / 3.0, 0.0, 1.0, unit='probability', help='probability that generous tit-for-tat forgives a defection'),
    Field('execution_noise', float, 0.0, 0.0, 1.0, unit='probability', help='probability that a chosen move comes out flipped (trembling hand) for rule-based strategies'),
]

# The defaults of political_weight, audience_cost, security_linkage, us_toughness, balance_weight and
# decision_noise are the posterior's point estimate (experiments/calibrate.py, fitted on the in-sample
# episodes: the particle nearest to history, ``point`` in sim/scenarios/posterior.json, rounded to 3 digits).
# The whole posterior is in that file; the back-test, the forecasts and the debrief's odds draw from it.
PARAMS: dict[str, Field] = {spec.name: spec if spec.group else replace(spec, group="behaviour") for spec in _SPECS}


def defaults() -> dict[str, Any]:
    return {name: spec.default for name, spec in PARAMS.items()}


def spec(name: str) -> Field:
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


def coerce(name: str, value: Any, where: str = "", from_text: bool = True, error=ParameterError) -> Any:
    """``value`` checked against parameter ``name`` (the one wording: ``parameter 'x' = 3 is out of range; ...``)."""
    subject = f"{where}: parameter '{name}'" if where else f"parameter '{name}'"
    return spec(name).coerce(value, subject, from_text=from_text, error=error)


def resolve(overrides: dict[str, Any], base: dict[str, Any] | None = None, where: str = "",
            from_text: bool = True, error=ParameterError) -> dict[str, Any]:
    """Validate ``overrides`` and merge them over ``base`` (default: the registry defaults).

    ``from_text=False`` for values from a file (typed by TOML); ``where`` prefixes messages.
    """
    merged = dict(defaults() if base is None else base)
    for name, value in overrides.items():
        if name not in PARAMS and where:
            raise unknown_key(where, name, PARAMS, error, what="parameter")
        merged[name] = coerce(name, value, where, from_text, error)
    return merged


def coerce_seed(rng: Any) -> Any:
    """Accept ints, numpy generators, None, and digit strings typed into a text box (checked by the SEED field)."""
    import numpy as np

    if rng is None or isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, str) and rng.strip() == "":
        return None
    return SEED.coerce(rng, "seed")
