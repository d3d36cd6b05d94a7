"""A Mesa DataCollector whose per-country records come from the model's arrays.

Mesa's own agent reporters call a function per agent per round; with a thousand
countries that is most of the run time.  Here the model reporters work as in
Mesa, and the per-country columns are copied from the state arrays in one go per
round (a few microseconds each).  The frames come out as Mesa's do:
``get_agenttype_vars_dataframe(CountryAgent)`` (and ``get_agent_vars_dataframe()``)
give one row per (Step, AgentID) with one column per reporter.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from copy import deepcopy
from functools import partial

import mesa
import numpy as np
import pandas as pd


_PLAIN = (int, float, bool, str, type(None))  # immutable: stored without a copy


class CountryDataCollector(mesa.DataCollector):
    """Model reporters as in Mesa; country reporters as vectorised column functions.

    Args:
        model_reporters: name -> function(model), as in :class:`mesa.DataCollector`.
        country_columns: name -> function(model) returning one value per country
            (a numpy array or list in country order).
        labels: name -> tuple of strings, for columns stored as integer codes.
    """

    def __init__(self, model_reporters: dict, country_columns: dict[str, Callable],
                 labels: dict[str, tuple[str, ...]] | None = None):
        super().__init__(model_reporters=model_reporters)
        self.country_columns = dict(country_columns)
        self.labels = dict(labels or {})
        self._country_blocks: list[tuple[float, dict[str, np.ndarray]]] = []
        self._agent_ids: np.ndarray | None = None
        self._country_type = None

    def collect(self, model) -> None:
        if self._validated and not self.agent_reporters and not self.agenttype_reporters:
            self._collect_model_vars(model)
        else:
            super().collect(model)  # the first time: Mesa validates the reporters
        if self._agent_ids is None:
            self._agent_ids = np.array([agent.unique_id for agent in model.countries])
            self._country_type = type(model.countries[0]) if model.countries else None
        block = {name: np.array(func(model), copy=True) for name, func in self.country_columns.items()}
        self._country_blocks.append((model.time, block))

    def _collect_model_vars(self, model) -> None:
        """Mesa's model-reporter loop, without deep-copying plain numbers (most of its cost)."""
        self._collection_steps.append(model.time)
        for name, reporter in self.model_reporters.items():
            if isinstance(reporter, types.LambdaType | partial):
                value = reporter(model)
            elif isinstance(reporter, str):
                value = getattr(model, reporter, None)
            elif isinstance(reporter, list):
                value = reporter[0](*reporter[1])
            else:
                value = reporter()  # a bound method
            self.model_vars[name].append(value if type(value) in _PLAIN else deepcopy(value))

    def get_country_dataframe(self) -> pd.DataFrame:
        """All country records: one row per (Step, AgentID)."""
        columns = list(self.country_columns)
        if not self._country_blocks:
            return pd.DataFrame(columns=["Step", "AgentID", *columns]).set_index(["Step", "AgentID"])
        n = len(self._agent_ids)
        steps = np.repeat([time for time, _ in self._country_blocks], n)
        data = {"Step": steps, "AgentID": np.tile(self._agent_ids, len(self._country_blocks))}
        for name in columns:
            values = np.concatenate([block[name] for _, block in self._country_blocks])
            if name in self.labels:
                values = np.asarray(self.labels[name], dtype=object)[values]
            data[name] = values
        return pd.DataFrame(data).set_index(["Step", "AgentID"])

    def get_agenttype_vars_dataframe(self, agent_type):
        if self._country_type is not None and issubclass(agent_type, self._country_type):
            return self.get_country_dataframe()
        return super().get_agenttype_vars_dataframe(agent_type)

    def get_agent_vars_dataframe(self):
        return self.get_country_dataframe()
