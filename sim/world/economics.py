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


def residual_supply_elasticity(base_elasticity: ArrayLike, market_share: ArrayLike,
                               other_demand_elasticity: ArrayLike) -> np.ndarray:
    """Elasticity of the supply a buyer faces, given its share of the seller's sales.

    The seller's supply ``S(p)`` (elasticity ``eps``) minus the demand of its other
    markets ``D_o(p)`` (elasticity ``eta_o``) is what is left for this buyer, so with the
    buyer's share ``s = (S - D_o) / S``::

        eps_res = (eps + (1 - s) * eta_o) / s

    A buyer taking a small share of a seller's sales faces nearly perfectly elastic
    supply (Broda, Limao & Weinstein 2008; Feenstra 2016, ch. 6); a seller whose
    other markets absorb more when the price falls bears less of the tariff.
    ``market_share`` is a fraction 0..1, floored at 1e-6.
    """
    share = np.maximum(np.asarray(market_share, dtype=float), 1e-6)
    eps = np.asarray(base_elasticity, dtype=float)
    eta = np.asarray(other_demand_elasticity, dtype=float)
    return (eps + (1.0 - share) * eta) / share


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


def us_market(exports: np.ndarray, tariffs: np.ndarray, supply_elasticity: np.ndarray, *,
              sigma: np.ndarray, eta: np.ndarray, row_value: np.ndarray, row_tariff: np.ndarray,
              duty_free: np.ndarray | float = 0.0, cap: np.ndarray | None = None,
              exporter_rent: np.ndarray | float = 1.0, start: np.ndarray | None = None,
              iterations: int = 200) -> dict[str, np.ndarray]:
    """The U.S. import market of each sector, with suppliers that compete (nested CES).

    U.S. demand for a sector's imports is CES across source countries (elasticity of
    substitution ``sigma``) with aggregate elasticity ``eta`` (Armington 1969;
    Fajgelbaum, Goldberg, Kennedy & Khandelwal 2020).  With baseline flows ``x_is``
    (prices 1, free trade), wedge ``T = 1 + t`` and supply ``q = x p**e`` (``e`` the
    residual elasticity, :func:`residual_supply_elasticity`), the market clears at::

        q_is = x_is (T_is p_is)**-sigma * P_s**(sigma - eta)
        p_is = T_is**(-sigma/(e_is + sigma)) * P_s**((sigma - eta)/(e_is + sigma))
        P_s**(1 - sigma) = sum_i w_is (T_is p_is)**(1 - sigma) + w_row T_row**(1 - sigma)

    with ``w`` the baseline shares of U.S. imports (the rest of the world, value
    ``row_value``, is a price-taking fringe at tariff ``row_tariff``).  A higher tariff
    on one supplier raises the price index ``P`` and diverts U.S. demand to the
    others: bystanders gain (Fajgelbaum, Goldberg, Kennedy, Khandelwal & Taglioni 2024).

    ``duty_free`` [n, s]: the share of a flow that enters free whatever the rate (goods
    qualifying under USMCA).  ``cap`` [n, s] (share of baseline volume; ``inf`` or
    >= 1 = none) puts a supplier under a quota instead of the tariff; the scarcity rent
    goes to the exporter in proportion ``exporter_rent`` (1 for an exporter-administered
    VER, 0 for a quota the importer's customs fills first come, first served).  A
    quota that would not bind is free trade.

    Arrays: ``exports``, ``tariffs``, ``supply_elasticity`` [n, s]; ``sigma``, ``eta``,
    ``row_value``, ``row_tariff`` [s].  Returns [n, s] ``volume``,
    ``exporter_welfare`` ($bn/yr, producer surplus plus its quota rent), ``sales`` (the
    change in its export receipts) and ``revenue`` (U.S. tariff revenue and importers'
    quota rent), and [s]
    ``price_index``, ``consumer_surplus`` and ``importer_welfare`` (the U.S. side:
    consumers, revenue and rents, over all suppliers).  ``start`` [s]: a guess of the price
    index (the last round's) to start the fixed-point iteration from.
    """
    x = np.asarray(exports, dtype=float)
    log_wedge = np.log1p(np.maximum(np.asarray(tariffs, dtype=float), 0.0))
    e = np.asarray(supply_elasticity, dtype=float)
    free_share = np.broadcast_to(np.asarray(duty_free, dtype=float), x.shape)
    total = x.sum(axis=0) + row_value
    safe_total = np.where(total > 0, total, 1.0)
    weight, row_weight = x / safe_total, row_value / safe_total
    row_log_wedge = np.log1p(np.asarray(row_tariff, dtype=float))
    own = sigma / (e + sigma)  # the share of the wedge the supplier's price absorbs
    spill = (sigma - eta) / (e + sigma)  # how far its price follows the price index
    capped = np.zeros(x.shape, dtype=bool) if cap is None else np.isfinite(cap) & (cap < 1.0) & (x > 0)
    log_cap = np.zeros(x.shape) if cap is None else np.log(np.where(capped, cap, 1.0))
    safe_e = np.where(e > 0, e, 1.0)

    def prices(log_p_index):
        """Log supply and demand prices (dutiable part), the duty-free part's log price, binding quotas."""
        free = spill * log_p_index  # the price of what enters free (and of a quota that does not bind)
        supply = -own * log_wedge + free
        demand = supply + log_wedge
        binding = capped & (e * free > log_cap)  # without the cap it would sell more than the cap
        supply = np.where(binding, log_cap / safe_e, np.where(capped, free, supply))
        demand = np.where(binding, -log_cap / sigma + (sigma - eta) / sigma * log_p_index,
                          np.where(capped, free, demand))
        return supply, demand, free, binding

    log_p_index = np.zeros_like(total) if start is None else np.log(np.asarray(start, dtype=float))
    row_term = row_weight * np.exp((1.0 - sigma) * row_log_wedge)
    for _ in range(iterations):  # a contraction: P moves by less than (sigma - eta)/sigma of a step
        _, demand, free, _ = prices(log_p_index)
        terms = (1.0 - free_share) * np.exp((1.0 - sigma) * demand) + free_share * np.exp((1.0 - sigma) * free)
        new = np.log(np.maximum((weight * terms).sum(axis=0) + row_term, 1e-300)) / (1.0 - sigma)
        step = float(np.abs(new - log_p_index).max()) if new.size else 0.0
        log_p_index = new
        if step < 1e-13:
            break
    log_supply, log_demand, log_free, binding = prices(log_p_index)
    supply_price, free_price = np.exp(log_supply), np.exp(log_free)
    price_index = np.exp(log_p_index)
    dutiable = np.where(binding, x * np.exp(np.where(capped, log_cap, 0.0)), x * supply_price ** e)
    volume = (1.0 - free_share) * dutiable + free_share * x * free_price ** e
    rent = np.where(binding, (np.exp(log_demand) - supply_price) * dutiable, 0.0)
    rent_share = np.broadcast_to(np.asarray(exporter_rent, dtype=float), x.shape)
    kept_rent = (1.0 - free_share) * rent_share * rent
    exporter = x * ((1.0 - free_share) * _surplus_integral(supply_price, 1.0 + e)
                    + free_share * _surplus_integral(free_price, 1.0 + e)) + kept_rent
    sales = ((1.0 - free_share) * supply_price * dutiable + free_share * x * free_price ** (1.0 + e) - x) + kept_rent
    collected = np.where(capped, 0.0, np.expm1(log_wedge) * supply_price * dutiable)
    importer_side = (1.0 - free_share) * (collected + (1.0 - rent_share) * rent)
    row_volume = row_value * np.exp(-sigma * row_log_wedge) * price_index ** (sigma - eta)
    consumer = -total * _surplus_integral(price_index, 1.0 - eta)
    us_revenue = importer_side.sum(axis=0) + np.expm1(row_log_wedge) * row_volume
    return {
        "price_index": price_index,
        "volume": volume,
        "exporter_welfare": exporter,
        "sales": sales,
        "revenue": importer_side,
        "consumer_surplus": consumer,
        "importer_welfare": consumer + us_revenue,
    }


def supplier_outcome(exports: np.ndarray, tariffs: np.ndarray, supply_elasticity: np.ndarray,
                     price_index: np.ndarray, *, sigma: np.ndarray, eta: np.ndarray,
                     duty_free: np.ndarray | float = 0.0, cap: np.ndarray | None = None,
                     exporter_rent: np.ndarray | float = 1.0) -> dict[str, np.ndarray]:
    """One supplier's outcome at these tariffs (or this quota), the U.S. price index taken as given.

    What one exporter expects from a U.S. reply to its own move: the index ``P`` is set
    by all suppliers together (:func:`us_market`), so a supplier's alternatives are
    priced at the current ``P`` (monopolistic competition: each variety is small
    against the whole market).  Same prices, volumes and rents as :func:`us_market`.
    Returns [n, s] ``welfare`` (producer surplus and its quota rent, $bn/yr) and
    ``sales`` (the change in its export receipts against free trade, $bn/yr).
    """
    x = np.asarray(exports, dtype=float)
    e = np.asarray(supply_elasticity, dtype=float)
    log_p_index = np.log(price_index)
    log_wedge = np.log1p(np.maximum(np.asarray(tariffs, dtype=float), 0.0))
    free_share = np.asarray(duty_free, dtype=float)
    log_free = (sigma - eta) / (e + sigma) * log_p_index
    price, free_price = np.exp(-sigma / (e + sigma) * log_wedge + log_free), np.exp(log_free)
    dutiable = x * price ** e  # the volume of the part that pays the rate (or falls under the quota)
    kept_rent = 0.0
    if cap is not None:  # a quota covers the dutiable part; a cap that does not bind is free trade
        capped = np.isfinite(cap) & (cap < 1.0) & (x > 0)
        log_cap = np.log(np.where(capped, cap, 1.0))
        binding = capped & (e * log_free > log_cap)
        quota_price = np.exp(log_cap / np.where(e > 0, e, 1.0))
        demand_price = np.exp(-log_cap / sigma + (sigma - eta) / sigma * log_p_index)
        price = np.where(binding, quota_price, np.where(capped, free_price, price))
        dutiable = np.where(binding, x * np.exp(log_cap), x * price ** e)
        rent = np.where(binding, (demand_price - quota_price) * dutiable, 0.0)
        kept_rent = (1.0 - free_share) * np.asarray(exporter_rent) * rent
    welfare = x * ((1.0 - free_share) * _surplus_integral(price, 1.0 + e)
                   + free_share * _surplus_integral(free_price, 1.0 + e)) + kept_rent
    sales = (1.0 - free_share) * price * dutiable + free_share * x * free_price ** (1.0 + e) - x + kept_rent
    return {"welfare": welfare, "sales": sales}


def optimal_tariff(supply_elasticity: float) -> float:
    """Bickerdike-Johnson optimal tariff ``1/eps`` for constant elasticities."""
    return 1.0 / supply_elasticity
