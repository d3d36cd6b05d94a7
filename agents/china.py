"""China: punishes partners that align against it and courts those that hedge.

China is also a country in the U.S. scenarios (it faces U.S. tariffs and decides
how to respond like any other); this agent is its second hat, towards third
countries.  Grounded in China's 2017 measures against South Korea over THAAD
and its 2020 measures against Australia (see docs/model.md).

Each round, if ``china_active``:

* a partner that committed to an alignment demand in a deal is punished with probability
  ``china_punish_probability``: it loses ``china_punishment`` x (the alignment
  demands' ``china_exposure``) of its trade with China, as surplus;
* a partner that hedges is courted: it gains ``china_inducement`` of its trade
  with China.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.world.units import money
from sim.world.vocabulary import Stance


class ChinaAgent(mesa.Agent):
    """China's second hat: toward third countries (as a country facing U.S. tariffs it is a CountryAgent)."""

    name = "China"

    def __init__(self, model: mesa.Model):  # the NegotiationModel
        super().__init__(model)

    @property
    def active(self) -> bool:
        return bool(self.model.params["china_active"])

    def announce(self) -> None:
        if self.active and self.model.round == 1 and self.model.world.demand_kind.count("alignment"):
            self.model.log(None, "china", "China warns it will punish partners that align against it, and courts those that hedge")

    def act(self) -> np.ndarray:
        """Punish aligners and court hedgers; returns the welfare effect per country ($bn/yr)."""
        model = self.model
        state, world, params = model.state, model.world, model.params
        n = world.n
        effect = np.zeros(n)
        state.china_punished = np.zeros(n, dtype=bool)
        state.china_courted = np.zeros(n, dtype=bool)
        if not self.active:
            return effect
        exposure = (state.deal_accepted * world.china_exposure[None, :]).sum(axis=1)  # alignment it committed to
        aligned = (exposure > 0) & ~world.is_china
        draws = model.rng.random(n)
        punished = aligned & (draws < params["china_punish_probability"])
        courted = (state.stance == Stance.HEDGE) & ~world.is_china
        effect -= punished * params["china_punishment"] * exposure * world.china_trade
        effect += courted * params["china_inducement"] * world.china_trade
        state.china_punished = punished
        state.china_courted = courted
        for i in np.flatnonzero(punished):
            model.log(i, "china", f"China punishes {world.names[i]} for aligning with the U.S. ({money(-effect[i])})")
        for i in np.flatnonzero(courted):
            model.log(i, "china", f"China courts {world.names[i]} with trade concessions ({money(effect[i])})")
        return effect
