"""A 100-increment linear load path against a single-increment run, superposed and incremental.

    python benchmarks/load_path.py [--size-um 0.37] [--incremental-increments 100]

``--incremental-increments 0`` leaves out the incremental run (single and superposed only).

Mesh: a 20 um box of LLZO with a spherical NMC811 particle (30 % of the volume), Gmsh tetrahedra of
size ``--size-um`` (0.37 um: about 500k dofs), rollers on xmin/ymin/zmin. Three `run_case` runs in
this process, one after the other, on the same mesh (fields off):

* single      -- cool-down from 1050 C to 25 C in 1 increment (the path the code picks: incremental);
* superposed  -- 20 cool-down increments, then 4 cycles of 20 increments (10 per half cycle), soc 0..1:
                 100 increments from a few solves of load combinations (solver/superposition.py);
* incremental -- the same 100-increment path with ``[solver] superposition = "off"`` (one CG solve
                 per increment), or its first ``--incremental-increments`` increments.

Prints one RESULT JSON line: dofs, the wall time of each run and its parts (summary.json
``timings_s``), the ratio superposed / single, the cost of one extra increment as a fraction of
the single run's solve, and the load average before and after each run. Wall and process CPU
time of each run (CPU time is the steadier measure on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SCRATCH, load_average, machine  # noqa: E402

CASE = """
[geometry]
type = "msh"
file = "box.msh"
[phases]
NMC811 = "NMC811"
LLZO = "LLZO"
[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "ymin", "zmin"]
[solver]
superposition = "{mode}"
[output]
fields = false
[[stages]]
type = "cooling"
stress_free_temperature_C = 1050
final_temperature_C = 25
increments = {cool}
"""
CYCLES = """
[[stages]]
type = "cycles"
count = {count}
increments = {half}
"""


def box_msh(path: Path, size_um: float) -> Path:
    """The box-with-particle mesh (written in metres); kept for reuse."""
    if path.is_file():
        return path
    from stressfem.geometry.gmsh_session import gmsh_session, name_box_faces, write_msh

    with gmsh_session(threads=1) as gmsh:
        occ = gmsh.model.occ
        gmsh.model.add("box")
        box = occ.addBox(0, 0, 0, 20, 20, 20)
        ball = occ.addSphere(10, 10, 10, (0.3 * 3 / (4 * 3.141592653589793)) ** (1 / 3) * 20)
        out, _ = occ.fragment([(3, box)], [(3, ball)])
        occ.synchronize()
        vols = [t for d, t in out if d == 3]
        inner = min(vols, key=lambda t: occ.getMass(3, t))
        gmsh.model.addPhysicalGroup(3, [inner], name="NMC811")
        gmsh.model.addPhysicalGroup(3, [t for t in vols if t != inner], name="LLZO")
        name_box_faces(gmsh, [20.0, 20.0, 20.0])
        gmsh.option.setNumber("Mesh.MeshSizeMax", size_um)
        gmsh.option.setNumber("Mesh.MeshSizeMin", size_um)
        gmsh.model.mesh.generate(3)
        write_msh(gmsh, path, scale_to_m=1e-6)
    return path


def _case(folder: Path, msh: Path, mode: str, cool: int, cycles: int = 0, half: int = 10) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    text = CASE.format(mode=mode, cool=cool) + (CYCLES.format(count=cycles, half=half) if cycles else "")
    (folder / "case.toml").write_text(text)
    (folder / "box.msh").symlink_to(msh)
    return folder


def _timed(folder: Path, comm) -> dict:
    from stressfem.solver.driver import run_case

    load0 = load_average()
    t0, c0 = time.perf_counter(), time.process_time()
    s = run_case(folder, comm)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    increments = sum(st["increments"] for st in s["steps"])
    return {"wall_s": wall, "cpu_s": cpu, "increments": increments, "timings_s": s["timings_s"], "superposition": s["superposition"],
            "linear_iterations": s["solver"]["linear_iterations"], "dofs": s["dofs"], "cells": s["cells"],
            "load_before": load0, "load_after": load_average()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-um", type=float, default=0.37)
    ap.add_argument("--incremental-increments", type=int, default=100, help="20 or 100 (cool-down only, or all); 0: no incremental run")
    args = ap.parse_args()
    from stressfem._dolfinx import MPI

    comm = MPI.COMM_WORLD
    work = SCRATCH / "load_path"
    msh = work / f"box-{args.size_um:g}um.msh"
    if comm.rank == 0:
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        box_msh(msh, args.size_um)
        print(f"mesh {msh.name}: {time.perf_counter() - t0:.0f} s", flush=True)
    comm.Barrier()
    full = args.incremental_increments >= 100
    runs = {}
    plan = [("single", "auto", 1, 0), ("superposed", "auto", 20, 4), ("incremental", "off", 20, 4 if full else 0)]
    for name, mode, cool, cycles in plan[:3 if args.incremental_increments > 0 else 2]:
        folder = _case(work / name, msh, mode, cool, cycles) if comm.rank == 0 else work / name
        comm.Barrier()
        runs[name] = _timed(folder, comm)
        if comm.rank == 0:
            r = runs[name]
            print(f"{name}: {r['increments']} increments, {r['wall_s']:.1f} s wall, load {r['load_before']}", flush=True)
    one, sup, inc = runs["single"], runs["superposed"], runs.get("incremental")
    solve1 = one["timings_s"]["solve"]
    path_sup = sup["timings_s"]["increments"] / sup["increments"]  # per increment: combination + statistics
    result = {
        "machine": machine(), "ranks": comm.size, "size_um": args.size_um, "dofs": one["dofs"], "cells": one["cells"],
        "runs": runs,
        "ratio_superposed_to_single": sup["wall_s"] / one["wall_s"],
        "cpu_ratio_superposed_to_single": sup["cpu_s"] / one["cpu_s"],
        "extra_increment_fraction_of_solve": path_sup / solve1,
        "incremental_per_increment_s": inc["timings_s"]["increments"] / inc["increments"] if inc else None,
        "superposed_per_increment_s": path_sup,
        "single_solve_s": solve1,
    }
    if comm.rank == 0:
        print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
