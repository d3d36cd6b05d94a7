"""Analyse a finished sweep: per-point summary with 95% CIs, plots, Sobol/Morris indices.

    from experiments.analyze import analyze
    report = analyze("out/deterrence")        # prints tables, writes out/deterrence/plots/*.png

Per parameter point, each metric's mean over replications and a 95% confidence
interval: for shares in [0, 1] (:data:`experiments.metrics.SHARE_METRICS`) a percentile
bootstrap of the mean (2,000 resamples of the point's runs, seeded, so the same sweep
gives the same table), which stays inside the range of the runs and so inside [0, 1];
for other metrics Student t,
``mean +- t(0.975, n-1) * sd / sqrt(n)``, cut at 0 for counts and tariffs, which cannot
be negative (:data:`~experiments.metrics.NONNEGATIVE_METRICS`; the cut keeps the
coverage, as the true mean is never below 0).  Every-round
sweeps are summarised at their final round (plus a metric-by-round plot).
Sobol and Morris sweeps also get SALib sensitivity indices, computed on the
mean over replications at each sample point.

Before anything is computed the folder is checked: a damaged manifest or part, a part
from another sweep and a run held twice each stop with one line
(:func:`experiments.store.verify_parts`), and every output (summary.csv,
sensitivity.csv, plots/) must be writable where it goes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments import store
from experiments.metrics import NONNEGATIVE_METRICS, SHARE_METRICS
from experiments.spec import load_spec, salib_problem
from sim.world.errors import UserError
from sim.world.paths import check_name, check_output_dir, check_output_file

BOOTSTRAP_RESAMPLES = 2_000
BOOTSTRAP_SEED = 95  # fixed: analyze prints the same intervals every time


def _t975(n: np.ndarray) -> np.ndarray:
    from scipy import stats

    n = np.asarray(n, dtype=float)
    out = np.full(n.shape, np.nan)
    ok = n > 1
    out[ok] = stats.t.ppf(0.975, n[ok] - 1)
    return out


def bootstrap_interval(values: np.ndarray, rng: np.random.Generator,
                       resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """95% percentile-bootstrap interval of the mean of ``values`` (NaN for fewer than two)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return float("nan"), float("nan")
    means = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return float(low), float(high)


def load_sweep(out_dir: str | Path) -> tuple[dict, pd.DataFrame]:
    """The manifest and the results of a sweep folder, checked (damaged, foreign or repeated parts refused)."""
    out_dir = check_name(out_dir, "sweep folder")
    if not out_dir.is_dir():
        raise UserError(f"{out_dir}: no such folder; give a sweep output directory (tradesim sweep --out)")
    manifest = store.read_manifest(out_dir)
    if manifest is None:
        raise UserError(f"{out_dir}: no manifest.json here; is this a sweep output directory (tradesim sweep --out)?")
    try:
        spec = load_spec(manifest["spec"], check=False)
    except UserError as exc:
        raise store.StoreError(f"{out_dir / store.MANIFEST} is damaged (its spec: {exc})") from None
    store.check_manifest(out_dir, manifest, spec)
    manifest = {**manifest, "scenario": spec.scenario}  # what the report names comes from the checked spec
    store.verify_parts(out_dir, spec, manifest["columns"])
    frame = store.read_results(out_dir)
    if frame.empty:
        raise UserError(f"{out_dir}: no results yet (no part-*.parquet files)")
    return manifest, frame


def final_rows(manifest: dict, frame: pd.DataFrame) -> pd.DataFrame:
    if manifest.get("record") == "every_round" and "round" in frame.columns:
        last = frame.groupby("run_id")["round"].transform("max")
        frame = frame[frame["round"] == last]
    return frame


def point_summary(manifest: dict, frame: pd.DataFrame) -> pd.DataFrame:
    """One row per parameter point: varied values, n, and mean / ci_low / ci_high per metric."""
    frame = final_rows(manifest, frame)
    varied, metrics = manifest["varied"], manifest["metrics"]
    grouped = frame.groupby("point_id", sort=True)
    out = grouped[varied].first()
    out.insert(0, "n", grouped.size())
    for metric in metrics:
        values = pd.to_numeric(frame[metric], errors="coerce")
        g = values.groupby(frame["point_id"])
        mean, sd, n = g.mean(), g.std(ddof=1), g.count()
        out[f"{metric}_mean"] = mean
        if metric in SHARE_METRICS:
            rng = np.random.default_rng(BOOTSTRAP_SEED)
            bounds = [bootstrap_interval(group.dropna().to_numpy(), rng) for _, group in g]
            out[f"{metric}_ci_low"] = [low for low, _ in bounds]
            out[f"{metric}_ci_high"] = [high for _, high in bounds]
        else:
            half = _t975(n.to_numpy()) * sd.to_numpy() / np.sqrt(np.maximum(n.to_numpy(), 1))
            low = mean - half
            out[f"{metric}_ci_low"] = low.clip(lower=0) if metric in NONNEGATIVE_METRICS else low
            out[f"{metric}_ci_high"] = mean + half
    return out.reset_index()


def format_table(summary: pd.DataFrame, manifest: dict, max_rows: int = 40) -> str:
    varied, metrics = manifest["varied"], manifest["metrics"]
    shown = summary.head(max_rows)
    cols: dict[str, list[str]] = {"point": [str(p) for p in shown["point_id"]]}
    for name in varied:
        cols[name] = [_fmt(v) for v in shown[name]]
    cols["n"] = [str(v) for v in shown["n"]]
    for metric in metrics:
        cols[metric] = [
            f"{_fmt(m)} [{_fmt(lo)}, {_fmt(hi)}]" if np.isfinite(lo) else _fmt(m)
            for m, lo, hi in zip(shown[f"{metric}_mean"], shown[f"{metric}_ci_low"], shown[f"{metric}_ci_high"])
        ]
    widths = {k: max(len(k), *(len(x) for x in v)) if v else len(k) for k, v in cols.items()}
    lines = ["  ".join(k.rjust(widths[k]) for k in cols)]
    for i in range(len(shown)):
        lines.append("  ".join(cols[k][i].rjust(widths[k]) for k in cols))
    if len(summary) > max_rows:
        lines.append(f"... {len(summary) - max_rows} more points (all in summary.csv)")
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return "nan"
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


# --------------------------------------------------------------------------- sensitivity


def sensitivity(manifest: dict, frame: pd.DataFrame) -> pd.DataFrame | None:
    """SALib indices per metric and parameter (Sobol: S1, ST with CIs; Morris: mu_star, sigma)."""
    method = manifest.get("method")
    if method not in ("sobol", "morris"):
        return None
    spec = load_spec(manifest["spec"], check=False)
    problem = salib_problem(spec)
    matrix = spec.sample_matrix()
    final = final_rows(manifest, frame)
    points = final.groupby("point_id")
    if points.ngroups != matrix.shape[0]:
        raise UserError(f"the sweep is incomplete ({points.ngroups} of {matrix.shape[0]} points); "
                        "finish it with `tradesim sweep CONFIG --out DIR --resume` before computing indices")
    rows = []
    for metric in manifest["metrics"]:
        y = pd.to_numeric(final[metric], errors="coerce").groupby(final["point_id"]).mean().sort_index().to_numpy()
        if not np.all(np.isfinite(y)):
            continue
        if np.ptp(y) == 0:
            for name in problem["names"]:
                rows.append({"metric": metric, "parameter": name, **({"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0}
                             if method == "sobol" else {"mu_star": 0.0, "mu_star_conf": 0.0, "sigma": 0.0})})
            continue
        if method == "sobol":
            from SALib.analyze import sobol

            res = sobol.analyze(problem, y, calc_second_order=bool(spec.sample.get("calc_second_order", False)),
                                seed=spec.base_seed % (2**32), print_to_console=False)
            for i, name in enumerate(problem["names"]):
                rows.append({"metric": metric, "parameter": name, "S1": res["S1"][i], "S1_conf": res["S1_conf"][i],
                             "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
        else:
            from SALib.analyze import morris

            res = morris.analyze(problem, matrix, y, num_levels=int(spec.sample.get("num_levels", 4)),
                                 seed=spec.base_seed % (2**32), print_to_console=False)
            for i, name in enumerate(problem["names"]):
                rows.append({"metric": metric, "parameter": name, "mu_star": res["mu_star"][i],
                             "mu_star_conf": res["mu_star_conf"][i], "sigma": res["sigma"][i]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- plots


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    """Lay out, write and close a figure."""
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as exc:
        from sim.world.paths import os_error_text

        raise UserError(f"analyze output '{path}' could not be written: {os_error_text(exc)}") from None
    finally:
        _pyplot().close(fig)
    return path


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def plot_grid(summary: pd.DataFrame, manifest: dict, plot_dir: Path) -> list[Path]:
    """Metric vs the first varied parameter, one line per value of the second (others averaged)."""
    plt = _pyplot()
    varied, metrics = manifest["varied"], manifest["metrics"]
    paths = []
    x = max(varied, key=lambda v: summary[v].nunique()) if varied else None
    others = [v for v in varied if v != x]
    hue = others[0] if others else None
    for metric in metrics:
        fig, ax = plt.subplots(figsize=(8.5 if hue else 7, 4.5), dpi=110)
        table = summary
        if len(others) > 1:  # average over the remaining parameters
            table = summary.groupby([x, hue], as_index=False)[[f"{metric}_mean", f"{metric}_ci_low", f"{metric}_ci_high"]].mean()
        groups = [(None, table)] if hue is None else list(table.groupby(hue, sort=True))
        cmap = plt.get_cmap("viridis", max(len(groups), 2))
        for k, (level, part) in enumerate(groups):
            part = part.sort_values(x)
            xs = part[x] if _numeric(part[x]) else part[x].astype(str)
            label = None if hue is None else _fmt(level)
            color = cmap(k) if hue is not None else "C0"
            ax.plot(xs, part[f"{metric}_mean"], marker="o", ms=3, color=color, label=label)
            lo, hi = part[f"{metric}_ci_low"], part[f"{metric}_ci_high"]
            if np.isfinite(lo).all() and _numeric(part[x]):
                ax.fill_between(xs, lo, hi, color=color, alpha=0.15, linewidth=0)
        ax.set_xlabel(x)
        ax.set_ylabel(metric.replace("_", " "))
        n = int(summary["n"].median())
        ax.set_title(f"{manifest.get('name')}: {metric.replace('_', ' ')} (mean, 95% CI, {n} runs per point)",
                     fontsize=10)
        if hue is not None:
            ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.01, 0.5), title=hue,
                      title_fontsize=8)
        ax.grid(alpha=0.3)
        paths.append(_save(fig, plot_dir / f"{metric}.png"))
    return paths


def plot_samples(summary: pd.DataFrame, manifest: dict, plot_dir: Path) -> list[Path]:
    """Scatter of each metric against each sampled parameter, with a binned mean."""
    plt = _pyplot()
    varied, metrics = manifest["varied"], manifest["metrics"]
    paths = []
    for metric in metrics:
        cols = min(len(varied), 3)
        rows = int(np.ceil(len(varied) / cols))
        fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.0 * rows), dpi=100, squeeze=False)
        y = summary[f"{metric}_mean"]
        for ax, name in zip(axes.flat, varied):
            xv = summary[name].astype(float)
            ax.scatter(xv, y, s=4, alpha=0.35)
            bins = np.linspace(xv.min(), xv.max(), 11)
            which = np.clip(np.digitize(xv, bins) - 1, 0, 9)
            means = pd.Series(y.to_numpy()).groupby(which).mean()
            centres = (bins[:-1] + bins[1:]) / 2
            ax.plot(centres[means.index], means.to_numpy(), color="C3", lw=2)
            ax.set_xlabel(name, fontsize=9)
            ax.grid(alpha=0.3)
        for ax in list(axes.flat)[len(varied):]:
            ax.axis("off")
        axes[0][0].set_ylabel(metric.replace("_", " "))
        fig.suptitle(f"{manifest.get('name')}: {metric.replace('_', ' ')} against each parameter (red: binned mean)",
                     fontsize=10)
        paths.append(_save(fig, plot_dir / f"{metric}.png"))
    return paths


def plot_sensitivity(indices: pd.DataFrame, manifest: dict, plot_dir: Path) -> Path:
    plt = _pyplot()
    metrics = list(dict.fromkeys(indices["metric"]))
    cols = min(len(metrics), 2)
    rows = int(np.ceil(len(metrics) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(6.5 * cols, 3.2 * rows), dpi=100, squeeze=False)
    sobol = "S1" in indices.columns
    for ax, metric in zip(axes.flat, metrics):
        part = indices[indices["metric"] == metric]
        pos = np.arange(len(part))
        if sobol:
            ax.bar(pos - 0.2, part["S1"], 0.4, yerr=part["S1_conf"], label="S1 (first order)", capsize=2)
            ax.bar(pos + 0.2, part["ST"], 0.4, yerr=part["ST_conf"], label="ST (total)", capsize=2)
            ax.set_ylim(bottom=min(0, float(part["S1"].min()) - 0.05))
        else:
            ax.bar(pos - 0.2, part["mu_star"], 0.4, yerr=part["mu_star_conf"], label="mu*", capsize=2)
            ax.bar(pos + 0.2, part["sigma"], 0.4, label="sigma")
        ax.set_xticks(pos, part["parameter"], rotation=30, ha="right", fontsize=8)
        ax.set_title(metric.replace("_", " "), fontsize=10)
        ax.grid(axis="y", alpha=0.3)
    for ax in list(axes.flat)[len(metrics):]:
        ax.axis("off")
    axes[0][0].legend(fontsize=8, frameon=False)
    fig.suptitle(f"{manifest.get('name')}: {'Sobol' if sobol else 'Morris'} sensitivity indices", fontsize=11)
    return _save(fig, plot_dir / "sensitivity.png")


def plot_rounds(manifest: dict, frame: pd.DataFrame, plot_dir: Path, max_points: int = 12) -> list[Path]:
    """Every-round sweeps: mean of each metric by round, one line per point (up to ``max_points``)."""
    plt = _pyplot()
    paths = []
    points = sorted(frame["point_id"].unique())[:max_points]
    part = frame[frame["point_id"].isin(points)]
    for metric in manifest["metrics"]:
        fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
        for pid, g in part.groupby("point_id"):
            means = pd.to_numeric(g[metric], errors="coerce").groupby(g["round"]).mean()
            first = g.iloc[0]
            label = ", ".join(f"{v}={_fmt(first[v])}" for v in manifest["varied"])
            ax.plot(means.index, means.to_numpy(), label=label)
        ax.set_xlabel("round")
        ax.set_ylabel(metric.replace("_", " "))
        ax.legend(fontsize=7, frameon=False)
        ax.grid(alpha=0.3)
        paths.append(_save(fig, plot_dir / f"{metric}-by-round.png"))
    return paths


# --------------------------------------------------------------------------- entry point
def _write(table: pd.DataFrame, path: Path) -> None:
    from sim.world.paths import os_error_text

    try:
        table.to_csv(path, index=False)
    except OSError as exc:
        raise UserError(f"analyze output '{path}' could not be written: {os_error_text(exc)}") from None




def analyze(out_dir: str | Path, plots: bool = True, max_rows: int = 40, echo: bool = True) -> dict:
    """Summarise a sweep directory: print tables, write summary.csv, plots and indices.

    Returns ``{"summary": DataFrame, "sensitivity": DataFrame | None, "plots": [paths], "text": str}``.
    """
    out_dir = Path(out_dir)
    manifest, frame = load_sweep(out_dir)
    # every output is checked before anything is computed
    summary_path = check_output_file(out_dir / "summary.csv", "analyze output")
    indices_path = out_dir / "sensitivity.csv"
    if manifest.get("method") in ("sobol", "morris"):
        check_output_file(indices_path, "analyze output")
    plot_dir = check_output_dir(out_dir / "plots", "analyze output") if plots else out_dir / "plots"
    summary = point_summary(manifest, frame)
    _write(summary, summary_path)
    runs = frame["run_id"].nunique()
    lines = [f"{manifest.get('name')}: scenario {manifest.get('scenario')}, {manifest.get('method')} over "
             f"{', '.join(manifest['varied'])}; {runs} of {manifest.get('run_count')} runs, "
             f"{len(summary)} points, status {manifest.get('status')}",
             "metric mean [95% CI] over replications per point (bootstrap for shares, Student t otherwise)"
             + (" (final round)" if manifest.get("record") == "every_round" else ""), "",
             format_table(summary, manifest, max_rows)]
    try:
        indices = sensitivity(manifest, frame)
    except UserError as exc:
        indices = None
        lines += ["", f"no sensitivity indices: {exc}"]
    if indices is not None:
        _write(indices, indices_path)
        lines += ["", f"{manifest['method'].capitalize()} sensitivity indices (SALib):", "",
                  indices.to_string(index=False, float_format=lambda v: f"{v:.3f}")]
    paths: list[Path] = []
    if plots:
        if manifest.get("method") == "grid":
            paths += plot_grid(summary, manifest, plot_dir)
        else:
            paths += plot_samples(summary, manifest, plot_dir)
        if indices is not None and not indices.empty:
            paths.append(plot_sensitivity(indices, manifest, plot_dir))
        if manifest.get("record") == "every_round":
            paths += plot_rounds(manifest, frame, plot_dir)
        lines += ["", f"plots: {len(paths)} PNG files in {plot_dir}"]
    text = "\n".join(lines)
    if echo:
        print(text)
    return {"summary": summary, "sensitivity": indices, "plots": paths, "text": text, "manifest": manifest}
