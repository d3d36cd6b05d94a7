"""Sweep specifications: a TOML file (or dict) -> a validated :class:`SweepSpec`.

A spec names a scenario, fixed overrides, the parameters to vary (a grid, or a
Latin hypercube / Sobol / Morris sample over ranges), replications, the base
seed, rounds, metrics and how often to record.  See docs/sweeps.md::

    [sweep]
    name = "deterrence"
    scenario = "section232_2018"
    rounds = 24
    replications = 10
    base_seed = 20180308
    record = "final"            # or "every_round"
    metrics = ["share_retaliating", "share_settled"]
    part_size = 200             # runs per Parquet part file

    [fixed]
    decision_noise = 1.0

    [grid]
    us_toughness = { start = 0.0, stop = 1.0, num = 11 }
    "all.security_dependence" = [0.0, 0.5, 1.0]

    # or, instead of [grid]:
    [sample]
    method = "sobol"            # lhs | sobol | morris
    n = 128
    [sample.ranges]
    us_toughness = [0.0, 1.0]

Every parameter name and value is validated up front, through
:mod:`sim.world.params` and :func:`sim.world.overrides.apply_overrides`, before any
worker starts; the ``[sweep]`` and ``[sample]`` keys and grid ranges are declared as
:class:`sim.world.schema.Field` and checked by the same validator as scenario files.
A value's type is the TOML's (``"0.2"`` is text, not a number), so every column of the
results has one type.  Sizes are bounded before anything is allocated: values per grid
parameter, sample size and the sweep's total runs (the maxima are in the schema).
Errors raise :class:`SpecError` naming the file, the key and the problem.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from experiments.metrics import METRICS, DEFAULT_METRICS, metric_names_text
from experiments.overrides import expand_overrides, param_kind
from sim.world.errors import UserError
from sim.world.loader import read_toml
from sim.world.paths import check_name
from sim.world.schema import (
    MAX_GRID_VALUES,
    MAX_REPLICATIONS,
    MAX_ROUNDS,
    MAX_SAMPLE_N,
    MAX_SEED,
    MAX_SWEEP_RUNS,
    PLAIN_NAME,
    REQUIRED,
    Field,
    read_table,
    unknown_key,
)

RECORD_MODES = ("final", "every_round")
SAMPLE_METHODS = ("lhs", "sobol", "morris")
SEED_MODES = ("per_point", "common")
TOP_KEYS = ("sweep", "fixed", "grid", "sample")


class SpecError(UserError):
    """A sweep config is invalid."""


SWEEP_FIELDS = {spec.name: spec for spec in (
    Field("name", str, None, pattern=PLAIN_NAME, help="name of the sweep (default: the file name)"),
    Field("description", str, ""),
    Field("scenario", str, REQUIRED, help="a built-in scenario name or a scenario file path"),
    Field("rounds", int, None, 0, MAX_ROUNDS, help="rounds per run (default: the scenario's)"),
    Field("replications", int, 1, 1, MAX_REPLICATIONS, unit="replications", help="seeded runs per point"),
    Field("base_seed", int, REQUIRED, 0, MAX_SEED, help="seed every run's seed is derived from"),
    Field("record", str, "final", choices=RECORD_MODES, help="a row per run, or per run and round"),
    Field("metrics", list, DEFAULT_METRICS, help="metric names: " + metric_names_text()),
    Field("part_size", int, 200, 1, MAX_SWEEP_RUNS, unit="runs", help="runs per Parquet part file"),
    Field("seeds", str, "per_point", choices=SEED_MODES, help="fresh seeds per point, or common random numbers"),
    Field("chunk_size", int, 0, 0, MAX_SWEEP_RUNS, unit="runs", help="runs per task sent to a worker (0 = automatic)"),
)}
SAMPLE_FIELDS = {spec.name: spec for spec in (
    Field("method", str, REQUIRED, choices=SAMPLE_METHODS),
    Field("n", int, REQUIRED, 1, MAX_SAMPLE_N, unit="samples", help="base sample size (a power of 2 for Sobol)"),
    Field("ranges", dict, REQUIRED, help="parameter = [low, high]"),
    Field("calc_second_order", bool, None),
    Field("scramble", bool, None),
    Field("num_levels", int, None, 2, 1000, help="levels of the Morris grid"),
    Field("seed", int, None, 0, 2**32 - 1, help="seed of the sample (default: the base seed)"),
)}
# a grid range: { start = 0.0, stop = 1.0, num = 11 } or { start = 0.0, stop = 1.0, step = 0.1 }
GRID_RANGE = {spec.name: spec for spec in (
    Field("start", float, REQUIRED),
    Field("stop", float, REQUIRED),
    Field("num", int, None, 1, MAX_GRID_VALUES, unit="values"),
    Field("step", float, None, 0.0, strict_low=True),
)}
TOTAL_RUNS = Field("runs", int, None, 1, MAX_SWEEP_RUNS, unit="runs")


@dataclass(frozen=True)
class SweepSpec:
    name: str
    scenario: str
    rounds: int | None
    replications: int
    base_seed: int
    record: str = "final"
    metrics: tuple[str, ...] = DEFAULT_METRICS
    fixed: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, list[Any]] = field(default_factory=dict)
    sample: dict[str, Any] = field(default_factory=dict)
    part_size: int = 200
    chunk_size: int = 0  # runs per task sent to a worker; 0 = automatic
    seeds: str = "per_point"
    description: str = ""
    source: str = "<dict>"

    # ---------------------------------------------------------------- shape
    @property
    def varied(self) -> list[str]:
        """Names of the varied parameters, in spec order."""
        if self.grid:
            return list(self.grid)
        return list(self.sample.get("ranges", {}))

    @property
    def method(self) -> str:
        return "grid" if not self.sample else self.sample["method"]

    def to_dict(self) -> dict:
        """A JSON/TOML-ready dict that :func:`load_spec` accepts back."""
        out: dict[str, Any] = {"sweep": {
            "name": self.name, "scenario": self.scenario, "replications": self.replications,
            "base_seed": self.base_seed, "record": self.record, "metrics": list(self.metrics),
            "part_size": self.part_size, "chunk_size": self.chunk_size, "seeds": self.seeds,
            "description": self.description,
        }}
        if self.rounds is not None:
            out["sweep"]["rounds"] = self.rounds
        if self.fixed:
            out["fixed"] = dict(self.fixed)
        if self.grid:
            out["grid"] = {k: list(v) for k, v in self.grid.items()}
        if self.sample:
            out["sample"] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in self.sample.items()}
        return out

    def fingerprint(self) -> str:
        """Hash of everything that decides the run set and its results (not part sizes)."""
        d = self.to_dict()
        for key in ("part_size", "chunk_size", "description", "name"):
            d["sweep"].pop(key, None)
        return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:16]

    # ---------------------------------------------------------------- points
    def sample_matrix(self) -> np.ndarray:
        """The SALib / LHS sample, one row per point (sampled specs only)."""
        return _sample_matrix(self)

    def n_points(self) -> int:
        """Points of the sweep, counted without building the sample."""
        if self.grid:
            return math.prod(len(v) for v in self.grid.values())
        n, d = int(self.sample["n"]), len(self.sample["ranges"])
        if self.sample["method"] == "sobol":
            return n * (2 * d + 2 if self.sample.get("calc_second_order") else d + 2)
        if self.sample["method"] == "morris":
            return n * (d + 1)
        return n

    def n_runs(self) -> int:
        return self.n_points() * self.replications

    def points(self) -> Iterator[dict[str, Any]]:
        """The varied values at each point, lazily, in point order."""
        if self.grid:
            names = list(self.grid)
            for combo in itertools.product(*self.grid.values()):
                yield dict(zip(names, combo))
            return
        names = list(self.sample["ranges"])
        for row in self.sample_matrix():
            yield {name: _cast(name, float(value)) for name, value in zip(names, row)}

    def point(self, point_id: int) -> dict[str, Any]:
        """The varied values at one point (the ``point_id``-th of :meth:`points`)."""
        if self.grid:
            values, rest = {}, point_id
            for name, options in reversed(list(self.grid.items())):  # the last parameter varies fastest
                rest, k = divmod(rest, len(options))
                values[name] = options[k]
            return {name: values[name] for name in self.grid}
        row = self.sample_matrix()[point_id]
        return {name: _cast(name, float(value)) for name, value in zip(self.sample["ranges"], row)}

    def seed_for(self, point_id: int, replication: int) -> int:
        """A reproducible 63-bit seed from the base seed, keyed by point and replication."""
        key = (replication,) if self.seeds == "common" else (point_id, replication)
        state = np.random.SeedSequence(self.base_seed, spawn_key=key).generate_state(1, np.uint64)[0]
        return int(state >> np.uint64(1))

    def run_id(self, point_id: int, replication: int) -> int:
        return point_id * self.replications + replication

    def tasks(self) -> Iterator[tuple[int, int, int, int, dict[str, Any], dict[str, Any]]]:
        """(run_id, point_id, replication, seed, varied values, overrides) for every run, lazily."""
        for point_id, values in enumerate(self.points()):
            overrides = {**self.fixed, **values}
            for rep in range(self.replications):
                yield (self.run_id(point_id, rep), point_id, rep, self.seed_for(point_id, rep), values, overrides)


def _cast(name: str, value: float) -> Any:
    kind = param_kind(name)
    if kind is int:
        return int(round(value))
    return value


_SAMPLE_CACHE: dict[str, np.ndarray] = {}


def _sample_matrix(spec: SweepSpec) -> np.ndarray:
    key = spec.fingerprint()
    if key in _SAMPLE_CACHE:
        return _SAMPLE_CACHE[key]
    sample = spec.sample
    names = list(sample["ranges"])
    problem = salib_problem(spec)
    method = sample["method"]
    seed = int(sample.get("seed", spec.base_seed % (2**32)))
    n = int(sample["n"])
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        matrix = sobol_sample.sample(problem, n, calc_second_order=bool(sample.get("calc_second_order", False)),
                                     scramble=bool(sample.get("scramble", True)), seed=seed)
    elif method == "morris":
        from SALib.sample import morris as morris_sample

        matrix = morris_sample.sample(problem, n, num_levels=int(sample.get("num_levels", 4)), seed=seed)
    else:
        from SALib.sample import latin

        matrix = latin.sample(problem, n, seed=seed)
    matrix = np.asarray(matrix, dtype=float)
    assert matrix.shape[1] == len(names)
    _SAMPLE_CACHE[key] = matrix
    return matrix


def salib_problem(spec: SweepSpec) -> dict:
    ranges = spec.sample["ranges"]
    return {"num_vars": len(ranges), "names": list(ranges), "bounds": [list(map(float, v)) for v in ranges.values()]}


# --------------------------------------------------------------------------- loading


def load_spec(spec_or_path: SweepSpec | dict | str | Path, check: bool = True) -> SweepSpec:
    """Load and validate a spec from a TOML path, a dict (same layout) or a SweepSpec."""
    if isinstance(spec_or_path, SweepSpec):
        return spec_or_path
    if isinstance(spec_or_path, dict):
        return parse_spec(spec_or_path, "<dict>", check)
    path = check_name(spec_or_path, "sweep config")
    if not path.is_file():
        reason = "it is a folder" if path.is_dir() else "it is not a regular file" if path.exists() else ""
        raise SpecError(f"{path}: sweep config not found" + (f" ({reason})" if reason else ""))
    return parse_spec(read_toml(path, SpecError), str(path), check)


def parse_spec(raw: dict, source: str = "<dict>", check: bool = True) -> SweepSpec:
    """A spec from its tables; ``check=False`` skips loading the scenario (to read back a manifest's spec)."""
    def fail(key: str, message: str) -> SpecError:
        return SpecError(f"{source}: [{key}] {message}" if "." not in key else f"{source}: {key}: {message}")

    for key in raw:
        if key not in TOP_KEYS:
            raise unknown_key(source, key, TOP_KEYS, SpecError, what="table")
    if not isinstance(raw.get("sweep"), dict):
        raise SpecError(f"{source}: missing [sweep] table (with scenario, replications, base_seed, ...)")
    sweep = read_table(raw["sweep"], SWEEP_FIELDS, f"{source}: sweep", SpecError)
    scenario = sweep["scenario"]
    if not scenario:
        raise fail("sweep.scenario", "is required: a built-in scenario name (see `tradesim scenarios`) or a scenario file path")
    if source != "<dict>" and not _is_builtin(scenario):
        candidate = Path(source).parent / scenario
        if candidate.exists():
            scenario = str(candidate.resolve())
    metrics = list(sweep["metrics"])
    if not metrics:
        raise fail("sweep.metrics", f"must be a non-empty list of metric names: {metric_names_text()}")
    for m in metrics:
        if m not in METRICS:
            raise fail("sweep.metrics", f"unknown metric '{m}'; metrics are {metric_names_text()}")
    if len(set(metrics)) != len(metrics):
        raise fail("sweep.metrics", "lists a metric twice")

    fixed = raw.get("fixed", {})
    if not isinstance(fixed, dict):
        raise SpecError(f"{source}: [fixed] must be a table of parameter = value")
    fixed = {name: _typed(name, value, f"{source}: fixed.{name}") for name, value in fixed.items()}
    grid_raw = raw.get("grid")
    sample_raw = raw.get("sample")
    if grid_raw is not None and sample_raw is not None:
        raise SpecError(f"{source}: give either [grid] or [sample], not both")
    if grid_raw is None and sample_raw is None:
        raise SpecError(f"{source}: nothing to vary: add a [grid] table (lists or ranges) or a [sample] table")

    grid: dict[str, list[Any]] = {}
    sample: dict[str, Any] = {}
    if grid_raw is not None:
        if not isinstance(grid_raw, dict) or not grid_raw:
            raise SpecError(f"{source}: [grid] must be a non-empty table of parameter = list or range")
        for name, value in grid_raw.items():
            grid[name] = _grid_values(name, value, fail, source)
    else:
        sample = _parse_sample(sample_raw, fail, source)
    overlap = set(fixed) & set(grid or sample.get("ranges", {}))
    if overlap:
        raise fail("fixed." + sorted(overlap)[0], "is both fixed and varied")

    name = sweep["name"] if sweep["name"] is not None else _default_name(source)
    spec = SweepSpec(
        name=name, scenario=scenario, rounds=sweep["rounds"], replications=sweep["replications"],
        base_seed=sweep["base_seed"], record=sweep["record"], metrics=tuple(metrics), fixed=dict(fixed), grid=grid,
        sample=sample, part_size=sweep["part_size"], chunk_size=sweep["chunk_size"], seeds=sweep["seeds"],
        description=sweep["description"], source=source,
    )
    TOTAL_RUNS.coerce(spec.n_points() * spec.replications, f"{source}: the sweep's points x replications",
                      error=SpecError)
    if check:
        validate(spec)
    return spec


def _default_name(source: str) -> str:
    """The config file's name as a plain name (a folder under sweeps/, never a path)."""
    import re

    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(source).stem if source != "<dict>" else "").lstrip(".-")[:100]
    return stem or "sweep"


def _is_builtin(name: str) -> bool:
    from sim.world.loader import builtin_names

    return name in builtin_names()


def _grid_values(name: str, value: Any, fail, source: str) -> list[Any]:
    where = f"grid.{name}"
    if isinstance(value, dict):
        bounds = read_table(value, GRID_RANGE, f"{source}: {where}", SpecError)
        start, stop, num, step = bounds["start"], bounds["stop"], bounds["num"], bounds["step"]
        if (num is None) == (step is None):
            raise fail(where, "a range needs start, stop and either num or step, e.g. { start = 0.0, stop = 1.0, num = 11 }")
        if num is not None:
            values = np.linspace(start, stop, num)
        else:
            span = (stop - start) / step
            if span < 0:
                raise fail(where, "stop must be >= start")
            if not math.isfinite(span) or span + 1 > MAX_GRID_VALUES:
                raise fail(where, f"the range has {_count(span + 1)} values; expected at most {MAX_GRID_VALUES:,} values "
                                  "(a larger step, or num)")
            values = start + step * np.arange(int(math.floor(span + 1e-9)) + 1)
        values = [round(float(v), 10) for v in values]
        if param_kind(name) is int:
            values = sorted({int(round(v)) for v in values})
    else:
        values = list(value) if isinstance(value, list) else [value]
        if not values:
            raise fail(where, "is an empty list")
        if len(values) > MAX_GRID_VALUES:
            raise fail(where, f"lists {len(values):,} values; expected at most {MAX_GRID_VALUES:,} values")
    return [_typed(name, v, f"{source}: {where}") for v in values]


def _count(x: float) -> str:
    return f"{x:,.0f}" if math.isfinite(x) and x < 1e15 else f"{x:.3g}"


def _typed(name: str, value: Any, where: str) -> Any:
    """A value of a grid or [fixed] in the parameter's type, as TOML typed it: a number stays a number
    (ints become floats for float parameters), text stays text; ranges are checked later, on the scenario."""
    kind = param_kind(name)
    if kind is None:  # an unknown name: validate() names it, with suggestions
        return value
    return Field(name, kind).coerce(value, where, from_text=False, error=SpecError)


def _parse_sample(raw: Any, fail, source: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise fail("sample", "must be a table with method, n and [sample.ranges]")
    values = read_table(raw, SAMPLE_FIELDS, f"{source}: sample", SpecError)
    method, n, ranges = values["method"], values["n"], values["ranges"]
    if method == "sobol" and n & (n - 1):
        raise fail("sample.n", f"Sobol sampling needs a power of 2, got {n}")
    if not ranges:
        raise fail("sample.ranges", "must be a non-empty table of parameter = [low, high]")
    if method in ("sobol", "morris") and len(ranges) < 2:
        raise fail("sample.ranges", f"{method} needs at least two parameters")
    clean: dict[str, list[float]] = {}
    for name, bounds in ranges.items():
        where = f"sample.ranges.{name}"
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds)):
            raise fail(where, f"must be [low, high] finite numbers, got {bounds!r}")
        if not bounds[0] < bounds[1]:
            raise fail(where, f"low must be < high, got {bounds!r}")
        kind = param_kind(name)
        if kind not in (int, float):
            raise fail(where, f"only numeric parameters can be sampled; vary '{name}' in a [grid] sweep")
        clean[name] = [float(bounds[0]), float(bounds[1])]
    out = {"method": method, "n": n, "ranges": clean}
    out.update({key: value for key, value in values.items() if key not in out and value is not None})
    return out


def validate(spec: SweepSpec) -> None:
    """Check the scenario, every parameter name and every value before any worker starts.

    For a grid, every value of every varied parameter is checked (one at a time over
    the fixed overrides); for a sample, both ends of each range.
    """
    from sim.world.loader import load_scenario
    from sim.world.overrides import apply_overrides

    where = spec.source
    try:
        base = load_scenario(spec.scenario)
    except UserError as exc:
        raise SpecError(f"{where}: [sweep] scenario: {exc}") from None
    try:
        data = apply_overrides(base, expand_overrides(base, spec.fixed))
    except UserError as exc:
        raise SpecError(f"{where}: [fixed]: {exc}") from None
    if spec.grid:
        checks = [(f"grid.{name}", name, value) for name, values in spec.grid.items() for value in values]
    else:
        checks = [(f"sample.ranges.{name}", name, value) for name, bounds in spec.sample["ranges"].items()
                  for value in bounds]
    for label, name, value in checks:
        try:
            apply_overrides(data, expand_overrides(data, {name: _cast(name, value) if not spec.grid else value}))
        except UserError as exc:
            raise SpecError(f"{where}: {label}: {exc}") from None
    if spec.method in ("sobol", "morris"):
        try:
            spec.sample_matrix()
        except Exception as exc:  # SALib input errors
            raise SpecError(f"{where}: [sample]: SALib could not build the {spec.method} sample: {exc}") from None
