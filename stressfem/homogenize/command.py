"""``stressfem homogenize CASE``: effective properties of a periodic case, printed and written.

Writes CASE/results/effective_properties.json (strict JSON, atomic, rank 0 only); the CASE's
stages are not run, only the periodic unit-strain and eigenstrain solves. The temperatures
sampled are those of the case's cooling stages (``points`` per stage, both ends included), the
states of charge 0..1 (``points``) when a phase has a chemical strain.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np

from ..case import CoolingStage
from .effective import Homogenizer

__all__ = ["homogenize_case", "homogenizer_for_case", "sample_points", "format_report", "effective_properties"]

log = logging.getLogger(__name__)


def sample_points(loaded, points: int) -> tuple[list[float], list[float] | None]:
    """Temperatures (K) of the cooling stages and states of charge (or None) to evaluate at."""
    temps: list[float] = []
    for s in loaded.case.stages:
        if isinstance(s, CoolingStage):
            temps += np.linspace(s.end_K, s.start_K, points).tolist()
    if not temps:
        temps = [298.15]
    from ..materials import resolve_materials

    chemical = any(m.chemical_strain is not None or m.partial_molar_volume_m3_per_mol is not None
                   for m in resolve_materials(loaded).values())
    socs = np.linspace(0.0, 1.0, points).tolist() if chemical else None
    return sorted(set(temps)), socs


def homogenizer_for_case(loaded, comm) -> Homogenizer:
    """Mesh (cached), read and set up the periodic model of a case with [periodic], all six unit solves."""
    from ..geometry.msh import read_phase_mesh
    from ..geometry.provide import case_mesh_file
    from ..solver.case_model import build_case_model

    if loaded.case.periodic is None or loaded.case.periodic.directions != "xyz":
        raise loaded.error("periodic", "homogenisation needs a box periodic in x, y and z: a [periodic] table with "
                           "directions = \"xyz\" (the default)")
    msh_file, unit_m, mesh_info = case_mesh_file(loaded, comm)
    pm = read_phase_mesh(msh_file, comm, unit_m, case_file=str(loaded.file))
    cm = build_case_model(loaded, pm, msh_file, mesh_info)
    cm.model.complete_units()
    return Homogenizer(cm.model, cm.materials, cm.phase_names, cm.reference.temperature_K)


def effective_properties(loaded, model, phase_names, materials, stress_free_K: float, points: int = 5) -> dict:
    """summary.json ``effective_properties`` of a run with [periodic] homogenize = true (model: PeriodicModel)."""
    model.complete_units()
    return Homogenizer(model, materials, phase_names, stress_free_K).report(*sample_points(loaded, points))


def homogenize_case(case_dir: str | Path, comm, points: int = 5) -> dict:
    """Compute the effective properties of CASE; returns the report (on every rank)."""
    from ..case import load_case
    from ..output.results_dir import write_atomic
    t0 = time.perf_counter()
    loaded = load_case(case_dir)
    h = homogenizer_for_case(loaded, comm)
    temps, socs = sample_points(loaded, points)
    report = h.report(temps, socs)
    report.update({"mpi_ranks": comm.size, "wall_time_s": time.perf_counter() - t0,
                   "linear_iterations": h.model.solver.total_iterations,
                   "method": "periodic unit-strain solves (docs/periodic.md)", **h.model.run_summary()})
    text = json.dumps(report, indent=2, allow_nan=False)
    if comm.rank == 0:
        out = loaded.directory / "results"
        out.mkdir(exist_ok=True)
        write_atomic(out / "effective_properties.json", text)
    h.model.close()
    return report


def _where(c: dict, bounds: str = "Hashin-Shtrikman") -> str:
    """'within the ... bounds at 0.9500 of the window' (or OUTSIDE) for a bounds_check entry."""
    pos = "" if c["position"] is None else f" at {c['position']:.4f} of the window (0 lower, 1 upper)"
    return ("within" if c["within"] else "OUTSIDE") + f" the {bounds} bounds" + pos


def format_report(r: dict) -> str:
    """Plain-text summary: stiffness (GPa), moduli against HS bounds, CTE and chemical strain tensors."""
    lines = ["effective stiffness (Voigt xx yy zz yz xz xy, GPa):"]
    lines += ["  " + " ".join(f"{v / 1e9:8.2f}" for v in row) for row in r["stiffness_voigt_Pa"]]
    hs, vr, check = r["hashin_shtrikman_Pa"], r["voigt_reuss_Pa"], r["bounds_check"]
    names = {"voigt_type": "from C", "reuss_type": "from C^-1"}
    rigorous = "" if hs["rigorous"] else " (crystal phases: Voigt/Reuss crystal moduli, not rigorous)"
    for q, label in (("K", "bulk modulus "), ("G", "shear modulus")):
        lines.append(f"{label} Voigt-Reuss [{vr[q + '_lower'] / 1e9:.5f}, {vr[q + '_upper'] / 1e9:.5f}] GPa; "
                     f"Hashin-Shtrikman [{hs[q + '_lower'] / 1e9:.5f}, {hs[q + '_upper'] / 1e9:.5f}] GPa{rigorous}")
        for kind, src in names.items():
            c = check[f"{q}_{kind}"]
            lines.append(f"  {src:9s} {c['value'] / 1e9:.5f} GPa: {_where(c)}")
    th = r["thermal_expansion"]
    bounds = th.get("levin_hashin_shtrikman_bounds_secant_per_K")
    lines.append(f"thermal expansion (1e-6/K), stress-free at {th['stress_free_temperature_K']:.1f} K: "
                 "T, secant xx yy zz, instantaneous xx yy zz" + (", volumetric secant bounds" if bounds else ""))
    if "cte_volumetric_secant" in check:
        c = check["cte_volumetric_secant"]
        lines.append(f"  volumetric secant at {th['temperature_K'][0]:.2f} K: {c['value'] * 1e6:.5f}: {_where(c, "Levin/HS")}")
    for k, T in enumerate(th["temperature_K"]):
        sec, ins = np.diag(th["secant_per_K"][k]) * 1e6, np.diag(th["instantaneous_per_K"][k]) * 1e6
        extra = f"  [{bounds[k][0] * 1e6:.4f}, {bounds[k][1] * 1e6:.4f}]" if bounds else ""
        lines.append(f"  {T:8.2f} K  {sec[0]:7.3f} {sec[1]:7.3f} {sec[2]:7.3f}   {ins[0]:7.3f} {ins[1]:7.3f} "
                     f"{ins[2]:7.3f}{extra}")
    ch = r.get("chemical_expansion")
    if ch:
        lines.append(f"chemical strain (1e-3) at {ch['temperature_K']:.1f} K: soc, xx yy zz")
        for s, e in zip(ch["soc"], ch["strain"]):
            d = np.diag(e) * 1e3
            lines.append(f"  {s:5.2f}  {d[0]:8.3f} {d[1]:8.3f} {d[2]:8.3f}")
    return "\n".join(lines)
