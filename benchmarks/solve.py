"""Cool-down solve on one box mesh: bare DOLFINx against stressfem, in one process (any rank count).

    python benchmarks/solve.py N [--reps 2] [--options JSON]   (or under mpiexec -n 2)

Mesh: ``common.box_phase_mesh(N)`` (3 (N+1)^3 dofs), a spherical NMC811 particle in LLZO, rollers on
xmin/ymin/zmin, cooled from 1050 C to 25 C. Both variants use the same PETSc options and rtol:

* bare: DG0 Lame fields and a DG0 eigenstrain tensor, forms, assemble A and b, CG + GAMG with the
  rigid-body near-nullspace (as the shared example elasticity_gamg.py) -- "assemble" and "solve".
* stressfem: ``ThermoelasticModel`` (forms, A, KSP/AMG set-up: "setup") and ``model.solve`` for the
  full cool-down ("increment"); then the whole-run extras: cell stress, per-phase statistics,
  VTK field output; then 4 more increments that reuse the AMG hierarchy.

Prints one JSON object (rank 0). Peak memory: ru_maxrss after the first stressfem pass (the
bare pass runs after it), per rank.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from common import RTOL, SCRATCH, Timer, box_phase_mesh, load_average, peak_rss_mb, thermal_materials  # noqa: E402
from stressfem._dolfinx import MPI, PETSc, fem, la, ufl  # noqa: E402

T0, T1 = 1323.15, 298.15


def solver_options(extra: dict | None = None) -> dict:
    from stressfem.solver.options import ELASTICITY_DEFAULTS

    opts = dict(ELASTICITY_DEFAULTS)
    opts.update({"ksp_rtol": RTOL, "ksp_max_it": 1000})
    opts.update(extra or {})
    return opts


def roller_bcs(pm):
    """Rollers on xmin, ymin, zmin (stressfem's neutral boundary description)."""
    from stressfem.solver.boundary import BoundarySpec, Support

    return BoundarySpec([Support(name, pm.facet_tags.find(pm.surfaces[name]), axis, description=f"roller on {name}")
                         for axis, name in enumerate(("xmin", "ymin", "zmin"))])


def thermoelastic_model(pm, names, materials, options: dict, prefix: str):
    """stressfem's thermoelastic model of a box with rollers (stress-free at T0)."""
    from stressfem.solver.bulk import build_bulk
    from stressfem.solver.thermoelastic import ThermoelasticModel

    return ThermoelasticModel(pm, build_bulk(pm, names, materials, T0), roller_bcs(pm), options=options, prefix=prefix)


def _rigid_body_modes(V):
    """As the shared example: six orthonormalised rigid-body modes as a PETSc near-nullspace."""
    index_map, bs = V.dofmap.index_map, V.dofmap.index_map_bs
    basis = [la.vector(index_map, bs=bs, dtype=PETSc.ScalarType) for _ in range(6)]
    x = V.tabulate_dof_coordinates()
    for i in range(3):
        basis[i].array[i::3] = 1.0
    basis[3].array[0::3], basis[3].array[1::3] = -x[:, 1], x[:, 0]
    basis[4].array[0::3], basis[4].array[2::3] = x[:, 2], -x[:, 0]
    basis[5].array[2::3], basis[5].array[1::3] = x[:, 1], -x[:, 2]
    la.orthonormalize(basis)
    n_local = index_map.size_local * bs
    vecs = [PETSc.Vec().createWithArray(b.array[:n_local].copy(), bsize=bs, comm=V.mesh.comm) for b in basis]
    return PETSc.NullSpace().create(vectors=vecs, comm=V.mesh.comm)


def bare(pm, materials, options: dict, prefix: str = "bare_") -> dict:
    """Hand-written DOLFINx: the same physics, mesh, BCs, options and tolerance."""
    from dolfinx.fem.petsc import apply_lifting, assemble_matrix, assemble_vector, set_bc

    comm = pm.mesh.comm
    t = Timer(comm)
    with t("assemble"):
        msh = pm.mesh
        V = fem.functionspace(msh, ("Lagrange", 1, (3,)))
        Q = fem.functionspace(msh, ("DG", 0))
        T = fem.functionspace(msh, ("DG", 0, (3, 3)))
        phase = pm.phase_index(["NMC811", "LLZO"])
        mu, lmbda, eps0 = fem.Function(Q), fem.Function(Q), fem.Function(T)
        mu.x.array[Q.dofmap.list[:, 0]] = np.array([m.shear_modulus_Pa for m in materials])[phase]
        lmbda.x.array[Q.dofmap.list[:, 0]] = np.array([m.lame_lambda_Pa for m in materials])[phase]
        e_th = np.array([m.thermal_strain(T1, T0) for m in materials])[phase]
        eps0.x.array.reshape(-1, 9)[T.dofmap.list[:, 0]] = (e_th[:, None] * np.eye(3).ravel()[None, :])
        Id = ufl.Identity(3)

        def sigma(e):
            return 2 * mu * e + lmbda * ufl.tr(e) * Id

        def eps(w):
            return ufl.sym(ufl.grad(w))

        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        a = fem.form(ufl.inner(sigma(eps(u)), eps(v)) * ufl.dx)
        L = fem.form(ufl.inner(sigma(eps0), eps(v)) * ufl.dx)
        bcs = [fem.dirichletbc(0.0, fem.locate_dofs_topological(V.sub(axis), 2, pm.facet_tags.find(pm.surfaces[name])),
                               V.sub(axis)) for axis, name in enumerate(("xmin", "ymin", "zmin"))]
        A = assemble_matrix(a, bcs=bcs)
        A.assemble()
        b = assemble_vector(L)
        apply_lifting(b, [a], [bcs])
        b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        set_bc(b, bcs)
        A.setNearNullSpace(_rigid_body_modes(V))
    with t("solve"):
        opts = PETSc.Options()
        for k, val in options.items():
            opts[f"{prefix}{k}"] = val
        ksp = PETSc.KSP().create(comm)
        ksp.setOptionsPrefix(prefix)
        ksp.setOperators(A)
        ksp.setFromOptions()
        uh = fem.Function(V)
        ksp.solve(b, uh.x.petsc_vec)
        uh.x.scatter_forward()
    its, reason = ksp.getIterationNumber(), ksp.getConvergedReason()
    umax = comm.allreduce(float(np.abs(uh.x.array).max()), op=MPI.MAX)
    for obj in (ksp, A, b):
        obj.destroy()
    return {"s": t.s, "cpu_s": t.cpu, "iterations": its, "converged_reason": reason, "max_abs_u_m": umax}


def stressfem_run(pm, materials, options: dict, out_dir: Path, prefix: str = "sf_") -> dict:
    """stressfem's Python API, timed as the driver runs it (solver/driver.py)."""
    from stressfem.output.fields import FieldWriter
    from stressfem.output.stats import cell_volumes, phase_statistics
    from stressfem.physics.eigenstrain import LoadState
    comm = pm.mesh.comm
    names = ["NMC811", "LLZO"]
    t = Timer(comm)
    with t("setup"):
        model = thermoelastic_model(pm, names, materials, options, prefix)
    with t("increment"):
        its = model.solve(LoadState(temperature_K=T1), where="benchmark")
    umax = comm.allreduce(float(np.abs(model.u.x.array).max()), op=MPI.MAX)
    with t("cell_stress"):
        volumes = cell_volumes(pm.mesh)
        cs = model.cell_stress()
    with t("statistics"):
        stats = phase_statistics(cs, volumes, model.phase_index, names, comm)
    with t("fields_init"):
        writer = FieldWriter(out_dir, model.displacement, model.phase_index)
    with t("fields_write"):
        writer.write(cs)
        writer.close()
    peak = peak_rss_mb()
    extra = []
    for k, T in enumerate(np.linspace(T0, T1, 5)[1:-1], start=1):  # a cool-down in increments, reused AMG
        tt = Timer(comm)
        with tt("solve"):
            n_it = model.solve(LoadState(temperature_K=float(T)), where=f"increment {k}")
        with tt("stress_and_statistics"):
            phase_statistics(model.cell_stress(), volumes, model.phase_index, names, comm)
        extra.append({"temperature_K": float(T), "iterations": n_it, "s": tt.s, "cpu_s": tt.cpu})
    model.close()
    return {"s": t.s, "cpu_s": t.cpu, "iterations": its, "max_abs_u_m": umax, "peak_rss_MB": peak,
            "max_von_mises_Pa": {p: stats[p]["max_von_mises_Pa"] for p in names},
            "more_increments": extra, "dofs": model.num_dofs}


def warm_up(comm, options):
    """Compile (or load from the JIT cache) every form and expression on a tiny mesh; not timed."""
    pm = box_phase_mesh(3, comm)
    with tempfile.TemporaryDirectory(dir=_scratch(comm)) as d:
        stressfem_run(pm, thermal_materials(), options, Path(d), prefix="warm_sf_")
    bare(pm, thermal_materials(), options, prefix="warm_bare_")


def _scratch(comm) -> str:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    return str(SCRATCH)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--options", default="{}", help="extra PETSc options (JSON)")
    ap.add_argument("--no-bare", action="store_true")
    args = ap.parse_args()
    comm = MPI.COMM_WORLD
    options = solver_options(json.loads(args.options))
    warm_up(comm, options)
    t = Timer(comm)
    with t("mesh"):
        pm = box_phase_mesh(args.n, comm)
    rss_mesh = peak_rss_mb()
    materials = thermal_materials()
    reps = []
    out_dir = Path(tempfile.mkdtemp(dir=_scratch(comm))) if comm.rank == 0 else None
    out_dir = Path(comm.bcast(str(out_dir) if out_dir else None, root=0))
    try:
        for r in range(args.reps):
            load0 = load_average()
            sf = stressfem_run(pm, materials, options, out_dir, prefix=f"sf{r}_")
            fields_bytes = sum(f.stat().st_size for f in out_dir.iterdir()) if comm.rank == 0 else 0
            br = None if args.no_bare else bare(pm, materials, options, prefix=f"bare{r}_")
            reps.append({"load_average": load0, "stressfem": sf, "bare": br, "fields_bytes": fields_bytes})
    finally:
        comm.Barrier()
        if comm.rank == 0:
            shutil.rmtree(out_dir, ignore_errors=True)
    peaks = comm.gather([rss_mesh, reps[0]["stressfem"]["peak_rss_MB"]], root=0)
    if comm.rank == 0:
        out = {"n": args.n, "ranks": comm.size, "dofs": reps[0]["stressfem"]["dofs"],
               "cells": pm.mesh.topology.index_map(3).size_global, "options": options,
               "mesh_s": t.s["mesh"], "peak_rss_MB_per_rank_after_mesh": [p[0] for p in peaks],
               "peak_rss_MB_per_rank": [p[1] for p in peaks], "reps": reps}
        print("RESULT " + json.dumps(out, default=float), flush=True)


if __name__ == "__main__":
    main()
