"""The country inspector, the event log and the status line, as plain data."""

from __future__ import annotations

from typing import Any

from agents.strategies import STRATEGIES
from sim.world.vocabulary import Stance
from ui.series import CATEGORIES, CLASSROOM_CATEGORIES, RoundSeries

MAX_EVENTS = 60  # event lines shown

STATUS_WORDS = {"relief": "with relief or a deal", "waiting": "waiting", "wto": "at the WTO", "hedging": "hedging",
                "retaliating": "retaliating", "open": "open"}

# Words of the event log that read wrongly in the app, rewritten for display only (the model's
# records and `tradesim run` keep the model's own words).
EVENT_REWORDING = {"China hedges toward China": "China keeps its distance from the U.S. (no concession, no counter-tariffs)"}


# ---------------------------------------------------------------------------- inspector / log
def demand_status(applies: bool, accepted: bool, decided: bool) -> str:
    """How a demand stands for a country: accepted, refused, not decided yet, or n/a."""
    if not applies:
        return "n/a"
    if not decided:
        return "not decided yet"
    return "accepted" if accepted else "refused"


def rule_explanation(name: str, strategy: str) -> str | None:
    """Why a country moved as it did when its rule is not the expected-utility choice (else None)."""
    rule = STRATEGIES[strategy]
    if rule.played_by_person:
        return f"{name} is played by a person: its move is the one chosen in 'Play a country'."
    if not rule.follows_utilities:
        return (f"{name} follows the rule '{rule.label}': it {rule.how}. The utilities below are what the "
                "economics would say.")
    return None


def inspect_country(model, name: str, top: int = 6) -> dict[str, Any]:
    """Everything the inspector shows for one country, as plain data."""
    i = model.world.names.index(name)
    agent = model.countries[i]
    world, state = model.world, model.state
    decided = model.round > 0
    demands = []
    for j, demand in enumerate(model.scenario_data.demands):
        applies = bool(world.applicable[i, j]) if world.applicable.size else True
        accepted = bool(state.accepted[i, j]) if decided else False
        demands.append({
            "id": demand.id, "label": demand.label, "kind": demand.kind, "applies": applies,
            "accepted": accepted, "status": demand_status(applies, accepted, decided),
        })
    utilities = agent.option_utilities() if decided else {}
    chosen = model.options.label(int(state.option[i]), world.demand_ids, world.applicable[i]) if decided else None
    ranked = list(utilities.items())
    rank = next((k + 1 for k, (label, _) in enumerate(ranked) if label == chosen), None)
    if not decided:
        why = "No decision yet: press Step to play the first round."
    elif (rule := rule_explanation(name, agent.strategy)) is not None:
        why = rule
    elif rank == 1:
        why = f"{name} chose the option worth most to its government."
    elif model.is_classroom:
        why = (f"{name} chose the option ranked {rank} of {len(ranked)}: decision noise "
               f"({model.params['decision_noise']:g}) makes choices random around the best one.")
    else:
        why = (f"{name} chose the option ranked {rank} of {len(ranked)}: its government's own preference for that "
               f"stance (decision noise {model.params['decision_noise']:g} basis points of its GDP, drawn once per run) "
               "outweighs the difference.")
    return {
        "name": name,
        "classroom": model.is_classroom,
        "strategy": agent.strategy,
        "strategy_label": STRATEGIES[agent.strategy].label,
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
    terms = [(name, values) for name, values in explanation["terms"] if any(abs(v) >= 5e-5 for v in values)]
    return {"options": explanation["options"], "terms": terms, "totals": explanation["totals"]}


def classroom_round_line(names: list[str], stances) -> str:
    """One line per classroom round (the model logs only changes, so a steady game would show none)."""
    retaliating = [name for name, s in zip(names, stances) if s == Stance.RETALIATE]
    if not retaliating:
        return f"all {len(names)} countries stay open" if len(names) > 2 else "both countries stay open"
    if len(retaliating) == len(names):
        return f"all {len(names)} countries retaliate" if len(names) > 2 else "both countries retaliate"
    shown = ", ".join(retaliating[:5]) + (f" and {len(retaliating) - 5} more" if len(retaliating) > 5 else "")
    return f"{shown} retaliate{'s' if len(retaliating) == 1 else ''}; the others stay open"


def event_words(event: dict[str, Any], words: dict[str, str]) -> str:
    """An event line with the demands in words (the model's line names their ids)."""
    if "bought_with" in event:  # a deal, and the concessions that bought it
        return event["deal"] + (" for: " + "; ".join(words.get(d, d) for d in event["bought_with"])
                                if event["bought_with"] else "")
    if "accepted" not in event or not event.get("country"):
        return event["text"]
    text = f"{event['country']} {'now ' if 'before' in event else ''}offers: " + "; ".join(
        words.get(d, d) for d in event["accepted"])
    if "before" in event:
        text += " (before: " + "; ".join(words.get(d, d) for d in event["before"]) + ")"
    return text


def recent_events(model, limit: int = MAX_EVENTS, series: RoundSeries | None = None,
                  word: str = "Round", words: dict[str, str] | None = None) -> list[str]:
    """The latest event lines, newest first (only the tail is formatted: flat cost), each after
    ``word`` and its round ("Round 3: ..."; a class game says "Month 3: ..." in a monthly scenario).

    In a classroom game (no U.S.), each round gets a line saying who retaliates, from ``series``.
    ``words``: the demands' wording by id, for lines that name accepted demands (else their ids).
    """
    if model.is_classroom and series is not None:
        rows = range(len(series.rounds) - 1, max(0, len(series.rounds) - 1 - limit), -1)
        return [f"{word} {series.rounds[r]}: {classroom_round_line(series.names, series.stances[r])}"
                for r in rows if series.rounds[r] > 0]
    tail = model.events[-limit:]
    return [f"{word} {e['round']}: {EVENT_REWORDING.get(e['text'], event_words(e, words or {}) if words else e['text'])}"
            for e in reversed(tail)]


def status_line(model, history: RoundSeries, after: bool = False) -> str:
    """The round and what every country does in it (the counts add up to all countries).

    ``after``: say "after month 1" (or "before month 1"), for a page where the next round is already
    open (a class game), so that the line is not read as the open round's.
    """
    label = model.scenario_data.round_label or "round"
    categories = CLASSROOM_CATEGORIES if model.is_classroom else CATEGORIES
    parts = [f"{history.categories[key][-1]} {STATUS_WORDS[key]}" for key in categories]
    when = f"{label} {model.round}"
    if after:
        when = f"after {when}" if model.round else f"before {label} 1"
    return f"{model.scenario_data.title}, {when}: {', '.join(parts)} (of {model.world.n})"
