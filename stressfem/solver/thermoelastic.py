"""The thermoelastic model of a case: spaces, material fields, forms and the linear solver."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from .._dolfinx import fem, ufl
from ..geometry.msh import PhaseMesh
from ..materials import Material
from ..output.stats import CellStress, CellStressEvaluator
from ..physics.eigenstrain import ChemicalEigenstrain, EigenstrainField, LoadState, ThermalEigenstrain
from ..physics.elasticity import IsotropicStiffness, VoigtStiffness, cell_stiffness_matrices, strain
from .boundary import BoundaryConditions
from .linear import LinearSolver
from .nullspace import free_rigid_modes, near_nullspace, rigid_body_modes

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

    The driver's model contract (a cohesive-interface model follows the same one):
    ``phase_index`` (phase of each local cell), ``num_dofs``, ``solve(state, where) -> iterations``,
    ``cell_stress() -> CellStress`` (owned cells), ``displacement`` (for field output),
    ``bcs.described``, ``bcs.dirichlet``, ``solver.total_iterations``, ``close()``.

    Forms are compiled and the operator assembled once; each load increment only updates the
    DG0 eigenstrain field and re-assembles the right-hand side.
    """

    def __init__(self, pm: PhaseMesh, phase_names: Sequence[str], materials: Sequence[Material],
                 stress_free_K: float, make_bcs, options: dict, prefix: str = "stressfem_", degree: int = 1,
                 c_axes: np.ndarray | None = None):
        """Lagrange displacement of ``degree`` (P on tetrahedra, Q on hexahedra); stress_free_K in K."""
        msh = pm.mesh
        self.pm, self.phase_names, self.materials = pm, list(phase_names), list(materials)
        self.phase_index = pm.phase_index(self.phase_names)
        self.V = fem.functionspace(msh, ("Lagrange", degree, (3,)))
        self.u = fem.Function(self.V, name="displacement")
        n_cells = len(self.phase_index)
        c_axes = c_axes if c_axes is not None else np.tile([0.0, 0.0, 1.0], (n_cells, 1))
        if any(m.crystal_stiffness_Pa is not None for m in self.materials):
            self.stiffness = VoigtStiffness(msh, cell_stiffness_matrices(self.phase_index, self.materials, c_axes))
        else:
            self.stiffness = IsotropicStiffness(msh, self.phase_index, self.materials)
        self.thermal = ThermalEigenstrain(self.phase_index, self.materials, stress_free_K)
        contributions = [self.thermal]
        if any(m.chemical_strain is not None or m.partial_molar_volume_m3_per_mol is not None for m in self.materials):
            contributions.append(ChemicalEigenstrain(self.phase_index, self.materials, c_axes))
        self.eigenstrain = EigenstrainField(msh, contributions)
        u, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        self.bcs: BoundaryConditions = make_bcs(self.V, v)
        eps0 = self.eigenstrain.function
        dx = cell_measure(msh, degree)
        a = ufl.inner(self.stiffness.stress(strain(u)), strain(v)) * dx
        L = ufl.inner(self.stiffness.stress(eps0), strain(v)) * dx
        if self.bcs.load_form is not None:
            L = L + self.bcs.load_form
        self.a_form, self.L_form = fem.form(a), fem.form(L)
        self.solver = self.make_solver(options, prefix)
        self.stress_expr = self.stiffness.stress(strain(self.u) - eps0)
        self._cell_stress = CellStressEvaluator(self.stress_expr, self.pm.mesh)

    def make_solver(self, options: dict, prefix: str):
        """The linear solver of a(u, v) = L(v) with the Dirichlet BCs (periodic models override it)."""
        modes = rigid_body_modes(self.V)
        return LinearSolver(
            self.a_form, self.L_form, self.bcs.dirichlet,
            near_nullspace=near_nullspace(modes, self.V.mesh.comm),
            nullspace=free_rigid_modes(self.V, modes, self.bcs.dirichlet),
            options=options, prefix=prefix,
        )

    @property
    def num_dofs(self) -> int:
        return self.V.dofmap.index_map.size_global * self.V.dofmap.index_map_bs

    def solve(self, state: LoadState, where: str) -> int:
        """Equilibrium at a load state; returns the linear iterations."""
        self.eigenstrain.update(state)
        return self.solver.solve(self.u, where)

    def cell_stress(self) -> CellStress:
        """Stress (Pa) of each owned cell at the current solution."""
        return self._cell_stress()

    @property
    def displacement(self) -> fem.Function:
        """The displacement (m) on the whole mesh, for field output."""
        return self.u

    def close(self) -> None:
        self.solver.destroy()
