"""GAMG iterations against mesh quality and solver settings, on particle RVE meshes (.msh files).

    python benchmarks/quality.py MESH.msh [MESH.msh ...] [--variants default,threshold,...]

For each mesh (read like a case: metres, rollers on xmin/ymin/zmin, NMC811 in LLZO cooled from
1050 C to 25 C in one increment) and each option variant below: iterations, set-up and solve
times, max von Mises per phase. The mesh quality (Gmsh minSICN) comes from the builder's .json next
to the .msh when present. Prints one JSON object per line prefixed ``RESULT``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from common import load_average, thermal_materials  # noqa: E402
from solve import T0, T1, solver_options, thermoelastic_model  # noqa: E402
from stressfem._dolfinx import MPI  # noqa: E402

# Extra PETSc options on top of stressfem's defaults (solver/options.py) and rtol 1e-8.
VARIANTS: dict[str, dict] = {
    "default": {},
    "threshold_0.01": {"pc_gamg_threshold": 0.01},
    "threshold_0.05": {"pc_gamg_threshold": 0.05},
    "smooth_its_4": {"mg_levels_ksp_max_it": 4},
    "pbjacobi": {"mg_levels_pc_type": "pbjacobi"},
    "pbjacobi_its_4": {"mg_levels_pc_type": "pbjacobi", "mg_levels_ksp_max_it": 4},
    "esteig_cg": {"mg_levels_esteig_ksp_type": "cg", "mg_levels_esteig_ksp_max_it": 20,
                  "mg_levels_ksp_chebyshev_esteig": "0,0.1,0,1.1"},
    "no_aggressive": {"pc_gamg_aggressive_coarsening": 0},
    "nsmooths_0": {"pc_gamg_agg_nsmooths": 0},
    "threshold_0.1": {"pc_gamg_threshold": 0.1},
    "threshold_0.05_its_4": {"pc_gamg_threshold": 0.05, "mg_levels_ksp_max_it": 4},
    "sor": {"mg_levels_pc_type": "sor"},
    "sor_its_4": {"mg_levels_pc_type": "sor", "mg_levels_ksp_max_it": 4},
    "threshold_0.05_sor": {"pc_gamg_threshold": 0.05, "mg_levels_pc_type": "sor"},
}


def run_mesh(path: Path, variants: list[str], comm) -> list[dict]:
    from stressfem.geometry.msh import read_phase_mesh
    from stressfem.output.stats import cell_volumes, phase_statistics
    from stressfem.physics.eigenstrain import LoadState

    pm = read_phase_mesh(path, comm, 1.0)
    unit = 1e-6 if pm.mesh.geometry.x.max() > 1e-3 else 1.0  # generated meshes are written in metres
    if unit != 1.0:
        pm.mesh.geometry.x[:] *= unit
    info_file = path.with_suffix(".json")
    info = json.loads(info_file.read_text()) if info_file.is_file() else {}
    names = [n for n in ("NMC811", "LLZO") if n in pm.volumes]
    out = []
    for k, name in enumerate(variants):
        load0 = load_average()
        t0, c0 = time.perf_counter(), time.process_time()
        model = thermoelastic_model(pm, names, thermal_materials(), solver_options(VARIANTS[name]), f"q{k}_")
        t1, c1 = time.perf_counter(), time.process_time()
        try:
            its = model.solve(LoadState(temperature_K=T1), where=name)
            ok = True
        except Exception as exc:  # a variant may diverge: record it
            its, ok = model.solver.ksp.getIterationNumber(), False
            print(f"{name}: {exc}", file=sys.stderr)
        t2, c2 = time.perf_counter(), time.process_time()
        its2 = model.solve(LoadState(temperature_K=0.5 * (T0 + T1)), where=name) if ok else None
        t3 = time.perf_counter()
        stats = phase_statistics(model.cell_stress(), cell_volumes(pm.mesh), model.phase_index, names, comm)
        out.append({"mesh": path.name, "variant": name, "options": VARIANTS[name], "dofs": model.num_dofs,
                    "cells": pm.mesh.topology.index_map(3).size_global,
                    "min_quality": info.get("min_quality"), "mean_quality": info.get("mean_quality"),
                    "converged": ok, "iterations": its, "iterations_next_increment": its2,
                    "setup_s": t1 - t0, "solve_s": t2 - t1, "next_increment_s": t3 - t2,
                    "setup_cpu_s": c1 - c0, "solve_cpu_s": c2 - c1, "load_average": load0,
                    "max_von_mises_MPa": {p: stats[p]["max_von_mises_Pa"] / 1e6 for p in names},
                    "p99_von_mises_MPa": {p: stats[p]["p99_von_mises_Pa"] / 1e6 for p in names}})
        model.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("meshes", nargs="+", type=Path)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    args = ap.parse_args()
    comm = MPI.COMM_WORLD
    for m in args.meshes:
        for row in run_mesh(m, args.variants.split(","), comm):
            if comm.rank == 0:
                print("RESULT " + json.dumps(row, default=float), flush=True)


if __name__ == "__main__":
    main()
