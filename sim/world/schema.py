"""Every field of a scenario and every parameter, declared once, and the one validator.

A :class:`Field` says what a value may be (kind, range or choices), its unit and what
it means.  The same declaration checks a value wherever it comes from: a scenario
file, ``--set`` on the command line, a sweep spec or a box in the browser app.  So a
range is written once, and every mistake is worded the same way::

    <where> got 'high'; expected a number from 0 to 1
    <where> = 1.5 is out of range; expected a number from 0 to 1
    <where> is missing; expected a number > 0
    <where>: unknown field 'patiense'. Did you mean patience?

``<where>`` names the place: ``FILE: countries[Canada].security_dependence`` in a
file, ``parameter 'us_toughness'`` or ``Canada.security_dependence`` in an override.

The tables of a scenario file are declared at the bottom (:data:`SCENARIO_TABLES`);
the parameters are in :mod:`sim.world.params`.  Why not pydantic: its messages
would have to be rewritten into these one-liners anyway, its lax mode would accept
``"0.5"`` in a file, and its strict mode would refuse it on the command line; a
declaration and one ``coerce`` do both in about as many lines as the adapters would take.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, replace
from typing import Any

from sim.world.errors import ParameterError, UserError
from sim.world.vocabulary import (COUNTER_TARIFF_STATES, DEMAND_KINDS, DEMAND_MECHANISMS, INITIAL_TREATMENTS,
                                  QUOTA_ADMINISTRATION, ROLES, STRATEGY_NAMES)


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()  # a field without a default must be given

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Field:
    """One value: its kind, its range or choices, its default, its unit and meaning.

    ``kind`` is float, int, bool or str; list (of strings) and dict (a table whose
    values are checked by ``item``) describe structure.  ``low``/``high`` bound numbers
    (``strict_low``: the low end itself is excluded).  ``sourced``: a country figure
    that needs an entry in the country's ``sources`` table.
    """

    name: str
    kind: type = float
    default: Any = REQUIRED
    low: float | None = None
    high: float | None = None
    strict_low: bool = False
    choices: tuple[str, ...] | None = None
    unit: str = ""
    help: str = ""
    group: str = ""
    sourced: bool = False
    item: Field | None = None  # for kind=dict: the field each entry's value must satisfy
    pattern: Pattern | None = None  # for kind=str: what the text must look like

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def with_default(self, default: Any) -> Field:
        return replace(self, default=default)

    def describe_range(self, count: bool = True) -> str:
        """What the value may be, in words: "a number from 0 to 1", "one of grim, myopic", ...

        A whole number with a unit is a count, and ``count`` adds the bound in the user's
        words: "a whole number from 0 to 100,000 (at most 100,000 rounds)".
        """
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.kind is bool:
            return "true or false"
        if self.kind is str:
            return self.pattern.text if self.pattern else "a string"
        if self.kind is list:
            return "a list of strings"
        if self.kind is dict:
            return "a table" + (f" of name = {self.item.describe_range()}" if self.item else "")
        noun = "whole number" if self.kind is int else "number"
        if self.low is not None and self.high is not None and self.strict_low:
            text = f"a {noun} > {_num(self.low)} and <= {_num(self.high)}"
        elif self.low is not None and self.high is not None:
            text = f"a {noun} from {_num(self.low)} to {_num(self.high)}"
        elif self.low is not None:
            text = f"a {noun} {'>' if self.strict_low else '>='} {_num(self.low)}"
        elif self.high is not None:
            text = f"a {noun} <= {_num(self.high)}"
        else:
            text = f"a {noun}"
        if count and self.high is not None and self.kind is int and self.unit:
            text += f" (at most {_num(self.high)} {self.unit})"  # the bound in the user's words
        return text

    # ------------------------------------------------------------------ checking
    def wrong(self, value: Any, where: str, error: type[UserError] = ParameterError) -> UserError:
        return error(f"{where} got {value!r}; expected {self.describe_range()}")

    def out_of_range(self, value: Any, where: str, error: type[UserError] = ParameterError) -> UserError:
        return error(f"{where} = {value!r} is out of range; expected {self.describe_range()}")

    def missing(self, where: str, error: type[UserError] = ParameterError) -> UserError:
        return error(f"{where} is missing; expected {self.describe_range()}")

    def coerce(self, value: Any, where: str, from_text: bool = True,
               error: type[UserError] = ParameterError) -> Any:
        """The value converted to the field's kind, or ``error`` with the one wording.

        ``from_text``: the value may be text typed by a person (``--set``, a text box),
        so "0.5", "true" or "3" are read as numbers or booleans.  Values from a TOML
        file carry their type, and a quoted number there is a mistake.
        """
        if self.kind is bool:
            return self._boolean(value, where, from_text, error)
        if self.kind is str:
            return self._string(value, where, from_text, error)
        if self.kind is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self.wrong(value, where, error)
            return tuple(value)
        if self.kind is dict:
            if not isinstance(value, dict):
                raise self.wrong(value, where, error)
            if self.item is None:
                return {str(k): v for k, v in value.items()}
            return {str(k): self.item.coerce(v, f"{where}.{k}", from_text, error) for k, v in value.items()}
        return self._number(value, where, from_text, error)

    def _boolean(self, value, where, from_text, error):
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if from_text and isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
        raise self.wrong(value, where, error)

    def _string(self, value, where, from_text, error):
        if not isinstance(value, str):
            raise self.wrong(value, where, error)
        text = value.strip() if from_text else value
        if self.choices and text not in self.choices:
            raise self.wrong(value, where, error)
        if self.pattern and not self.pattern.matches(text):
            raise self.wrong(value, where, error)
        return text

    def _number(self, value, where, from_text, error):
        if isinstance(value, bool):
            raise self.wrong(value, where, error)
        if isinstance(value, str) and from_text:
            try:
                number = float(value.strip())
            except ValueError:
                raise self.wrong(value, where, error) from None
        elif isinstance(value, (int, float)) or _is_numpy_number(value):
            number = float(value)
        else:
            raise self.wrong(value, where, error)
        if not math.isfinite(number):
            raise self.out_of_range(value, where, error)
        if self.kind is int:
            if not number.is_integer():
                raise self.wrong(value, where, error)
            # an int is compared as an int: a float has no exact 2**63 - 1
            whole = int(value) if isinstance(value, int) or _is_numpy_number(value) else _exact_int(value, number)
            if self._outside(whole):
                raise self.out_of_range(value, where, error)
            if not _written_whole(value):  # 1e3, 2.0, 1_000: a count is written in digits, and stays an int
                raise error(f"{where} got {value!r}; expected {self.describe_range()}, in digits only: "
                            f"{whole}, not {value!r}")
            return whole
        if self._outside(number):
            raise self.out_of_range(value, where, error)
        return number

    def _outside(self, number: float | int) -> bool:
        if self.low is not None and (number <= self.low if self.strict_low else number < self.low):
            return True
        return self.high is not None and number > self.high


@dataclass(frozen=True)
class Pattern:
    """What a text must look like: a regular expression (matched whole) and its description in words."""

    regex: str
    text: str

    def matches(self, value: str) -> bool:
        return re.fullmatch(self.regex, value) is not None


def _num(x: float | int) -> str:
    """A bound for people: 100,000 rather than 100000 or 1e+05; 0.999 as is."""
    if isinstance(x, int) or (float(x).is_integer() and abs(x) < 1e16):
        return f"{int(x):,}"
    return f"{x:g}"


def _exact_int(value: Any, number: float) -> int:
    """A whole number typed as text ("9223372036854775807") without a float's rounding."""
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    return int(number)


WHOLE_TEXT = re.compile(r"\s*[+-]?[0-9]+\s*")


def _written_whole(value: Any) -> bool:
    """Whether a whole number was given as one: an int, or text of ASCII digits (not 1e3, 2.0 or 1_000)."""
    if isinstance(value, str):
        return WHOLE_TEXT.fullmatch(value) is not None
    return isinstance(value, int) or (_is_numpy_number(value) and value.dtype.kind in "iu")


def _is_numpy_number(value: Any) -> bool:
    module = type(value).__module__
    return module == "numpy" and hasattr(value, "dtype") and value.dtype.kind in "iuf"


def unknown_key(where: str, key: str, known, error: type[UserError] = ParameterError, what: str = "field") -> UserError:
    """An unknown key, with the closest known names as a suggestion."""
    close = difflib.get_close_matches(str(key), list(known), n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else f" Known: {', '.join(known)}."
    return error(f"{where}: unknown {what} '{key}'.{hint}")


def read_table(raw: Any, fields: dict[str, Field], where: str, error: type[UserError],
               from_text: bool = False, allow: tuple[str, ...] = ()) -> dict[str, Any]:
    """Check a table against its declared fields: unknown keys, missing ones, each value.

    Returns every declared field, coerced, with defaults filled in.  Keys in ``allow``
    are passed through unchecked (the caller checks them).
    """
    if not isinstance(raw, dict):
        raise error(f"{where}: expected a table, got {raw!r}")
    for key in raw:
        if key not in fields and key not in allow:
            raise unknown_key(where, key, fields, error)
    out: dict[str, Any] = {}
    for name, spec in fields.items():
        if name in raw:
            out[name] = spec.coerce(raw[name], f"{where}.{name}", from_text, error)
        elif spec.required:
            raise spec.missing(f"{where}.{name}", error)
        else:
            out[name] = spec.default
    for name in allow:
        if name in raw:
            out[name] = raw[name]
    return out


def _fields(*specs: Field) -> dict[str, Field]:
    return {spec.name: spec for spec in specs}


# ---------------------------------------------------------------------- bounds
# Every count a user gives is bounded, so that no input runs for ever or fills the memory;
# each bound is used by the Fields below and stated in the error ("at most 100,000 rounds").
MAX_ROUNDS = 100_000            # a run, a sweep's runs, a history's horizon
MAX_SEED = 2**63 - 1            # seeds a sweep derives are 63-bit; `run --seed` takes them back
MAX_BACKTEST_SEEDS = 10_000     # `backtest --seeds`
MAX_REPLICATIONS = 100_000      # a sweep's seeded runs per point
MAX_GRID_VALUES = 10_000        # values of one grid parameter (a list or a range)
MAX_SAMPLE_N = 100_000          # base sample size of a Latin hypercube, Sobol or Morris sample
MAX_SWEEP_RUNS = 1_000_000      # points x replications of one sweep
MAX_BN = 1_000_000.0            # any $bn figure: ten times world GDP
MAX_WORKERS = 1_024             # local worker processes
MAX_FILE_BYTES = 10_000_000     # a scenario, history or sweep file
MAX_NESTING = 100               # tables or arrays inside one another in such a file

TEXT = ""
NAME = Pattern(r"[^\s\x00-\x1f](?:[^\x00-\x1f]*[^\s\x00-\x1f])?",
               "a non-empty name without leading or trailing spaces")
# a sweep's name becomes a folder (sweeps/<name>): never a path
PLAIN_NAME = Pattern(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}",
                     "a plain name of at most 100 letters, digits, '_', '-' or '.' (not a path; "
                     "it names the folder sweeps/<name>)")
SEED = Field("seed", int, None, 0, MAX_SEED, help="random seed (the same seed gives the same run)")


# ---------------------------------------------------------------------- the scenario file

PATIENCE = Field("patience", float, 0.9, 0.0, 0.999, unit="discount factor per round",
                 help="discount factor: weight on the U.S. reply (next period) against the present")
STRATEGY = Field("strategy", str, "expected_utility", choices=STRATEGY_NAMES,
                 help="decision rule for every country without its own strategy")

SCENARIO_HEAD = _fields(
    Field("name", str, help="identifier of the scenario", pattern=NAME),
    Field("title", str, None, help="title shown to people (default: the name)"),
    Field("description", str, TEXT),
    Field("rounds", int, 24, 1, MAX_ROUNDS, unit="rounds", help="default length of a run"),
    Field("round_label", str, "round", help="what a round is: month, year, round"),
    Field("start", str, TEXT, help="calendar date of round 1"),
    Field("rounds_per_year", float, 12.0, 0.0, 366.0, strict_low=True, unit="rounds per year"),
)

IMPORT_VALUE = Field("imports_bn", float, REQUIRED, 0.0, MAX_BN, unit="$bn per year")

UNITED_STATES = _fields(
    Field("gdp_bn", float, REQUIRED, 0.0, MAX_BN, strict_low=True, unit="$bn", sourced=True),
    Field("pivotal_export_share", float, None, 0.0, 1.0, unit="share of U.S. exports",
          help="share of all U.S. exports from politically pivotal sectors (farm goods): the default for a country"),
    Field("total_exports_bn", float, REQUIRED, 0.0, MAX_BN, strict_low=True, unit="$bn per year", sourced=True),
    Field("imports_bn", dict, {}, unit="$bn per year, by sector", item=IMPORT_VALUE,
          help="U.S. imports of each sector from all sources (the rest of the world is what the countries do not cover)"),
    Field("sources", dict, {}, help="field = source, for every figure"),
)

TARIFF_RATE = Field("tariff", float, REQUIRED, 0.0, 10.0, unit="ad valorem rate (0.25 = 25%)")

SECTOR = _fields(
    Field("name", str, pattern=NAME),
    Field("label", str, None, help="shown to people (default: the name)"),
    TARIFF_RATE,
    Field("floor_rate", float, 0.0, 0.0, 10.0, unit="ad valorem rate",
          help="lowest rate (the baseline tariff) of the sector"),
    Field("source", str),
    Field("escalable", bool, None, help="whether escalation reaches the sector (default: if its announced rate is above "
                                        "the floor); at its floor it rises in steps of the partner's highest rate"),
    Field("negotiable", bool, True, help="deals can lower the sector's rate toward its floor (false: no country deals)"),
    Field("grace", bool, True, help="a temporary exemption or pause covers the sector (false: the 2025 pause left "
                                    "the Section 232 rates in force)"),
    Field("supply_elasticity", float, None, 0.0, 100.0, strict_low=True, help="the sector's export supply elasticity "
          "(default: the parameter supply_elasticity)"),
    Field("substitution_elasticity", float, None, 1.0, 50.0, strict_low=True, help="elasticity of substitution between "
          "suppliers of the sector (default: the parameter substitution_elasticity)"),
)

DEMAND = _fields(
    Field("id", str, pattern=NAME),
    Field("label", str, None, help="shown to people (default: the id)"),
    Field("kind", str, choices=DEMAND_KINDS),
    Field("weight", float, 1.0, 0.0, 100.0, strict_low=True, help="weight in the package the U.S. counts"),
    Field("source", str),
    Field("description", str, TEXT),
    Field("cap_share", float, 1.0, 0.0, 10.0, strict_low=True, unit="share of 2017 volume",
          help="export cap as a share of the baseline volume (export_cap demands)"),
    Field("sectors", list, (), help="sectors an export cap covers"),
    Field("china_exposure", float, 0.0, 0.0, 1.0, unit="share of trade with China",
          help="share of the trade with China at stake when the demand is accepted (alignment demands)"),
    Field("cost_share", float, 0.0, 0.0, 100.0, unit="share of the stake", help="direct cost of accepting"),
    Field("countries", list, (), help="put only to these partners (empty: to every partner)"),
    Field("administration", str, "exporter", choices=QUOTA_ADMINISTRATION,
          help="who fills an export cap: the exporter (a VER: it keeps the scarcity rent) or the importer's customs "
               "(an absolute quota, first come first served: U.S. importers get the rent)"),
    Field("required", bool, False, help="the U.S. grants relief only to partners that accept this demand"),
    Field("linked_to", str, TEXT, help="the other negotiation a linked demand ties the talks to"),
    Field("mechanism", str, TEXT, choices=DEMAND_MECHANISMS,
          help="what accepting costs, from the trade data: 'transshipment' (the Chinese value added in the "
               "partner's exports pays China's U.S. rate) or 'absorption' (the partner puts China's U.S. rate "
               "on its own imports from China)"),
)

THREAT = _fields(
    Field("round", int, REQUIRED, 1, MAX_ROUNDS, help="the round from which the threat is on record (1 = announced "
                                                      "at or before the start)"),
    Field("countries", list, (), help="partners it names (empty: every partner)"),
    Field("sectors", list, (), help="sectors an escalation would then reach besides the escalable ones"),
    Field("coverage", float, 1.0, 0.0, 1.0, strict_low=True, unit="share of the sector's exports",
          help="share of each named sector's exports the threatened duties would cover"),
    Field("source", str, help="the dated announcement (an order, a proclamation, a statement)"),
    Field("note", str, TEXT),
)

SCHEDULE = _fields(
    Field("round", int, REQUIRED, 1, MAX_ROUNDS, help="the round the change takes effect"),
    Field("sector", str),
    replace(TARIFF_RATE, name="rate"),
    Field("countries", list, ()),
    Field("exclude", list, ()),
    Field("note", str, TEXT),
)

EXPORT_VALUE = Field("exports_to_us_bn", float, REQUIRED, 0.0, MAX_BN, unit="$bn per year")

COUNTRY = _fields(
    Field("name", str, pattern=NAME),
    Field("role", str, "partner", choices=ROLES),
    Field("gdp_bn", float, REQUIRED, 0.0, MAX_BN, strict_low=True, unit="$bn", sourced=True),
    Field("total_exports_bn", float, REQUIRED, 0.0, MAX_BN, strict_low=True, unit="$bn per year", sourced=True),
    Field("exports_to_us_bn", dict, REQUIRED, unit="$bn per year, by sector", sourced=True, item=EXPORT_VALUE),
    Field("imports_from_us_bn", float, REQUIRED, 0.0, MAX_BN, unit="$bn per year", sourced=True,
          help="imports from the U.S.: the retaliation base"),
    Field("trade_with_china_bn", float, REQUIRED, 0.0, MAX_BN, unit="$bn per year", sourced=True),
    Field("security_dependence", float, None, 0.0, 1.0, unit="0..1 (rubric in docs/model.md)", sourced=True,
          help="dependence on the U.S. for security; given by security_ties where the scenario lists them"),
    Field("security_ties", list, (), help="the ties the security rubric scores (SECURITY_RUBRIC): one base "
                                          "(treaty_ally, designated_partner, no_alliance, rival) and any additions"),
    Field("pivotal_export_share", float, None, 0.0, 1.0, unit="share of U.S. exports to the country",
          help="share of U.S. exports to the country from politically pivotal sectors (farm goods): what its "
               "counter-tariffs can hit where it hurts the U.S. politically (default: the U.S. average)"),
    Field("counter_tariffs", str, "none", choices=COUNTER_TARIFF_STATES,
          help="its counter-tariffs on U.S. goods when the scenario starts: none, announced (a published list, "
               "dated before the start, that takes effect once it faces the tariffs) or in_force"),
    Field("counter_tariffs_bn", float, None, 0.0, MAX_BN, unit="$bn per year of U.S. goods",
          help="value of the U.S. goods on that list (default: the matching rule, retaliation_match x its exports hit, "
               "at most its imports from the U.S.)"),
    Field("sources", dict, {}, help="field = source, for every sourced figure"),
    STRATEGY.with_default(None),
    Field("initial_treatment", str, "tariffed", choices=INITIAL_TREATMENTS),
    Field("tariffs", dict, {}, unit="rate by sector", item=TARIFF_RATE,
          help="the country's own announced rates, where they differ from the sector's"),
    Field("retaliation_targets", list, (), help="U.S. goods its counter-tariffs hit, for the event log"),
    Field("notes", str, TEXT),
    Field("bloc", str, None, help="customs union or bloc it belongs to"),
    Field("duty_free_share", dict, {}, unit="share by sector", item=Field("duty_free_share", float, REQUIRED, 0.0, 1.0),
          sourced=False, help="share of the country's exports of a sector that enters free whatever the rate "
                              "(e.g. goods qualifying under USMCA)"),
    Field("china_value_added", float, 0.0, 0.0, 1.0, unit="share of gross exports",
          help="China's value added in the country's exports (OECD TiVA): what transshipment rules reach"),
    PATIENCE.with_default(None),
)

# The security rubric (docs/model.md; Long & Leeds 2006 on issue linkage with alliances): a country's
# dependence on the U.S. for its security is the score of its ties, one base and any additions.
SECURITY_BASE = {"treaty_ally": 0.5, "designated_partner": 0.3, "no_alliance": 0.1, "rival": 0.0}
SECURITY_ADDITIONS = {"us_troops_10k": 0.2, "acute_threat": 0.2, "intelligence": 0.1}


def security_score(ties) -> float:
    """The rubric's score of a list of ties; raises ValueError naming what is wrong."""
    bases = [t for t in ties if t in SECURITY_BASE]
    unknown = [t for t in ties if t not in SECURITY_BASE and t not in SECURITY_ADDITIONS]
    if unknown:
        raise ValueError(f"unknown tie(s) {', '.join(unknown)}; ties are {', '.join([*SECURITY_BASE, *SECURITY_ADDITIONS])}")
    if len(bases) != 1:
        raise ValueError(f"needs exactly one base tie ({', '.join(SECURITY_BASE)}), got {len(bases)}")
    if len(set(ties)) != len(ties):
        raise ValueError("lists a tie twice")
    return min(1.0, SECURITY_BASE[bases[0]] + sum(SECURITY_ADDITIONS[t] for t in ties if t in SECURITY_ADDITIONS))


# Country fields a person may change with COUNTRY.FIELD (and all./scale.): the numbers.
COUNTRY_NUMBERS = tuple(name for name, spec in COUNTRY.items() if spec.kind in (float, int))
SOURCED_COUNTRY_FIELDS = tuple(name for name, spec in COUNTRY.items() if spec.sourced)

GENERATE = _fields(
    Field("name_prefix", str, "Country", pattern=NAME),
    Field("gdp_bn", float, 1000.0, 0.0, MAX_BN, strict_low=True, unit="$bn"),
)

# The tables of a scenario file: [scenario], [united_states], [[sectors]], [[demands]],
# [[schedule]], [[countries]], [generate]; [params] is checked by sim.world.params.
SCENARIO_TABLES = {
    "scenario": SCENARIO_HEAD,
    "united_states": UNITED_STATES,
    "sectors": SECTOR,
    "demands": DEMAND,
    "schedule": SCHEDULE,
    "threats": THREAT,
    "countries": COUNTRY,
    "generate": GENERATE,
    "params": {},
}

# ---------------------------------------------------------------------- history tables
# NAME_history.toml beside a scenario (see sim.world.history): what each economy did.
HISTORY_HEAD = _fields(
    Field("scenario", str, TEXT, help="the scenario the table belongs to"),
    Field("horizon_rounds", int, REQUIRED, 1, MAX_ROUNDS, unit="rounds", help="the round the coding refers to"),
    Field("horizon", str, TEXT, help="the horizon as a date"),
    Field("source", str, TEXT),
    Field("description", str, TEXT),
)
HISTORY_ECONOMY = _fields(
    Field("name", str, pattern=NAME),
    Field("retaliated", bool, help="enacted counter-tariffs on U.S. goods by the horizon"),
    Field("settled", bool, help="held an exemption, a quota or a deal by the horizon"),
    Field("settlement", str, None, choices=("exemption", "quota", "rate_deal", "deal", "none"),
          help="the type of settlement at the horizon (must agree with settled)"),
    Field("tariff_end", dict, None, unit="ad valorem rate, by sector", item=Field("tariff_end", float, REQUIRED, 0.0, 10.0),
          help="the U.S. rates by sector at the horizon (the back-test's tariff-path target)"),
    Field("tariff_source", str, TEXT),
    Field("source", str),
    Field("note", str, TEXT),
    Field("description", str, TEXT),
)

# ---------------------------------------------------------------------- command-line options
# The counts and addresses the `tradesim` command takes, checked like everything else
# (`--rounds = 200000 is out of range; expected ... (at most 100,000 rounds)`).
ROUNDS_OPTION = Field("--rounds", int, None, 0, MAX_ROUNDS, unit="rounds", help="rounds to run")
EXPLAIN_ROUND = Field("--rounds", int, None, 1, MAX_ROUNDS, unit="rounds", help="the round to explain")
SEED_OPTION = replace(SEED, name="--seed", default=0)
BACKTEST_SEEDS = Field("--seeds", int, 30, 1, MAX_BACKTEST_SEEDS, unit="seeded runs",
                       help="seeded runs (seeds 0..K-1)")
WORKERS_OPTION = Field("--workers", int, None, 0, MAX_WORKERS, unit="worker processes",
                       help="local worker processes (0 = run in this process)")
NO_WORKERS_TIMEOUT = Field("--no-workers-timeout", float, 60.0, 0.0, 86_400.0, strict_low=True, unit="seconds",
                           help="give up when a Dask cluster has had no worker for this long")
PORT_OPTION = Field("--port", int, 8765, 1, 65_535, help="TCP port")
MAX_SESSIONS_OPTION = Field("--max-sessions", int, 40, 1, 10_000, unit="games",
                            help="games (browser tabs) the app holds at once")
ROWS_OPTION = Field("--rows", int, 40, 0, MAX_SWEEP_RUNS, help="points shown in the printed table")
