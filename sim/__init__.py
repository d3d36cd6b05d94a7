"""tradesim: agent-based simulation of trade negotiations under U.S. tariff pressure."""

from sim.errors import ParameterError, ScenarioError, UserError
from sim.model import NegotiationModel
from sim.scenario import builtin_names, load_scenario

__all__ = ["NegotiationModel", "load_scenario", "builtin_names", "UserError", "ScenarioError", "ParameterError"]
__version__ = "0.1.0"
