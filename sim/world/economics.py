"""Partial-equilibrium trade economics, vectorised over countries and sectors.

Every payoff in tradesim comes from these functions; there is no payoff table.
Flows are annual values in $bn at baseline (free-trade) prices normalised to 1.

The market for a bilateral flow of baseline value ``x``:

* importer demand ``D(p) = x * p**(-eta)``  (constant import-demand elasticity eta)
* exporter supply ``S(p*) = x * (p*)**eps`` (constant export-supply elasticity eps)

An ad-valorem tariff ``t`` drives a wedge ``p = (1 + t) p*``.  Market clearing gives

* exporter price   ``p* = (1+t)**(-eta/(eta+eps))``
* importer price   ``p  = (1+t)**( eps/(eta+eps))``
* volume           ``q  = x * (1+t)**(-eta*eps/(eta+eps))``

Welfare changes relative to free trade (integrating under the curves):

* importer consumer surplus ``dCS = -x (p**(1-eta) - 1)/(1-eta)``  (``-x ln p`` at eta=1)
* importer tariff revenue   ``R = t p* q``
* exporter producer surplus ``dPS = x ((p*)**(1+eps) - 1)/(1+eps)``

The importer's net gain ``dCS + R`` is maximised at ``t = 1/eps`` (Bickerdike;
Johnson 1953-54): a buyer facing inelastic supply gains from a small tariff.  A
buyer that is small in the market faces a very elastic *residual* supply
(``eps / share``; Broda, Limao & Weinstein 2008) and gains nothing.

A quota (voluntary export restraint) caps the volume at ``cap * x``.  The
scarcity rent ``(p_d - p_s) q`` goes to the exporter in proportion
``rent_share`` (VERs hand the rent to the exporter; Feenstra 1984).

See docs/model.md for the derivations and sources.
"""

from __future__ import annotations

import numpy as np

ArrayLike = np.ndarray | float


def residual_supply_elasticity(base_elasticity: ArrayLike, market_share: ArrayLike) -> np.ndarray:
    """Elasticity of the supply a buyer faces, given its share of the seller's market.

    ``eps_res = eps / share``: a buyer taking a small share of a seller's sales
    faces nearly perfectly elastic supply (Broda, Limao & Weinstein 2008).
    ``market_share`` is a fraction 0..1; it is floored at 1e-6.
    """
    return np.asarray(base_elasticity, dtype=float) / np.maximum(np.asarray(market_share, dtype=float), 1e-6)


def _surplus_integral(price: np.ndarray, elasticity_plus_one: np.ndarray) -> np.ndarray:
    """``(price**k - 1)/k`` with its limit ``ln(price)`` at k = 0."""
    k = elasticity_plus_one
    safe_k = np.where(np.abs(k) < 1e-9, 1.0, k)
    general = (np.power(price, k) - 1.0) / safe_k
    return np.where(np.abs(k) < 1e-9, np.log(price), general)


def tariff_outcome(value_bn: ArrayLike, tariff: ArrayLike, demand_elasticity: ArrayLike,
                   supply_elasticity: ArrayLike) -> dict[str, np.ndarray]:
    """Outcome of an ad-valorem tariff on a flow of baseline value ``value_bn``.

    All arguments broadcast.  Returns arrays (in $bn per year) for:
    ``volume`` (at baseline prices), ``exporter_price``, ``importer_price``,
    ``consumer_surplus`` (importer, <= 0), ``revenue`` (importer, >= 0),
    ``importer_welfare`` (= consumer_surplus + revenue),
    ``exporter_welfare`` (producer surplus change, <= 0).
    """
    x = np.asarray(value_bn, dtype=float)
    t = np.maximum(np.asarray(tariff, dtype=float), 0.0)
    eta = np.asarray(demand_elasticity, dtype=float)
    eps = np.asarray(supply_elasticity, dtype=float)
    log_wedge = np.log1p(t)
    share_importer = eps / (eta + eps)
    p_star = np.exp(-log_wedge * eta / (eta + eps))
    p = np.exp(log_wedge * share_importer)
    volume = x * np.exp(-log_wedge * eta * eps / (eta + eps))
    consumer = -x * _surplus_integral(p, 1.0 - eta)
    revenue = t * p_star * volume
    exporter = x * _surplus_integral(p_star, 1.0 + eps)
    return {
        "volume": volume,
        "exporter_price": p_star,
        "importer_price": p,
        "consumer_surplus": consumer,
        "revenue": revenue,
        "importer_welfare": consumer + revenue,
        "exporter_welfare": exporter,
    }


def quota_outcome(value_bn: ArrayLike, cap_share: ArrayLike, demand_elasticity: ArrayLike,
                  supply_elasticity: ArrayLike, rent_share: ArrayLike = 1.0) -> dict[str, np.ndarray]:
    """Outcome of a quantitative export cap at ``cap_share`` x baseline volume.

    A cap at or above 1 does not bind (free trade).  The scarcity rent is split:
    ``rent_share`` to the exporter (1 for an exporter-administered VER), the rest
    to the importer.  Returns the same keys as :func:`tariff_outcome` plus ``rent``.
    """
    x = np.asarray(value_bn, dtype=float)
    cap = np.clip(np.asarray(cap_share, dtype=float), 1e-6, 1.0)
    eta = np.asarray(demand_elasticity, dtype=float)
    eps = np.asarray(supply_elasticity, dtype=float)
    share = np.asarray(rent_share, dtype=float)
    volume = x * cap
    p_demand = np.power(cap, -1.0 / eta)
    p_supply = np.power(cap, 1.0 / eps)
    rent = (p_demand - p_supply) * volume
    consumer = -x * _surplus_integral(p_demand, 1.0 - eta)
    exporter = x * _surplus_integral(p_supply, 1.0 + eps) + share * rent
    importer_rent = (1.0 - share) * rent
    return {
        "volume": volume,
        "exporter_price": p_supply,
        "importer_price": p_demand,
        "consumer_surplus": consumer,
        "revenue": importer_rent,
        "importer_welfare": consumer + importer_rent,
        "exporter_welfare": exporter,
        "rent": rent,
    }


def optimal_tariff(supply_elasticity: float) -> float:
    """Bickerdike-Johnson optimal tariff ``1/eps`` for constant elasticities."""
    return 1.0 / supply_elasticity
