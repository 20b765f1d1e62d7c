"""Small-strain linear elasticity with per-cell (DG0) isotropic stiffness."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._dolfinx import fem, mesh, ufl
from ..materials import Material

__all__ = ["strain", "IsotropicStiffness", "cell_dofs"]


def strain(u) -> ufl.core.expr.Expr:
    """Small-strain tensor sym(grad u) (-)."""
    return ufl.sym(ufl.grad(u))


def cell_dofs(space: fem.FunctionSpace) -> np.ndarray:
    """DOF (block) index of each local cell (owned and ghost) of a DG0 space."""
    return space.dofmap.list[:, 0]


class IsotropicStiffness:
    """Lame parameters mu and lambda (Pa) as DG0 fields set from each cell's phase material."""

    def __init__(self, msh: mesh.Mesh, phase_index: np.ndarray, materials: Sequence[Material]):
        Q = fem.functionspace(msh, ("DG", 0))
        self.mu = fem.Function(Q, name="shear_modulus")
        self.lmbda = fem.Function(Q, name="lame_lambda")
        dofs = cell_dofs(Q)
        self.mu.x.array[dofs] = np.array([m.shear_modulus_Pa for m in materials])[phase_index]
        self.lmbda.x.array[dofs] = np.array([m.lame_lambda_Pa for m in materials])[phase_index]
        self._I = ufl.Identity(msh.geometry.dim)

    def stress(self, eps) -> ufl.core.expr.Expr:
        """Cauchy stress (Pa) for an elastic strain tensor eps (-)."""
        return 2.0 * self.mu * eps + self.lmbda * ufl.tr(eps) * self._I
