"""Orient OCC spheres so that the box faces never cut them along their seam or near a pole.

An OpenCASCADE sphere (``occ.addSphere``) is a parametric surface with two poles at
centre +- r e_z and a seam, the half great circle from pole to pole through centre + r e_x.
A box face that passes within a few nanometres of a pole, or runs along the seam (a face
``y = c_y + 0.001 um``), leaves sliver triangles between the seam and the cut circle, and
the volume mesh inherits them: in the shipped cool-down case one sphere whose centre lay
0.001 um from the ``ymin`` face produced every tetrahedron below SICN 0.05 (min 0.0013,
docs/geometry.md). Thin caps and near-tangent cuts alone mesh well (one sphere 0.05 um from
tangency: SICN 0.17), so the policy rotates spheres (free: a sphere is round) instead of
moving or shrinking them: for every sphere near a box face it picks, from a fixed set of
rotations, the one whose poles stay at least ``clearance`` from every face plane and whose
seam crosses every face plane at a steep angle.
"""

from __future__ import annotations

import logging
import math

import numpy as np

__all__ = ["sphere_rotations", "add_sphere", "N_CANDIDATES", "MIN_SEAM_SINE"]

log = logging.getLogger(__name__)

N_CANDIDATES = 48  # identity + 47 fixed random rotations (seeded; the choice is reproducible)
MIN_SEAM_SINE = 0.5  # the seam must cross a face plane at >= 30 degrees within the clearance band
_SEAM_SAMPLES = 49


def _candidates() -> np.ndarray:
    """(K, 3) rotation vectors (axis x angle, rad): the identity first, then seeded random ones."""
    from scipy.spatial.transform import Rotation

    return np.concatenate([np.zeros((1, 3)), Rotation.random(N_CANDIDATES - 1, random_state=20260).as_rotvec()])


def sphere_rotations(centres: np.ndarray, radii: np.ndarray, lo, hi, clearance: float) -> np.ndarray:
    """Rotation vectors (n, 3) (rad, about each sphere's centre) for spheres cut by the box [lo, hi] (um).

    clearance (um): smallest allowed distance between a pole and a face plane, and the width of
    the band about a face plane in which the seam must cross it at >= 30 degrees. Spheres farther
    than ``radius + clearance`` from every face plane keep the identity (zero vector).
    """
    from scipy.spatial.transform import Rotation

    c, r = np.asarray(centres, dtype=float), np.asarray(radii, dtype=float)
    planes = np.stack([np.broadcast_to(np.asarray(lo, dtype=float), (3,)),
                       np.broadcast_to(np.asarray(hi, dtype=float), (3,))], axis=1)  # (3 axes, 2 sides)
    out = np.zeros((len(r), 3))
    if clearance <= 0.0 or len(r) == 0:
        return out
    near = np.any(np.abs(c[:, :, None] - planes[None]) < (r + clearance)[:, None, None], axis=(1, 2))
    if not near.any():
        return out
    cand = _candidates()
    mats = Rotation.from_rotvec(cand).as_matrix()  # (K, 3, 3)
    seam_dir, pole_dir = mats[:, :, 0], mats[:, :, 2]  # images of e_x and e_z, (K, 3)
    v = np.linspace(-0.5 * math.pi, 0.5 * math.pi, _SEAM_SAMPLES)
    # seam points relative to the centre per unit radius: (K, S, 3)
    pts = np.cos(v)[None, :, None] * seam_dir[:, None] + np.sin(v)[None, :, None] * pole_dir[:, None]
    # angle beta on the sphere between the seam and the circle cut by the face plane of axis i at a
    # seam point u: cos beta = |m_i| / sqrt(1 - u_i^2), m the seam plane's normal (K, S, 3)
    m = np.cross(seam_dir, pole_dir)[:, None, :]
    cos_b = np.clip(np.abs(m) / np.sqrt(np.maximum(1.0 - pts**2, 1e-12)), 0.0, 1.0)
    steep = (np.sqrt(1.0 - cos_b**2) / MIN_SEAM_SINE)[None, :, :, :, None]  # (1, K, S, 3, 1)
    idx = np.flatnonzero(near)
    best = np.zeros(len(idx), dtype=int)
    worst = np.zeros(len(idx))
    for start in range(0, len(idx), 64):  # chunks of spheres bound the (m, K, S, 3, 2) arrays to ~30 MB
        sl = idx[start:start + 64]
        # signed distance of seam points to each face plane: (m, K, S, 3 axes, 2 sides)
        g = c[sl, None, None, :, None] + r[sl, None, None, None, None] * pts[None, :, :, :, None] - planes[None, None, None]
        pole_gap = np.abs(g[:, :, [0, -1]]).min(axis=(2, 3, 4)) / clearance  # (m, K): poles end the seam
        seam = np.where(np.abs(g) < clearance, steep, np.inf).min(axis=(2, 3, 4))  # (m, K)
        score = np.minimum(np.minimum(pole_gap, seam), 1.0)
        best[start:start + len(sl)] = np.argmax(score, axis=1)  # first candidate scoring 1: identity if fine
        worst[start:start + len(sl)] = score[np.arange(len(sl)), best[start:start + len(sl)]]
    out[idx] = cand[best]
    if np.any(worst < 1.0):
        log.warning("%d spheres keep a pole or seam within %.3g um of a box face (no candidate rotation clears "
                    "it); expect low-quality elements there", int(np.sum(worst < 1.0)), clearance)
    log.info("face policy: %d of %d spheres near a box face, %d rotated to keep poles and seams off the faces",
             int(near.sum()), len(r), int(np.count_nonzero(best)))
    return out


def add_sphere(occ, centre, radius: float, rotvec=None) -> int:
    """An OCC sphere (um) rotated about its centre by rotvec (axis x angle, rad); returns its tag."""
    tag = occ.addSphere(*centre, radius)
    angle = 0.0 if rotvec is None else float(np.linalg.norm(rotvec))
    if angle > 0.0:
        occ.rotate([(3, tag)], *centre, *(np.asarray(rotvec) / angle), angle)
    return tag
