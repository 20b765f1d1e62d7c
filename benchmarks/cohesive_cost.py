"""Cost of a cohesive increment relative to one linear thermoelastic solve on the same mesh.

    python benchmarks/cohesive_cost.py CASE [--increments 6] [--no-reuse]

CASE must have [[interfaces]] and its mesh available (run `stressfem mesh CASE` first for
generated geometry). The thermoelastic model (interfaces bonded, CG + GAMG, operator and AMG
hierarchy built once) and the cohesive model (block submeshes, Newton) are set up on the same
mesh and driven through the same first increments of the load path. Prints one JSON object
prefixed ``RESULT`` (times in s, per increment). Used for docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case", type=Path)
    ap.add_argument("--increments", type=int, default=6)
    ap.add_argument("--no-reuse", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from stressfem._dolfinx import MPI
    from stressfem.case import load_case
    from stressfem.geometry.msh import read_phase_mesh
    from stressfem.geometry.provide import case_mesh_file
    from stressfem.materials import resolve_materials
    from stressfem.physics.eigenstrain import LoadState
    from stressfem.solver.boundary import build_boundary_conditions
    from stressfem.solver.cohesive_case import build_cohesive_model
    from stressfem.solver.driver import _stress_free_K, check_phases
    from stressfem.solver.load_path import equilibrium_increments, expand_stages
    from stressfem.solver.options import petsc_options
    from stressfem.solver.thermoelastic import ThermoelasticModel

    comm = MPI.COMM_WORLD
    loaded = load_case(args.case)
    msh_file, unit_m, _ = case_mesh_file(loaded, comm)
    pm = read_phase_mesh(msh_file, comm, unit_m)
    phases = check_phases(loaded, pm.volumes, msh_file)
    mats = resolve_materials(loaded)
    materials = [mats[p] for p in phases]
    T0 = _stress_free_K(loaded)
    states, state = [], LoadState(temperature_K=T0)
    for step in expand_stages(loaded.case.stages):
        for s in equilibrium_increments(step, state):
            states.append(s)
            state = s
    states = states[: args.increments]

    t = time.perf_counter()
    lin = ThermoelasticModel(pm, phases, materials, T0, make_bcs=lambda V, v: build_boundary_conditions(loaded, pm, V, v),
                             options=petsc_options(loaded.case.solver))
    lin_setup = time.perf_counter() - t
    lin_times = []
    for k, s in enumerate(states):
        t = time.perf_counter()
        lin.solve(s, where=f"linear {k}")
        lin_times.append(time.perf_counter() - t)
    lin_dofs = lin.num_dofs
    lin.close()

    if args.no_reuse:
        loaded.case = loaded.case.model_copy(update={"cohesive_solver": loaded.case.cohesive_solver.model_copy(
            update={"reuse_factorization": False})})
    t = time.perf_counter()
    model = build_cohesive_model(loaded, pm, phases, materials, T0)
    czm_setup = time.perf_counter() - t
    rows = []
    for k, s in enumerate(states):
        n0, l0, f0 = model.solver.total_iterations, model.solver.linear_iterations, model.factorizations
        t = time.perf_counter()
        model.solve(s, where=f"cohesive {k}")
        dt = time.perf_counter() - t
        st = next(iter(model.interface_statistics().values()))
        rows.append({"time_s": dt, "newton": model.solver.total_iterations - n0, "gmres": model.solver.linear_iterations - l0,
                     "factorizations": model.factorizations - f0, "damaged_fraction": st["damaged_fraction"]})
    lin_mean = sum(lin_times[1:]) / max(len(lin_times) - 1, 1)
    result = {"case": args.case.name, "ranks": comm.size, "reuse_factorization": not args.no_reuse,
              "linear_dofs": lin_dofs, "cohesive_dofs": model.num_dofs,
              "linear_setup_s": lin_setup, "linear_solve_s": lin_times, "linear_solve_mean_s": lin_mean,
              "cohesive_setup_s": czm_setup, "cohesive_increments": rows,
              "ratio_per_increment": [r["time_s"] / lin_mean for r in rows]}
    if comm.rank == 0:
        print("RESULT " + json.dumps(result))
    model.close()


if __name__ == "__main__":
    main()
