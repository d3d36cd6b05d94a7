"""A small TOML writer for tests: any dict of TOML values, as text ``tomllib`` reads back the same.

Every table is written inline (``key = { ... }``) and every string as a basic string
with escapes, so generated keys and values (empty, with quotes, control characters,
``inf``/``nan``) round-trip exactly.
"""

from __future__ import annotations

import json
import math


def key(name: str) -> str:
    return name if name and name.replace("_", "").replace("-", "").isalnum() and name.isascii() else string(name)


def string(text: str) -> str:
    # JSON's string escapes are TOML's, except that TOML also forbids a raw DEL
    return json.dumps(text, ensure_ascii=True).replace("\x7f", "\\u007f")


def value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return string(v)
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"not a TOML value: {v!r}")


def dumps(doc: dict) -> str:
    """A TOML document: one ``key = value`` line per top-level key."""
    return "".join(f"{key(k)} = {value(v)}\n" for k, v in doc.items())
