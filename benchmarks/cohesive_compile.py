"""First-run form compilation of the cohesive model: polycrystalline NMC811 particles (8 grains) in LLZO.

    python benchmarks/cohesive_compile.py [--particles 1 2 4]

For each particle count, a generated box (6 um, particles of 3 um, 8 Voronoi grains each, volume
fraction scaled with the count; benchmarks/.scratch/) with cohesive ``NMC811#gb`` and ``NMC811/LLZO``
is meshed, then the CohesiveModel is built in a child process whose FFCx/DOLFINx JIT cache is a fresh
empty folder (``XDG_CACHE_HOME``, read by dolfinx.jit when it is imported): the number of compiled form
modules (``libffcx_forms_*.so`` written to the cache) and the set-up time are what a first run pays.
The set-up CPU time (this process and its C compiler children) is the measure to compare on a shared
machine; the wall time follows the load.
Writes benchmarks/results/cohesive_compile.json; docs/cohesive.md, Limitations.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cohesive_bodies import case_toml as bodies_case_toml  # noqa: E402
from common import SCRATCH, load_average, write_json  # noqa: E402

BOX_UM, DIAMETER_UM = 6.0, 3.0


def case_toml(particles: int) -> str:
    """The case of benchmarks/cohesive_bodies.py with ``particles`` particles and element sizes 1.2/0.8 um."""
    vf = round(particles * math.pi * DIAMETER_UM**3 / 6 / BOX_UM**3, 4)
    toml = bodies_case_toml(8, vf, BOX_UM)
    for old, new in (("seed = 1\n", f"seed = 1\nmax_particles = {particles}\n"),
                     ("size_um = 1.0\ninterface_size_um = 0.6", "size_um = 1.2\ninterface_size_um = 0.8")):
        assert old in toml, old
        toml = toml.replace(old, new, 1)
    return toml


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the C compiler runs of the JIT), s."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def build(folder: str) -> None:
    """Child: mesh (cached), then build the cohesive model; prints one RESULT line."""
    from stressfem._dolfinx import MPI
    from stressfem.case import load_case
    from stressfem.geometry.msh import read_phase_mesh
    from stressfem.geometry.provide import case_mesh_file
    from stressfem.materials import resolve_materials
    from stressfem.solver.boundary import boundary_spec
    from stressfem.solver.bulk import build_bulk
    from stressfem.solver.case_model import check_phases, crystal_axes
    from stressfem.solver.cohesive.build import build_cohesive_model
    from stressfem.stages import ReferenceState, make_stages

    comm = MPI.COMM_WORLD
    loaded = load_case(Path(folder))
    msh_file, unit_m, info = case_mesh_file(loaded, comm)
    pm = read_phase_mesh(msh_file, comm, unit_m)
    names = check_phases(loaded, pm.volumes, msh_file)
    mats = [resolve_materials(loaded)[p] for p in names]
    stages = make_stages(loaded.case.stages)
    T0 = ReferenceState.of(stages).temperature_K
    bulk = build_bulk(pm, names, mats, T0, crystal_axes(loaded, pm, names, mats, info))
    t0, c0 = time.perf_counter(), cpu_seconds()
    model = build_cohesive_model(loaded, pm, bulk, boundary_spec(loaded, pm, stages))
    cpu = cpu_seconds() - c0
    print("RESULT " + json.dumps({"particles": info.get("n_particles"), "bodies": len(model.layout.bodies.names),
                                  "blocks": model.layout.n_blocks, "pairs": [len(g) for g in model.layout.groups],
                                  "cells": pm.mesh.topology.index_map(3).size_global,
                                  "setup_s": time.perf_counter() - t0, "setup_cpu_s": cpu}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--particles", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        build(args.child)
        return
    out = []
    for n in args.particles:
        work = SCRATCH / "cohesive_compile" / f"p{n}"
        work.mkdir(parents=True, exist_ok=True)
        (work / "case.toml").write_text(case_toml(n))
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "XDG_CACHE_HOME": cache}
            load = load_average()
            proc = subprocess.run([sys.executable, __file__, "--child", str(work)], env=env, check=True,
                                  capture_output=True, text=True)
            row = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("RESULT "))[7:])
            row["modules_compiled"] = len(list(Path(cache).rglob("libffcx_forms_*.so")))
            row["load_average"] = load
        print(json.dumps(row), flush=True)
        out.append(row)
    write_json("cohesive_compile.json", out)


if __name__ == "__main__":
    main()
