"""The ground floor: scenario data and the world's arrays, below the agents and the model.

* :mod:`sim.world.schema`: every scenario field and parameter, declared once (range,
  unit, meaning), with the one validator all inputs pass through;
* :mod:`sim.world.scenario`: the scenario files (TOML) and the built-ins;
* :mod:`sim.world.overrides`: ``--set`` style overrides (``PARAM``, ``COUNTRY.FIELD``,
  ``all.FIELD``, ``scale.FIELD``);
* :mod:`sim.world.params`: the parameter registry;
* :mod:`sim.world.vocabulary`: stances, treatments, actions, strategy names;
* :mod:`sim.world.arrays`: the scenario as numpy arrays, one row per country;
* :mod:`sim.world.state`: the negotiation's dynamic state, the same rows;
* :mod:`sim.world.economics`: partial-equilibrium trade economics;
* :mod:`sim.world.history`: history tables (what each economy actually did);
* :mod:`sim.world.errors`, :mod:`sim.world.units`: user errors, money formatting.

Nothing here imports the agents, the model or anything above them.
"""
