"""Periodic meshes of boxes: the mesh of each max face is a translated copy of the min face's.

Gmsh copies the mesh of a master surface to its slave through an affine transform
(``gmsh.model.mesh.setPeriodic``); here every surface on a max face is paired with the surface
on the opposite min face whose bounding box and centre of mass match after the translation by
the box length. The generated packings are periodic (geometry/packing.py), so the pairing
exists; a surface without a partner is a geometry error, never a silently non-periodic mesh.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.spatial import cKDTree

from ..errors import GeometryError

__all__ = ["set_periodic_box", "AXES"]

log = logging.getLogger(__name__)

AXES = "xyz"


def _face_surfaces(gmsh, lo: np.ndarray, hi: np.ndarray, axis: int, value: float, tol: float) -> list[int]:
    bmin, bmax = lo - tol, hi + tol
    bmin[axis], bmax[axis] = value - tol, value + tol
    return [t for _, t in gmsh.model.getEntitiesInBoundingBox(*bmin, *bmax, dim=2)]


def _signature(gmsh, dim: int, tag: int) -> np.ndarray:
    """Bounding box (6) and centre of mass (3) of a curve or surface (um)."""
    return np.concatenate([gmsh.model.getBoundingBox(dim, tag), gmsh.model.occ.getCenterOfMass(dim, tag)])


def _pair(gmsh, dim: int, masters: list[int], slaves: list[int], shift: np.ndarray, tol: float) -> np.ndarray | None:
    """Index of the master of each slave (translated by shift), or None when some slave has none."""
    sig_m = np.array([_signature(gmsh, dim, t) for t in masters])
    sig_s = np.array([_signature(gmsh, dim, t) for t in slaves]) - np.concatenate([shift, shift, shift])
    dist, k = cKDTree(sig_m).query(sig_s)
    if np.any(dist > tol) or len(set(k.tolist())) != len(slaves):
        return None
    return k


def set_periodic_box(gmsh, box, origin=(0.0, 0.0, 0.0), axes: str = AXES, rel_tol: float = 1e-6) -> dict[str, int]:
    """Pair the surfaces of opposite faces of the box [origin, origin + box] (um) along ``axes``.

    Call after the OCC fragment and ``occ.synchronize()``, before meshing. Returns the number of
    surface pairs per axis. Raises GeometryError when a face surface has no partner.
    """
    lo = np.asarray(origin, dtype=float)
    hi = lo + np.asarray(box, dtype=float)
    tol = rel_tol * float(np.max(box))
    pairs: dict[str, int] = {}
    # point matching of Gmsh's periodic connections: OCC booleans leave ~1e-8 of the box between images
    gmsh.option.setNumber("Geometry.Tolerance", max(gmsh.option.getNumber("Geometry.Tolerance"), 1e-7 * np.max(box)))
    for axis in (AXES.index(a) for a in axes):
        masters = _face_surfaces(gmsh, lo, hi, axis, lo[axis], tol)
        slaves = _face_surfaces(gmsh, lo, hi, axis, hi[axis], tol)
        shift = np.zeros(3)
        shift[axis] = hi[axis] - lo[axis]
        if len(masters) != len(slaves) or not masters:
            raise GeometryError(f"periodic mesh: the {AXES[axis]}min face has {len(masters)} surfaces and the "
                                f"{AXES[axis]}max face {len(slaves)}; the geometry is not periodic along {AXES[axis]}")
        # OCC bounding boxes are padded by its own tolerance: compare at 1e-4 of the box
        match_tol = 1e-4 * float(np.max(box))
        k = _pair(gmsh, 2, masters, slaves, shift, match_tol)
        if k is None:
            raise GeometryError(f"periodic mesh: surfaces of the {AXES[axis]}max face have no translated partner "
                                f"on the {AXES[axis]}min face; the geometry is not periodic along {AXES[axis]}")
        affine = np.eye(4)
        affine[:3, 3] = shift
        gmsh.model.mesh.setPeriodic(2, slaves, [masters[i] for i in k], affine.ravel().tolist())
        pairs[AXES[axis]] = len(slaves)
    log.info("periodic mesh: surface pairs %s", pairs)
    return pairs


def shared_rotations(rotations: np.ndarray, packing) -> np.ndarray:
    """Give the periodic images of a particle the rotation of its first piece (n, 3) (rad).

    The face policy picks a sphere's rotation from its position relative to the face planes; the
    images of one particle see the same planes, but a rounding difference could flip the choice,
    and a seam crossing a face at different points on opposite faces breaks the face pairing.
    """
    ids = packing.particle_ids
    if ids is None:
        return rotations
    _, first = np.unique(np.asarray(ids), return_index=True)
    lookup = np.zeros(int(np.max(ids)) + 1, dtype=int)
    lookup[np.asarray(ids)[first]] = first
    return rotations[lookup[np.asarray(ids)]]


def strip_periodic_section(msh_file) -> None:
    """Remove the $Periodic section of an ASCII .msh file (atomically).

    Gmsh writes the periodic transforms in model units (um) but the nodes scaled to metres, and
    re-creates the slave nodes from them when it reads the file, which would put every max-face
    node back at micrometre coordinates. The node coordinates themselves match already.
    """
    import os
    from pathlib import Path

    path = Path(msh_file)
    text = path.read_text()
    start, end = text.find("$Periodic\n"), text.find("$EndPeriodic\n")
    if start < 0 or end < 0:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.strip.msh")
    tmp.write_text(text[:start] + text[end + len("$EndPeriodic\n"):])
    os.replace(tmp, path)
