"""Periodic thermo-chemo-elastic model with macroscopic loading per component.

u = E x + w, w periodic (solver/periodic.py). The response is linear in E and in the
eigenstrain, so each increment combines precomputed unit-strain solutions:
    u = w0 + sum_j E_j u_j,   Sigma = Sigma0 + M E,
where u_j = B_j x + w_j is the solution for the unit macroscopic strain B_j (Voigt order xx yy zz
yz xz xy, tensor components), M[:, j] its mean stress (Pa) and w0 the fluctuation of the
eigenstrain problem at E = 0, whose mean stress is Sigma0. Components whose stress is
prescribed are solved from the 6x6 system: M[U, U] E_U = S_U - Sigma0_U - M[U, K] E_K.
The unit solves (one per component that is unknown or prescribed non-zero) are done once and
reused for every increment; each increment costs one reduced solve.
Mean stresses are volume averages over the box (pores, if any, count as zero stress).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .._dolfinx import MPI, PETSc, fem, fem_petsc, ufl
from ..case.periodic import COMPONENTS, VOIGT_INDEX, PeriodicSpec
from ..geometry.msh import PhaseMesh
from ..output.stats import CellStress, CellStressEvaluator, cell_volumes
from ..physics.eigenstrain import LoadState
from ..physics.elasticity import strain
from .boundary import BoundarySpec, apply_boundary
from .bulk import BulkPhysics
from .periodic import ReducedSolver, box_bounds, periodic_prolongation
from .thermoelastic import ThermoelasticModel, cell_measure

__all__ = ["PeriodicModel", "build_periodic_model", "unit_strain", "to_voigt", "from_voigt", "box_mean"]

log = logging.getLogger(__name__)


@dataclass
class PeriodicBCs:
    """The model's boundary conditions for the driver: no Dirichlet BCs, a description."""

    dirichlet: list = field(default_factory=list)
    described: list[str] = field(default_factory=list)


_NAME = {v: k for k, v in VOIGT_INDEX.items()}  # (i, j), i <= j -> component name


def unit_strain(j: int) -> np.ndarray:
    """The symmetric 3x3 tensor with component j (Voigt order) equal to 1 (both shear entries)."""
    B = np.zeros((3, 3))
    a, b = VOIGT_INDEX[COMPONENTS[j]]
    B[a, b] = B[b, a] = 1.0
    return B


def to_voigt(t: np.ndarray) -> np.ndarray:
    """(3, 3) tensor -> its six components in Voigt order (no shear factor)."""
    return np.array([t[VOIGT_INDEX[c]] for c in COMPONENTS])


def from_voigt(v: Sequence[float]) -> np.ndarray:
    """Six components in Voigt order (tensor components) -> symmetric (3, 3) tensor."""
    return sum(float(v[j]) * unit_strain(j) for j in range(6))


def box_mean(comm, volumes: np.ndarray, s: CellStress, box_volume: float) -> np.ndarray:
    """Box-volume average (Pa, 3x3) of a per-cell stress over all ranks; ``volumes``: owned cells (m3)."""
    local = np.einsum("n,nij->ij", volumes, s.tensor)
    total = np.empty_like(local)
    comm.Allreduce(local, total, op=MPI.SUM)
    return total / box_volume


class PeriodicModel(ThermoelasticModel):
    """Thermo-chemo-elasticity on a periodic box with macroscopic strain/stress loading (module doc).

    Implements solver/model.py ``Model`` (not superposable: each increment is one reduced solve
    already). It has its own set-up (no Dirichlet BCs, the reduced solver) and shares
    ThermoelasticModel's accessors (num_dofs, displacement, solver_record, no interfaces). Adds ``macro_strain`` and ``macro_stress_Pa`` (3x3, of the last increment),
    ``unit_stress`` (6x6: mean stress of each computed unit-strain solution, Pa), ``step_summary()``
    and ``run_summary()`` (summary.json), ``eigen_response()`` and ``complete_units()`` (homogenize/).
    """

    superposable = False

    def __init__(self, pm: PhaseMesh, bulk: BulkPhysics, spec: PeriodicSpec, options: dict,
                 prefix: str = "stressfem_", degree: int = 1, boundary: BoundarySpec | None = None):
        """boundary: rollers and surface loads on zmin/zmax (directions = "xy" only)."""
        msh = pm.mesh
        self.pm, self.bulk, self.spec = pm, bulk, spec
        self.phase_names, self.materials, self.phase_index = bulk.phase_names, bulk.materials, bulk.phase_index
        self.eigenstrain = bulk.eigenstrain
        self.V = fem.functionspace(msh, ("Lagrange", degree, (3,)))
        self.u = fem.Function(self.V, name="displacement")
        self._active = np.array([c in spec.components for c in COMPONENTS])
        described = [f"periodic along {', '.join(spec.axes)}: u = E x + w, w periodic",
                     "macroscopic loading: " + ", ".join(
                         f"E_{c} = {t:g}" if s else f"Sigma_{c} = {t:g} Pa" for c, s, t, a in
                         zip(COMPONENTS, spec.strain_prescribed(), spec.targets(), self._active) if a)]
        u, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        self.bcs = apply_boundary(boundary, pm, self.V, v) if boundary is not None else PeriodicBCs()
        self.bcs.described[:0] = described
        dx = cell_measure(msh, degree)
        eps0 = self.eigenstrain.function
        self.a_form = fem.form(ufl.inner(bulk.stiffness.stress(strain(u)), strain(v)) * dx)
        L = ufl.inner(bulk.stiffness.stress(eps0), strain(v)) * dx
        self.L_form = fem.form(L if getattr(self.bcs, "load_form", None) is None else L + self.bcs.load_form)
        self.solver = self.make_solver(options, prefix)
        self._cell_stress = CellStressEvaluator(bulk.stiffness.stress(strain(self.u) - eps0), msh)
        self._elastic = CellStressEvaluator(bulk.stiffness.stress(strain(self.u)), msh)
        self._volumes = cell_volumes(msh)
        self.box_volume = float(np.prod(self.hi - self.lo))
        self._prescribed_strain = np.array(spec.strain_prescribed()) & self._active
        self._targets = np.array(spec.targets(), dtype=float)
        self.unit_stress = np.zeros((6, 6))
        self._units: dict[int, PETSc.Vec] = {}
        self.complete_units(np.flatnonzero(self._active & (~self._prescribed_strain | (self._targets != 0.0))))
        self._w0 = self.u.x.petsc_vec.duplicate()
        self.macro_strain = np.zeros((3, 3))
        self.macro_stress_Pa = np.zeros((3, 3))
        log.info("periodic model: %d reduced dofs of %d; %d unit-strain solves at set-up",
                 self.solver.reduced_dofs, self.num_dofs, len(self._units))

    def complete_units(self, components=range(6)) -> None:
        """Solve the unit-strain problems of the given Voigt components that are not solved yet."""
        for j in components:
            if int(j) not in self._units:
                self._units[int(j)] = self._unit_solution(int(j))
                self.unit_stress[:, j] = to_voigt(self.mean_stress(self._elastic()))

    def make_solver(self, options: dict, prefix: str) -> ReducedSolver:
        """The reduced periodic solver (P^T A P, CG + GAMG), built once."""
        self.A = fem_petsc.assemble_matrix(self.a_form)
        self.A.assemble()
        self.b = fem_petsc.create_vector(self.L_form.function_spaces)
        self.lo, self.hi = box_bounds(self.pm.mesh)
        P = periodic_prolongation(self.V, self.lo, self.hi, self.spec.node_tolerance, self.spec.axes)
        fixed = None
        if self.bcs.dirichlet:  # homogeneous rollers on zmin/zmax (case/periodic.py)
            fixed = self.A.createVecLeft()
            held = fixed.getArray()  # owned dofs, in DOLFINx's local (unrolled) order
            held[:] = 0.0
            for bc in self.bcs.dirichlet:
                idx, n_bc = bc.dof_indices()
                idx = np.asarray(idx[:n_bc])
                held[idx[idx < len(held)]] = 1.0
        return ReducedSolver(self.A, P, options, prefix, fixed=fixed)

    def mean_stress(self, s: CellStress) -> np.ndarray:
        """Box-volume average (Pa) of a per-cell stress, over all ranks."""
        return box_mean(self.pm.mesh.comm, self._volumes, s, self.box_volume)

    def phase_volume(self, i: int) -> float:
        """Volume (m3) of phase i (index into phase_names) over all ranks."""
        owned = self.phase_index[: len(self._volumes)] == i
        return self.pm.mesh.comm.allreduce(float(self._volumes[owned].sum()), op=MPI.SUM)

    def _unit_solution(self, j: int) -> PETSc.Vec:
        """u_j = B_j x + w_j (m per unit strain), into self.u as well; returns a copy."""
        B, lo = unit_strain(j), self.lo
        lin = fem.Function(self.V)
        lin.interpolate(lambda X: B @ (X - lo[:, None]))
        rhs = self.A.createVecLeft()
        self.A.mult(lin.x.petsc_vec, rhs)
        rhs.scale(-1.0)
        self.solver.solve(rhs, self.u.x.petsc_vec, where=f"unit macroscopic strain {COMPONENTS[j]}")
        self.u.x.petsc_vec.axpy(1.0, lin.x.petsc_vec)
        self.u.x.scatter_forward()
        rhs.destroy()
        return self.u.x.petsc_vec.copy()

    def solve_macro(self, sigma0: np.ndarray) -> np.ndarray:
        """The Voigt macroscopic strain meeting the prescribed components, given Sigma0 (Voigt, Pa)."""
        E = np.where(self._prescribed_strain, self._targets, 0.0)
        U = np.flatnonzero(self._active & ~self._prescribed_strain)
        if len(U):
            M = self.unit_stress
            rhs = self._targets[U] - sigma0[U] - M[np.ix_(U, np.flatnonzero(self._prescribed_strain))] @ \
                E[self._prescribed_strain]
            E[U] = np.linalg.solve(M[np.ix_(U, U)], rhs)
        return E

    def eigen_response(self, state: LoadState, where: str) -> tuple[np.ndarray, int]:
        """Solve the eigenstrain problem at E = 0 into self.u; its mean stress Sigma0 (Voigt, Pa), iterations."""
        self.eigenstrain.update(state)
        if hasattr(self.bcs, "set_state"):  # stage-driven surface loads (directions = "xy")
            self.bcs.set_state(state)
        with self.b.localForm() as b_local:
            b_local.set(0.0)
        fem_petsc.assemble_vector(self.b, self.L_form)
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        its = self.solver.solve(self.b, self._w0, where)
        self._w0.copy(self.u.x.petsc_vec)
        self.u.x.scatter_forward()
        return to_voigt(self.mean_stress(self._cell_stress())), its

    def solve(self, state: LoadState, where: str) -> int:
        """Equilibrium at a load state with the macroscopic loading; returns the linear iterations."""
        sigma0, its = self.eigen_response(state, where)
        E = self.solve_macro(sigma0)
        for j, uj in self._units.items():
            self.u.x.petsc_vec.axpy(E[j], uj)
        self.u.x.scatter_forward()
        self.macro_strain = from_voigt(E)
        return its

    def cell_stress(self) -> CellStress:
        """Stress (Pa) of each owned cell; also updates the macroscopic stress (box average)."""
        s = self._cell_stress()
        self.macro_stress_Pa = self.mean_stress(s)
        return s

    def step_summary(self) -> dict:
        """Macroscopic strain (-) and stress (Pa) tensors of the last increment, for summary.json."""
        E = [[self.macro_strain[i, j] if self._active[COMPONENTS.index(_NAME[min(i, j), max(i, j)])] else None
              for j in range(3)] for i in range(3)]  # out-of-plane strains of a laterally periodic body: null
        return {"macroscopic": {"strain": E, "stress_Pa": self.macro_stress_Pa.tolist()}}

    def run_summary(self) -> dict:
        """Reduced system size and unit-strain solves, for summary.json."""
        return {"periodic": {"reduced_dofs": int(self.solver.reduced_dofs),
                             "unit_strain_solves": len(self._units), "box_m": (self.hi - self.lo).tolist()}}

    def close(self) -> None:
        for v in (*self._units.values(), self._w0, self.A, self.b):
            v.destroy()
        self.solver.destroy()


def build_periodic_model(loaded, pm: PhaseMesh, bulk: BulkPhysics, boundary: BoundarySpec | None = None) -> PeriodicModel:
    """The PeriodicModel of a case with [periodic]; a non-periodic mesh is refused (CaseError, exit 2)."""
    from .options import petsc_options
    from .periodic import PeriodicityError

    case = loaded.case
    if case.geometry.type == "image":
        log.warning("[periodic] on an image volume (periodic.accept_nonperiodic_image = true): its opposite faces "
                    "are joined although the image is in general not periodic")
    try:
        model = PeriodicModel(pm, bulk, case.periodic, options=petsc_options(case.solver),
                              degree=case.solver.element_degree,
                              boundary=boundary if case.periodic.directions == "xy" else None)
    except PeriodicityError as exc:
        raise loaded.error("periodic", f"{exc}. Periodic boundary conditions need a periodic mesh: generated "
                           f"particle boxes are meshed periodic; an imported .msh needs opposite faces with "
                           f"matching nodes (Gmsh setPeriodic); or remove [periodic]") from None
    return model
