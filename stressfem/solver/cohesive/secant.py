"""The secant (damage-frozen) cohesive iteration: an SPD operator solved by CG, alternating with the damage.

Alternate minimisation, as in phase-field fracture: at the current displacement u_k the history of
every interface facet is evaluated (irreversible and viscous as in the law: h_k = h(u_k)), then the
linearised equilibrium is solved with that history **frozen**:

    J_sec(u_k; h_k) du = -F(u_k; h_k),   u_{k+1} = u_k + du,

where F(u; h) is the residual with the traction ``law.local_traction(jump, h)`` and J_sec its
derivative at fixed h. F(u_k; h(u_k)) is exactly the residual of the Newton path (the one-point
interface rule evaluates the history at the facet centroid, as the DG0 value), so a converged
iterate is the same equilibrium to the same tolerance (snes_rtol / snes_atol), only the
iteration differs: the damage derivative dh/du, which makes the Newton tangent non-symmetric and
indefinite on softening facets, is left out. What remains is the tangent of a convex energy at
fixed damage (bulk elasticity, secant interface stiffness (1 - d) K in tension and shear, the
smoothed contact K in compression, residual stiffness 1e-8 K after debonding): symmetric positive
definite, so CG with a kept GAMG hierarchy (or a kept LU) solves it, and a snap-through does not
make the linear system indefinite. The price is linear instead of quadratic convergence while
damage grows.

Implementation (PETSc options below):

* The fixed-point iteration u -> u + du converges linearly (a contraction factor of about 0.5 per
  step at the onset of damage of the shipped debonding case). It is accelerated by Anderson mixing
  (``snes_type anderson``, memory 5) with the secant step as the right nonlinear preconditioner
  (an inner ``newtonls`` SNES of one iteration): 8 instead of 21 steps for that increment.
* Inexact steps: CG stops at ``npc_ksp_rtol`` 1e-3 and the secant matrix is reassembled every
  third step (``npc_snes_lag_jacobian`` 3): cool-down 2-4 of the shipped case cost 3.5 / 5.6 /
  6.1 CPU s instead of 9.1 / 16.9 / - with CG to 1e-8 and a fresh matrix every step
  (docs/performance.md section 8.2).
* The residual callback is wrapped so that the frozen history ``hf`` of every interface is set to
  h(u) before the residual (and hence the next Jacobian) is assembled.
* The bulk stiffness does not change: it is assembled once (with the Dirichlet rows) and each
  secant Jacobian is that matrix plus the interface terms, assembled over the interface facets only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..._dolfinx import PETSc, fem, fem_petsc, la

__all__ = ["SECANT_OPTIONS", "SECANT_DIRECT_OPTIONS", "FrozenHistory", "block_jacobian"]

# Anderson mixing over one secant step (inner SNES, prefix npc_); the outer SNES uses no KSP
_ANDERSON: dict[str, str | int | float] = {
    "snes_type": "anderson",
    "snes_anderson_m": 5,
    "npc_snes_type": "newtonls",
    "npc_snes_max_it": 1,
    "npc_snes_linesearch_type": "basic",
    "npc_snes_convergence_test": "skip",
    # the secant operator (and its preconditioner) is reassembled every third step only: the residual
    # is exact, so this changes the path to the fixed point, not the fixed point
    "npc_snes_lag_jacobian": 3,
    "npc_snes_lag_jacobian_persists": "true",
}
# CG + GAMG on the SPD secant operator; smoothers as in the thermoelastic solve (solver/options.py)
SECANT_OPTIONS: dict[str, str | int | float] = {
    **_ANDERSON,
    "npc_ksp_type": "cg",
    "npc_ksp_rtol": 1e-3,  # inexact secant steps: the outer iteration contracts by ~0.5 per step anyway
    "npc_ksp_max_it": 400,
    "npc_pc_type": "gamg",
    "npc_pc_gamg_coarse_eq_limit": 1000,
    "npc_mg_levels_ksp_type": "chebyshev",
    "npc_mg_levels_pc_type": "jacobi",
}
# CG on the secant operator preconditioned by a kept MUMPS LU of it
SECANT_DIRECT_OPTIONS: dict[str, str | int | float] = {
    **_ANDERSON,
    "npc_ksp_type": "cg",
    "npc_ksp_rtol": 1e-10,
    "npc_ksp_max_it": 60,
    "npc_pc_type": "lu",
    "npc_pc_factor_mat_solver_type": "mumps",
}


def block_jacobian(residuals: Sequence, unknowns: Sequence[fem.Function]) -> list[list]:
    """The block Jacobian (ufl forms, None for empty blocks) of block residuals w.r.t. the block unknowns.

    Empty: zero after expanding the derivative (before, the blocks of two blocks without a common pair were
    compiled and assembled as zero kernels).
    """
    from ..._dolfinx import ufl

    jac = []
    for Fi in residuals:
        row = []
        for uj in unknowns:  # derivatives expanded: a block of two blocks without a common pair is empty
            Jij = ufl.algorithms.expand_derivatives(ufl.derivative(Fi, uj, ufl.TrialFunction(uj.function_space))) \
                if Fi is not None else None
            row.append(Jij if Jij is not None and not Jij.empty() else None)
        jac.append(row)
    return jac


class FrozenHistory:
    """Sets the frozen history of every interface to h(u) before the residual is assembled.

    Args:
        interfaces: the model's interface records; each needs ``hf`` (the frozen DG0 history),
            ``trial_form`` (the history at u tested with DG0, per facet), ``area`` (m2) and ``hdofs``.
        u: the block displacements (the SNES unknowns).
        problem: the dolfinx NonlinearProblem whose residual callback is wrapped.
        bcs: the Dirichlet conditions of the problem.
        jac_bulk, jac_interface: the block Jacobian (ufl) of the bulk terms and of the interface terms.
        entity_maps: the entity maps of the mixed-domain forms.
        wrap_residual: True (the secant path): the residual callback sets hf = h(u) first.
            False (``newton_secant``): only ``secant_matrix`` is used, to build the preconditioner.
    """

    def __init__(self, interfaces: Sequence[dict], u: Sequence[fem.Function], problem, bcs,
                 jac_bulk: list[list], jac_interface: list[list], entity_maps, wrap_residual: bool = True):
        self.interfaces, self.u, self.bcs = interfaces, list(u), bcs
        self._ctx = {"u": problem.u, "residual": problem.F, "jacobian": problem.J, "bcs": bcs}
        blocks = problem.b.getAttr("_blocks")
        if blocks is not None:
            self._ctx["_blocks"] = blocks
        self.inner_ksp = None
        if wrap_residual:
            problem.solver.setFunction(self.residual, problem.b)
            self.inner_ksp = problem.solver.getNPC().getKSP()
        self.a_interface = fem.form(jac_interface, entity_maps=entity_maps)
        self.A_bulk = problem.A.duplicate(copy=True)  # the pattern of the full Jacobian (all entries kept)
        self.A_bulk.zeroEntries()
        fem_petsc.assemble_matrix(self.A_bulk, fem.form(jac_bulk, entity_maps=entity_maps), bcs, diag=1.0)
        self.A_bulk.assemble()
        self._S: PETSc.Mat | None = None

    def secant_matrix(self, x: PETSc.Vec) -> PETSc.Mat:
        """The secant matrix at u = x in a kept matrix of the full Jacobian's pattern (newton_secant)."""
        if self._S is None:
            self._S = self.A_bulk.duplicate(copy=True)
        self.assemble_jacobian(x, self._S)
        return self._S

    def assemble_jacobian(self, x: PETSc.Vec, J: PETSc.Mat) -> None:
        """J = kept bulk matrix + interface terms at u = x with the history frozen at h(u)."""
        fem_petsc.assign(x, self.u)
        for u in self.u:
            u.x.scatter_forward()
        self.update()
        self.A_bulk.copy(J, structure=PETSc.Mat.Structure.SAME_NONZERO_PATTERN)
        fem_petsc.assemble_matrix(J, self.a_interface, self.bcs, diag=1.0)
        J.assemble()

    def destroy(self) -> None:
        self.A_bulk.destroy()
        if self._S is not None:
            self._S.destroy()

    def update(self) -> None:
        """hf = h(u) on every owned facet (irreversible, viscous), ghosts updated."""
        for g in self.interfaces:
            vec = fem.assemble_vector(g["trial_form"])
            vec.scatter_reverse(la.InsertMode.add)
            n = g["n_owned"]
            with np.errstate(invalid="ignore", divide="ignore"):
                vals = vec.array[g["hdofs"]] / g["area"] if n else np.zeros(0)
            hf = g["hf"]
            hf.x.array[g["hdofs"]] = vals
            hf.x.scatter_forward()

    def residual(self, snes: PETSc.SNES, x: PETSc.Vec, b: PETSc.Vec) -> None:
        """SNES residual callback: u = x, hf = h(u), then the residual F(u; hf) with Dirichlet lifting."""
        fem_petsc.assign(x, self.u)  # owned values; the ghosts come from their owners
        for u in self.u:
            u.x.scatter_forward()
        self.update()
        fem_petsc.assemble_residual(snes, x, b, **self._ctx)
