"""Interface kinematics: the displacement jump and its local frame (normal, shear 1, shear 2).

Convention (docs/design.md): an interface ``A/B`` has the particle side A as the "+" side of
the interior-facet integral; n is the outward normal of A. The jump is u_B - u_A, so a
positive normal jump jn = jump . n is an opening. The cohesive law works only in the local
frame (n, t1, t2); the traction is rotated back to the global frame (MOOSE's three stages).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._dolfinx import ufl

__all__ = ["LocalFrame", "local_frame", "local_frame_numpy"]


@dataclass
class LocalFrame:
    """Orthonormal interface frame: normal n and tangents t1, t2 (UFL vectors)."""

    n: object
    t1: object
    t2: object

    def to_local(self, jump):
        """(jn, js1, js2) (m) of a global jump vector (m)."""
        return ufl.dot(jump, self.n), ufl.dot(jump, self.t1), ufl.dot(jump, self.t2)

    def to_global(self, tn, ts1, ts2):
        """Global traction vector (Pa) from local components (Pa)."""
        return tn * self.n + ts1 * self.t1 + ts2 * self.t2


def local_frame(n) -> LocalFrame:
    """The frame of a unit normal n (UFL): t1 is the projection of e_x (or e_y if n is close to e_x)."""
    helper = ufl.conditional(ufl.lt(abs(n[0]), 0.9), ufl.as_vector((1.0, 0.0, 0.0)), ufl.as_vector((0.0, 1.0, 0.0)))
    t1 = helper - ufl.dot(helper, n) * n
    t1 = t1 / ufl.sqrt(ufl.dot(t1, t1))
    return LocalFrame(n, t1, ufl.cross(n, t1))


def local_frame_numpy(n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same frame for (m, 3) unit normals, as three (m, 3) arrays."""
    n = np.asarray(n, dtype=float)
    helper = np.where((np.abs(n[:, 0]) < 0.9)[:, None], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
    t1 = helper - np.sum(helper * n, axis=1)[:, None] * n
    t1 /= np.linalg.norm(t1, axis=1)[:, None]
    return n, t1, np.cross(n, t1)
