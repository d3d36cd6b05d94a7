"""``tradesim params``: every parameter and country field, with its default and allowed range.

The list comes from the schema (:mod:`sim.world.params`, :mod:`sim.world.schema`), so it
says exactly what ``--set``, a scenario's ``[params]`` and a sweep's ``[fixed]``/``[grid]``
accept.
"""

from __future__ import annotations

import textwrap


def add_parser(sub) -> None:
    p = sub.add_parser("params", help="list the parameters and country fields, with defaults and ranges",
                       description="List what --set, a scenario's [params] and a sweep's [fixed]/[grid] accept.")
    p.add_argument("names", nargs="*", metavar="NAME", help="show only these parameters")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    from sim.world.params import PARAMS, spec
    from sim.world.schema import COUNTRY, COUNTRY_NUMBERS

    chosen = [spec(name) for name in args.names] if args.names else list(PARAMS.values())
    groups: dict[str, list] = {}
    for field in chosen:
        groups.setdefault(field.group, []).append(field)
    print("Parameters: --set NAME=VALUE, [params] in a scenario file, [fixed] or [grid] in a sweep.")
    for group, fields in groups.items():
        print(f"\n{group}")
        for field in fields:
            print(f"  {field.name} = {_default(field.default)}    {_range(field)}")
            for line in textwrap.wrap(field.help, 88):
                print(f"      {line}")
    if args.names:
        return 0
    print("\nCountry fields: --set COUNTRY.FIELD=VALUE (e.g. Canada.security_dependence=0.3),")
    print("all.FIELD=VALUE for every country, scale.FIELD=K to multiply each country's own value;")
    print("a sector's exports as COUNTRY.SECTOR=VALUE (e.g. Canada.steel=5).")
    for name in (*COUNTRY_NUMBERS, "strategy", "initial_treatment"):
        print(f"  {name}    {_range(COUNTRY[name])}")
    return 0


def _range(field) -> str:
    """'(a whole number from 0 to 1,000) [rounds]': the range, then the unit, as in every line of the list."""
    unit = f" [{field.unit}]" if field.unit else ""
    return f"({field.describe_range(count=False)}){unit}"


def _default(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
