"""The words the app shows: the stances in plain words, the About panel."""

from __future__ import annotations

# One line per stance, in plain words (U.S. scenarios and the classroom game).
STANCE_TITLES = {"wait": "Wait", "retaliate": "Retaliate", "wto": "WTO case", "hedge": "Hedge (China)"}

STANCE_HELP = {
    "wait": ("Absorb the tariff for now, accepting only the demands you tick. Accepted demands can win "
             "relief (an exemption or a quota); alignment against China may invite Chinese punishment."),
    "retaliate": ("Put counter-tariffs on U.S. goods (dollar for dollar, on politically sensitive products). "
                  "Popular at home, but your consumers pay, and the U.S. may escalate, or settle."),
    "wto": ("File a WTO case: a legal challenge that costs little and signals resolve, "
            "but is slow; the tariffs stay while it runs. Only worth something while you face tariffs."),
    "hedge": ("Lean toward China: China may reward you with trade concessions, "
              "while the U.S. sees no concession at all."),
}

# What the inspector's and the play panel's numbers mean, shown where they appear.
STAKE_HELP = ("$ a year: every option's value to the government, in dollars a year against free trade: its "
              "exporters' surplus and the political terms of its objective (docs/model.md). Higher is better.")
CLASSROOM_STAKE_HELP = "% of trade: every option's value in percent of the trade each country has with each partner."


def value_text(value: float, classroom: bool = False) -> str:
    """An option's value as people read it: ``+$12m``, ``-$1.3bn`` a year (classroom games: ``+0.12%`` of trade)."""
    from sim.world.units import money

    if classroom:
        return f"{value:+.2f}%"
    return ("+" if value >= 0 else "") + money(value)

CLASSROOM_TITLES = {"wait": "Stay open", "retaliate": "Retaliate"}

CLASSROOM_HELP = {
    "wait": "Keep your market open (cooperate). Best for everyone if the others stay open too.",
    "retaliate": ("Put a tariff on the others' goods (defect). It pays this round whatever they do, "
                  "but invites retaliation in the next ones."),
}

EXERCISE_SECTIONS_SHOWN = ("WHAT IS IT", "LEARNING GOALS", "HOW TO RUN", "THINGS TO NOTICE", "THINGS TO TRY",
                           "QUESTIONS")

# ---------------------------------------------------------------------------- about
ABOUT_HTML = """
<h3>WHAT IS IT</h3>
<p>tradesim is an agent-based model of trade negotiations under U.S. tariff pressure. The United
States puts tariffs on its partners and offers relief in exchange for concessions: capping exports,
lining up against China's trade practices, security cooperation, purchase pledges. Each partner
country is an agent that weighs those demands against its other options. Played over many rounds,
this becomes a repeated game, in which threats, patience and reputation matter.</p>

<h3>HOW A ROUND WORKS</h3>
<ol>
<li><b>The U.S. announces</b> its tariffs and its demand package for each partner.</li>
<li><b>China announces</b>: it will punish partners that align against it and court those that hedge.</li>
<li><b>Every country chooses at once</b> (none sees the others' moves): accept some demands and wait,
retaliate with counter-tariffs, file a WTO case, or hedge toward China. Agents compare the expected
value of each option, using their beliefs about how the U.S. will react, with some noise.</li>
<li><b>The U.S. resolves</b>: relief (an exemption or a quota) for those who gave enough,
escalation against retaliators, up to a ceiling.</li>
<li><b>Trade and welfare update</b>: tariffs cut exports (more with a higher import demand
elasticity); retaliation also costs the retaliator's consumers; China may punish or reward.</li>
<li><b>Beliefs update</b> from what the U.S. and China actually did.</li>
</ol>
<p>There is no payoff table: what an option is worth comes from trade flows (who loses sales when,
and who gains from the diversion), plus political terms built on facts about each country.</p>

<h3>HOW TO USE IT</h3>
<ul>
<li><b>Step</b>, <b>+10 rounds</b> and <b>Play/Pause</b> run the agents; <b>Reset</b> starts a new game
with the settings in the sidebar (scenario, seed, sliders, decision rules).</li>
<li><b>U.S. toughness</b> raises what the U.S. asks before granting relief; <b>Escalation step</b> is how
far it raises tariffs on retaliators; <b>Deadline round</b> sets a date after which relief ends;
<b>Import demand elasticity</b> sets how strongly trade reacts to tariffs; <b>Decision noise</b> makes
agents less predictable; <b>Patience</b> is how much countries value the future.</li>
<li><b>Play a country</b>: take one country's seat. Each round you see the demands, the tariffs,
China's stance and what each option is worth, then press <b>Play this round</b>. The debrief compares
your result with the agent's and with history.</li>
<li><b>Exercises</b>: load a ready-made classroom exercise with its questions.</li>
</ul>

<h3>THINGS TO NOTICE</h3>
<ul>
<li>In history, security-dependent allies (South Korea, Australia, Japan) settled or held back, while the EU,
Canada, Mexico and China retaliated. The model gets most of this, but not all: in it Canada usually takes a
quota, and Vietnam and Taiwan retaliate (see docs/validation.md). Who can afford to refuse, and what is the
model missing?</li>
<li>Retaliation is often met by escalation first and settlement later.</li>
<li>Accepting anti-China demands wins U.S. relief but may cost trade with China.</li>
<li>In the classroom game, cooperation survives only when countries are patient enough.</li>
</ul>

<h3>MORE</h3>
<p>The full description of the model (the ODD protocol, every formula with its source) is the file
<code>docs/model.md</code> of tradesim; the guide to this page is <code>docs/app.md</code>. Your teacher
has both with the copy of tradesim that serves this page; this page itself loads nothing from the network.</p>
"""
