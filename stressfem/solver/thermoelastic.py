"""The thermoelastic model of a case: spaces, material fields, forms and the linear solver."""

from __future__ import annotations

import logging

import numpy as np

from .._dolfinx import fem, ufl
from ..geometry.msh import PhaseMesh
from ..output.stats import CellStress, CellStressEvaluator
from ..physics.eigenstrain import LoadState
from ..physics.elasticity import strain
from .boundary import AppliedBCs, BoundarySpec, apply_boundary
from .bulk import BulkPhysics
from .linear import LinearSolver
from .nullspace import free_rigid_modes, near_nullspace, rigid_body_modes
from .uniform_expansion import UniformExpansion, uniform_expansion

__all__ = ["ThermoelasticModel", "cell_measure"]

log = logging.getLogger(__name__)


def cell_measure(msh, degree: int) -> ufl.Measure:
    """The cell integral measure for a displacement of polynomial degree ``degree``.

    Tetrahedra: UFL's estimated quadrature degree (exact for these forms). Hexahedra: degree
    2 * degree (a (degree+1)^3 Gauss rule), exact for the stiffness on parallelepiped cells
    (voxels: each strain component has at most ``degree`` in each reference coordinate); UFL's
    estimate for Q1 is 5 (27 points per cell instead of 8).
    """
    if msh.topology.cell_type.name == "hexahedron":
        return ufl.Measure("dx", domain=msh, metadata={"quadrature_degree": 2 * degree})
    return ufl.Measure("dx", domain=msh)


class ThermoelasticModel:
    """Small-strain thermoelasticity, sigma = C : (eps(u) - eps_eigen), on a phase-tagged mesh.

    Implements solver/model.py ``PatternModel``. Forms are compiled and the operator assembled once;
    each load increment only updates the DG0 eigenstrain field and the load constants and
    re-assembles the right-hand side.

    Patterns (for superposition): the eigenstrain patterns (physics/eigenstrain.py), one per
    stage-driven surface load, and one for the constant boundary loads and prescribed displacements.
    """

    superposable = True

    def __init__(self, pm: PhaseMesh, bulk: BulkPhysics, boundary: BoundarySpec, options: dict,
                 prefix: str = "stressfem_", degree: int = 1):
        """Lagrange displacement of ``degree`` (P on tetrahedra, Q on hexahedra)."""
        msh = pm.mesh
        self.pm, self.bulk = pm, bulk
        self.phase_names, self.materials, self.phase_index = bulk.phase_names, bulk.materials, bulk.phase_index
        self.V = fem.functionspace(msh, ("Lagrange", degree, (3,)))
        self.u = fem.Function(self.V, name="displacement")
        self.eigenstrain = bulk.eigenstrain
        u, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        self.bcs: AppliedBCs = apply_boundary(boundary, pm, self.V, v)
        eps0 = self.eigenstrain.function
        dx = cell_measure(msh, degree)
        a = ufl.inner(bulk.stiffness.stress(strain(u)), strain(v)) * dx
        L = ufl.inner(bulk.stiffness.stress(eps0), strain(v)) * dx
        if self.bcs.load_form is not None:
            L = L + self.bcs.load_form
        self.a_form, self.L_form = fem.form(a), fem.form(L)
        modes = rigid_body_modes(self.V)
        self.solver = LinearSolver(
            self.a_form, self.L_form, self.bcs.dirichlet,
            near_nullspace=near_nullspace(modes, msh.comm),
            nullspace=free_rigid_modes(self.V, modes, self.bcs.dirichlet),
            options=options, prefix=prefix, p_multigrid=self.V if degree > 1 else None,
        )
        self.stress_expr = bulk.stiffness.stress(strain(self.u) - eps0)
        self._cell_stress = CellStressEvaluator(self.stress_expr, self.pm.mesh)
        self._driven = [(c, load) for c, load in self.bcs.scales if load.amplitude is not None]
        self._constant = [(c, load) for c, load in self.bcs.scales if load.amplitude is None]
        self.pattern_names = list(self.eigenstrain.names) + [load.description for _, load in self._driven]
        if self._constant or self.bcs.values:
            self.pattern_names.append("boundary conditions")

    @property
    def num_dofs(self) -> int:
        return self.V.dofmap.index_map.size_global * self.V.dofmap.index_map_bs

    def solve(self, state: LoadState, where: str) -> int:
        """Equilibrium at a load state; returns the linear iterations."""
        self.eigenstrain.update(state)
        self.bcs.set_state(state)
        return self.solver.solve(self.u, where)

    def pattern_coefficients(self, state: LoadState) -> np.ndarray:
        """Eigenstrain coefficients, stage load amplitudes (Pa), then 1 for the constant boundary conditions."""
        c = [self.eigenstrain.coefficients(state), [load.scale(state) for _, load in self._driven]]
        if len(self.pattern_names) > len(self.eigenstrain.names) + len(self._driven):
            c.append([1.0])
        return np.concatenate(c)

    @property
    def isotropic_patterns(self) -> list[int | None]:
        """Per pattern: the phase k when it is the identity on the cells of phase k (chi_k I), else None."""
        return self.eigenstrain.isotropic_phases + [None] * (len(self.pattern_names) - len(self.eigenstrain.names))

    def uniform_expansion(self) -> UniformExpansion:
        """The exact solution of the uniform pattern (one chi_k I per phase summed), or why there is none."""
        weights, seen = np.zeros(len(self.pattern_names)), set()
        for j, k in enumerate(self.isotropic_patterns):
            if k is not None and k not in seen:
                weights[j] = 1.0
                seen.add(k)
        if seen != set(range(len(self.phase_names))):
            return UniformExpansion(None, "not available: a phase has no isotropic eigenstrain pattern")
        return uniform_expansion(self.V, self.solver, self.bcs.described[:len(self.bcs.dirichlet)], weights,
                                 self.set_combination)

    def set_combination(self, weights: np.ndarray) -> None:
        """Loads sum_j weights[j] * pattern j: eigenstrain field, surface-load scales, support values."""
        n_e, n_d = len(self.eigenstrain.names), len(self._driven)
        self.eigenstrain.set_combination(weights[:n_e])
        for (c, _), w in zip(self._driven, weights[n_e:n_e + n_d]):
            c.value = w
        w_const = weights[n_e + n_d] if len(weights) > n_e + n_d else 0.0
        for c, _ in self._constant:
            c.value = w_const
        for c, s in self.bcs.values:
            c.value[:] = w_const * np.asarray(s.value_m)

    def solve_combination(self, weights: np.ndarray, where: str) -> int:
        """Solve with the loads sum_j weights[j] * pattern j, from a zero initial guess."""
        self.set_combination(weights)
        self.u.x.array[:] = 0.0
        return self.solver.solve(self.u, where)

    def set_displacement(self, values: np.ndarray) -> None:
        self.u.x.array[:] = values

    def displacement_values(self) -> np.ndarray:
        return self.u.x.array.copy()

    def cell_stress(self) -> CellStress:
        """Stress (Pa) of each owned cell at the current solution."""
        return self._cell_stress()

    @property
    def displacement(self) -> fem.Function:
        """The displacement (m) on the whole mesh, for field output."""
        return self.u

    def interface_statistics(self) -> dict[str, dict]:
        return {}

    def interface_field_writer(self, folder):
        return None

    def step_summary(self) -> dict:
        """No model-specific step entries (solver/model.py)."""
        return {}

    def run_summary(self) -> dict:
        """No model-specific summary entries (solver/model.py)."""
        return {}

    def solver_record(self) -> dict:
        ksp = self.solver.ksp
        return {"linear_iterations": self.solver.total_iterations, "ksp_type": ksp.getType(),
                "pc_type": ksp.getPC().getType()}

    def close(self) -> None:
        self.solver.destroy()
