"""The country inspector, the event log and the status line, as plain data."""

from __future__ import annotations

from typing import Any

from ui.series import RoundSeries

MAX_EVENTS = 60  # event lines shown


# ---------------------------------------------------------------------------- inspector / log
def inspect_country(model, name: str, top: int = 6) -> dict[str, Any]:
    """Everything the inspector shows for one country, as plain data."""
    i = model.world.names.index(name)
    agent = model.countries[i]
    world, state = model.world, model.state
    demands = []
    for j, demand in enumerate(model.scenario_data.demands):
        applies = bool(world.applicable[i, j]) if world.applicable.size else True
        demands.append({
            "id": demand.id, "label": demand.label, "kind": demand.kind, "applies": applies,
            "accepted": bool(state.accepted[i, j]) if model.round > 0 else False,
        })
    utilities = agent.option_utilities() if model.round > 0 else {}
    chosen = model.options.label(int(state.option[i]), world.demand_ids, world.applicable[i]) if model.round > 0 else None
    ranked = list(utilities.items())
    rank = next((k + 1 for k, (label, _) in enumerate(ranked) if label == chosen), None)
    if model.round == 0:
        why = "No decision yet: press Step to play the first round."
    elif agent.strategy not in ("expected_utility",):
        why = (f"{name} follows the rule '{agent.strategy.replace('_', ' ')}', which looks at what happened last round; "
               f"the utilities below are what the economics would say.")
    elif rank == 1:
        why = f"{name} chose the option with the highest expected utility."
    else:
        why = (f"{name} chose the option ranked {rank} of {len(ranked)}: decision noise "
               f"({model.params['decision_noise']:g}) makes choices random around the best one.")
    return {
        "name": name,
        "classroom": model.is_classroom,
        "strategy": agent.strategy,
        "treatment": agent.treatment,
        "tariff_pct": 100.0 * agent.tariff,
        "action": agent.action,
        "stance": agent.stance,
        "chosen": chosen,
        "why": why,
        "exports_to_us_bn": agent.exports_to_us_bn,
        "retaliation_bn": agent.retaliation_bn,
        "alignment": agent.alignment,
        "welfare_change_bn": agent.welfare_change_bn,
        "pressure": agent.pressure,
        "security_dependence": agent.security_dependence,
        "demands": demands,
        "utilities": ranked[:top],
        "n_options": len(ranked),
        "breakdown": _breakdown(agent.explain()),
        "beliefs": agent.beliefs(),
    }

def _breakdown(explanation: dict) -> dict | None:
    """The inspector's term-by-term table: terms that are zero for every option shown are left out."""
    if not explanation:
        return None
    terms = [(name, values) for name, values in explanation["terms"] if any(abs(v) >= 0.005 for v in values)]
    return {"options": explanation["options"], "terms": terms, "totals": explanation["totals"]}

def recent_events(model, limit: int = MAX_EVENTS) -> list[str]:
    """The latest event lines, newest first (only the tail is formatted: flat cost)."""
    tail = model.events[-limit:]
    return [f"Round {e['round']}: {e['text']}" for e in reversed(tail)]

def status_line(model, history: RoundSeries) -> str:
    label = model.scenario_data.round_label or "round"
    return (f"{model.scenario_data.title}, {label} {model.round}: {history.deals[-1]} deals, "
            f"{history.retaliators[-1]} retaliating, {history.waiters[-1]} waiting")
