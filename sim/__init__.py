"""tradesim: agent-based simulation of trade negotiations under U.S. tariff pressure.

``from sim import NegotiationModel, load_scenario``.  The model (and Mesa, pandas
and scipy with it) is imported on first use, so that light users of this package
(the command line's argument parsing, the scenario loader) start fast.
"""

from sim.world.errors import ParameterError, ScenarioError, UserError

__all__ = ["NegotiationModel", "load_scenario", "builtin_names", "UserError", "ScenarioError", "ParameterError"]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name == "NegotiationModel":
        from sim.model import NegotiationModel

        return NegotiationModel
    if name in ("load_scenario", "builtin_names"):
        from sim.world import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
