"""Fickian Li diffusion in the active particles under a galvanostatic surface flux.

Unknown: the Li content x = c / c_max (-) as a P1 field on the whole mesh; only cells of
diffusing phases carry storage and conduction (an indicator chi), and vertices that touch no
diffusing cell are held fixed, so the operator stays regular. Backward Euler in time:

    int chi (x - x_old)/dt v + chi D(x_old) grad x . grad v     (times dt / V_cell, for scaling)
        - chi D Omega x_old / (R T) grad(sigma_h) . grad v  dx  +  int_Gamma j v  = 0

where j (1/s * m) is the outward flux in x units, uniform over the flux surfaces (interfaces
to the electrolyte; faces where the box cuts a particle carry no flux), chosen so that the
mean Li content follows the C-rate: j = (V_particles / A_flux) * (x_soc0 - x_soc1) * C / 3600 s.
The last term (optional) is stress-driven diffusion with the chemical potential
mu = mu_0 + R T ln(...) - Omega sigma_h (Zhang, Shyy, Sastry, JES 154 (2007) A910); sigma_h is
the hydrostatic stress (Pa) of the last mechanical solve, projected to P1 with a lumped mass.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from .._dolfinx import MPI, PETSc, fem, fem_petsc, la, ufl
from ..errors import SolverError
from ..geometry.msh import PhaseMesh
from ..materials import Material
from ..physics.elasticity import cell_dofs

__all__ = ["DiffusionModel", "GAS_CONSTANT"]

log = logging.getLogger(__name__)

GAS_CONSTANT = 8.314462618  # J/(mol K), CODATA 2018


class DiffusionModel:
    """Li content in the particles; assembled forms reused, matrix rebuilt only when D(x) changes."""

    def __init__(self, pm: PhaseMesh, phase_index: np.ndarray, materials: Sequence[Material],
                 flux_tags: Sequence[int], x_initial: np.ndarray, prefix: str = "stressfem_diff_"):
        msh = pm.mesh
        self.pm, self.phase_index, self.materials = pm, phase_index, list(materials)
        self.diffusing = np.array([m.diffuses for m in self.materials])
        cell_on = self.diffusing[phase_index] & (phase_index >= 0)
        self.V = fem.functionspace(msh, ("Lagrange", 1))
        Q = fem.functionspace(msh, ("DG", 0))
        self._qdofs = cell_dofs(Q)
        self.x, self.x_old = fem.Function(self.V, name="li_fraction"), fem.Function(self.V)
        self.chi, self.D = fem.Function(Q), fem.Function(Q, name="diffusivity")
        self.omega_RT = fem.Function(Q)  # Omega c_max... in x units: Omega / (R T) (1/Pa)
        self.sigma_h = fem.Function(self.V, name="hydrostatic_P1")
        self.chi.x.array[self._qdofs] = cell_on.astype(float)
        self.cell_on = cell_on
        # initial Li content per phase (cells), interpolated to vertices of diffusing cells
        self._x0_phase = x_initial
        self.dt = fem.Constant(msh, 1.0)
        self.flux = fem.Constant(msh, 0.0)
        x, v = ufl.TrialFunction(self.V), ufl.TestFunction(self.V)
        tags = pm.facet_tags
        ds = ufl.Measure("ds", domain=msh, subdomain_data=tags)
        dS = ufl.Measure("dS", domain=msh, subdomain_data=tags)
        # the equation is multiplied by dt / V_cell so that matrix rows are O(1), like the unit rows of
        # the fixed (inactive) vertices: otherwise those rows dominate the residual norm
        h3 = msh.comm.allreduce(fem.assemble_scalar(fem.form(1.0 * ufl.dx(domain=msh))), op=MPI.SUM) / max(
            1, msh.topology.index_map(3).size_global)
        self.scale = fem.Constant(msh, 1.0 / h3)
        k = self.scale
        a = k * (self.chi * x * v + self.dt * self.chi * self.D * ufl.inner(ufl.grad(x), ufl.grad(v))) * ufl.dx
        L = k * self.chi * self.x_old * v * ufl.dx
        L += k * self.dt * self.chi * self.D * self.omega_RT * self.x_old * ufl.inner(
            ufl.grad(self.sigma_h), ufl.grad(v)) * ufl.dx
        area = 0
        for t in flux_tags:
            L -= k * self.dt * (self.flux * v * ds(t) + self.flux * ufl.avg(v) * dS(t))
            area = area + 1.0 * ds(t) + 1.0 * dS(t)
        self.a, self.L = fem.form(a), fem.form(L)
        self.flux_area_m2 = msh.comm.allreduce(fem.assemble_scalar(fem.form(area)), op=MPI.SUM) if flux_tags else 0.0
        self.particle_volume_m3 = msh.comm.allreduce(fem.assemble_scalar(fem.form(self.chi * ufl.dx)), op=MPI.SUM)
        if self.flux_area_m2 <= 0:
            raise SolverError("galvanostatic stage: the flux surfaces have zero area; set flux_surfaces to the "
                              "particle/electrolyte interfaces or outer particle surfaces")
        # inactive vertices (touching no diffusing cell) are fixed
        # a vertex is active if a diffusing cell touches it on any rank (a rank may not hold that cell)
        touched = fem.Function(self.V)
        touched.x.array[self.V.dofmap.list[np.flatnonzero(cell_on)].ravel()] = 1.0
        touched.x.scatter_reverse(_add())
        touched.x.scatter_forward()
        self.inactive = np.flatnonzero(touched.x.array <= 0.0).astype(np.int32)
        self.bc = fem.dirichletbc(fem.Constant(msh, 1.0), self.inactive, self.V)
        self._lump = fem.form(self.chi * v * ufl.dx)
        self._sig_rhs = None
        self._lumped = None
        self._set_initial()
        self._assemble_matrix = fem_petsc.assemble_matrix
        self.A = fem_petsc.assemble_matrix(self.a, bcs=[self.bc])
        self.A.assemble()
        self.b = fem_petsc.create_vector(self.L.function_spaces)
        self.ksp = PETSc.KSP().create(msh.comm)
        self.ksp.setOptionsPrefix(prefix)
        opts = PETSc.Options()
        for k, val in {"ksp_type": "cg", "pc_type": "gamg", "ksp_rtol": 1e-12, "ksp_norm_type": "unpreconditioned"}.items():
            opts[f"{prefix}{k}"] = val
        self.ksp.setOperators(self.A)
        self.ksp.setFromOptions()
        self.ksp.setInitialGuessNonzero(True)
        self._D_const = all(m.diffusivity_table is None for m in self.materials if m.diffuses)
        self._update_D()
        self._rebuild()

    def _set_initial(self) -> None:
        """x at each vertex: the mean initial Li content of the diffusing cells around it (all ranks)."""
        x_cells = self._x0_phase[np.clip(self.phase_index, 0, None)]
        cells = np.flatnonzero(self.cell_on)
        dofs = self.V.dofmap.list[cells].ravel()
        total, count = fem.Function(self.V), fem.Function(self.V)
        np.add.at(total.x.array, dofs, np.repeat(x_cells[cells], self.V.dofmap.list.shape[1]))
        np.add.at(count.x.array, dofs, 1.0)
        for f in (total, count):
            f.x.scatter_reverse(_add())
            f.x.scatter_forward()
        c = count.x.array
        self.x.x.array[:] = np.where(c > 0, total.x.array / np.where(c > 0, c, 1.0), 1.0)
        self.x_old.x.array[:] = self.x.x.array

    def _update_D(self) -> None:
        xc = self.cell_li_fraction(fill=1.0)
        D = np.zeros(len(self.phase_index))
        for i, m in enumerate(self.materials):
            if m.diffuses:
                sel = self.phase_index == i
                D[sel] = m.diffusivity(xc[sel])
        self.D.x.array[self._qdofs] = D

    def _rebuild(self) -> None:
        self.A.zeroEntries()
        self._assemble_matrix(self.A, self.a, bcs=[self.bc])
        self.A.assemble()
        self.ksp.setOperators(self.A)

    def cell_li_fraction(self, fill: float = np.nan) -> np.ndarray:
        """Mean Li content (-) of each local cell (vertex average), fill for non-diffusing cells."""
        vals = self.x.x.array[self.V.dofmap.list].mean(axis=1)
        return np.where(self.cell_on, vals, fill)

    def set_rate(self, dx_dt: float) -> None:
        """Impose a mean rate of change of x (1/s) through a uniform surface flux."""
        self.flux.value = -dx_dt * self.particle_volume_m3 / self.flux_area_m2

    def set_stress_coupling(self, hydrostatic_cells: np.ndarray | None, temperature_K: float) -> None:
        """Hydrostatic stress (Pa) per owned cell for stress-driven diffusion; None switches it off."""
        if hydrostatic_cells is None:
            self.omega_RT.x.array[:] = 0.0
            return
        omega = np.zeros(len(self.phase_index))
        xc = self.cell_li_fraction(fill=1.0)
        for i, m in enumerate(self.materials):
            sel = self.phase_index == i
            if not m.diffuses:
                continue
            if m.partial_molar_volume_m3_per_mol is not None:
                omega[sel] = m.partial_molar_volume_m3_per_mol
            elif m.chemical_strain is not None:  # Omega = d(tr eps)/dc from the table slope
                h = 1e-3
                ea1, ec1 = m.chemical_strain.strains(xc[sel] + h)
                ea0, ec0 = m.chemical_strain.strains(xc[sel] - h)
                omega[sel] = (2 * (ea1 - ea0) + (ec1 - ec0)) / (2 * h) / m.max_concentration_mol_per_m3
        self.omega_RT.x.array[self._qdofs] = omega / (GAS_CONSTANT * temperature_K)
        # lumped L2 projection of the cellwise hydrostatic stress onto P1 (forms compiled once)
        if self._sig_rhs is None:
            self._q = fem.Function(self.D.function_space)
            self._sig_rhs = fem.form(self.chi * self._q * ufl.TestFunction(self.V) * ufl.dx)
            self._lumped = fem.assemble_vector(self._lump)
            self._lumped.scatter_reverse(_add())
            self._lumped.scatter_forward()
        self._q.x.array[self._qdofs[: len(hydrostatic_cells)]] = hydrostatic_cells
        self._q.x.scatter_forward()
        rhs = fem.assemble_vector(self._sig_rhs)
        rhs.scatter_reverse(_add())
        rhs.scatter_forward()
        lumped = self._lumped.array
        self.sigma_h.x.array[:] = np.divide(rhs.array, lumped, out=np.zeros_like(lumped), where=lumped > 0)

    def step(self, dt: float, where: str) -> int:
        """Advance by dt (s); returns CG iterations."""
        if abs(float(self.dt.value) - dt) > 1e-12 * dt or not self._D_const:
            self.dt.value = dt
            if not self._D_const:
                self._update_D()
            self._rebuild()
        self.x_old.x.array[:] = self.x.x.array
        with self.b.localForm() as bl:
            bl.set(0.0)
        fem_petsc.assemble_vector(self.b, self.L)
        fem_petsc.apply_lifting(self.b, [self.a], bcs=[[self.bc]])
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        fem_petsc.set_bc(self.b, [self.bc])
        self.ksp.solve(self.b, self.x.x.petsc_vec)
        if self.ksp.getConvergedReason() < 0:
            raise SolverError(f"{where}: the diffusion solve diverged (PETSc reason {self.ksp.getConvergedReason()})")
        self.x.x.scatter_forward()
        return self.ksp.getIterationNumber()

    def mean_li_fraction(self) -> float:
        """Volume-averaged Li content of the diffusing phases (-)."""
        if not hasattr(self, "_mean_form"):
            self._mean_form = fem.form(self.chi * self.x * ufl.dx)
        return self.pm.mesh.comm.allreduce(fem.assemble_scalar(self._mean_form), op=MPI.SUM) / self.particle_volume_m3

    def close(self) -> None:
        self.ksp.destroy()
        self.A.destroy()
        self.b.destroy()


def _add():
    return la.InsertMode.add


