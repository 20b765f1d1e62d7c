"""Blocks and set-up cost of cohesive grain boundaries: polycrystalline NMC811 particles in LLZO.

    python benchmarks/cohesive_bodies.py [--grains 8] [--volume-fraction 0.3] [--box-um 8] [--model]

Meshes a generated polycrystalline RVE (benchmarks/.scratch/), then builds the body layout for
cohesive ``NMC811#gb`` + ``NMC811/LLZO`` (cohesive_bodies.BlockLayout): bodies, bonded clusters,
blocks after vertex-adjacency colouring, (plus block, minus block) integration pairs. With
``--model`` also the whole CohesiveModel (form compilation: first run, or cached) and the first
increment of a charge. Prints one JSON object prefixed ``RESULT`` and writes
benchmarks/results/cohesive_bodies.json.

Measured (defaults, serial, 2-core machine shared with other jobs, load average about 6): 11
particles, 89 bodies, 7 blocks, 15 + 6 block pairs, layout 0.4 s; meshing 267 s (first run, then
cached); --model: first-run set-up (form compilation) 285 s, first increment 66 Newton iterations
in 182 s (docs/cohesive.md, Limitations).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SCRATCH, load_average, peak_rss_mb, write_json  # noqa: E402

LAW = ('{ type = "bilinear", penalty_stiffness_Pa_per_m = 1e18, normal_strength_Pa = 100e6, '
       'shear_strength_Pa = 150e6, GIc_J_per_m2 = 2.4, GIIc_J_per_m2 = 2.4, viscosity_s = 0.05 }')


def case_toml(grains: int, vf: float, box: float) -> str:
    return f"""
[geometry]
type = "particles"
box_um = [{box}, {box}, {box}]
volume_fraction = {vf}
particle_phase = "NMC811"
matrix_phase = "LLZO"
seed = 1
size_distribution = {{ type = "fixed", diameter_um = 3.0 }}
grains = {{ grains_per_particle = {grains} }}
[mesh]
size_um = 1.0
interface_size_um = 0.6
[phases]
NMC811 = "NMC811"
LLZO = "LLZO"
[[stages]]
type = "soc"
name = "charge"
soc_end = 0.25
increments = 1
[[boundary_conditions]]
type = "roller"
surfaces = ["xmin", "ymin", "zmin"]
[[interfaces]]
name = "NMC811#gb"
law = {LAW}
[[interfaces]]
name = "NMC811/LLZO"
law = {LAW}
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--grains", type=int, default=8)
    ap.add_argument("--volume-fraction", type=float, default=0.3)
    ap.add_argument("--box-um", type=float, default=8.0)
    ap.add_argument("--model", action="store_true", help="also build the model and solve one increment")
    args = ap.parse_args()
    from stressfem._dolfinx import MPI
    from stressfem.case import load_case
    from stressfem.geometry.msh import read_phase_mesh
    from stressfem.geometry.provide import case_mesh_file
    from stressfem.materials import resolve_materials
    from stressfem.physics.eigenstrain import LoadState
    from stressfem.solver.cohesive.bodies import BlockLayout
    from stressfem.solver.boundary import boundary_spec
    from stressfem.solver.bulk import build_bulk
    from stressfem.solver.cohesive.build import build_cohesive_model
    from stressfem.solver.cohesive.model import CohesiveInterface
    from stressfem.solver.case_model import crystal_axes, check_phases
    from stressfem.stages import ReferenceState, make_stages

    comm = MPI.COMM_WORLD
    work = SCRATCH / "cohesive_bodies" / f"g{args.grains}-vf{args.volume_fraction}-box{args.box_um}"
    if comm.rank == 0:
        work.mkdir(parents=True, exist_ok=True)
        (work / "case.toml").write_text(case_toml(args.grains, args.volume_fraction, args.box_um))
        shutil.rmtree(work / "results", ignore_errors=True)
    comm.Barrier()
    load0 = load_average()
    t0 = time.perf_counter()
    loaded = load_case(work)
    msh_file, unit_m, info = case_mesh_file(loaded, comm)
    pm = read_phase_mesh(msh_file, comm, unit_m)
    names = check_phases(loaded, pm.volumes, msh_file)
    t1 = time.perf_counter()
    ifaces = [CohesiveInterface("NMC811#gb", "NMC811", "NMC811", None), CohesiveInterface("NMC811/LLZO", "NMC811", "LLZO", None)]
    layout = BlockLayout(pm, names, ifaces)
    t_layout = time.perf_counter() - t1
    out = {"grains_per_particle": args.grains, "n_particles": info.get("n_particles"), "ranks": comm.size,
           "cells": pm.mesh.topology.index_map(3).size_global, "mesh_s": t1 - t0,
           "bodies": len(layout.bodies.names), "clusters": int(layout.cluster.max()) + 1,
           "blocks": layout.n_blocks, "pairs": {i.name: len(g) for i, g in zip(ifaces, layout.groups)},
           "layout_s": t_layout, "load_average": load0}
    if args.model:
        mats = resolve_materials(loaded)
        t2 = time.perf_counter()
        stages = make_stages(loaded.case.stages)
        T0 = ReferenceState.of(stages).temperature_K
        bulk = build_bulk(pm, names, [mats[p] for p in names], T0,
                          crystal_axes(loaded, pm, names, [mats[p] for p in names], info))
        model = build_cohesive_model(loaded, pm, bulk, boundary_spec(loaded, pm, stages))
        out["setup_s"] = time.perf_counter() - t2
        out["dofs"] = model.num_dofs
        t3 = time.perf_counter()
        out["newton_iterations"] = model.solve(LoadState(temperature_K=T0, soc=0.25), "charge 1")
        out["solve_s"] = time.perf_counter() - t3
        out["interfaces"] = model.interface_statistics()
        model.close()
    out["peak_rss_MB"] = peak_rss_mb()
    if comm.rank == 0:
        write_json("cohesive_bodies.json", out)
        print("RESULT " + json.dumps(out, default=float), flush=True)


if __name__ == "__main__":
    main()
