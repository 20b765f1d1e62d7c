"""Linear solves inside the cohesive Newton iteration: preconditioning matrix, KSP options, reuse policy.

The Newton tangent of the block system is assembled into one monolithic PETSc matrix (the exact
Jacobian J, on which GMRES iterates). The preconditioner is built from a separate matrix P:

* **P holds only the structural nonzeros of J.** The mixed-domain interior-facet assembly
  reserves couplings that are always zero (the "other side" rows of each block at the cohesive
  facets, and off-facet nodes of the facet cells): 40 % of the stored entries of the shipped
  debonding case, with a few rows that are 90 % dense. P keeps a node pair (3 x 3 block) only if
  J had a nonzero entry in it at the first assembly (stress-free state, intact interfaces:
  every genuine coupling has a nonzero diagonal, bulk couplings are constant and interface
  couplings carry the penalty K), so a MUMPS factorisation or a GAMG set-up sees a sparse
  elasticity-like matrix. GMRES always works on the exact J, so the converged solution does
  not depend on P.
* **direct:** P is factorised by MUMPS (LU); the factorisation is kept across Newton iterations
  and load steps and refreshed when GMRES needs more than ``refresh_ksp_iterations`` iterations.
* **iterative:** P is the operator of smoothed-aggregation AMG (GAMG, block size 3) with a
  near-nullspace of six rigid-body modes per block (zero on the other blocks): a block whose
  interfaces are debonded is nearly floating, and the jump across a cohesive interface is a
  low-energy mode the coarse spaces must contain. The hierarchy is kept across Newton
  iterations and load steps and rebuilt when GMRES needs more than ``refresh_ksp_growth``
  times the iterations of the first solve after the last set-up (and more than
  ``refresh_ksp_iterations``), or failed.
* **auto:** direct below ``AUTO_ITERATIVE_DOFS`` global dofs, iterative above
  (measured, docs/performance.md section 8.1).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal

import numpy as np

from ..._dolfinx import MPI, PETSc, fem
from ..nullspace import rigid_body_modes

__all__ = ["AUTO_ITERATIVE_DOFS", "DIRECT_OPTIONS", "ITERATIVE_OPTIONS", "resolve_linear_solver",
           "block_near_nullspace", "structural_pattern", "CohesivePreconditioner"]

log = logging.getLogger(__name__)

LinearSolverKind = Literal["auto", "direct", "iterative"]

# "auto" switches to GAMG above this many global dofs (docs/performance.md section 8.1).
AUTO_ITERATIVE_DOFS = 250_000

# GMRES on the exact Jacobian preconditioned by a kept MUMPS LU factorisation of P.
DIRECT_OPTIONS: dict[str, str | int | float] = {
    "ksp_type": "gmres",
    "ksp_gmres_restart": 60,
    "ksp_rtol": 1e-10,
    "ksp_max_it": 60,
    "pc_type": "lu",
    "pc_factor_mat_solver_type": "mumps",
}
# GMRES (right preconditioning: the true residual is monitored) with GAMG on P; smoothers as in
# the thermoelastic solve (solver/options.py). Inexact Newton: ksp_rtol 1e-8 against snes_rtol 1e-9.
ITERATIVE_OPTIONS: dict[str, str | int | float] = {
    "ksp_type": "gmres",
    "ksp_pc_side": "right",
    "ksp_gmres_restart": 150,
    "ksp_rtol": 1e-8,
    "ksp_max_it": 300,
    "pc_type": "gamg",
    "pc_gamg_coarse_eq_limit": 1000,
    "mg_levels_ksp_type": "chebyshev",
    "mg_levels_pc_type": "jacobi",
}


def resolve_linear_solver(kind: LinearSolverKind, num_dofs: int) -> Literal["direct", "iterative"]:
    """The linear solver used for ``kind`` on a model of ``num_dofs`` global dofs."""
    if kind == "auto":
        return "iterative" if num_dofs > AUTO_ITERATIVE_DOFS else "direct"
    if kind not in ("direct", "iterative"):
        raise ValueError(f"linear_solver must be 'auto', 'direct' or 'iterative', not {kind!r}")
    return kind


def _owned_offsets(spaces: Sequence[fem.FunctionSpace]) -> np.ndarray:
    """Offsets of each block's owned dofs in the local part of the monolithic vector."""
    sizes = [V.dofmap.index_map.size_local * V.dofmap.index_map_bs for V in spaces]
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def block_near_nullspace(spaces: Sequence[fem.FunctionSpace], comm) -> tuple[PETSc.NullSpace, list[PETSc.Vec]]:
    """Six rigid-body modes per block space, each zero on the other blocks (orthonormal, m).

    The vectors follow the layout of DOLFINx's ``kind="mpi"`` block vectors: on each rank the
    owned dofs of block 0, then block 1, ... Returns the null space and its vectors.
    """
    offs = _owned_offsets(spaces)
    n_local = int(offs[-1])
    vecs = []
    for b, V in enumerate(spaces):
        for mode in rigid_body_modes(V):
            arr = np.zeros(n_local)
            arr[offs[b]:offs[b + 1]] = mode
            vecs.append(PETSc.Vec().createWithArray(arr, size=(n_local, PETSc.DECIDE), bsize=3, comm=comm))
    return PETSc.NullSpace().create(vectors=vecs, comm=comm), vecs


def structural_pattern(J: PETSc.Mat) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The node-pair (3 x 3) blocks of an assembled J that hold a nonzero: (row ptr, cols, keep mask).

    ``keep`` selects the entries of J's local CSR arrays (``J.getValuesCSR()``) that P stores.
    """
    ai, aj, av = J.getValuesCSR()
    n_rows = len(ai) - 1
    local_rows = np.repeat(np.arange(n_rows, dtype=np.int64), np.diff(ai))
    rows = local_rows + J.getOwnershipRange()[0]
    ncols_nodes = (J.getSize()[1] + 2) // 3
    key = (rows // 3) * ncols_nodes + aj.astype(np.int64) // 3
    keep = np.isin(key, np.unique(key[av != 0.0]))
    counts = np.bincount(local_rows[keep], minlength=n_rows)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(PETSc.IntType)
    return ptr, aj[keep].astype(PETSc.IntType), keep


class CohesivePreconditioner:
    """The preconditioning matrix P of the cohesive Newton solve and when to rebuild the PC from it.

    Args:
        J: the assembled Jacobian (first assembly: stress-free state, intact interfaces).
        spaces: the block function spaces, in the order of the unknowns.
        kind: ``"direct"`` or ``"iterative"`` (see ``resolve_linear_solver``).
        refresh_ksp_iterations: rebuild when a linear solve needed more iterations than this
            (direct: per Newton iteration; iterative: also at least ``refresh_ksp_growth`` times
            the first solve after the last set-up).
        refresh_ksp_growth: iterative path only (see above).
    """

    def __init__(self, J: PETSc.Mat, spaces: Sequence[fem.FunctionSpace], kind: Literal["direct", "iterative"], *,
                 refresh_ksp_iterations: int, refresh_ksp_growth: float = 2.0):
        comm = J.getComm().tompi4py()
        self.kind = kind
        self.refresh_ksp_iterations, self.refresh_ksp_growth = refresh_ksp_iterations, refresh_ksp_growth
        ptr, cols, self._keep = structural_pattern(J)
        _, _, av = J.getValuesCSR()
        self.P = PETSc.Mat().createAIJ(J.getSizes(), bsize=3, csr=(ptr, cols, av[self._keep]), comm=J.getComm())
        self.P.assemble()
        self._ptr, self._cols = ptr, cols
        nnz = np.array([len(av), len(cols)], dtype=np.int64)
        comm.Allreduce(MPI.IN_PLACE, nnz, op=MPI.SUM)
        self.jacobian_nonzeros, self.preconditioner_nonzeros = int(nnz[0]), int(nnz[1])
        log.info("cohesive %s preconditioner: %d of the Jacobian's %d stored entries are structural", kind,
                 self.preconditioner_nonzeros, self.jacobian_nonzeros)
        self.nullspace = None
        self._nullspace_vecs: list[PETSc.Vec] = []
        if kind == "iterative":
            self.nullspace, self._nullspace_vecs = block_near_nullspace(spaces, comm)
            self.P.setNearNullSpace(self.nullspace)
        self.setups = 0
        self._baseline: int | None = None  # iterations of the first linear solve after a set-up
        self._stale = True

    @property
    def num_near_nullspace_modes(self) -> int:
        return len(self._nullspace_vecs)

    @property
    def stale(self) -> bool:
        """True when the next ``update`` rebuilds the preconditioner."""
        return self._stale

    def mark_stale(self) -> None:
        """Rebuild the preconditioner at the next Jacobian evaluation (after a failure)."""
        self._stale = True

    def note_linear_solve(self, iterations: int, reason: int) -> None:
        """Record the last linear solve; mark P stale when it failed or needed too many iterations."""
        if reason < 0:
            self._stale = True
            return
        if self.kind == "direct":
            if iterations > self.refresh_ksp_iterations:
                self._stale = True
            return
        if self._baseline is None:
            self._baseline = max(iterations, 1)
        elif iterations > max(self.refresh_ksp_iterations, self.refresh_ksp_growth * self._baseline):
            self._stale = True

    def update(self, J: PETSc.Mat) -> bool:
        """Copy J's structural entries into P if the preconditioner is stale; True when it was."""
        if not self._stale:
            return False
        _, _, av = J.getValuesCSR()
        self.P.zeroEntries()
        self.P.setValuesCSR(self._ptr, self._cols, av[self._keep])
        self.P.assemble()
        self._stale, self._baseline = False, None
        self.setups += 1
        return True

    def destroy(self) -> None:
        self.P.destroy()
        for v in self._nullspace_vecs:
            v.destroy()
        if self.nullspace is not None:
            self.nullspace.destroy()
