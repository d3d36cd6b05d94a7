"""Readable money amounts for event lines and reports."""

from __future__ import annotations


def money(value_bn: float) -> str:
    """Format an amount given in $bn: ``$12.3bn``, ``$450m``, ``$3.3m`` (sign kept)."""
    sign = "-" if value_bn < 0 else ""
    x = abs(float(value_bn))
    if x >= 100:
        return f"{sign}${x:.0f}bn"
    if x >= 1:
        return f"{sign}${x:.1f}bn"
    millions = x * 1000
    if millions >= 10:
        return f"{sign}${millions:.0f}m"
    return f"{sign}${millions:.2g}m"
