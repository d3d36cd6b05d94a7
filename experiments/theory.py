"""Theory checks built on the model's own economics (sim/world/economics.py).

* :func:`stage_game` - the symmetric 2x2 tariff game (open / retaliate) as
  nashpy bimatrix, from :func:`agents.classroom.classroom_payoffs`.
* :func:`asymmetric_stage_game` - the same game between a large and a small
  country (Johnson 1953-54): market shares set the residual supply elasticities
  ``eps / share`` each buyer faces, so the large country gains from a tariff war.
* :func:`numerical_optimal_tariff` - the importer's best unilateral tariff,
  maximising ``importer_welfare`` from :func:`sim.world.economics.tariff_outcome`.
* :func:`folk_theorem_sweep` / :func:`plot_folk_theorem` - a forward-looking
  expected-utility country against a grim-trigger partner in the classroom
  scenario, swept across ``patience``; cooperation breaks at ``(T-R)/(T-P)``.

Run ``uv run python -m experiments.theory`` to print the tables used in
docs/validation.md and to write docs/img/folk-theorem.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from agents.classroom import classroom_payoffs, folk_theorem_threshold
from sim.world import economics
from sim.world import params as param_registry

OPEN, RETALIATE = 0, 1


def classroom_params(**overrides: Any) -> dict:
    """Parameters of the classroom scenario (its [params] over the registry defaults)."""
    from sim.world.loader import load_scenario

    return dict(load_scenario("classroom", overrides).params)


def stage_game(params: dict | None = None):
    """nashpy game of the symmetric two-country tariff game; row/column 0 = open, 1 = retaliate."""
    import nashpy

    pay = classroom_payoffs(params or classroom_params())
    row = np.array([[pay["R"], pay["S"]], [pay["T"], pay["P"]]])
    return nashpy.Game(row, row.T), pay


def pure_equilibria(game) -> list[tuple[int, int]]:
    """Pure-strategy Nash equilibria (row action, column action) found by support enumeration."""
    out = []
    for sigma_r, sigma_c in game.support_enumeration():
        if np.isclose(sigma_r.max(), 1.0) and np.isclose(sigma_c.max(), 1.0):
            out.append((int(np.argmax(sigma_r)), int(np.argmax(sigma_c))))
    return out


def asymmetric_payoffs(large_share: float, trade_bn: float = 10.0, tariff: float | str = "optimal",
                       demand_elasticity: float = 2.5, supply_elasticity: float = 3.0) -> dict[str, np.ndarray]:
    """Payoff matrices (large = row, small = column) of the open/retaliate game between unequal countries.

    The two trade ``trade_bn`` each way.  The large country buys ``large_share`` of
    the small one's exports, the small country buys ``1 - large_share`` of the
    large one's exports; each therefore faces the residual supply elasticity
    ``(supply_elasticity + (1 - share) demand_elasticity) / share``
    (:func:`sim.world.economics.residual_supply_elasticity`).
    "Retaliate" sets ``tariff``: a number, or ``"optimal"`` for each country's
    unilateral optimum ``1/eps_res`` (then (retaliate, retaliate) is Johnson's
    Nash tariff war).  Payoff = own importer welfare (consumer surplus + revenue)
    + own exporters' surplus change under the partner's tariff, $bn per year.
    """
    shares = {"large": large_share, "small": 1.0 - large_share}
    eps = {k: float(economics.residual_supply_elasticity(supply_elasticity, v, demand_elasticity))
           for k, v in shares.items()}
    rate = {k: (1.0 / eps[k] if tariff == "optimal" else float(tariff)) for k in shares}
    mats = {"large": np.zeros((2, 2)), "small": np.zeros((2, 2))}
    for a_large in (OPEN, RETALIATE):
        for a_small in (OPEN, RETALIATE):
            t = {"large": rate["large"] * a_large, "small": rate["small"] * a_small}
            on_large_imports = economics.tariff_outcome(trade_bn, t["large"], demand_elasticity, eps["large"])
            on_small_imports = economics.tariff_outcome(trade_bn, t["small"], demand_elasticity, eps["small"])
            mats["large"][a_large, a_small] = float(on_large_imports["importer_welfare"] + on_small_imports["exporter_welfare"])
            mats["small"][a_large, a_small] = float(on_small_imports["importer_welfare"] + on_large_imports["exporter_welfare"])
    return {**mats, "tariff_large": rate["large"], "tariff_small": rate["small"],
            "eps_large": eps["large"], "eps_small": eps["small"]}


def asymmetric_stage_game(large_share: float, **kwargs):
    import nashpy

    pay = asymmetric_payoffs(large_share, **kwargs)
    return nashpy.Game(pay["large"], pay["small"]), pay


def numerical_optimal_tariff(supply_elasticity: float, market_share: float = 1.0,
                             demand_elasticity: float = 2.5, upper: float = 5.0) -> float:
    """argmax over t in [0, upper] of the importer's net welfare (consumer surplus + revenue).

    The residual elasticity is ``(supply_elasticity + (1 - market_share) demand_elasticity) / market_share``.
    Bounded Brent search (scipy) with ``xatol = 1e-7``.
    """
    from scipy.optimize import minimize_scalar

    eps = float(economics.residual_supply_elasticity(supply_elasticity, market_share, demand_elasticity))

    def loss(t):
        return -float(economics.tariff_outcome(1.0, t, demand_elasticity, eps)["importer_welfare"])

    result = minimize_scalar(loss, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-7})
    return float(result.x)


def optimal_tariff_table(elasticities=(1.0, 2.0, 3.0, 5.0, 10.0, 20.0), market_share: float = 1.0,
                         demand_elasticity: float = 2.5) -> list[dict]:
    rows = []
    for e in elasticities:
        eps = float(economics.residual_supply_elasticity(e, market_share, demand_elasticity))
        rows.append({"supply_elasticity": e, "market_share": market_share, "residual_elasticity": eps,
                     "numerical": numerical_optimal_tariff(e, market_share, demand_elasticity),
                     "johnson": economics.optimal_tariff(eps)})
    return rows


# --------------------------------------------------------------------------- folk theorem


def cooperation_against_grim(patience: float, rounds: int = 50, noise: float = 0.0, seed: int = 0,
                             **params: Any) -> float:
    """Share of rounds in which a forward-looking country (expected utility,
    ``partner_model = "grim"``) stays open against a grim-trigger partner in the
    two-country classroom game.
    """
    from sim import NegotiationModel

    model = NegotiationModel(
        scenario_name="classroom", rng=seed,
        overrides={"Country 1.strategy": "expected_utility", "Country 2.strategy": "grim",
                   "Country 1.patience": patience},
        decision_noise=noise, partner_model="grim", n_countries=2, **params,
    )
    opened = 0
    for _ in range(rounds):
        model.step()
        opened += int(model.state.stance[0] != RETALIATE)
    return opened / rounds


def folk_theorem_sweep(patience_grid=None, noises=(0.0, 0.5), seeds: int = 20, rounds: int = 50) -> dict:
    """Cooperation rate of the forward-looking country across patience values, per noise level."""
    pay = classroom_payoffs(classroom_params())
    if patience_grid is None:  # both sides of the threshold, whatever the payoffs make it
        delta_star = folk_theorem_threshold(pay)
        patience_grid = np.linspace(max(0.02, delta_star - 0.4), min(0.98, delta_star + 0.4), 30)
    grid = np.round(np.asarray(patience_grid, dtype=float), 4)
    curves = {}
    for noise in noises:
        n_seeds = 1 if noise == 0 else seeds
        curves[noise] = [float(np.mean([cooperation_against_grim(d, rounds, noise, s) for s in range(n_seeds)]))
                         for d in grid]
    return {"patience": grid.tolist(), "curves": curves, "delta_star": folk_theorem_threshold(pay), "payoffs": pay}


def plot_folk_theorem(sweep: dict, path: str | Path = "docs/img/folk-theorem.png") -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for noise, curve in sweep["curves"].items():
        label = "no decision noise" if noise == 0 else f"logit noise {noise:g} (mean of seeds)"
        ax.plot(sweep["patience"], curve, marker="o" if noise == 0 else None, ms=3, label=label,
                drawstyle="steps-mid" if noise == 0 else "default")
    ax.axvline(sweep["delta_star"], color="grey", ls="--",
               label=f"delta* = (T-R)/(T-P) = {sweep['delta_star']:.3f}")
    ax.set_xlabel("patience (discount factor) of the forward-looking country")
    ax.set_ylabel("share of rounds it stays open")
    ax.set_title("Folk theorem in the classroom game: expected utility vs grim trigger")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(loc="center right", fontsize=8)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main() -> None:
    game, pay = stage_game()
    print("Symmetric stage game (classroom defaults), $bn per partner per year:")
    print({k: round(v, 4) for k, v in pay.items()})
    print("pure Nash equilibria (0=open, 1=retaliate):", pure_equilibria(game))
    print("delta* =", round(folk_theorem_threshold(pay), 4))
    for share in (0.5, 0.7, 0.9):
        g, p = asymmetric_stage_game(share)
        print(f"large share {share}: NE {pure_equilibria(g)}; tariffs {p['tariff_large']:.3f}/{p['tariff_small']:.3f};"
              f" war payoffs large {p['large'][1, 1]:+.4f} small {p['small'][1, 1]:+.4f}")
    print("Optimal tariff, large buyer (share 1):")
    for row in optimal_tariff_table():
        print(f"  e*={row['supply_elasticity']:>5}: numerical {row['numerical']:.5f}  1/e* {row['johnson']:.5f}")
    for row in optimal_tariff_table(market_share=0.001):
        print(f"  small (share 0.001) e={row['supply_elasticity']}: {row['numerical']:.6f}")
    sweep = folk_theorem_sweep()
    print(plot_folk_theorem(sweep))


if __name__ == "__main__":
    _ = param_registry  # the registry documents every parameter used above
    main()
