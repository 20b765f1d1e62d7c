"""Matplotlib plots of a finished run: stress histograms per phase, load-path history, microstructure.

* ``histograms``: volume-weighted distributions of von Mises, hydrostatic and max principal stress
  per phase at a step end (from the field file; each phase's curve integrates to 1), with the
  summary's phase means as dashed lines.
* ``history``: per-phase mean hydrostatic, mean von Mises and max principal stress, and the
  interface damaged/debonded fractions when the run has cohesive interfaces, against the axis
  each step kind declares in output/schema.py (temperature for cooling, state of charge for soc
  and galvanostatic steps) or the increment number; one column of panels per abscissa.
* ``microstructure``: phase fractions, specific interface areas, contact fractions, tortuosity
  and any distributions (lists) in ``microstructure.json``, when that file exists.

Uses ``matplotlib.figure.Figure`` directly (no pyplot state, no display needed).
"""

from __future__ import annotations

import logging
import math

import numpy as np

from ..output.schema import AXES, column, split_column, step_kind
from .data import ResultsData, atomic_target, cell_volumes

__all__ = ["histogram_figure", "history_figure", "history_segments", "microstructure_figure", "particle_size_figure",
           "stage_abscissa"]

log = logging.getLogger(__name__)

PHASE_COLOURS = ["#d95f02", "#4d4d4d", "#1b9e77", "#7570b3", "#e7298a", "#66a61e"]
STAGE_STYLES = ["-", "--", ":", "-."]
DPI = 130
HISTORY_PANELS = (("mean_hydrostatic_Pa", "mean hydrostatic stress (MPa)"),
                  ("mean_von_mises_Pa", "mean von Mises stress (MPa)"),
                  ("max_principal_Pa", "max principal stress (MPa)"))
PLOTTED_INTERFACE_MEASURES = ("debonded_fraction", "damaged_fraction", "contact_fraction")


def _figure(w: float, h: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h), dpi=DPI, layout="constrained")


def _save(fig, data: ResultsData, name: str) -> dict:
    path = data.figures / name
    with atomic_target(path) as tmp:
        fig.savefig(tmp, dpi=DPI, facecolor="white")
    w, h = fig.get_size_inches() * DPI
    return {"file": name, "width": int(round(w)), "height": int(round(h))}


def _colour(data: ResultsData, phase: str) -> str:
    names = data.phase_names
    return PHASE_COLOURS[names.index(phase) % len(PHASE_COLOURS)] if phase in names else "black"


# -- histograms ---------------------------------------------------------------------------------

def histogram_figure(data: ResultsData, i: int, grid) -> dict | None:
    """Volume-weighted stress histograms per phase at the end of step i (from the field file)."""
    if "phase_id" not in grid.cell_data:
        return None
    step = data.steps[i]
    vol = cell_volumes(grid)
    pid = np.rint(np.asarray(grid.cell_data["phase_id"])).astype(int)
    measures = [(k, t) for k, t in (("von_mises_Pa", "von Mises stress (MPa)"),
                                    ("hydrostatic_Pa", "hydrostatic stress (MPa), + tension"),
                                    ("max_principal_Pa", "max principal stress (MPa)"))
                if k in grid.cell_data]
    if not measures:
        return None
    fig = _figure(4.2 * len(measures), 3.6)
    axes = fig.subplots(1, len(measures), squeeze=False)[0]
    for ax, (key, label) in zip(axes, measures):
        v = np.asarray(grid.cell_data[key]) / 1e6
        lo, hi = np.quantile(v, [0.001, 0.999]) if len(v) else (0.0, 1.0)
        if key == "von_mises_Pa":
            lo = 0.0
        if not hi > lo:
            hi = lo + 1.0
        bins = np.linspace(lo, hi, 61)
        for k, phase in enumerate(data.phase_names):
            sel = pid == k
            if not np.any(sel):
                continue
            h, edges = np.histogram(np.clip(v[sel], lo, hi), bins=bins, weights=vol[sel], density=True)
            ax.stairs(h, edges, color=_colour(data, phase), label=phase, linewidth=1.6)
            mean_key = {"von_mises_Pa": "mean_von_mises_Pa", "hydrostatic_Pa": "mean_hydrostatic_Pa"}.get(key)
            s = step.get("phases", {}).get(phase, {})
            if mean_key and mean_key in s:
                ax.axvline(s[mean_key] / 1e6, color=_colour(data, phase), linestyle="--", linewidth=1)
        if key != "von_mises_Pa":
            ax.axvline(0.0, color="0.6", linewidth=0.8)
        ax.set_xlabel(label)
        ax.set_ylabel("volume fraction per MPa")
        ax.grid(alpha=0.3)
    axes[0].legend(title="phase (dashed: mean)", fontsize=8, title_fontsize=8)
    fig.suptitle(f"{data.case_name}: {data.step_label(step)} - stress distribution per phase "
                 f"(volume-weighted, tails beyond 0.1/99.9 % in the end bins)", fontsize=10)
    e = _save(fig, data, f"{data.slug(step, i)}-histograms.png")
    e.update(kind="histograms", step=step.get("name"), step_index=i, field_index=data.step_field_index(i),
             title=f"{data.case_name}: {data.step_label(step)} - stress histograms",
             caption=f"Volume-weighted distributions of stress per phase at the end of step '{step.get('name')}' "
                     "(from the field file); dashed lines: phase means from the summary.")
    return e


# -- history ------------------------------------------------------------------------------------

def stage_abscissa(h: dict, rows: np.ndarray, stage_type: str) -> tuple[str, np.ndarray]:
    """(axis: a key of AXES or "increment", x) for the rows of one stage: the abscissa its step kind
    declares (output/schema.py) if that column varies, else the first axis that varies, else the
    increment number."""
    def varies(col):
        return col in h and np.sum(np.isfinite(h[col][rows])) > 0 and np.nanmax(h[col][rows]) > np.nanmin(h[col][rows])

    kind = step_kind(stage_type)
    own = [kind.abscissa] if kind is not None else []
    for axis in own + [a for a in AXES if a not in own and "{" not in a]:
        col = axis.format(step=h["stage"][rows[0]]) if len(rows) else axis
        if varies(col):
            return axis, h[col][rows] * AXES[axis].scale + AXES[axis].offset
    return "increment", rows.astype(float) + 1


def history_segments(h: dict, types: dict[str, str]) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """Per stage of a history (in order): (stage, abscissa column, history rows, x). The rows of every
    stage but the first start with the previous stage's last row, its starting state, so that a jump
    in the first increment of a stage shows."""
    segments = []
    prev_end = None
    for st in dict.fromkeys(h["stage"]):
        rows = np.where(h["stage"] == st)[0]
        if prev_end is not None:
            rows = np.concatenate([[prev_end], rows])
        prev_end = rows[-1]
        kind, x = stage_abscissa(h, rows, types.get(st, ""))
        segments.append((st, kind, rows, x))
    return segments


def _xlabel(axis: str) -> str:
    return AXES[axis].label if axis in AXES else "load increment"


def history_figure(data: ResultsData) -> dict | None:
    h = data.history
    if not h or "stage" not in h:
        return None
    segments = history_segments(h, {s.get("name"): s.get("type", "") for s in data.steps})
    types = {s.get("name"): s.get("type", "") for s in data.steps}
    kinds = list(dict.fromkeys(k for _, k, _, _ in segments))
    iface_cols = [c for c in h if split_column(c)[1] in PLOTTED_INTERFACE_MEASURES and np.any(np.isfinite(h[c]))]
    panels = [(m, t) for m, t in HISTORY_PANELS if any(column(p, m) in h for p in data.phase_names)]
    if iface_cols:
        panels.append(("interfaces", "interface fraction (-)"))
    if not panels:
        return None
    fig = _figure(4.6 * len(kinds) + 0.8, 2.6 * len(panels) + 0.6)
    axes = fig.subplots(len(panels), len(kinds), squeeze=False, sharex="col")
    for col, kind in enumerate(kinds):
        segs = [s for s in segments if s[1] == kind]
        for row, (measure, label) in enumerate(panels):
            ax = axes[row, col]
            for n, (st, _, rows, x) in enumerate(segs):
                ls = STAGE_STYLES[n % len(STAGE_STYLES)]
                stage_tag = f" ({st})" if len(segs) > 1 else ""
                if measure == "interfaces":
                    for m, c in enumerate(iface_cols):
                        name, what = split_column(c)
                        ax.plot(x, h[c][rows], ls, marker="o", ms=3, color=f"C{m}",
                                label=f"{name} {what.replace('_', ' ')}{stage_tag}")
                    ax.set_ylim(-0.02, 1.02)
                else:
                    for p in data.phase_names:
                        c = column(p, measure)
                        if c in h:
                            ax.plot(x, h[c][rows] / 1e6, ls, marker="o", ms=3, color=_colour(data, p),
                                    label=f"{p}{stage_tag}")
            if measure != "interfaces":
                ax.axhline(0.0, color="0.6", linewidth=0.8)
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
            if col == 0 or measure == "interfaces" or (row == 0 and len(segs) > 1):
                ax.legend(fontsize=7)
        bottom = axes[-1, col]
        xl = _xlabel(kind)
        if kind == "temperature_K" and all(types.get(s[0]) == "cooling" for s in segs):
            bottom.invert_xaxis()
            xl += ", cooling →"
        bottom.set_xlabel(xl)
        axes[0, col].set_title(", ".join(s[0] for s in segs), fontsize=9)
    fig.suptitle(f"{data.case_name}: load-path history ({len(h['stage'])} increments)", fontsize=11)
    e = _save(fig, data, "history.png")
    e.update(kind="history", title=f"{data.case_name}: load-path history",
             caption="Per-phase stress measures"
                     + (" and interface damaged/debonded fractions" if iface_cols else "")
                     + " at every load increment (history.csv), against "
                     + ", ".join(_xlabel(k).split(" (")[0] for k in kinds)
                     + "; each stage's curve starts at the state where the previous stage ended.")
    return e


# -- per particle -------------------------------------------------------------------------------

def particle_size_figure(data: ResultsData) -> dict | None:
    """Per-particle p99 of the maximum principal stress and mean hydrostatic stress against the
    equivalent diameter, at the end of the last step (results/particles.csv); None without particles."""
    import csv

    path = data.results / "particles.csv"
    if not path.is_file():
        return None
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    last = rows[-1]["step"] if rows else None
    rows = [r for r in rows if r["step"] == last and r["phase"] in data.particle_phases()]
    if len(rows) < 2:
        return None
    fig = _figure(8.6, 3.6)
    axes = fig.subplots(1, 2, squeeze=False)[0]
    for ax, key, label in ((axes[0], "p99_max_principal_Pa", "p99 of max principal stress (MPa)"),
                           (axes[1], "mean_hydrostatic_Pa", "mean hydrostatic stress (MPa)")):
        for phase in sorted({r["phase"] for r in rows}):
            for cut, marker in (("0", "o"), ("1", "s")):
                sel = [r for r in rows if r["phase"] == phase and r["cut"] == cut]
                if sel:
                    d = np.array([float(r["equivalent_diameter_m"]) for r in sel]) * 1e6
                    v = np.array([float(r[key]) for r in sel]) / 1e6
                    ax.scatter(d, v, marker=marker, s=22, color=_colour(data, phase),
                               facecolors="none" if cut == "1" else _colour(data, phase),
                               label=f"{phase}{' (cut by the box)' if cut == '1' else ''}")
        ax.axhline(0.0, color="0.6", linewidth=0.8)
        ax.set_xlabel("equivalent diameter (µm)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(f"{data.case_name}: per-particle stress against size, step '{last}'", fontsize=11)
    e = _save(fig, data, "particle-sizes.png")
    e.update(kind="particle_sizes", title=f"{data.case_name}: per-particle stress against size",
             caption=f"Each particle at the end of step '{last}' (particles.csv): volume-weighted p99 of the maximum "
                     "principal stress and mean hydrostatic stress against the equivalent diameter (6 V / pi)^(1/3); "
                     "hollow squares: particles that touch the box faces (periodic pieces are joined; a particle cut "
                     "by a non-periodic face has the diameter of its part inside).")
    return e


# -- microstructure -----------------------------------------------------------------------------

def _numeric_lists(obj, path="") -> list[tuple[str, np.ndarray]]:
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _numeric_lists(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list) and len(obj) >= 5 and all(isinstance(v, (int, float)) for v in obj):
        out.append((path, np.asarray(obj, dtype=float)))
    return out


def microstructure_figure(data: ResultsData) -> dict | None:
    ms = data.microstructure
    if not isinstance(ms, dict):
        return None
    panels = []
    if isinstance(ms.get("volume_fractions"), dict):
        d = dict(ms["volume_fractions"])
        if isinstance(ms.get("porosity"), (int, float)) and ms["porosity"] > 0:
            d["porosity"] = ms["porosity"]
        panels.append(("bar", "volume fraction (-)", d))
    if isinstance(ms.get("interfaces"), dict):
        d = {k: v["specific_area_per_m"] * 1e-6 for k, v in ms["interfaces"].items()
             if isinstance(v, dict) and isinstance(v.get("specific_area_per_m"), (int, float))}
        if d:
            panels.append(("bar", "specific interface area (1/µm)", d))
    if isinstance(ms.get("contact_fraction_by_phase"), dict):
        d = {f"{a}→{b}": f for a, v in ms["contact_fraction_by_phase"].items() if isinstance(v, dict)
             for b, f in v.items() if isinstance(f, (int, float))}
        if d:
            panels.append(("bar", "contact fraction of surface (-)", d))
    if isinstance(ms.get("tortuosity"), dict):
        t = ms["tortuosity"]
        d = {ax: t[ax]["tau"] for ax in "xyz" if isinstance(t.get(ax), dict) and isinstance(t[ax].get("tau"), (int, float))
             and math.isfinite(t[ax]["tau"])}
        if d:
            panels.append(("bar", f"tortuosity factor of {t.get('phase', '')} (-)", d))
    for path, arr in _numeric_lists(ms)[:4]:
        panels.append(("hist", path, arr))
    if not panels:
        return None
    n = len(panels)
    ncol = min(n, 3)
    nrow = math.ceil(n / ncol)
    fig = _figure(4.0 * ncol, 3.2 * nrow)
    axes = fig.subplots(nrow, ncol, squeeze=False).ravel()
    for ax, (kind, label, d) in zip(axes, panels):
        if kind == "bar":
            keys = list(d)
            vals = [d[k] for k in keys]
            bars = ax.bar(range(len(keys)), vals, color=[f"C{k}" for k in range(len(keys))])
            ax.bar_label(bars, fmt="%.3g", fontsize=7)
            ax.set_xticks(range(len(keys)), keys, rotation=20 if len(keys) > 2 else 0, fontsize=8)
            ax.set_ylabel(label)
        else:
            ax.hist(d[np.isfinite(d)], bins=min(30, max(5, len(d) // 3)), color="C0", alpha=0.8)
            ax.set_xlabel(label)
            ax.set_ylabel("count")
        ax.grid(alpha=0.3, axis="y")
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(f"{data.case_name}: microstructure (microstructure.json)", fontsize=11)
    e = _save(fig, data, "microstructure.png")
    e.update(kind="microstructure", title=f"{data.case_name}: microstructure metrics",
             caption="Microstructure metrics of the meshed geometry (results/microstructure.json).")
    return e
