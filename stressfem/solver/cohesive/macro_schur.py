"""The linear step of the periodic cohesive Newton iteration: P^T J P and the macroscopic Schur complement.

Unknowns of a Newton step: the periodic fluctuation increment dw (reduced dofs, u = P w + sum_j E_j l_j
with l_j the unit macroscopic strain field B_j (x - lo), m) and the increments dE_U of the macroscopic
strain components whose stress is prescribed. With J the exact block Jacobian and F the residual
(N) on the full block dofs:

    [ P^T J P     P^T J L_U ] [dw  ]     [ P^T F            ]
    [ L_U^T J P   L_U^T J L_U ] [dE_U] = - [ L_U^T F - V S_U ]

(L_U^T F = V Sigma_U, the box volume V times the mean stress of the prescribed components, since the
interface terms vanish for the continuous l_j). Block elimination: a = -Jr^-1 P^T F and
c_j = Jr^-1 P^T J l_j (one factorisation, 1 + |U| solves), then the |U| x |U| system
(L_U^T J L_U - L_U^T J P C) dE_U = -(L_U^T F - V S_U) - L_U^T J P a, and dw = a - C dE_U.

Jr = P^T J P (PETSc PtAP, pattern reused) has the three translations of the whole box as its null
space: one node (3 reduced dofs on rank 0) is pinned, and the reduced dofs with a member on a
homogeneous Dirichlet condition (laterally periodic stacks: rollers on zmin/zmax) are held. Jr is factorised by MUMPS at every Newton
iteration (KSP preonly): keeping the LU of an earlier iteration as a GMRES preconditioner, as the
non-periodic direct path does (linear.py), cost 4.8x more time on the periodic particle box of
docs/cohesive.md (1 + 6 GMRES solves per Newton iteration on a stale LU while interfaces soften).
J is the block Jacobian without the always-zero couplings of the mixed-domain pattern
(linear.py structural_pattern): P^T J P of the full pattern is denser and its LU 1.7x slower.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..._dolfinx import PETSc
from .linear import ITERATIVE_OPTIONS

__all__ = ["MacroSchur", "REDUCED_OPTIONS"]

REDUCED_OPTIONS: dict[str, str] = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}
# linear_solver = "iterative": GMRES + GAMG on P^T J P (linear.py ITERATIVE_OPTIONS), a new hierarchy per Newton
# iteration, near-nullspace: the translations of every block (rotations are not periodic)


class MacroSchur:
    """Reduced Newton steps (module doc), one LU per Newton iteration.

    Args:
        P: block prolongation (full owned dofs x reduced dofs), solver/periodic.py block_prolongation.
        lin: the six unit macroscopic strain fields l_j (full block vectors, m per unit strain).
        prefix: PETSc options prefix of the reduced KSP.
        pin: global reduced dofs held at zero (solver/periodic.py pinned_dofs).
        diagonal: the value (N/m) on the diagonal of the pinned rows: fixed by the case, so that a run
            restarted from a checkpoint repeats the rounding of the uninterrupted one.
        options: user KSP options (``ksp_*``/``pc_*`` keys of [cohesive_solver] petsc_options) over
            REDUCED_OPTIONS (direct) or linear.ITERATIVE_OPTIONS.
        block_sizes: owned full dofs of each block: the iterative solve (GMRES + GAMG with the blocks'
            translations as near-nullspace); None: MUMPS LU.
    """

    def __init__(self, P: PETSc.Mat, lin: Sequence[PETSc.Vec], prefix: str, pin: np.ndarray, diagonal: float,
                 options: dict | None = None, block_sizes: Sequence[int] | None = None):
        self.P, self.lin, self.pin = P, list(lin), pin
        comm = P.getComm()
        self.Jr: PETSc.Mat | None = None
        self._diag = diagonal
        self._modes = [] if block_sizes is None else self._block_translations(block_sizes)
        self._nullspace = PETSc.NullSpace().create(vectors=self._modes, comm=comm) if self._modes else None
        opts = PETSc.Options()
        base = REDUCED_OPTIONS if block_sizes is None else ITERATIVE_OPTIONS
        for k, v in {**base, **(options or {})}.items():
            opts[f"{prefix}{k}"] = v
        self.ksp = PETSc.KSP().create(comm)
        self.ksp.setOptionsPrefix(prefix)
        self.ksp.setFromOptions()
        self._full = P.createVecLeft()
        self._rhs = P.createVecRight()
        self.setups = 0
        self.iterations = 0

    def _block_translations(self, block_sizes: Sequence[int]) -> list[PETSc.Vec]:
        """Per block (owned full dofs ``block_sizes``, in order) and component: the indicator of its reduced
        dofs, normalised (GAMG's near-nullspace)."""
        full = self.P.createVecLeft()
        modes, start = [], 0
        for n in block_sizes:
            for i in range(3):
                arr = full.getArray()
                arr[:] = 0.0
                arr[start + i:start + n:3] = 1.0
                mode = self.P.createVecRight()
                self.P.multTranspose(full, mode)
                m = mode.getArray()
                m[:] = (m > 0).astype(float)
                if mode.norm() > 0:
                    mode.normalize()
                    modes.append(mode)
            start += n
        full.destroy()
        return modes

    def restrict(self, full: PETSc.Vec, out: PETSc.Vec) -> PETSc.Vec:
        """out = P^T full with the pinned entries zero."""
        self.P.multTranspose(full, out)
        out.setValues(self.pin, np.zeros(len(self.pin)))
        out.assemble()
        return out

    def set_operator(self, J: PETSc.Mat) -> None:
        """Jr = P^T J P (pinned), factorised at the next solve."""
        if self.Jr is None:
            self.Jr = J.PtAP(self.P)
        else:
            J.PtAP(self.P, result=self.Jr)
        self.Jr.zeroRowsColumns(self.pin, diag=self._diag)
        if self._nullspace is not None:
            self.Jr.setBlockSize(3)
            self.Jr.setNearNullSpace(self._nullspace)
        self.ksp.setOperators(self.Jr)
        self.setups += 1

    def _solve(self, b: PETSc.Vec, x: PETSc.Vec) -> bool:
        x.set(0.0)
        self.ksp.solve(b, x)
        self.iterations += self.ksp.getIterationNumber()
        return self.ksp.getConvergedReason() > 0

    def step(self, J: PETSc.Mat, F: PETSc.Vec, unknown: Sequence[int], stress_residual: np.ndarray,
             dx: PETSc.Vec) -> tuple[np.ndarray, bool]:
        """The Newton increment: dx (full block vector, m) = P dw + sum_j dE_j l_j; returns (dE_U, ok).

        stress_residual: L_U^T F - V S_U (N m), for the components ``unknown``.
        """
        self.restrict(F, self._rhs)
        self._rhs.scale(-1.0)
        a = self._rhs.duplicate()
        ok = self._solve(self._rhs, a)
        Jl, C, H = [], [], []  # J l_j (full), c_j = Jr^-1 P^T J l_j, h_j = P^T J^T l_j (reduced)
        for j in unknown:
            Jl.append(self._full.duplicate())
            J.mult(self.lin[j], Jl[-1])
            g = self.restrict(Jl[-1], self._rhs.duplicate())
            C.append(g.duplicate())
            ok = self._solve(g, C[-1]) and ok
            J.multTranspose(self.lin[j], self._full)
            H.append(self.restrict(self._full, g))
        dE = np.zeros(len(unknown))
        if len(unknown):
            S = np.array([[self.lin[jk].dot(Jl[i]) - H[k].dot(C[i]) for i in range(len(unknown))]
                          for k, jk in enumerate(unknown)])
            rhs = -np.asarray(stress_residual, dtype=float) - np.array([h.dot(a) for h in H])
            dE = np.linalg.solve(S, rhs)
            for i in range(len(unknown)):
                a.axpy(-dE[i], C[i])
        self.P.mult(a, dx)
        for i, j in enumerate(unknown):
            dx.axpy(dE[i], self.lin[j])
        for v in [a, *Jl, *C, *H]:
            v.destroy()
        return dE, ok

    def destroy(self) -> None:
        for obj in (self.ksp, self.Jr, self._full, self._rhs, self._nullspace, *self._modes):
            if obj is not None:
                obj.destroy()
