"""Time per Newton iteration and per increment with cohesive interfaces (shipped debonding case).

    python benchmarks/cohesive.py [--case cases/nmc811-llzo-debonding] [--time-limit 900]
                                  [--linear-solver direct iterative]

The case is copied (case.toml and its cached mesh) to benchmarks/.scratch/ and driven through the
Python API as the driver does (solver/driver.py), once per requested cohesive linear solver
([cohesive_solver] linear_solver: ``direct`` = GMRES + kept MUMPS LU, ``iterative`` = GMRES + kept
GAMG with six rigid-body modes per block): model set-up, then each increment of each stage timed
(wall and CPU) with its Newton and GMRES iterations and preconditioner set-ups, until the stages
end or the time limit (per solver) is reached. Prints one JSON object prefixed ``RESULT`` with one
entry per solver under ``runs``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SCRATCH, load_average, peak_rss_mb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--case", type=Path, default=ROOT / "cases" / "nmc811-llzo-debonding")
    ap.add_argument("--time-limit", type=float, default=900.0, help="per linear solver (s)")
    ap.add_argument("--linear-solver", nargs="+", default=["direct", "iterative"],
                    choices=["auto", "direct", "iterative"])
    args = ap.parse_args()
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

    comm = MPI.COMM_WORLD
    work = SCRATCH / "cohesive" / args.case.name
    if comm.rank == 0:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        shutil.copy(args.case / "case.toml", work / "case.toml")
        if (args.case / "mesh").is_dir():
            shutil.copytree(args.case / "mesh", work / "mesh")
    comm.Barrier()
    runs = {}
    for kind in args.linear_solver:
        load0 = load_average()
        t0 = time.perf_counter()
        loaded = load_case(work)
        spec = loaded.case.cohesive_solver.model_copy(update={"linear_solver": kind})
        loaded.case = loaded.case.model_copy(update={"cohesive_solver": spec})
        msh_file, unit_m, _ = case_mesh_file(loaded, comm)
        pm = read_phase_mesh(msh_file, comm, unit_m)
        names = check_phases(loaded, pm.volumes, msh_file)
        mats = resolve_materials(loaded)
        t1 = time.perf_counter()
        stages = make_stages(loaded.case.stages)
        reference = ReferenceState.of(stages)
        model = build_cohesive_model(loaded, pm, build_bulk(pm, names, [mats[p] for p in names], reference.temperature_K),
                                     boundary_spec(loaded, pm, stages))
        t_setup = time.perf_counter() - t1
        rows, state, stop = [], reference.load_state(), False
        for step in plan_steps(stages):
            for k, state in enumerate(step.stage.increments(step, state, None), start=1):
                ts, cs = time.perf_counter(), time.process_time()
                l0, f0 = model.solver.linear_iterations, model.factorizations
                its = model.solve(state, where=f"{step.name} {k}")
                dt = time.perf_counter() - ts
                rows.append({"stage": step.name, "increment": k, "newton_iterations": its, "s": dt,
                             "cpu_s": time.process_time() - cs, "gmres_iterations": model.solver.linear_iterations - l0,
                             "pc_setups": model.factorizations - f0,
                             "s_per_newton_iteration": dt / its if its else None,
                             "interfaces": model.interface_statistics()})
                if time.perf_counter() - t0 > args.time_limit:
                    stop = True
                    break
            if stop:
                break
        its = sum(r["newton_iterations"] for r in rows)
        tt = sum(r["s"] for r in rows)
        runs[kind] = {"resolved": model.linear_solver, "dofs": model.num_dofs,
                      "cells": pm.mesh.topology.index_map(3).size_global, "mesh_s": t1 - t0, "setup_s": t_setup,
                      "increments_done": len(rows), "stopped_at_time_limit": stop, "newton_iterations": its,
                      "newton_stalls": model.stall_test.stalls, "cutbacks": model.solver.cutbacks,
                      "solve_s": tt, "solve_cpu_s": sum(r["cpu_s"] for r in rows),
                      "s_per_newton_iteration": tt / its if its else None,
                      "s_per_increment": tt / len(rows) if rows else None, "increments": rows,
                      "load_average": load0}
        model.close()
    out = {"case": args.case.name, "ranks": comm.size, "runs": runs, "peak_rss_MB": peak_rss_mb()}
    if comm.rank == 0:
        print("RESULT " + json.dumps(out, default=float), flush=True)


if __name__ == "__main__":
    main()
