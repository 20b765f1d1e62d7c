"""The uniform expansion and the pattern reduction of superposed load paths (solver/uniform_expansion.py,
solver/superposition.py ``reduction``).

Requirements and tolerances:
* U1 The reduction is exact algebra: for any coefficients c, the load sum_j c_j p_j equals the load of the
  reduced coefficients c @ M plus (c @ t) times the uniform pattern (identical chi_k I merged), to 1e-14.
* U2 The isotropic patterns the eigenstrains declare (``isotropic_phases``) are the identity on their
  phase's cells, exactly.
* U3 On a two-phase box (LLZO | NMC811) with rollers on xmin, ymin, zmin, at P1 and P2, u = x - x_ref is
  accepted (backward error <= 1e-14), equals a direct LU solve of the same load to 1e-10 of its
  largest value, and its cell stresses (through the model's evaluation) are zero to 1e-12 of the
  stress of a unit isotropic strain mismatch (E / (1 - 2 nu) of LLZO).
* U4 It is refused with rollers on xmin and on xmax (the support message), and, with the supports
  of U3, for a load that is not uniform (one phase's I alone: the residual decides).
* U5 The right-hand side skips the lifting only when every Dirichlet value is zero: with a prescribed
  displacement on xmax at zero and at a non-zero value, it equals the explicitly lifted one bitwise.
Run time: about 5 s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stressfem._dolfinx import MPI, mesh
from stressfem.geometry.msh import PhaseMesh
from stressfem.materials import library_material
from stressfem.solver.boundary import BoundarySpec, Support
from stressfem.solver.bulk import build_bulk
from stressfem.solver.superposition import reduction
from stressfem.solver.thermoelastic import ThermoelasticModel
from stressfem.solver.uniform_expansion import uniform_expansion

L = 2e-6  # box edge (m)
LU = {"ksp_type": "preonly", "pc_type": "lu"}


def test_reduction_reconstructs_loads():
    iso = [0, 1, 1, None, 0, None]  # two phases; patterns 1 and 2 (and 0 and 4) are the same field
    fields = np.array([[1, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]], float)
    uniform = np.array([1.0, 1.0, 0.0, 0.0])  # chi_0 I + chi_1 I
    c = np.random.default_rng(3).normal(size=(20, len(iso)))
    for m in (None, 0, 1):
        M, t = reduction(iso, m)
        np.testing.assert_allclose((c @ M) @ fields + np.outer(c @ t, uniform), c @ fields, rtol=0, atol=1e-14)
        assert np.linalg.matrix_rank(c @ M) == (4 if m is None else 3)  # merged, then one field fewer


def _two_phase_box(degree: int, supports: tuple[tuple, ...]):
    """Supports: (surface, axis) rollers, or (surface, None, value_m) fixed."""
    comm = MPI.COMM_WORLD
    msh = mesh.create_box(comm, [np.zeros(3), np.full(3, L)], [4, 4, 4], mesh.CellType.tetrahedron)
    n = msh.topology.index_map(3).size_local + msh.topology.index_map(3).num_ghosts
    cells = np.arange(n, dtype=np.int32)
    mid = mesh.compute_midpoints(msh, 3, cells)
    cell_tags = mesh.meshtags(msh, 3, cells, np.where(mid[:, 0] < L / 2, 1, 2).astype(np.int32))
    msh.topology.create_connectivity(2, 3)
    planes = {"xmin": (0, 0.0), "ymin": (1, 0.0), "zmin": (2, 0.0), "xmax": (0, L)}
    facets, tags = [], []
    for tag, (axis, value) in enumerate(planes.values(), start=1):
        f = mesh.locate_entities_boundary(msh, 2, lambda x, a=axis, v=value: np.isclose(x[a], v))
        facets.append(f)
        tags.append(np.full(len(f), tag, dtype=np.int32))
    order = np.argsort(np.concatenate(facets))
    facet_tags = mesh.meshtags(msh, 2, np.concatenate(facets)[order], np.concatenate(tags)[order])
    pm = PhaseMesh(msh, cell_tags, facet_tags, {"LLZO": 1, "NMC811": 2},
                   {name: k for k, name in enumerate(planes, start=1)}, Path("box"))
    materials = [library_material("LLZO"), library_material("NMC811")]
    bulk = build_bulk(pm, ["LLZO", "NMC811"], materials, 1323.15)
    spec = BoundarySpec([Support(s, facet_tags.find(pm.surfaces[s]), a, *rest, description=f"support on {s}")
                         for s, a, *rest in supports])
    return ThermoelasticModel(pm, bulk, spec, options=LU, degree=degree)


ROLLERS = (("xmin", 0), ("ymin", 1), ("zmin", 2))


def test_isotropic_patterns_are_phase_identities():
    model = _two_phase_box(1, ROLLERS)
    iso = model.isotropic_patterns
    # thermal LLZO, thermal NMC811, chemical NMC811 (I), chemical NMC811 (n n^T)
    assert iso == [0, 1, 1, None], model.pattern_names
    j = 0
    for c in model.eigenstrain.contributions:
        for k in range(len(c.names)):
            if iso[j] is not None:
                expected = (model.phase_index == iso[j])[:, None, None] * np.eye(3)
                assert np.array_equal(c.pattern(k), expected), model.pattern_names[j]
            j += 1
    model.close()


@pytest.mark.parametrize("degree", [1, 2])
def test_uniform_expansion_is_exact_with_rollers(degree):
    model = _two_phase_box(degree, ROLLERS)
    check = model.uniform_expansion()
    assert check.exact and check.backward_error <= 1e-14, check.message
    model.solve_combination(check.weights, "test")  # LU
    direct = model.displacement_values()
    assert np.abs(check.values - direct).max() <= 1e-10 * np.abs(direct).max()
    model.set_combination(check.weights)
    model.set_displacement(check.values)
    llzo = library_material("LLZO")
    mismatch = llzo.youngs_modulus_Pa / (1 - 2 * llzo.poisson_ratio)
    assert np.abs(model.cell_stress().tensor).max() <= 1e-12 * mismatch
    model.close()


def test_uniform_expansion_refused_where_not_exact():
    model = _two_phase_box(1, ROLLERS + (("xmax", 0),))
    check = model.uniform_expansion()
    assert not check.exact and "'support on xmax' does not allow a free expansion" in check.message
    model.close()
    model = _two_phase_box(1, ROLLERS)
    one_phase = model.uniform_expansion().weights.copy()
    one_phase[np.flatnonzero(one_phase)[0]] = 0.0  # NMC811's I only: not uniform
    check = uniform_expansion(model.V, model.solver, ["roller"] * 3, one_phase, model.set_combination)
    assert not check.exact and check.backward_error > 1e-6, check.message
    model.close()


def test_rhs_lifting_skipped_only_for_zero_values():
    from stressfem._dolfinx import PETSc, fem_petsc

    model = _two_phase_box(1, ROLLERS + (("xmax", None, (1e-9, 2e-9, 0.0)),))
    solver = model.solver
    for w_const in (0.0, 1.0):
        weights = np.zeros(len(model.pattern_names))
        weights[0], weights[-1] = 1e-3, w_const  # LLZO's thermal strain; the support values
        model.set_combination(weights)
        b = solver.assemble_rhs().copy()
        out = {}
        for lift in (True, False):
            ref = out[lift] = b.duplicate()
            ref.set(0.0)
            fem_petsc.assemble_vector(ref, solver.L)
            if lift:
                fem_petsc.apply_lifting(ref, [solver.a], bcs=[solver.bcs])
            ref.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
            fem_petsc.set_bc(ref, solver.bcs)
        assert np.array_equal(b.array, out[True].array), w_const
        # the lifting matters exactly when a value is non-zero
        assert np.array_equal(out[True].array, out[False].array) == (w_const == 0.0)
    model.close()
