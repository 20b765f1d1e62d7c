"""Off-screen pyvista figures of the field files: stress in an octant cut, particle surfaces, deformed shape.

Per step end (the field time entry written at the end of each load stage):

* ``vonmises``: the box with its front octant removed (three cut faces through the particles),
  von Mises stress in MPa on a sequential map; colour range 0 .. the largest per-phase
  volume-weighted 99th percentile of the step's summary (``p99_von_mises_Pa``): single-cell
  peaks at contacts and edges would otherwise wash the map out; the peak is stated on the image.
* ``hydrostatic``: same cut, hydrostatic stress tr(s)/3 in MPa on a diverging map centred on 0,
  range +-m with m the volume-weighted 99th percentile of |tr(s)/3| of the field; the bar is
  labelled tension (+) and compression (-).
* ``max_principal``: same cut, largest principal stress (tension drives fracture of the ceramic).
* ``particles``: the surfaces of the particle phase, coloured by interface damage or opening when
  the run wrote them (cohesive interfaces), otherwise by hydrostatic stress.
* ``deformed``: the cut body with displacements magnified so the largest one is about 5 % of the
  box (magnification rounded to 1, 2 or 5 x 10^k and stated in the title), undeformed box outline.

The colour range used is recorded per image in ``figures/figures.json`` with the summary value it
came from, so tests (and readers) can check images against the summary.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import numpy as np

from ..output.schema import FIELD_ARRAYS
from .data import ResultsData, atomic_target, nice_number, sentence_start, update_manifest
from .scene import (DIVERGING, PHASE_COLOURS, SEQUENTIAL, WINDOW, Scene, decorate, new_plotter,
                    offscreen_pyvista, scalar_bar_args, set_camera)

__all__ = ["make_figures", "select_steps", "Scene", "WINDOW"]

log = logging.getLogger(__name__)

READ_ARRAYS = set(FIELD_ARRAYS) - {"stress_Pa"}  # what the figures draw (output/schema.py); not the tensor


def select_steps(data: ResultsData, steps: str | None) -> list[int]:
    """Step indices: "all", "last", a step name, or comma-separated names / 1-based numbers."""
    n = len(data.steps)
    if n == 0:
        return []
    if steps in (None, "", "all"):
        return list(range(n))
    if steps == "last":
        return [n - 1]
    out = []
    names = [s.get("name") for s in data.steps]
    for tok in str(steps).split(","):
        tok = tok.strip()
        if tok in names:
            out.append(names.index(tok))
        elif tok.isdigit() and 1 <= int(tok) <= n:
            out.append(int(tok) - 1)
        else:
            from ..errors import OutputError

            raise OutputError(f"no step {tok!r} in the results (steps: {', '.join(map(str, names))})")
    return sorted(set(out))


def _save(pl, path: Path) -> dict:
    w, h = pl.window_size
    with atomic_target(path) as tmp:
        pl.screenshot(str(tmp))
    pl.close()
    return {"file": path.name, "width": int(w), "height": int(h)}


def _box_note(scene: Scene) -> str:
    e = scene.hi - scene.lo
    return f"box {e[0]:.3g} x {e[1]:.3g} x {e[2]:.3g} µm; front octant removed"


def _render_stress(pv, data: ResultsData, scene: Scene, i: int, kind: str, out: Path) -> dict | None:
    step = data.steps[i]
    name = {"von_mises": "von Mises stress", "hydrostatic": "hydrostatic stress (mean normal stress)",
            "max_principal": "max principal stress"}[kind]
    arr = f"{kind}_MPa"
    if arr not in scene.cut.cell_data:
        log.info("no %s in the field file; %s figure skipped", arr, kind)
        return None
    phases = step.get("phases", {})
    entry: dict = {"kind": kind, "field": f"{kind}_Pa", "units": "MPa"}
    annotations = None
    if kind == "von_mises":
        p99 = {p: v["p99_von_mises_Pa"] for p, v in phases.items() if "p99_von_mises_Pa" in v}
        peak = max((v.get("max_von_mises_Pa", 0.0) for v in phases.values()), default=0.0)
        hi = max(p99.values()) / 1e6 if p99 else scene.field_quantile_abs(arr)
        clim = [0.0, hi if hi > 0 else 1.0]
        cmap = SEQUENTIAL
        entry.update(clim_source="max over phases of summary steps[].phases[].p99_von_mises_Pa",
                     summary_MPa=clim[1], peak_MPa=peak / 1e6)
        note = f"colour range 0 to {clim[1]:.0f} MPa (largest per-phase 99th percentile); peak {peak / 1e6:.0f} MPa"
        bar = scalar_bar_args("von Mises (MPa)")
    else:
        m = scene.field_quantile_abs(arr)
        m = m if m > 0 else 1.0
        clim = [-m, m]
        cmap = DIVERGING
        annotations = {m: "tension", -m: "compression"}
        src = "field: volume-weighted 99th percentile of |value| over all cells"
        entry.update(clim_source=src)
        if kind == "hydrostatic":
            means = {p: v["mean_hydrostatic_Pa"] / 1e6 for p, v in phases.items() if "mean_hydrostatic_Pa" in v}
            entry["summary_mean_MPa"] = means
            note = "mean " + ", ".join(f"{p} {v:+.0f} MPa" for p, v in means.items()) + \
                   f"; colour range ±{m:.0f} MPa (99th percentile of the magnitude)"
        else:
            peak = max((v.get("max_principal_Pa", 0.0) for v in phases.values()), default=0.0)
            entry["peak_MPa"] = peak / 1e6
            note = f"peak {peak / 1e6:.0f} MPa; colour range ±{m:.0f} MPa (99th percentile of the magnitude)"
        bar = scalar_bar_args(f"{name.split(' (')[0]} (MPa)\n+ tension / - compression")
    pl = new_plotter(pv, scene.window)
    pl.add_mesh(scene.cut, scalars=arr, preference="cell", cmap=cmap, clim=clim, show_scalar_bar=True,
                scalar_bar_args=bar, annotations=annotations, smooth_shading=False)
    title = f"{data.case_name}: {data.step_label(step)}\n{name}"
    decorate(pl, pv, scene, title, f"{_box_note(scene)}\n{note}")
    set_camera(pl, scene)
    entry.update(_save(pl, out))
    entry.update(title=title.replace("\n", " - "), colormap=cmap, clim_MPa=[float(c) for c in clim],
                 caption=f"{sentence_start(name)} at the end of step '{step.get('name')}' in MPa; {note}.")
    return entry


def _interface_surfaces(pv, data: ResultsData, scene: Scene, i: int) -> list:
    """Interface surfaces of step i (points in µm) from ``interface_*.pvd`` (cohesive zones), or
    the particle surfaces when the damage/opening arrays are in the volume field file instead."""
    out = []
    for f in data.interface_files():
        try:
            from .data import read_pvd, read_pvd_entries

            n = len(read_pvd_entries(f))
            idx = data.step_field_index(i) if n == len(data.field_entries()) else (i if n == len(data.steps) else n - 1)
            surf = read_pvd(f, idx)
            surf = surf if isinstance(surf, pv.PolyData) else surf.extract_surface(algorithm="dataset_surface")
            surf = surf.copy(deep=False)
            surf.points = np.asarray(surf.points) * 1e6
            out.append(surf)
        except Exception as exc:  # optional output: never fail the figures for it
            log.warning("cannot read interface output %s: %s", f.name, exc)
    names = list(scene.grid.cell_data) + list(scene.grid.point_data)
    if not out and any(re.search("damage|opening", n) for n in names):
        parts = scene.phase_mask(data.particle_phases())
        out.append(scene.grid.extract_cells(parts).extract_surface(algorithm="dataset_surface"))
    return out


def _interface_values(surf, key: str):
    """(name, values) of the first array whose name holds key ('damage' or 'opening'), magnitude if vector."""
    for name in list(surf.cell_data) + list(surf.point_data):
        if key in name.lower():
            vals = np.asarray(surf.cell_data[name] if name in surf.cell_data else surf.point_data[name], dtype=float)
            if vals.ndim > 1:
                vals = np.linalg.norm(vals, axis=1)
            return name, vals
    return None


def _render_interfaces(pv, data: ResultsData, scene: Scene, i: int, key: str, surfaces: list,
                       out: Path) -> dict | None:
    """Particle (interface) surfaces coloured by damage (0..1) or opening (nm)."""
    step = data.steps[i]
    found = [(s, _interface_values(s, key)) for s in surfaces]
    found = [(s, v) for s, v in found if v is not None]
    if not found:
        return None
    ifaces = data.interfaces(step)
    if key == "damage":
        clim, units, fmt, cmap = [0.0, 1.0], "-", "%.2f", "inferno_r"
        src = "damage variable: 0 intact, 1 fully debonded"
        scale = 1.0
        label = "interface damage (-)"
    else:
        scale, units, fmt, cmap = 1e9, "nm", "%.3g", "magma_r"
        mx = max((v.get("max_opening_m", 0.0) for v in ifaces.values() if isinstance(v, dict)), default=0.0)
        field_max = max(float(np.nanmax(v[1])) if v[1].size else 0.0 for _, v in found)
        hi = (mx if mx > 0 else field_max) * scale
        clim = [0.0, hi if hi > 0 else 1.0]
        src = ("max over interfaces of summary steps[].interfaces[].max_opening_m" if mx > 0
               else "field maximum of the opening")
        label = f"interface opening ({units})"
    pl = new_plotter(pv, scene.window)
    for k, (surf, (name, vals)) in enumerate(found):
        surf = surf.copy(deep=False)
        surf[f"{key}_plot"] = vals * scale
        pl.add_mesh(surf, scalars=f"{key}_plot", cmap=cmap, clim=clim, show_scalar_bar=(k == 0),
                    scalar_bar_args=scalar_bar_args(label, fmt=fmt))
    fracs = {n: v.get("debonded_fraction") for n, v in ifaces.items()
             if isinstance(v, dict) and v.get("debonded_fraction") is not None}
    note = ("debonded fraction " + ", ".join(f"{n} {v:.1%}" for n, v in fracs.items())) if fracs else src
    name = f"particle surfaces: {label.split(' (')[0]}"
    title = f"{data.case_name}: {data.step_label(step)}\n{name}"
    decorate(pl, pv, scene, title, note)
    set_camera(pl, scene)
    entry = {"kind": f"interface_{key}", "field": key, "units": units, "colormap": cmap, "clim_source": src}
    if key == "damage":
        entry["clim"] = clim
    else:
        entry["clim_nm"] = clim
        entry["summary_max_opening_m"] = clim[1] / scale
    entry.update(_save(pl, out))
    entry.update(title=title.replace("\n", " - "), caption=f"{name[0].upper()}{name[1:]} at the end of step "
                 f"'{step.get('name')}'; {note}.")
    return entry


def _render_particles(pv, data: ResultsData, scene: Scene, i: int, out: Path) -> list[dict]:
    """Interface damage and opening figures when the run has cohesive interfaces, else the particle
    surfaces coloured by hydrostatic stress."""
    step = data.steps[i]
    particles = data.particle_phases()
    surfaces = _interface_surfaces(pv, data, scene, i)
    entries = []
    for key in ("damage", "opening"):
        e = _render_interfaces(pv, data, scene, i, key, surfaces,
                               out if key == "damage" else out.with_name(out.stem + "-opening.png"))
        if e:
            entries.append(e)
    if entries:
        return entries
    if "hydrostatic_MPa" not in scene.grid.cell_data or "phase_id" not in scene.grid.cell_data:
        return []
    mask = scene.phase_mask(particles)
    if not np.any(mask):
        return []
    surf = scene.grid.extract_cells(mask).extract_surface(algorithm="dataset_surface")
    m = scene.field_quantile_abs("hydrostatic_MPa")
    m = m if m > 0 else 1.0
    pl = new_plotter(pv, scene.window)
    pl.add_mesh(surf, scalars="hydrostatic_MPa", preference="cell", cmap=DIVERGING, clim=[-m, m],
                annotations={m: "tension", -m: "compression"},
                scalar_bar_args=scalar_bar_args("hydrostatic (MPa)\n+ tension / - compression"))
    name = f"{', '.join(particles)} particle surfaces: hydrostatic stress"
    note = "no cohesive interfaces in this run: surfaces coloured by the particles' hydrostatic stress"
    title = f"{data.case_name}: {data.step_label(step)}\n{name}"
    decorate(pl, pv, scene, title, note)
    set_camera(pl, scene)
    entry = {"kind": "particles", "phases": particles, "field": "hydrostatic_Pa", "units": "MPa",
             "clim_MPa": [-m, m], "colormap": DIVERGING,
             "clim_source": "field: volume-weighted 99th percentile of |value| over all cells"}
    entry.update(_save(pl, out))
    entry.update(title=title.replace("\n", " - "), caption=f"{name[0].upper()}{name[1:]} at the end of step "
                 f"'{step.get('name')}'; {note}.")
    return [entry]


def _render_deformed(pv, data: ResultsData, scene: Scene, i: int, out: Path) -> dict | None:
    step = data.steps[i]
    surf = scene.cut
    if "displacement_um" not in surf.point_data:
        return None
    u = np.asarray(surf.point_data["displacement_um"])
    umax = float(np.max(np.linalg.norm(u, axis=1))) if len(u) else 0.0
    if not umax > 0:
        log.info("zero displacement in step %s; deformed-shape figure skipped", step.get("name"))
        return None
    mag = nice_number(0.05 * scene.size / umax)
    warped = surf.copy(deep=False)
    warped.points = np.asarray(surf.points) + mag * u
    pl = new_plotter(pv, scene.window)
    n = len(scene.phase_names)
    if "phase_id" in warped.cell_data and n:
        from matplotlib.colors import ListedColormap

        cmap = ListedColormap([PHASE_COLOURS[k % len(PHASE_COLOURS)] for k in range(n)])
        pl.add_mesh(warped, scalars="phase_id", preference="cell", cmap=cmap, clim=[-0.5, n - 0.5],
                    categories=True, annotations={float(k): p for k, p in enumerate(scene.phase_names)},
                    scalar_bar_args=scalar_bar_args("phase", n_labels=0, fmt=" "))
    else:
        pl.add_mesh(warped, color="#c0c0c0")
    name = f"deformed shape, displacements magnified x{mag:g}"
    title = f"{data.case_name}: {data.step_label(step)}\n{name}"
    note = f"max displacement {umax * 1e3:.3g} nm; grey lines: undeformed box"
    decorate(pl, pv, scene, title, f"{_box_note(scene)}\n{note}")
    set_camera(pl, scene)
    entry = {"kind": "deformed", "magnification": mag, "max_displacement_m": umax * 1e-6}
    entry.update(_save(pl, out))
    entry.update(title=title.replace("\n", " - "), caption=f"Deformed shape at the end of step "
                 f"'{step.get('name')}', displacements magnified x{mag:g} (max {umax * 1e3:.3g} nm), coloured by phase.")
    return entry


def render_step(data: ResultsData, i: int, grid, kinds=("von_mises", "hydrostatic", "max_principal",
                                                        "particles", "deformed"), window=WINDOW) -> list[dict]:
    pv = offscreen_pyvista()
    t0 = time.perf_counter()
    scene = Scene(grid, data.phase_names, window)
    log.debug("scene of step %d prepared in %.1f s", i + 1, time.perf_counter() - t0)
    slug = data.slug(data.steps[i], i)
    out = []
    for kind in kinds:
        t = time.perf_counter()
        path = data.figures / f"{slug}-{kind.replace('_', '-')}.png"
        if kind in ("von_mises", "hydrostatic", "max_principal"):
            e = _render_stress(pv, data, scene, i, kind, path)
        elif kind == "particles":
            e = _render_particles(pv, data, scene, i, path)
        else:
            e = _render_deformed(pv, data, scene, i, path)
        for x in (e if isinstance(e, list) else [e] if e else []):
            x.update(step=data.steps[i].get("name"), step_index=i, field_index=data.step_field_index(i),
                     render_s=round(time.perf_counter() - t, 3))
            out.append(x)
    return out


def make_figures(case_or_results, steps: str | None = "all", volume_figures: bool = True,
                 plots: bool = True, window: tuple[int, int] = WINDOW) -> list[dict]:
    """Render the figures of a finished run into CASE/results/figures/ and update figures.json.

    ``window``: pixel size of the 3D images (width, height).
    """
    data = ResultsData(case_or_results)
    data.figures.mkdir(exist_ok=True)
    entries: list[dict] = []
    t0 = time.perf_counter()
    selected = select_steps(data, steps)
    if not data.field_entries():
        log.info("no field output (fields.pvd) in %s: 3D figures and histograms skipped", data.results)
    for i in selected:
        idx = data.step_field_index(i)
        if idx is None:
            log.info("no field time entry for step %s; its 3D figures are skipped", data.steps[i].get("name"))
            continue
        t = time.perf_counter()
        grid = data.read_field(idx, READ_ARRAYS)
        log.debug("read field entry %d (%d cells) in %.1f s", idx, grid.n_cells, time.perf_counter() - t)
        if volume_figures:
            entries += render_step(data, i, grid, window=window)
        if plots:
            from .plots import histogram_figure

            e = histogram_figure(data, i, grid)
            if e:
                entries.append(e)
    if plots:
        from .plots import history_figure, microstructure_figure, particle_size_figure

        for f in (history_figure, microstructure_figure, particle_size_figure):
            e = f(data)
            if e:
                entries.append(e)
    update_manifest(data.figures, entries, {"case": data.case_name, "title": data.title})
    log.info("%d figure(s) in %s (%.1f s)", len(entries), data.figures, time.perf_counter() - t0)
    return entries
