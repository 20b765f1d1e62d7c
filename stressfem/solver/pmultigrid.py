"""p-multigrid for quadratic (and higher) displacements: the degree-1 space as the coarse level.

Two levels on the same mesh: the P2 (Q2) operator, smoothed by Chebyshev/Jacobi, and its Galerkin
coarse operator ``I^T A I`` on the degree-1 space (I: the interpolation of degree-1 functions into
the fine space), solved by one GAMG V-cycle with the degree-1 rigid-body near-nullspace. The
coarse operator is the Galerkin product, not a re-assembly: the interpolated hat function of a
constrained coarse dof is not zero at the fine free dofs next to it, so an assembled degree-1
matrix with identity rows for the Dirichlet dofs would not match the fine one (CG then stalls).

The fine operator may be stored in 3 x 3 blocks (BAIJ, as solver/linear.py assembles it for
p-multigrid: faster matrix-vector products); PETSc has no PtAP for it, so the Galerkin product is
formed from a temporary AIJ copy (the same values; 0.7 s at 539k dofs).

Measured on the load-path box (docs/performance.md section 9): against GAMG on the P2 operator,
about half the CG iterations and a quarter of the preconditioner set-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._dolfinx import PETSc, fem, fem_petsc
from .nullspace import near_nullspace, rigid_body_modes

__all__ = ["PMultigrid", "P_MULTIGRID_PC"]

P_MULTIGRID_PC = "mg"  # the pc_type that selects it when the solver is given a coarse degree


@dataclass
class PMultigrid:
    """The interpolation and the coarse operator of a two-level p-multigrid (kept alive with the KSP)."""

    interpolation: PETSc.Mat
    coarse: PETSc.Mat

    @classmethod
    def attach(cls, pc: PETSc.PC, A: PETSc.Mat, V: fem.FunctionSpace, coarse_degree: int = 1) -> PMultigrid:
        """Make ``pc`` a two-level MG from the fine operator A on V to its degree-``coarse_degree`` space.

        Call before the KSP's ``setFromOptions`` (the level smoothers then read their options).
        """
        V1 = fem.functionspace(V.mesh, ("Lagrange", coarse_degree, V.ufl_element().reference_value_shape))
        interpolation = fem_petsc.interpolation_matrix(V1, V)
        interpolation.assemble()
        coarse = _galerkin(A, interpolation)
        coarse.setNearNullSpace(near_nullspace(rigid_body_modes(V1), V.mesh.comm))
        pc.setType(P_MULTIGRID_PC)
        pc.setMGLevels(2)
        pc.setMGInterpolation(1, interpolation)
        pc.getMGCoarseSolve().setOperators(coarse)
        return cls(interpolation, coarse)

    def destroy(self) -> None:
        self.interpolation.destroy()
        self.coarse.destroy()


def _galerkin(A: PETSc.Mat, interpolation: PETSc.Mat) -> PETSc.Mat:
    """The coarse operator I^T A I (an AIJ copy of A when A is not AIJ: PtAP needs AIJ)."""
    if A.getType() in (PETSc.Mat.Type.SEQAIJ, PETSc.Mat.Type.MPIAIJ):
        return A.ptap(interpolation)
    aij = A.convert(PETSc.Mat.Type.AIJ, PETSc.Mat())
    try:
        return aij.ptap(interpolation)
    finally:
        aij.destroy()
