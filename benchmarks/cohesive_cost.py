"""Cost of a cohesive increment relative to one linear thermoelastic solve on the same mesh.

    python benchmarks/cohesive_cost.py CASE [--increments 6] [--no-reuse] [--linear-solver direct iterative]
                                            [--method newton|secant] [--petsc KEY=VALUE ...]

CASE must have [[interfaces]] and its mesh available (run `stressfem mesh CASE` first for
generated geometry). The thermoelastic model (interfaces bonded, CG + GAMG, operator and AMG
hierarchy built once) and the cohesive model (block submeshes, Newton) are set up on the same
mesh and driven through the same first increments of the load path, once per requested cohesive
linear solver (``direct``: GMRES + kept MUMPS LU; ``iterative``: GMRES + kept GAMG with six
rigid-body modes per block). Per increment: wall and CPU time, Newton and GMRES iterations,
preconditioner set-ups (LU factorisations or GAMG hierarchies), interface statistics, and the
ratio to one linear solve (CPU time over the mean CPU time of a reused-AMG thermoelastic solve).
``--method secant``: the damage-frozen SPD path (solver/cohesive/secant.py). The result also holds
the peak resident memory of each rank (MB). Prints one JSON object prefixed ``RESULT``. Used for
docs/performance.md sections 8.1 and 8.2 and by ``benchmarks/run.py --sections cohesive_scaling``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case", type=Path)
    ap.add_argument("--increments", type=int, default=6)
    ap.add_argument("--no-reuse", action="store_true")
    ap.add_argument("--linear-solver", nargs="+", default=["direct", "iterative"],
                    choices=["auto", "direct", "iterative"])
    ap.add_argument("--method", default="newton", choices=["newton", "secant", "newton_secant"])
    ap.add_argument("--petsc", nargs="*", default=[], help="extra [cohesive_solver] petsc_options KEY=VALUE")
    args = ap.parse_args()
    logging.basicConfig(level=getattr(logging, os.environ.get("COH_LOG", "WARNING")))

    from stressfem._dolfinx import MPI
    from stressfem.case import load_case
    from stressfem.geometry.msh import read_phase_mesh
    from stressfem.geometry.provide import case_mesh_file
    from stressfem.materials import resolve_materials
    from stressfem.solver.boundary import boundary_spec
    from stressfem.solver.bulk import build_bulk
    from stressfem.solver.cohesive.build import build_cohesive_model
    from stressfem.solver.driver import check_phases
    from stressfem.stages import ReferenceState, make_stages, plan_steps
    from stressfem.solver.options import petsc_options
    from stressfem.solver.thermoelastic import ThermoelasticModel

    comm = MPI.COMM_WORLD
    loaded = load_case(args.case)
    msh_file, unit_m, _ = case_mesh_file(loaded, comm)
    pm = read_phase_mesh(msh_file, comm, unit_m)
    phases = check_phases(loaded, pm.volumes, msh_file)
    mats = resolve_materials(loaded)
    materials = [mats[p] for p in phases]
    stages = make_stages(loaded.case.stages)
    T0 = ReferenceState.of(stages).temperature_K
    states, state = [], ReferenceState.of(stages).load_state()
    for step in plan_steps(stages):
        for s in step.stage.increments(step, state, None):
            states.append(s)
            state = s
    states = states[: args.increments]

    t = time.perf_counter()
    lin = ThermoelasticModel(pm, build_bulk(pm, phases, materials, T0), boundary_spec(loaded, pm, stages),
                             options=petsc_options(loaded.case.solver))
    lin_setup = time.perf_counter() - t
    lin_times, lin_cpu, lin_its = [], [], []
    for k, s in enumerate(states):
        t, c = time.perf_counter(), time.process_time()
        lin_its.append(lin.solve(s, where=f"linear {k}"))
        lin_times.append(time.perf_counter() - t)
        lin_cpu.append(time.process_time() - c)
    lin_dofs = lin.num_dofs
    lin.close()
    lin_mean = sum(lin_times[1:]) / max(len(lin_times) - 1, 1)
    lin_cpu_mean = sum(lin_cpu[1:]) / max(len(lin_cpu) - 1, 1)
    result = {"case": args.case.name, "ranks": comm.size, "reuse_factorization": not args.no_reuse,
              "load_average_start": os.getloadavg()[0], "linear_dofs": lin_dofs, "linear_setup_s": lin_setup,
              "linear_solve_s": lin_times, "linear_solve_cpu_s": lin_cpu, "linear_iterations": lin_its,
              "linear_solve_mean_s": lin_mean, "linear_solve_mean_cpu_s": lin_cpu_mean, "cohesive": {}}
    petsc = dict(kv.split("=", 1) for kv in args.petsc)

    for kind in args.linear_solver:
        spec = loaded.case.cohesive_solver.model_copy(update={
            "reuse_factorization": not args.no_reuse, "linear_solver": kind, "method": args.method,
            "petsc_options": {**loaded.case.cohesive_solver.petsc_options, **petsc}})
        loaded.case = loaded.case.model_copy(update={"cohesive_solver": spec})
        t = time.perf_counter()
        model = build_cohesive_model(loaded, pm, build_bulk(pm, phases, materials, T0), boundary_spec(loaded, pm, stages))
        czm_setup = time.perf_counter() - t
        if os.environ.get("COH_MONITOR") and comm.rank == 0:  # Newton residual norms, for diagnosis
            model.snes.setMonitor(lambda snes, it, norm: print(f"  it {it} |F| {norm:.3e} ksp "
                                                               f"{snes.getKSP().getIterationNumber()}", flush=True))
        rows = []
        for k, s in enumerate(states):
            n0, l0, f0 = model.solver.total_iterations, model.solver.linear_iterations, model.factorizations
            t, c = time.perf_counter(), time.process_time()
            model.solve(s, where=f"cohesive {k}")
            dt, dc = time.perf_counter() - t, time.process_time() - c
            st = next(iter(model.interface_statistics().values()))
            rows.append({"time_s": dt, "cpu_s": dc, "newton": model.solver.total_iterations - n0,
                         "gmres": model.solver.linear_iterations - l0, "pc_setups": model.factorizations - f0,
                         "ratio_cpu": dc / lin_cpu_mean, "load_average": os.getloadavg()[0], **st})
            if comm.rank == 0:
                print(kind, json.dumps(rows[-1]), flush=True)
        result["cohesive"][kind] = {"resolved": model.linear_solver, "dofs": model.num_dofs, "setup_s": czm_setup,
                                    "jacobian_nonzeros": model.linear.jacobian_nonzeros,
                                    "preconditioner_nonzeros": model.linear.preconditioner_nonzeros,
                                    "increments": rows}
        model.close()
    import resource

    result["method"] = args.method
    result["peak_rss_mb_per_rank"] = comm.gather(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    if comm.rank == 0:
        print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
