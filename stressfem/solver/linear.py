"""A linear solve with a matrix assembled once and a KSP (AMG hierarchy) built once."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from .._dolfinx import PETSc, fem, fem_petsc
from ..errors import SolverError
from .pmultigrid import P_MULTIGRID_PC, PMultigrid

__all__ = ["LinearSolver", "PetscSetupError"]

log = logging.getLogger(__name__)


class PetscSetupError(ValueError):
    """PETSc refused the KSP/PC set-up (options that passed the allowlist but not PETSc itself)."""


class LinearSolver:
    """Solves a(u, v) = L(v) repeatedly for a changing L; a is assembled and factorised once.

    Args:
        a, L: compiled bilinear and linear forms.
        bcs: Dirichlet conditions (their values may change between solves).
        near_nullspace: rigid-body modes for GAMG.
        nullspace: free rigid-body modes (None when the supports fix them all).
        options: PETSc options, set under ``prefix``.
        p_multigrid: the trial space when its degree is >= 2: with ``pc_type = "mg"`` in ``options``, a
            two-level p-multigrid to its degree-1 space (solver/pmultigrid.py).
    """

    def __init__(self, a: fem.Form, L: fem.Form, bcs: Sequence[fem.DirichletBC], *, near_nullspace,
                 nullspace, options: dict, prefix: str, p_multigrid: fem.FunctionSpace | None = None):
        self.a, self.L, self.bcs, self.nullspace = a, L, list(bcs), nullspace
        use_pmg = p_multigrid is not None and options.get("pc_type") == P_MULTIGRID_PC
        # p-multigrid: 3 x 3 block storage (BAIJ) of the vector operator; its matrix-vector products
        # (most of a CG iteration: residual, Chebyshev smoothing) take less than half the time of AIJ
        # ones (docs/performance.md section 9). Its Jacobi diagonal is the same.
        self.A = fem_petsc.assemble_matrix(a, bcs=self.bcs, kind=PETSc.Mat.Type.BAIJ if use_pmg else None)
        self.A.assemble()
        self.A.setNearNullSpace(near_nullspace)
        if nullspace is not None:
            self.A.setNullSpace(nullspace)
        self.b = fem_petsc.create_vector(L.function_spaces)
        opts = PETSc.Options()
        for k, v in options.items():
            opts[f"{prefix}{k}"] = v
        self.ksp = PETSc.KSP().create(self.A.getComm())
        self.ksp.setOptionsPrefix(prefix)
        self.ksp.setOperators(self.A)
        self.pmg = None
        if use_pmg:
            self.pmg = PMultigrid.attach(self.ksp.getPC(), self.A, p_multigrid)
        try:
            self.ksp.setFromOptions()
            self.ksp.setInitialGuessNonzero(self.ksp.getType() != "preonly")
            self.ksp.setUp()  # builds the AMG hierarchy once; reused by every solve
        except PETSc.Error as exc:
            raise PetscSetupError(
                f"PETSc could not set up the linear solver with these options ({_options_text(options)}): PETSc "
                f"error code {exc.ierr}; change the PETSc options, or check the materials (a zero or "
                f"degenerate modulus makes the matrix singular)") from None
        self.total_iterations = 0

    def assemble_rhs(self) -> PETSc.Vec:
        """The right-hand side ``b`` of the current loads (lifted, BC values set, free rigid modes removed).

        The lifting (b -= A g, g the Dirichlet values) is skipped when every value is zero: it would
        subtract exactly zero, at the cost of an assembly pass over the cells.
        """
        with self.b.localForm() as b_local:
            b_local.set(0.0)
        fem_petsc.assemble_vector(self.b, self.L)
        if any(_nonzero_value(bc) for bc in self.bcs):
            fem_petsc.apply_lifting(self.b, [self.a], bcs=[self.bcs])
        self.b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        fem_petsc.set_bc(self.b, self.bcs)
        if self.nullspace is not None:
            self.nullspace.remove(self.b)
        return self.b

    def solve(self, u: fem.Function, where: str) -> int:
        """Solve into u (its current value is the initial guess); returns the iteration count."""
        self.assemble_rhs()
        try:
            self.ksp.solve(self.b, u.x.petsc_vec)
        except PETSc.Error as exc:
            raise SolverError(f"{where}: PETSc failed in the linear solve (error code {exc.ierr}), e.g. a zero "
                              f"pivot: the operator is singular; check the materials' moduli and that every body "
                              f"is held") from None
        reason = self.ksp.getConvergedReason()
        its = self.ksp.getIterationNumber()
        if reason < 0:
            raise SolverError(
                f"{where}: the linear solver diverged (PETSc reason {reason}, {its} iterations, residual "
                f"norm {self.ksp.getResidualNorm():.3e}); check the boundary conditions (is the body "
                f"held?) and the materials, or raise solver.max_iterations"
            )
        if self.nullspace is not None:
            self.nullspace.remove(u.x.petsc_vec)
        u.x.scatter_forward()
        self.total_iterations += its
        return its

    def destroy(self) -> None:
        self.ksp.destroy()
        if self.pmg is not None:
            self.pmg.destroy()
        self.A.destroy()
        self.b.destroy()


def _nonzero_value(bc: fem.DirichletBC) -> bool:
    """True unless the condition's value is a constant that is zero now (a Function counts as non-zero)."""
    value = getattr(bc.g, "value", None)
    return value is None or bool(np.any(np.asarray(value) != 0.0))


def _options_text(options: dict) -> str:
    return ", ".join(f"{k} = {v!r}" for k, v in options.items())
