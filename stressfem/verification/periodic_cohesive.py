"""A periodic laminate along z with two cohesive interfaces: exact response under macroscopic loading.

The unit cell (L = 1 um, periodic in x, y, z) holds layer A (z < a and z > b, one body across the
periodic z faces) and layer B (a < z < b). The interface at z = a is the cohesive surface ``weak``
(the law under test), the one at z = b the surface ``strong`` (the same penalty, strengths far above
the loads, so it stays linear). With nu_A / E_A = nu_B / E_B the layers contract alike under a
uniaxial sigma_zz, so with the other macroscopic stresses free the stress is uniaxial and uniform:

    Sigma_zz = t_n(weak) = t_n(strong),   E_zz = Sigma_zz / E_eff + (delta_weak + delta_strong) / L,
    E_eff = (f_A / E_A + f_B / E_B)^-1,   E_xx = E_yy = -nu_A Sigma_zz / E_A,

and delta follows the traction-separation law. Driven by E_zz (strain control through the peak
and the softening branch) or by a prescribed Sigma_zz. Used by
tests/verification/test_periodic_cohesive.py (also under mpiexec).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._dolfinx import MPI, mesh
from ..geometry.msh import PhaseMesh
from ..materials import Material

__all__ = ["LAYERS", "MATERIALS", "sandwich_mesh", "run_laminate", "effective_modulus"]

LAYERS = (0.25, 0.75)  # z of the weak and the strong interface, fractions of L
# nu / E equal in both layers (uniaxial stress stays uniaxial); no thermal strain
MATERIALS = (Material(name="A", youngs_modulus_Pa=150e9, poisson_ratio=0.3, cte_per_K=0.0),
             Material(name="B", youngs_modulus_Pa=75e9, poisson_ratio=0.15, cte_per_K=0.0))


def effective_modulus(length_m: float = 1e-6) -> float:
    """E_eff (Pa) of the layers in series along z."""
    fb = LAYERS[1] - LAYERS[0]
    return 1.0 / ((1.0 - fb) / MATERIALS[0].youngs_modulus_Pa + fb / MATERIALS[1].youngs_modulus_Pa)


def sandwich_mesh(comm, length: float = 1e-6, n_xy: int = 2, n_z: int = 4) -> PhaseMesh:
    """A structured periodic box of tetrahedra (m): volumes A (tag 1), B (tag 2); surfaces weak, strong."""
    msh = mesh.create_box(comm, [np.zeros(3), np.full(3, length)], [n_xy, n_xy, n_z],
                          ghost_mode=mesh.GhostMode.shared_facet)
    imap = msh.topology.index_map(3)
    n = imap.size_local + imap.num_ghosts
    z = mesh.compute_midpoints(msh, 3, np.arange(n, dtype=np.int32))[:, 2] / length
    ct = mesh.meshtags(msh, 3, np.arange(n, dtype=np.int32),
                       np.where((z > LAYERS[0]) & (z < LAYERS[1]), 2, 1).astype(np.int32))
    msh.topology.create_connectivity(2, 3)
    tol = 1e-6 * length
    faces = [mesh.locate_entities(msh, 2, lambda x, h=h: np.abs(x[2] - h * length) < tol) for h in LAYERS]
    f = np.concatenate(faces).astype(np.int32)
    vals = np.concatenate([np.full(len(faces[0]), 3), np.full(len(faces[1]), 4)]).astype(np.int32)
    order = np.argsort(f)
    ft = mesh.meshtags(msh, 2, f[order], vals[order])
    return PhaseMesh(msh, ct, ft, {"A": 1, "B": 2}, {"weak": 3, "strong": 4}, Path("sandwich"))


def run_laminate(weak_law, strong_law, ezz=None, szz=None, *, comm=MPI.COMM_WORLD, length: float = 1e-6,
                 n_xy: int = 2, n_z: int = 4, **model_kwargs) -> dict:
    """Drive the periodic sandwich through macroscopic E_zz values ``ezz`` (other stresses zero) or
    Sigma_zz values ``szz`` (Pa, all other stresses zero). Returns per step the macroscopic strain and
    stress, and per interface the mean normal opening (m), traction (Pa) and statistics."""
    from ..case.periodic import PeriodicSpec
    from ..physics.eigenstrain import LoadState
    from ..solver.bulk import build_bulk
    from ..solver.cohesive import CohesiveInterface
    from ..solver.cohesive.periodic import PeriodicCohesiveModel

    pm = sandwich_mesh(comm, length, n_xy, n_z)
    strain_driven = ezz is not None
    spec = PeriodicSpec(macro_strain={"zz": 0.0}) if strain_driven else PeriodicSpec()
    bulk = build_bulk(pm, ["A", "B"], list(MATERIALS), 300.0, eigenstrains=False)
    ifaces = [CohesiveInterface("weak", None, None, weak_law, surface="weak"),
              CohesiveInterface("strong", None, None, strong_law, surface="strong")]
    state = LoadState(temperature_K=300.0)
    model = PeriodicCohesiveModel(pm, bulk, ifaces, spec, initial_state=state, **model_kwargs)
    rows = []
    for k, value in enumerate(ezz if strain_driven else szz):
        targets = np.zeros(6)
        targets[2] = value
        model.set_macro_targets(targets)
        its = model.solve(state, where=f"laminate step {k}")
        model.cell_stress()
        stats = model.interface_statistics()
        row = {"target": float(value), "iterations": its, "strain": model.macro_strain.tolist(),
               "stress_Pa": model.macro_stress_Pa.tolist()}
        for g in model.interface_state:
            area = comm.allreduce(float(g["area"].sum()), op=MPI.SUM)
            mean = [comm.allreduce(float(g["area"] @ g["values"][:, c]), op=MPI.SUM) / area for c in (2, 5)]
            row[g["name"]] = {"opening_m": mean[0], "traction_Pa": mean[1], **stats[g["name"]]}
        rows.append(row)
    out = {"rows": rows, "reduced_dofs": int(model.P.getSize()[1]), "num_dofs": model.num_dofs}
    model.close()
    return out


def _main() -> None:
    """`python -m stressfem.verification.periodic_cohesive`: the strain-driven test ramp, JSON on rank 0."""
    import json

    from ..physics.cohesive import BilinearMixedMode

    weak = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                             GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0, bk_exponent=1.45)
    strong = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=1e11, shear_strength_Pa=1e11,
                               GIc_J_per_m2=1e6, GIIc_J_per_m2=1e6, bk_exponent=1.45)
    out = run_laminate(weak, strong, ezz=np.linspace(0.5e-3, 0.04, 6))
    if MPI.COMM_WORLD.rank == 0:
        print(json.dumps(out))


if __name__ == "__main__":
    _main()
