"""What a sweep's results depend on, pinned by hashes in its manifest.

A sweep folder must hold results of one model only.  Its manifest records

* ``spec``: the sweep config's fingerprint (grid or sample, replications, seeds,
  rounds, metrics, fixed values; not the part size or the name);
* ``scenario``: the scenario as resolved (every value of the file, the parameter
  defaults it falls back on, the generated countries), whatever file it came from;
* ``code``: the source of the model (``sim``, ``agents``, the sweep's metrics, overrides,
  seeds and points) and the versions of the libraries that compute it (mesa, numpy).

``--resume`` compares them with the folder's (:func:`changed`) and refuses when any
differs, naming what changed: finishing would otherwise mix two models in one table.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import lru_cache
from pathlib import Path

# The modules of this package that decide which runs exist and what each computes.
SWEEP_MODULES = ("metrics.py", "overrides.py", "spec.py", "sweep.py")

WHAT = {
    "spec": "the sweep config (its grid or sample, replications, seeds, rounds, metrics or fixed values)",
    "scenario": "the scenario (a value in its file, or a parameter default it uses)",
    "code": "the model's code or the mesa/numpy versions",
}


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()[:16]


def scenario_hash(scenario: str) -> str:
    """Hash of the scenario as loaded (its path left out: a moved file is the same scenario)."""
    from sim.world.loader import load_scenario

    values = dataclasses.asdict(load_scenario(scenario))
    values.pop("path", None)
    return _digest(json.dumps(values, sort_keys=True, default=repr))


@lru_cache(maxsize=1)
def code_hash() -> str:
    """Hash of the model's source files and of the versions of mesa and numpy."""
    import mesa
    import numpy

    import agents
    import experiments
    import sim

    files: list[Path] = []
    for package in (sim, agents):
        root = Path(package.__file__).parent
        files += sorted(root.rglob("*.py"))
    here = Path(experiments.__file__).parent
    files += [here / name for name in SWEEP_MODULES]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(f"mesa {mesa.__version__} numpy {numpy.__version__}".encode())
    return digest.hexdigest()[:16]


def pinned_inputs(spec) -> dict[str, str]:
    """The hashes a sweep folder is pinned to: ``{"spec", "scenario", "code"}``."""
    return {"spec": spec.fingerprint(), "scenario": scenario_hash(spec.scenario), "code": code_hash()}


def combined(inputs: dict[str, str]) -> str:
    """One hash of all the inputs, for people comparing two folders."""
    return _digest(json.dumps(inputs, sort_keys=True))


def changed(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """What differs between two sets of pinned inputs, in words (empty: the same sweep)."""
    return [WHAT.get(key, key) for key in WHAT if old.get(key) != new.get(key)]
