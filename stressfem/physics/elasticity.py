"""Small-strain linear elasticity with per-cell (DG0) isotropic stiffness."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._dolfinx import fem, mesh, ufl
from ..materials import Material

__all__ = ["strain", "IsotropicStiffness", "VoigtStiffness", "cell_dofs", "cell_stiffness_matrices",
           "isotropic_voigt", "transversely_isotropic_voigt", "rotate_voigt", "frame_from_axis"]


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


def isotropic_voigt(E: float, nu: float) -> np.ndarray:
    """6x6 Voigt stiffness (Pa) of an isotropic material (order 11 22 33 23 13 12, engineering shear)."""
    lam, mu = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    C = np.zeros((6, 6))
    C[:3, :3] = lam
    C[np.arange(3), np.arange(3)] += 2 * mu
    C[np.arange(3, 6), np.arange(3, 6)] = mu
    return C


def transversely_isotropic_voigt(C11: float, C12: float, C13: float, C33: float, C44: float) -> np.ndarray:
    """6x6 Voigt stiffness (Pa) with the symmetry axis along 3 (the crystal c axis)."""
    C = np.zeros((6, 6))
    C[0, 0] = C[1, 1] = C11
    C[0, 1] = C[1, 0] = C12
    C[0, 2] = C[2, 0] = C[1, 2] = C[2, 1] = C13
    C[2, 2] = C33
    C[3, 3] = C[4, 4] = C44
    C[5, 5] = 0.5 * (C11 - C12)
    return C


_VOIGT = [(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)]


def _full(C: np.ndarray) -> np.ndarray:
    T = np.zeros((3, 3, 3, 3))
    for I, (i, j) in enumerate(_VOIGT):
        for J, (k, l) in enumerate(_VOIGT):
            for a, b in ((i, j), (j, i)):
                for c, d in ((k, l), (l, k)):
                    T[a, b, c, d] = C[I, J]
    return T


def frame_from_axis(n: np.ndarray) -> np.ndarray:
    """Rotations (m, 3, 3) whose third column is the unit vector n (crystal -> sample frame)."""
    n = n / np.linalg.norm(n, axis=1)[:, None]
    helper = np.where(np.abs(n[:, :1]) < 0.9, np.array([[1.0, 0, 0]]), np.array([[0.0, 1, 0]]))
    e1 = np.cross(n, helper)
    e1 /= np.linalg.norm(e1, axis=1)[:, None]
    e2 = np.cross(n, e1)
    return np.stack([e1, e2, n], axis=2)


def rotate_voigt(C: np.ndarray, R: np.ndarray) -> np.ndarray:
    """Voigt stiffness C (6, 6) rotated by each R (m, 3, 3): C'_ijkl = R_ia R_jb R_kc R_ld C_abcd."""
    T = np.einsum("mia,mjb,mkc,mld,abcd->mijkl", R, R, R, R, _full(C), optimize=True)
    out = np.empty((len(R), 6, 6))
    for I, (i, j) in enumerate(_VOIGT):
        for J, (k, l) in enumerate(_VOIGT):
            out[:, I, J] = T[:, i, j, k, l]
    return out


class VoigtStiffness:
    """General (anisotropic) stiffness (Pa) as a DG0 6x6 Voigt field, one matrix per cell."""

    def __init__(self, msh: mesh.Mesh, cell_matrices: np.ndarray):
        S = fem.functionspace(msh, ("DG", 0, (6, 6)))
        self.C = fem.Function(S, name="stiffness")
        self.C.x.array.reshape(-1, 36)[cell_dofs(S)] = cell_matrices.reshape(-1, 36)

    def stress(self, eps) -> ufl.core.expr.Expr:
        """Cauchy stress (Pa) for a strain tensor eps (-)."""
        e = ufl.as_vector([eps[0, 0], eps[1, 1], eps[2, 2], 2 * eps[1, 2], 2 * eps[0, 2], 2 * eps[0, 1]])
        s = ufl.dot(self.C, e)
        return ufl.as_matrix([[s[0], s[5], s[4]], [s[5], s[1], s[3]], [s[4], s[3], s[2]]])


def cell_stiffness_matrices(phase_index: np.ndarray, materials: Sequence[Material], c_axes: np.ndarray) -> np.ndarray:
    """Per-cell 6x6 stiffness (Pa): isotropic phases as is, crystal phases rotated to their c axis."""
    out = np.empty((len(phase_index), 6, 6))
    for i, m in enumerate(materials):
        sel = phase_index == i
        if m.crystal_stiffness_Pa is None:
            out[sel] = isotropic_voigt(m.youngs_modulus_Pa, m.poisson_ratio)
        elif np.any(sel):
            out[sel] = rotate_voigt(transversely_isotropic_voigt(*m.crystal_stiffness_Pa), frame_from_axis(c_axes[sel]))
    return out
