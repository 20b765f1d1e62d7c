"""Helpers for the visualisation tests: a small synthetic results folder written like a real run.

``synthetic_results(folder)`` writes CASE/results/ with fields.pvd (+ .vtu, cell data like
output/fields.py, ghost markers), two steps (cooldown, charge), history.csv with soc and interface
columns, summary.json with per-phase and per-interface statistics computed from the written field,
an interface_NMC811-LLZO.pvd with damage and openings, microstructure.json and case.resolved.json.
No solver is needed, so the optional outputs of the other physics are covered in seconds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

PHASES = ["NMC811", "LLZO"]
CENTRES = np.array([[5.0, 5.0, 5.0], [14.0, 6.0, 12.0], [7.0, 15.0, 14.0]])
RADIUS = 3.5
L_UM = 20.0


def _weighted_p99(v, w):
    o = np.argsort(v, kind="stable")
    cw = np.cumsum(w[o])
    return float(v[o][min(int(np.searchsorted(cw, 0.99 * cw[-1])), len(v) - 1)])


def _write_pvd(path: Path, files: list[str]) -> None:
    rows = "\n".join(f'    <DataSet timestep="{k + 1}" part="0" file="{f}" />' for k, f in enumerate(files))
    path.write_text(f'<?xml version="1.0"?>\n<VTKFile type="Collection" version="1.0">\n  <Collection>\n{rows}\n'
                    "  </Collection>\n</VTKFile>\n")


def synthetic_results(case_dir: Path, n: int = 14, interfaces: bool = True, microstructure: bool = True) -> Path:
    import pyvista as pv

    res = Path(case_dir) / "results"
    res.mkdir(parents=True, exist_ok=True)
    h = L_UM / n * 1e-6
    grid = pv.ImageData(dimensions=(n + 1,) * 3, spacing=(h, h, h)).triangulate()
    grid = pv.UnstructuredGrid(grid)
    mid = grid.cell_centers().points
    d = np.min(np.linalg.norm(mid[:, None, :] * 1e6 - CENTRES[None], axis=2), axis=1)
    part = d < RADIUS
    vol = np.abs(grid.compute_cell_sizes(length=False, area=False)["Volume"])
    steps, files, hist_rows = [], [], []
    sphere_files = []
    for k, (name, typ, a, T, soc) in enumerate([("cooldown", "cooling", 1.0, 298.15, 0.0),
                                                ("charge", "soc", 0.6, 298.15, 0.8)]):
        hyd = np.where(part, -180e6, 90e6 * (1 + 0.5 * np.exp(-(d - RADIUS)))) * a
        vm = np.where(part, 100e6 + 20e6 * d / RADIUS, 200e6 * (1 + np.exp(-(d - RADIUS)))) * a
        mp = hyd + vm / 3
        g = grid.copy()
        s = np.zeros((g.n_cells, 9))
        s[:, 0] = s[:, 4] = s[:, 8] = hyd
        g.cell_data["stress_Pa"] = s
        g.cell_data["von_mises_Pa"] = vm
        g.cell_data["hydrostatic_Pa"] = hyd
        g.cell_data["max_principal_Pa"] = mp
        g.cell_data["phase_id"] = np.where(part, 0.0, 1.0)
        g.cell_data["vtkGhostType"] = np.zeros(g.n_cells, dtype=np.uint8)
        g.point_data["displacement"] = -0.01 * a * np.asarray(g.points)
        f = f"fields_p0_{k:06d}.vtu"
        g.save(res / f, binary=False)
        files.append(f)
        phases = {}
        for i, p in enumerate(PHASES):
            sel = np.where(part, 0, 1) == i
            V = float(vol[sel].sum())
            phases[p] = {"volume_m3": V, "mean_stress_Pa": (np.eye(3) * (vol[sel] @ hyd[sel]) / V).tolist(),
                         "mean_hydrostatic_Pa": float(vol[sel] @ hyd[sel] / V),
                         "mean_von_mises_Pa": float(vol[sel] @ vm[sel] / V),
                         "max_von_mises_Pa": float(vm[sel].max()), "p99_von_mises_Pa": _weighted_p99(vm[sel], vol[sel]),
                         "max_principal_Pa": float(mp[sel].max()),
                         "mean_max_principal_Pa": float(vol[sel] @ mp[sel] / V),  # output/tensile.py keys
                         "p50_max_principal_Pa": float(np.median(mp[sel])),
                         "p90_max_principal_Pa": float(np.quantile(mp[sel], 0.9)),
                         "p99_max_principal_Pa": _weighted_p99(mp[sel], vol[sel]),
                         "volume_fraction_above_strength": float(vol[sel] @ (mp[sel] > 100e6) / V),
                         "weibull_risk": 0.01 * a, "failure_probability": float(-np.expm1(-0.01 * a))}
        step = {"name": name, "type": typ, "temperature_K": T, "soc": soc, "increments": 1,
                "linear_iterations": 10, "phases": phases}
        if interfaces:
            sph = pv.merge([pv.Sphere(radius=RADIUS, center=c, theta_resolution=24, phi_resolution=16) for c in CENTRES])
            sph.points = np.asarray(sph.points) * 1e-6
            z = np.asarray(sph.cell_centers().points)[:, 2] * 1e6
            damage = np.clip((z - 4.0) / 10.0 * a, 0.0, 1.0)
            sph.cell_data["damage"] = damage
            sph.cell_data["normal_opening_m"] = damage * 20e-9
            sph.cell_data["tangential_opening_m"] = damage * 5e-9
            sf = f"interface_NMC811-LLZO_p0_{k:06d}.vtp"
            sph.save(res / sf, binary=False)
            sphere_files.append(sf)
            step["interfaces"] = {"NMC811/LLZO": {"area_m2": float(sph.area), "damaged_fraction": float(np.mean(damage > 0)),
                                                  "debonded_fraction": float(np.mean(damage >= 1)),
                                                  "contact_fraction": 0.0,
                                                  "max_opening_m": float(damage.max() * 20e-9),
                                                  "dissipated_energy_J": 1e-12 * a}}
        steps.append(step)
        for inc in (1, 2):
            row = {"stage": name, "increment": inc, "temperature_K": T if typ == "soc" else 1323.15 - 512.5 * inc,
                   "soc": soc * inc / 2, "time_s": 0.0, "linear_iterations": 5}
            for p in PHASES:
                for m in ("mean_hydrostatic_Pa", "mean_von_mises_Pa", "max_von_mises_Pa", "max_principal_Pa"):
                    row[f"{p}.{m}"] = phases[p][m] * inc / 2
            if interfaces:
                for m, v in step["interfaces"]["NMC811/LLZO"].items():
                    row[f"NMC811/LLZO.{m}"] = v * inc / 2
            hist_rows.append(row)
    _write_pvd(res / "fields.pvd", files)
    if interfaces:
        _write_pvd(res / "interface_NMC811-LLZO.pvd", sphere_files)
    cols = list(hist_rows[0])
    (res / "history.csv").write_text(",".join(cols) + "\n" + "\n".join(",".join(str(r[c]) for c in cols)
                                                                         for r in hist_rows) + "\n")
    summary = {"dofs": 3 * grid.n_points, "mpi_ranks": 1, "wall_time_s": 1.0, "steps": steps,
               "cells": grid.n_cells, "phases": {p: p for p in PHASES},
               "mesh": {"n_tetrahedra": grid.n_cells, "n_nodes": grid.n_points, "box_um": [L_UM] * 3},
               "timings_s": {"solve": 0.5}, "peak_memory_per_rank_MB": [100.0], "solver": {"linear_iterations": 20},
               "boundary_conditions": ["roller on xmin (u_x = 0)"]}
    (res / "summary.json").write_text(json.dumps(summary, indent=1))
    resolved = {"title": "synthetic composite", "geometry": {"type": "particles", "particle_phase": "NMC811",
                                                            "matrix_phase": "LLZO", "box_um": [L_UM] * 3},
                "solver": {"element_degree": 1, "rtol": 1e-10},
                "stages": [{"type": "cooling", "name": "cooldown"}, {"type": "soc", "name": "charge"}],
                "resolved_materials": {"NMC811": {"name": "NMC811", "youngs_modulus_Pa": 1.5e11, "poisson_ratio": 0.25,
                                                  "cte_per_K": 1.3e-5, "density_kg_per_m3": 4870,
                                                  "sources": {"youngs_modulus_Pa": "estimate"}}}}
    (res / "case.resolved.json").write_text(json.dumps(resolved, indent=1))
    if microstructure:
        ms = {"volume_fractions": {"NMC811": 0.3, "LLZO": 0.7}, "porosity": 0.0,
              "interfaces": {"NMC811/LLZO": {"area_m2": 3e-10, "specific_area_per_m": 3.7e5}},
              "contact_fraction_by_phase": {"NMC811": {"LLZO": 0.9, "void": 0.1}},
              "tortuosity": {"phase": "LLZO", "x": {"tau": 1.4}, "y": {"tau": 1.5}, "z": {"tau": 1.45}},
              "particle_diameters_um": [5.8, 6.1, 6.3, 5.5, 7.0, 6.6, 5.9, 6.0]}
        (res / "microstructure.json").write_text(json.dumps(ms, indent=1))
    return res
