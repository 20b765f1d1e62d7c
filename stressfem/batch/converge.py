"""Mesh-convergence study of a case: the same case at N element sizes, Richardson extrapolation.

Level k (0 = coarsest) scales the case's bulk and interface element sizes ([mesh] or their
defaults) by ``finest * ratio**(N - 1 - k)``; with the default ``finest = 1`` the case's own mesh is
the finest level. All levels share one particle packing (``mesh.packing_interface_size_um`` = the
case's interface size, so studies with other ``finest`` share it too; each level compensates the
radii for its own facets, so every mesh holds the same particle volume), so only the mesh changes.
(Unless the mesh-quality gate of geometry/builders.py has to draw another translation of the
packing for a level; the level's mesh info records ``quality_gate.chosen_draw``.) Each level is an ordinary case
directory ``CASE/convergence/level-k/`` (its own mesh cache and results); the study writes
``CASE/convergence/convergence.json`` and ``.csv`` (atomically) and nothing outside CASE.

For every summary quantity q (per step and phase) of the three finest levels q0, q1, q2 (sizes
h r^2, h r, h), rho = (q1 - q0) / (q2 - q1): rho > 1 is monotone convergence with observed order
p = ln(rho) / ln(r) and the Richardson value q_inf = q2 + (q2 - q1) / (rho - 1)
(Roache, Verification and Validation in Computational Science and Engineering, 1998, Ch. 5);
otherwise the order and extrapolated value are None (not in the asymptotic range).

Image cases (voxel meshes) are refined by splitting every voxel into 2^k cells per edge
(``geometry.subdivide``: the same staircase geometry, refined), so their ratio is 2 and the case's own
mesh is the coarsest level; each row also gives the case's own level against the extrapolated value.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import tomllib
from pathlib import Path

import tomli_w

from ..case import CASE_FILE, ImageGeometry, LayeredGeometry, LoadedCase, ParticlesGeometry, load_case
from ..errors import CaseError
from ..geometry.sizes import mesh_sizes, stack_sizes
from ..output.results_dir import write_atomic

__all__ = ["STUDY_DIR", "level_sizes", "richardson", "write_levels", "collect", "write_study", "study_text",
           "run_study", "check_options"]

log = logging.getLogger(__name__)

STUDY_DIR = "convergence"
# per-phase summary statistics followed by the study (name in summary.json -> short label)
QUANTITIES = {"mean_hydrostatic_Pa": "mean hydrostatic", "mean_von_mises_Pa": "mean von Mises",
              "p99_von_mises_Pa": "p99 von Mises", "max_von_mises_Pa": "max von Mises",
              "max_principal_Pa": "max principal"}
DIAGONAL = ("xx", "yy", "zz")
IMAGE_RATIO = 2.0  # image levels: 1, 2, 4, ... cells per voxel edge


def level_sizes(loaded: LoadedCase) -> tuple[float, float]:
    """The case's bulk and interface element sizes (um), defaults filled in."""
    g, mesh = loaded.case.geometry, loaded.case.mesh
    if isinstance(g, ParticlesGeometry):
        return mesh_sizes(g, mesh)
    if isinstance(g, LayeredGeometry):
        return stack_sizes(g.layers, mesh)
    if isinstance(g, ImageGeometry):  # cell edge of a voxel mesh
        edge = g.voxel_size_m * g.downsample / g.subdivide * 1e6
        return edge, edge
    raise loaded.error("geometry.type", f"`stressfem converge` refines generated and image meshes; geometry type "
                       f"{g.type!r} has a fixed mesh (allowed: \"particles\", \"layered\", \"image\")")


def _relocate_files(table: dict, depth: int) -> None:
    """File keys of a table are relative to the case; a level sits ``depth`` folders deeper."""
    for key, value in table.items():
        if (key == "file" or key.endswith("_file")) and isinstance(value, str) and not os.path.isabs(value):
            table[key] = os.path.join(*([".."] * depth), value)


def _scale(k: int, levels: int, ratio: float, finest: float) -> float:
    """Element-size factor of level k (0 = coarsest) relative to the case (image cases: 2^-k)."""
    return finest * ratio ** (levels - 1 - k) if finest > 0.0 else IMAGE_RATIO ** -k


def case_level(levels: int, ratio: float, finest: float) -> int | None:
    """The level whose mesh is the case's own (element-size factor 1), if any."""
    hits = [k for k in range(levels) if abs(_scale(k, levels, ratio, finest) - 1.0) < 1e-6]
    return hits[0] if hits else None


def _image_study(loaded: LoadedCase, levels: int, finest: float) -> bool:
    """True for image cases; refuses ``--finest`` there and studies that exceed the voxel-mesh cell limit."""
    g = loaded.case.geometry
    if not isinstance(g, ImageGeometry):
        return False
    if finest != 1.0:
        raise CaseError(str(loaded.file), "converge --finest", f"{finest}: an image case is the coarsest level "
                        "(its voxels are subdivided 2, 4, ... times); allowed: 1")
    from ..geometry.image import MAX_HEXES, MAX_TETS, phase_image

    kept = int((phase_image(g, loaded.input_path(g.file))[0] >= 0).sum())
    per_voxel, limit = (1, MAX_HEXES) if g.element == "hexahedron" else (6, MAX_TETS)
    finest_cells = kept * per_voxel * (g.subdivide * 2 ** (levels - 1)) ** 3
    if finest_cells > limit:
        raise CaseError(str(loaded.file), "geometry.crop_voxels", f"the finest level ({g.subdivide * 2 ** (levels - 1)}"
                        f" cells per voxel edge) would have {finest_cells} cells (limit {limit}); study a crop "
                        "(geometry.crop_voxels) or fewer --levels")
    return True


def _round(x: float) -> float:
    """10 significant digits: the same level of two studies gets the same case.toml (and is reused)."""
    return float(f"{x:.10g}")


def write_levels(loaded: LoadedCase, levels: int, ratio: float, finest: float) -> list[Path]:
    """Write CASE/convergence/level-k/case.toml (k = 0 coarsest) and validate each; returns the folders."""
    size, isize = level_sizes(loaded)
    doc = tomllib.loads(loaded.file.read_text(encoding="utf-8"))
    _relocate_files(doc.get("geometry", {}), 2)
    root = loaded.directory / STUDY_DIR
    folders = []
    pack_isize = loaded.case.mesh.packing_interface_size_um or isize
    image = isinstance(loaded.case.geometry, ImageGeometry)
    for k in range(levels):
        scale = _scale(k, levels, ratio, finest)
        if image:  # the same voxels, each split into 2^k more cells per edge
            doc["geometry"]["subdivide"] = loaded.case.geometry.subdivide * 2 ** k
        else:
            doc.setdefault("mesh", {}).update({"size_um": _round(size * scale), "interface_size_um": _round(
                isize * scale), "packing_interface_size_um": pack_isize})
        folder = root / f"level-{k}"
        folder.mkdir(parents=True, exist_ok=True)
        text = f"# level {k} of `stressfem converge`: element sizes x {scale:.6g} of ../../{CASE_FILE}\n" + \
            tomli_w.dumps(doc)
        target = folder / CASE_FILE
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            write_atomic(target, text)
        load_case(folder)
        folders.append(folder)
    return folders


def richardson(values: list[float | None], ratio: float) -> dict:
    """Observed order and extrapolated value from the three finest of ``values`` (coarse to fine)."""
    out = {"extrapolated": None, "order": None, "convergence": "undetermined"}
    if len(values) < 3 or any(v is None or not math.isfinite(v) for v in values[-3:]):
        return out
    q0, q1, q2 = values[-3:]
    d1, d2 = q1 - q0, q2 - q1
    if d2 == 0.0:
        out.update(extrapolated=q2, convergence="converged" if d1 == 0.0 else "undetermined")
        return out
    rho = d1 / d2
    if rho > 1.0:
        out.update(extrapolated=q2 + d2 / (rho - 1.0), order=math.log(rho) / math.log(ratio), convergence="monotone")
    else:
        out["convergence"] = "oscillatory" if rho < 0 else "divergent"
    return out


def collect(summaries: list[dict], ratio: float, own: int | None = None) -> list[dict]:
    """One row per step, phase and quantity: values and error estimates per level, Richardson fit;
    ``own``: the index of the case's own level (its difference from the extrapolated value is given too)."""
    rows = []
    last = summaries[-1]
    for s_i, step in enumerate(last["steps"]):
        for phase in step["phases"]:
            def pick(summary, key, comp=None):
                p = summary["steps"][s_i]["phases"][phase]
                est = p.get("error_estimate_Pa") or {}
                if comp is None:
                    return p.get(key), est.get(key)
                e = est.get("mean_stress_Pa")
                return p["mean_stress_Pa"][comp][comp], (e[comp][comp] if e else None)

            keys = [(k, None, label) for k, label in QUANTITIES.items()] + \
                   [("mean_stress_Pa", c, f"mean sigma_{DIAGONAL[c]}") for c in range(3)]
            for key, comp, label in keys:
                values, estimates = zip(*(pick(s, key, comp) for s in summaries))
                fit = richardson(list(values), ratio)
                q, q_inf = values[-1], fit["extrapolated"]
                def rel(q):
                    return abs(q - q_inf) / abs(q_inf) if q_inf not in (None, 0.0) and q is not None else None

                rows.append({"step": step["name"], "phase": phase, "quantity": label,
                             "values_Pa": list(values), "error_estimates_Pa": list(estimates), **fit,
                             "finest_minus_extrapolated_relative": rel(q),
                             "case_minus_extrapolated_relative": None if own is None else rel(values[own])})
    return rows


def write_study(root: Path, meta: dict, rows: list[dict]) -> tuple[Path, Path]:
    """convergence.json and convergence.csv in ``root`` (atomic)."""
    j = root / "convergence.json"
    write_atomic(j, json.dumps({**meta, "rows": rows}, indent=2, allow_nan=False) + "\n")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    n = len(meta["levels"])
    w.writerow(["step", "phase", "quantity", *(f"level{k}_MPa" for k in range(n)), "extrapolated_MPa", "order",
                "finest_vs_extrapolated_rel", "case_vs_extrapolated_rel", *(f"estimate_level{k}_MPa" for k in range(n))])

    def mpa(v):
        return "" if v is None else f"{v / 1e6:.8g}"

    for r in rows:
        w.writerow([r["step"], r["phase"], r["quantity"], *map(mpa, r["values_Pa"]), mpa(r["extrapolated"]),
                    "" if r["order"] is None else f"{r['order']:.3g}",
                    *("" if r[k] is None else f"{r[k]:.4g}" for k in ("finest_minus_extrapolated_relative",
                                                                       "case_minus_extrapolated_relative")),
                    *map(mpa, r["error_estimates_Pa"])])
    c = root / "convergence.csv"
    write_atomic(c, buf.getvalue())
    return j, c


def study_text(meta: dict, rows: list[dict], last_step_only: bool = True) -> str:
    """A plain-text table (MPa) of the study, for the terminal."""
    steps = [rows[-1]["step"]] if (rows and last_step_only) else list(dict.fromkeys(r["step"] for r in rows))
    n = len(meta["levels"])
    head = ["phase", "quantity", *(f"L{k}" for k in range(n)), "extrap.", "order", "diff", "case diff"]
    lines = ["levels: " + ", ".join(f"L{k}: interface {lv['interface_size_um']:.3g} um, {lv['cells']} cells, "
                                    f"{lv['dofs']} dofs, {lv['wall_time_s']:.0f} s"
                                    for k, lv in enumerate(meta["levels"]))]
    for step in steps:
        lines.append(f"step {step} (MPa; diff = |finest - extrapolated| / |extrapolated|; case diff: the same for "
                     f"the case's own mesh, level {meta.get('case_level')})")
        table = [head]
        for r in (r for r in rows if r["step"] == step):
            values = (f"{v / 1e6:.2f}" if v is not None else "-" for v in r["values_Pa"])
            table.append([r["phase"], r["quantity"], *values,
                          f"{r['extrapolated'] / 1e6:.2f}" if r["extrapolated"] is not None else r["convergence"],
                          f"{r['order']:.2f}" if r["order"] is not None else "-",
                          *(f"{100 * r[k]:.2f} %" if r[k] is not None else "-"
                            for k in ("finest_minus_extrapolated_relative", "case_minus_extrapolated_relative"))])
        widths = [max(len(row[i]) for row in table) for i in range(len(head))]
        lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in table]
    return "\n".join(lines)


def check_options(loaded: LoadedCase, levels: int, ratio: float, finest: float) -> None:
    """Refuse a study that cannot give an order: fewer than 3 levels or a ratio <= 1."""
    if levels < 3:
        raise CaseError(str(loaded.file), "converge --levels", f"{levels} level(s); Richardson needs at least 3")
    if not ratio > 1.0 or not finest > 0.0:
        raise CaseError(str(loaded.file), "converge --ratio", f"ratio {ratio} and finest {finest}: allowed "
                        "ratio > 1 (size ratio between levels) and finest > 0")


def run_study(case_dir: str | Path, levels: int = 3, ratio: float = math.sqrt(2.0), finest: float = 1.0,
              force: bool = False, comm=None) -> tuple[dict, list[dict]]:
    """Write and run the levels (a level whose results are newer than its case.toml is reused unless
    ``force``), then write the study; returns (meta, rows) on every rank."""
    from .._dolfinx import MPI
    from ..solver.driver import run_case

    comm = comm or MPI.COMM_WORLD
    loaded = load_case(case_dir)
    check_options(loaded, levels, ratio, finest)
    level_sizes(loaded)  # refuses fixed meshes on every rank
    if _image_study(loaded, levels, finest):
        log.info("converge: image case: levels split every voxel into 1, 2, 4, ... cells per edge (ratio 2; "
                 "--ratio %g not used)", ratio)
        ratio, finest = IMAGE_RATIO, 0.0
    folders, error = None, None
    if comm.rank == 0:
        try:
            folders = write_levels(loaded, levels, ratio, finest)
        except CaseError as exc:
            error = (exc.file, exc.key, exc.message)
    folders, error = comm.bcast((folders, error), root=0)
    if error is not None:
        raise CaseError(*error)
    summaries = []
    for k, folder in enumerate(folders):
        done = folder / "results" / "summary.json"
        if not force and done.is_file() and done.stat().st_mtime > (folder / CASE_FILE).stat().st_mtime:
            log.info("converge: level %d of %d: reusing %s", k, levels, done)
            summaries.append(json.loads(done.read_text(encoding="utf-8")))
        else:
            log.info("converge: level %d of %d: running %s", k, levels, folder)
            summaries.append(run_case(folder, comm))
    size, isize = level_sizes(loaded)
    own = case_level(levels, ratio, finest)
    meta = {"case": loaded.directory.name, "ratio": ratio, "finest_scale": finest if finest > 0.0 else None,
            "case_level": own, "levels": [
        {"folder": f"{STUDY_DIR}/{f.name}", "size_um": _round(size * _scale(k, levels, ratio, finest)),
         "interface_size_um": _round(isize * _scale(k, levels, ratio, finest)),
         "cells": s.get("cells"), "dofs": s.get("dofs"),
         "element_degree": (s.get("error_estimate") or {}).get("element_degree"), "wall_time_s": s.get("wall_time_s"),
         "peak_memory_per_rank_MB": s.get("peak_memory_per_rank_MB")}
        for k, (f, s) in enumerate(zip(folders, summaries))]}
    rows = collect(summaries, ratio, own)
    if comm.rank == 0:
        write_study(loaded.directory / STUDY_DIR, meta, rows)
    return meta, rows
