"""Crystal c-axis orientations: sampled per particle (or per region) and mapped onto cells.

Units of orientation: for generated particle packings, each particle (a sphere and its periodic
images share one orientation); for images, each connected region of one image label
(``voxel_units``); otherwise each physical volume of the mesh (name grains or
particles as separate physical volumes to give each its own orientation). Orientations are
drawn for all units in id order from the seed, so every rank and every rank count gets the same.
"""

from __future__ import annotations

import logging

import numpy as np

from .._dolfinx import mesh

__all__ = ["sample_c_axes", "orientation_units", "cell_c_axes", "voxel_units", "cell_midpoints"]

log = logging.getLogger(__name__)

PARTICLE_OFFSET = 1_000_000  # unit ids >= this are particles, below are physical volume tags


def sample_c_axes(n: int, distribution: str, c_axis=(0.0, 0.0, 1.0), spread_deg: float = 15.0,
                  seed: int = 0) -> np.ndarray:
    """n unit c-axis vectors (n, 3).

    random: uniform on the sphere (the c-axis marginal of a uniform rotation in SO(3));
    textured: tilted from c_axis by |N(0, spread)| degrees, uniform azimuth;
    aligned: all along c_axis.
    """
    rng = np.random.default_rng(seed)
    pref = np.asarray(c_axis, dtype=float)
    pref = pref / np.linalg.norm(pref)
    if distribution == "aligned":
        return np.tile(pref, (n, 1))
    if distribution == "random":
        v = rng.standard_normal((n, 3))
        return v / np.linalg.norm(v, axis=1)[:, None]
    tilt = np.radians(np.abs(rng.normal(0.0, spread_deg, n)))
    phi = rng.uniform(0.0, 2 * np.pi, n)
    # orthonormal frame (e1, e2, pref)
    helper = np.array([1.0, 0.0, 0.0]) if abs(pref[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(pref, helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(pref, e1)
    return (np.cos(tilt)[:, None] * pref + np.sin(tilt)[:, None] * (np.cos(phi)[:, None] * e1
                                                                     + np.sin(phi)[:, None] * e2))


def cell_midpoints(msh: mesh.Mesh) -> np.ndarray:
    """Mean of the geometry nodes (m) of every local cell (owned and ghost), (n, 3)."""
    imap = msh.topology.index_map(3)
    n = imap.size_local + imap.num_ghosts
    x = msh.geometry.x[msh.geometry.dofmap[:n]]
    return x.mean(axis=1)


def orientation_units(msh: mesh.Mesh, cell_tags: mesh.MeshTags, mesh_info: dict,
                      particle_cells: np.ndarray) -> tuple[np.ndarray, int]:
    """(unit id per local cell, number of units): particle ids, or the physical volume tag
    (grains of polycrystalline particles, named '<phase>#<id>', are separate volumes)."""
    imap = msh.topology.index_map(3)
    n = imap.size_local + imap.num_ghosts
    units = np.full(n, -1, dtype=np.int64)
    units[cell_tags.indices] = cell_tags.values
    pieces = mesh_info.get("particle_pieces")
    if not pieces or "particle" not in pieces:
        # polycrystalline particles: every grain volume '<phase>#<id>' has its own tag, its own axis
        return units, int(msh.comm.allreduce(int(units.max(initial=0)), op=_max())) + 1
    from scipy.spatial import cKDTree

    centres = np.asarray(pieces["centres_um"], dtype=float)
    radii = np.asarray(pieces["radii_um"], dtype=float)
    piece_particle = np.asarray(pieces["particle"], dtype=np.int64)
    n_particles = int(pieces["n_particles"])
    tree = cKDTree(centres)
    cells = np.flatnonzero(particle_cells)
    mid = cell_midpoints(msh)[cells] * 1e6  # m -> um
    k = min(8, len(centres))
    _, idx = tree.query(mid, k=k)
    idx = idx.reshape(len(cells), k)
    rel = np.linalg.norm(mid[:, None, :] - centres[idx], axis=2) / radii[idx]
    best = idx[np.arange(len(cells)), np.argmin(rel, axis=1)]
    units[cells] = PARTICLE_OFFSET + piece_particle[best]  # never clash with physical tags
    return units, PARTICLE_OFFSET + n_particles


def voxel_units(midpoints_m: np.ndarray, grains: np.ndarray, voxel_m: float) -> np.ndarray:
    """Orientation unit of points in an image mesh (origin at 0): PARTICLE_OFFSET + the grain id of
    the voxel holding each point (grains: id per voxel [x, y, z], from geometry.image.voxel_grains)."""
    ijk = np.clip(np.floor(midpoints_m / voxel_m).astype(np.int64), 0, np.array(grains.shape) - 1)
    return PARTICLE_OFFSET + grains[ijk[:, 0], ijk[:, 1], ijk[:, 2]]


def _max():
    from mpi4py import MPI

    return MPI.MAX



def cell_c_axes(units: np.ndarray, spec) -> np.ndarray:
    """c-axis per local cell (n, 3) from the unit ids and an [orientation] table.

    Axes are drawn by unit id (physical tags and particle ids from separate seeded streams), so the
    result does not depend on which units a rank holds.
    """
    uniq, inverse = np.unique(units, return_inverse=True)
    axes = np.empty((len(uniq), 3))
    is_particle = uniq >= PARTICLE_OFFSET
    for mask, first, stream in ((~is_particle, 0, 0), (is_particle, PARTICLE_OFFSET, 1)):
        if not np.any(mask):
            continue
        ids = uniq[mask] - first
        drawn = sample_c_axes(int(ids.max()) + 1, spec.distribution, spec.c_axis, spec.spread_deg,
                              spec.seed + stream * 7919)
        axes[mask] = drawn[np.clip(ids, 0, None)]
    return axes[inverse]
