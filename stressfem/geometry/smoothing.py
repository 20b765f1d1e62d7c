"""Taubin smoothing of the interfaces and pore surfaces of a hexahedral voxel mesh (optional).

Only nodes on a phase interface or a pore surface move, each towards the mean of its neighbours
along that surface (edges of the surface quadrilaterals), alternating a shrinking step (lambda)
and an inflating one (mu < -lambda) so that volumes are nearly kept (Taubin, "A signal processing
approach to fair surface design", SIGGRAPH 1995). Nodes on a box face stay on it. Interior nodes of
the phases do not move, so smoothing is light: the staircase is rounded off within about one voxel.
Cells stay valid or the smoothing is refused (minimum scaled corner Jacobian).
"""

from __future__ import annotations

import logging

import numpy as np

from ..errors import GeometryError
from .metrics import CellMesh, cell_faces, hex_volumes

__all__ = ["taubin_smooth", "hex_scaled_jacobians", "MIN_SCALED_JACOBIAN"]

log = logging.getLogger(__name__)

TAUBIN_LAMBDA, TAUBIN_MU = 0.5, -0.53
MIN_SCALED_JACOBIAN = 0.2
# for each corner of a hexahedron (Gmsh/VTK order): the corner and its three edge neighbours, right-handed
HEX_CORNER_FRAMES = np.array([[0, 1, 3, 4], [1, 2, 0, 5], [2, 3, 1, 6], [3, 0, 2, 7],
                              [4, 7, 5, 0], [5, 4, 6, 1], [6, 5, 7, 2], [7, 6, 4, 3]])


def hex_scaled_jacobians(points: np.ndarray, hexes: np.ndarray) -> np.ndarray:
    """(n,) smallest scaled corner Jacobian of each hexahedron: det(e1, e2, e3) / (|e1| |e2| |e3|) over
    its 8 corners (1 for a cube, <= 0 for an inverted corner)."""
    p = points[hexes[:, HEX_CORNER_FRAMES]]  # (n, 8, 4, 3)
    e = p[:, :, 1:, :] - p[:, :, :1, :]  # (n, 8, 3, 3)
    det = np.linalg.det(e)
    return (det / np.prod(np.linalg.norm(e, axis=3), axis=2)).min(axis=1)


def taubin_smooth(points: np.ndarray, hexes: np.ndarray, cell_phase: np.ndarray, iterations: int,
                  key: str = "geometry.smoothing_iterations") -> tuple[np.ndarray, dict]:
    """Smoothed node coordinates (same unit as points) and a report of what changed.

    cell_phase: phase index per cell; faces between different phases and boundary faces not on the
    bounding box (pores) are smoothed. Raises GeometryError naming ``key`` if a cell degenerates.
    """
    from scipy import sparse

    mesh = CellMesh(points, hexes, cell_phase, [str(i) for i in range(int(cell_phase.max()) + 1)])
    faces, _, c0, c1 = cell_faces(mesh)
    lo, hi = points.min(axis=0), points.max(axis=0)
    tol = 1e-9 * float(np.max(hi - lo))
    at_lo, at_hi = np.abs(points - lo) < tol, np.abs(points - hi) < tol  # (n_nodes, 3)
    on_plane = at_lo | at_hi  # a node on a box face keeps that coordinate
    box_face = np.any(np.all(at_lo[faces], axis=1) | np.all(at_hi[faces], axis=1), axis=1)  # on one box plane
    surface = np.where(c1 >= 0, cell_phase[c0] != cell_phase[np.maximum(c1, 0)], ~box_face)
    edges = np.sort(faces[surface][:, [0, 1, 1, 2, 2, 3, 3, 0]].reshape(-1, 2), axis=1)
    edges = np.unique(edges, axis=0)
    n = len(points)
    adj = sparse.coo_matrix((np.ones(2 * len(edges)), (edges.ravel(), edges[:, ::-1].ravel())), shape=(n, n)).tocsr()
    deg = np.asarray(adj.sum(axis=1)).ravel()
    moving = deg > 0
    free = np.where(moving[:, None], ~on_plane, False).astype(float)  # components allowed to move
    inv_deg = np.where(moving, 1.0 / np.maximum(deg, 1.0), 0.0)[:, None]
    x = points.copy()
    for _ in range(iterations):
        for factor in (TAUBIN_LAMBDA, TAUBIN_MU):
            x = x + factor * free * (adj @ x * inv_deg - x)
    quality = hex_scaled_jacobians(x, hexes)
    if quality.min() < MIN_SCALED_JACOBIAN:
        raise GeometryError(f"smoothing made cells too distorted (smallest scaled corner Jacobian "
                            f"{quality.min():.3f} < {MIN_SCALED_JACOBIAN}); lower {key}")
    v0, v1 = hex_volumes(points, hexes), hex_volumes(x, hexes)
    nph = int(cell_phase.max()) + 1
    before = np.bincount(cell_phase, weights=v0, minlength=nph)
    after = np.bincount(cell_phase, weights=v1, minlength=nph)
    voxel = float(np.cbrt(v0[0]))
    report = {"iterations": iterations, "lambda": TAUBIN_LAMBDA, "mu": TAUBIN_MU,
              "moved_nodes": int(moving.sum()),
              "max_displacement_voxels": float(np.linalg.norm(x - points, axis=1).max() / voxel),
              "relative_volume_change_by_phase": (after / np.where(before > 0, before, 1.0) - 1.0).tolist(),
              "min_scaled_jacobian": float(quality.min()), "mean_scaled_jacobian": float(quality.mean())}
    log.info("Taubin smoothing (%d iterations): %d surface nodes moved, at most %.2f voxel; min scaled "
             "Jacobian %.3f", iterations, report["moved_nodes"], report["max_displacement_voxels"], quality.min())
    return x, report
