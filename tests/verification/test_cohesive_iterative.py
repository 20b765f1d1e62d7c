"""The iterative linear path of the cohesive Newton solve (GMRES + GAMG, six rigid-body modes per block).

Requirements and tolerances:
* I1 The per-block near-nullspace has six modes per block; each is a rigid motion (translation or
  rotation, least-squares residual below 1e-10 of its norm) of its own block and zero on the others;
  together they are orthonormal.
* I2 The preconditioning matrix keeps the Jacobian's structural nonzeros only (strictly fewer stored
  entries) and every nonzero of the assembled Jacobian.
* I3 Iterative and direct paths give the same pull test (mode I bilinear through complete separation):
  force, debonded fraction, dissipated energy and maximum opening within 1e-6 relative (1e-9 of the
  curve's largest value absolute, for the round-off energies before the onset). Both Newton
  solves stop at snes_rtol = 1e-9 and GMRES at ksp_rtol <= 1e-8 on the exact Jacobian, so the
  converged displacements differ by about 1e-8 relative; 1e-6 leaves margin for damage updates.
* I4 The iterative path through the CLI (the sphere-in-shell debonding of test_cohesive_case.py on a
  coarser mesh, cooled to 1.1 of the critical cooling, [cohesive_solver] linear_solver = "iterative"): serial and `mpiexec -n 2` give the same interface statistics (1e-6 relative), and the
  same as the direct path serially.
* I5 "auto" resolves by the global dof count (threshold AUTO_ITERATIVE_DOFS).
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import read_summary, run_cli, write_case
from test_cohesive_case import case_toml, critical_cooling_K
from stressfem._dolfinx import MPI
from stressfem.physics.cohesive import BilinearMixedMode
from stressfem.solver.cohesive.linear import AUTO_ITERATIVE_DOFS, _owned_offsets, resolve_linear_solver
from stressfem.verification.cohesive_pull import mode_targets, run_pull
from stressfem.verification.concentric_spheres import write_octant_msh

BIL = BilinearMixedMode(penalty_stiffness_Pa_per_m=1e17, normal_strength_Pa=100e6, shear_strength_Pa=150e6,
                        GIc_J_per_m2=2.0, GIIc_J_per_m2=5.0, bk_exponent=1.45)
KEYS = ("force_N", "debonded_fraction", "damaged_fraction", "dissipated_energy_J", "max_opening_m")


@pytest.fixture(scope="module")
def pulls():
    out = {}
    for kind in ("direct", "iterative"):
        out[kind] = run_pull(BIL, (1.0, 0.0, 0.0), mode_targets(BIL, "I"), cells_per_width=2, linear_solver=kind)
    return out


def test_block_near_nullspace(pulls):
    model = pulls["iterative"]["model"]
    assert model.linear_solver == "iterative"
    nb = len(model.blocks)
    assert nb == 2 and model.linear.num_near_nullspace_modes == 6 * nb
    vecs = [v.getArray(readonly=True).copy() for v in model.linear._nullspace_vecs]
    gram = np.array([[model.comm.allreduce(float(a @ b), op=MPI.SUM) for b in vecs] for a in vecs])
    assert np.allclose(gram, np.eye(6 * nb), atol=1e-10)
    offs = _owned_offsets([blk.V for blk in model.blocks])
    for b, blk in enumerate(model.blocks):
        n = blk.V.dofmap.index_map.size_local
        x = blk.V.tabulate_dof_coordinates()[:n]
        # rigid motions u = a + w x (x - c): basis of the 6 motions at the owned nodes
        c = x.mean(axis=0) if n else np.zeros(3)
        r = (x - c) / max(float(np.abs(x - c).max(initial=0.0)), 1e-30)
        basis = np.zeros((3 * n, 6))
        for i in range(3):
            basis[i::3, i] = 1.0
        basis[0::3, 3], basis[1::3, 3] = -r[:, 1], r[:, 0]
        basis[0::3, 4], basis[2::3, 4] = r[:, 2], -r[:, 0]
        basis[2::3, 5], basis[1::3, 5] = r[:, 1], -r[:, 2]
        own = [v for v in vecs if np.abs(v[offs[b]:offs[b + 1]]).max(initial=0.0) > 0]
        assert model.comm.allreduce(len(own) == 6, op=MPI.LAND), "six modes supported on each block"
        for v in vecs:
            seg = v[offs[b]:offs[b + 1]]
            coef, *_ = np.linalg.lstsq(basis, seg, rcond=None) if n else (np.zeros(6),)
            res = model.comm.allreduce(float(np.sum((basis @ coef - seg) ** 2)) if n else 0.0, op=MPI.SUM)
            assert res < 1e-20  # a rigid motion of the block (or zero), the vectors having unit norm


def test_structural_preconditioning_matrix(pulls):
    model = pulls["direct"]["model"]
    lin = model.linear
    assert 0 < lin.preconditioner_nonzeros < lin.jacobian_nonzeros
    ai, aj, av = model.problem.A.getValuesCSR()
    pi, pj, pv = lin.P.getValuesCSR()
    r0 = model.problem.A.getOwnershipRange()[0]
    ncol = model.problem.A.getSize()[1]
    a_keys = (np.repeat(np.arange(len(ai) - 1), np.diff(ai)) + r0) * ncol + aj
    p_keys = (np.repeat(np.arange(len(pi) - 1), np.diff(pi)) + r0) * ncol + pj
    assert np.all(np.isin(a_keys[av != 0.0], p_keys))


def test_iterative_equals_direct(pulls):
    d, it = pulls["direct"]["rows"], pulls["iterative"]["rows"]
    assert len(d) == len(it) and d[-1]["debonded_fraction"] == 1.0
    scale = {key: max(abs(r[key]) for r in d) for key in KEYS}  # before onset the energy is round-off
    for a, b in zip(d, it):
        for key in KEYS:
            assert b[key] == pytest.approx(a[key], rel=1e-6, abs=1e-9 * scale[key]), key
    assert pulls["iterative"]["model"].factorizations >= 1


def test_auto_threshold():
    assert resolve_linear_solver("auto", AUTO_ITERATIVE_DOFS) == "direct"
    assert resolve_linear_solver("auto", AUTO_ITERATIVE_DOFS + 1) == "iterative"
    assert resolve_linear_solver("direct", 10**9) == "direct"
    with pytest.raises(ValueError):
        resolve_linear_solver("lu", 10)  # type: ignore[arg-type]


@pytest.mark.mpi
def test_iterative_cli_serial_equals_mpi(tmp_path):
    runs = {}
    for kind, np_ in (("iterative", 1), ("iterative", 2), ("direct", 1)):
        toml = case_toml(1300 - 1.1 * critical_cooling_K()) + f'[cohesive_solver]\nlinear_solver = "{kind}"\n'
        folder = write_case(tmp_path / f"{kind}-{np_}", toml)
        write_octant_msh(folder / "octant.msh", a=1.0, b=3.0, size=0.6, interface_size=0.25)
        run_cli("run", folder, np=np_, check=True)
        runs[kind, np_] = read_summary(folder)
    ref = runs["iterative", 1]
    last = ref["steps"][-1]["interfaces"]["particle/matrix"]
    assert last["damaged_fraction"] > 0.0  # the interface is loaded past the onset
    for other in (runs["iterative", 2], runs["direct", 1]):
        for a, b in zip(ref["steps"], other["steps"]):
            for key, v in a["interfaces"]["particle/matrix"].items():
                assert b["interfaces"]["particle/matrix"][key] == pytest.approx(v, rel=1e-6, abs=1e-20), key
