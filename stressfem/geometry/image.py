"""Labelled 3D images (X-ray CT segmentations) to conforming voxel meshes.

Each kept voxel becomes one hexahedron (``geometry.element = "hexahedron"``, the default; the
8 corner nodes are shared with the neighbouring voxels) or 6 tetrahedra (``"tetrahedron"``:
Kuhn/Freudenthal split along the main diagonal; the split is the same for every voxel, so
neighbouring voxels share conforming faces). Either way the phase volumes are exactly the voxel
counts times the voxel volume. Voxels whose label maps to ``void`` are left out: pores become
free surfaces. The mesh is written as a Gmsh .msh (metres) with one physical volume per phase
and the surface groups (quadrilaterals or triangles)

* ``xmin .. zmax``: facets on the faces of the (cropped) image box;
* ``A/B``: facets between phases A and B, A the phase listed first in ``labels``;
* ``A/void``: free surfaces of phase A towards pores.

Image axes: a TIFF stack or a .npy array is indexed ``[z, y, x]`` by default
(``axis_order = "zyx"``); ``"xyz"`` reads ``[x, y, z]``.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np

from ..errors import GeometryError
from .gmsh_session import FACE_NAMES, gmsh_session, write_msh
from .metrics import GMSH_FACET_TYPES, GMSH_TYPES, VOID, CellMesh, cell_faces

__all__ = ["load_image", "prepare_image", "phase_image", "voxel_grains", "voxel_tets", "voxel_hexes",
           "write_voxel_msh", "build_image_mesh"]

log = logging.getLogger(__name__)

# the 6 tetrahedra of a unit cube (corner k = i + 2 j + 4 l), all sharing the diagonal 0-7
KUHN = np.array([[0, 1, 3, 7], [0, 1, 5, 7], [0, 2, 3, 7], [0, 2, 6, 7], [0, 4, 5, 7], [0, 4, 6, 7]])
CORNERS = np.array([[i, j, k] for k in (0, 1) for j in (0, 1) for i in (0, 1)])  # index = i + 2j + 4k


def _positive(tets: np.ndarray) -> np.ndarray:
    """Reorder the Kuhn tetrahedra to positive orientation (swap two nodes where needed)."""
    p = CORNERS[tets].astype(float)
    det = np.einsum("ij,ij->i", p[:, 1] - p[:, 0], np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]))
    out = tets.copy()
    out[det < 0, 2], out[det < 0, 3] = tets[det < 0, 3], tets[det < 0, 2]
    return out


KUHN = _positive(KUHN)
HEX = np.array([0, 1, 3, 2, 4, 5, 7, 6])  # the unit cube's corners in Gmsh/VTK hexahedron order
MAX_TETS = 3_000_000
MAX_HEXES = 1_000_000  # about 3 million displacement dofs


def load_image(path: str | Path, shape=None, dtype=None, axis_order: str = "zyx") -> np.ndarray:
    """A labelled image as an integer array indexed [x, y, z]."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        img = np.load(path, allow_pickle=False)
    elif suffix in (".tif", ".tiff"):
        import tifffile

        img = tifffile.imread(path)
    elif suffix == ".raw":
        if shape is None or dtype is None:
            raise GeometryError(f"{path.name}: a .raw image needs geometry.shape and geometry.dtype")
        img = np.fromfile(path, dtype=np.dtype(dtype)).reshape(shape)
    else:
        raise GeometryError(f"{path.name}: unsupported image format; use .tif/.tiff, .npy or .raw")
    if img.ndim != 3:
        raise GeometryError(f"{path.name}: expected a 3D labelled image, got shape {img.shape}")
    if not np.issubdtype(img.dtype, np.integer):
        raise GeometryError(f"{path.name}: labels must be integers (got {img.dtype}); segment the image first")
    return np.transpose(img, (2, 1, 0)) if axis_order == "zyx" else img


def prepare_image(img: np.ndarray, crop=None, downsample: int = 1) -> np.ndarray:
    """Crop ([[x0, x1], [y0, y1], [z0, z1]] voxel ranges, end exclusive) and downsample by an
    integer factor (each block of f^3 voxels takes its most frequent label)."""
    if crop is not None:
        img = img[tuple(slice(a, b) for a, b in crop)]
    f = int(downsample)
    if f > 1:
        n = np.array(img.shape) // f
        if np.any(n == 0):
            raise GeometryError(f"downsample factor {f} is larger than the image {img.shape}")
        blocks = img[: n[0] * f, : n[1] * f, : n[2] * f].reshape(n[0], f, n[1], f, n[2], f)
        blocks = blocks.transpose(0, 2, 4, 1, 3, 5).reshape(*n, f**3)
        labels = np.unique(blocks)
        counts = np.stack([(blocks == lab).sum(axis=-1) for lab in labels], axis=-1)  # few labels
        img = labels[np.argmax(counts, axis=-1)]
    if img.size == 0:
        raise GeometryError("the cropped image is empty; check geometry.crop_voxels")
    return img


def _voxel_corners(phase_img: np.ndarray, voxel: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points, (nv, 8) node index of each kept voxel's corners (index i + 2 j + 4 k), kept voxel ijk).

    Kept voxels have a phase index >= 0; corners shared by neighbouring voxels are one node.
    """
    nx, ny, nz = phase_img.shape
    ijk = np.argwhere(phase_img >= 0)
    if len(ijk) == 0:
        raise GeometryError("no voxel of the image maps to a phase")
    corner = ijk[:, None, :] + CORNERS[None, :, :]  # (nv, 8, 3)
    gid = (corner[..., 0] * (ny + 1) + corner[..., 1]) * (nz + 1) + corner[..., 2]
    used, local = np.unique(gid, return_inverse=True)
    local = local.reshape(gid.shape)
    iz = used % (nz + 1)
    iy = (used // (nz + 1)) % (ny + 1)
    ix = used // ((ny + 1) * (nz + 1))
    points = np.stack([ix, iy, iz], axis=1).astype(float) * voxel
    return points, local, ijk


def _too_many(n_voxels: int, per_voxel: int, limit: int, kind: str) -> None:
    if per_voxel * n_voxels > limit:
        raise GeometryError(f"{n_voxels} voxels give {per_voxel * n_voxels} {kind} (limit {limit}); raise "
                            f"geometry.downsample, set geometry.crop_voxels or lower geometry.subdivide")


def voxel_tets(phase_img: np.ndarray, voxel: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points, tets, cell phase index) for every voxel with phase index >= 0; 6 tets per voxel.

    voxel: edge length of a voxel (length unit of the returned points).
    """
    _too_many(int(np.count_nonzero(phase_img >= 0)), 6, MAX_TETS, "tetrahedra")
    points, local, ijk = _voxel_corners(phase_img, voxel)
    tets = local[:, KUHN].reshape(-1, 4)
    phase = np.repeat(phase_img[tuple(ijk.T)], 6)
    return points, tets, phase


def voxel_hexes(phase_img: np.ndarray, voxel: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(points, hexahedra (Gmsh/VTK node order), cell phase index) for every voxel with phase index >= 0.

    voxel: edge length of a voxel (length unit of the returned points).
    """
    _too_many(int(np.count_nonzero(phase_img >= 0)), 1, MAX_HEXES, "hexahedra")
    points, local, ijk = _voxel_corners(phase_img, voxel)
    return points, local[:, HEX], phase_img[tuple(ijk.T)]


def write_voxel_msh(mesh: CellMesh, phase_order: list[str], out_file: Path, scale_to_m: float) -> dict:
    """Write a CellMesh (coordinates in model units; tetrahedra or hexahedra) with phase volumes and
    named surfaces (triangles or quadrilaterals); returns the facet count of each surface group."""
    faces, _, c0, c1 = cell_faces(mesh)
    cphase = np.array([phase_order.index(n) for n in mesh.group_names])[mesh.cell_group]
    lo, hi = mesh.points.min(axis=0), mesh.points.max(axis=0)
    tol = 1e-6 * float(np.max(hi - lo))
    fp = mesh.points[faces]
    groups: dict[str, np.ndarray] = {}
    boundary = c1 < 0
    on_box = np.zeros(len(faces), dtype=bool)
    for ax in range(3):
        for side, value in ((0, lo[ax]), (1, hi[ax])):
            sel = boundary & np.all(np.abs(fp[:, :, ax] - value) < tol, axis=1)
            on_box |= sel
            groups[FACE_NAMES[2 * ax + side]] = faces[sel]
    p0 = cphase[c0]
    p1 = np.where(c1 >= 0, cphase[np.maximum(c1, 0)], len(phase_order))
    names = phase_order + [VOID]
    inter = ~on_box & (p0 != p1)
    a, b = np.minimum(p0, p1)[inter], np.maximum(p0, p1)[inter]
    fi = faces[inter]
    for i, j in sorted(set(zip(a.tolist(), b.tolist()))):
        groups[f"{names[i]}/{names[j]}"] = fi[(a == i) & (b == j)]
    cell_type, facet_type = GMSH_TYPES[mesh.cells.shape[1]], GMSH_FACET_TYPES[faces.shape[1]]
    with gmsh_session() as gmsh:
        gmsh.model.add("image")
        tag = 0
        node_tags = np.arange(1, len(mesh.points) + 1)
        first = True
        next_elem = 1
        for gi, gname in enumerate(mesh.group_names):
            tag += 1
            gmsh.model.addDiscreteEntity(3, tag)
            if first:
                gmsh.model.mesh.addNodes(3, tag, node_tags, mesh.points.ravel())
                first = False
            cells = mesh.cells[mesh.cell_group == gi] + 1
            gmsh.model.mesh.addElementsByType(tag, cell_type, np.arange(next_elem, next_elem + len(cells)),
                                              cells.ravel())
            next_elem += len(cells)
            gmsh.model.addPhysicalGroup(3, [tag], name=gname)
        stag = 0
        for name, facets in groups.items():
            if len(facets) == 0:
                continue
            stag += 1
            gmsh.model.addDiscreteEntity(2, stag)
            gmsh.model.mesh.addElementsByType(stag, facet_type, np.arange(next_elem, next_elem + len(facets)),
                                              (facets + 1).ravel())
            next_elem += len(facets)
            gmsh.model.addPhysicalGroup(2, [stag], name=name)
        write_msh(gmsh, out_file, scale_to_m=scale_to_m)
    return {name: int(len(t)) for name, t in groups.items() if len(t)}


def _prepared(geometry, image_path: Path) -> np.ndarray:
    """The image of an ImageGeometry table after crop and downsampling, indexed [x, y, z]; every label
    must be in ``geometry.labels``."""
    img = prepare_image(load_image(image_path, geometry.shape, geometry.dtype, geometry.axis_order),
                        geometry.crop_voxels, geometry.downsample)
    lut_labels = np.array([int(k) for k in geometry.labels], dtype=np.int64)
    unknown = np.setdiff1d(np.unique(img), lut_labels)
    if len(unknown):
        raise GeometryError(f"image labels {unknown.tolist()} are not in geometry.labels (given: "
                            f"{sorted(lut_labels.tolist())}); map them to a phase or to \"void\"")
    return img


def phase_image(geometry, image_path: Path) -> tuple[np.ndarray, float]:
    """(phase index per voxel, -1 for void; voxel edge (m)) of an ImageGeometry table after crop and
    downsampling; phase indices refer to ``geometry.phase_names``."""
    img = _prepared(geometry, image_path)
    phases = geometry.phase_names
    lut_labels = np.array([int(k) for k in geometry.labels], dtype=np.int64)
    lut_phase = np.array([phases.index(v) if v != VOID else -1 for v in geometry.labels.values()])
    order = np.argsort(lut_labels)
    pos = np.searchsorted(lut_labels[order], img)
    return lut_phase[order][pos], geometry.voxel_size_m * geometry.downsample


def voxel_grains(geometry, image_path: Path) -> tuple[np.ndarray, float]:
    """(grain id per voxel, -1 for void; voxel edge (m)): the connected regions (face neighbours) of
    voxels with the same image label, numbered 0, 1, ... label by label. Particles labelled
    individually stay apart even where they touch; touching particles with one label are one grain."""
    from scipy import ndimage

    img = _prepared(geometry, image_path)
    grains = np.full(img.shape, -1, dtype=np.int64)
    n = 0
    for label, phase in sorted(geometry.labels.items(), key=lambda kv: int(kv[0])):  # a few labels
        if phase == VOID:
            continue
        regions, count = ndimage.label(img == int(label))
        grains[regions > 0] = regions[regions > 0] - 1 + n
        n += count
    return grains, geometry.voxel_size_m * geometry.downsample


def build_image_mesh(geometry, image_path: Path, out_file: Path) -> tuple[dict, CellMesh, np.ndarray]:
    """Mesh an ImageGeometry table (hexahedra or tetrahedra per ``geometry.element``); returns
    (info, CellMesh in metres, phase-index image)."""
    t0 = time.perf_counter()
    phases = geometry.phase_names
    phase_img, voxel = phase_image(geometry, image_path)
    n = geometry.subdivide
    if n > 1:  # n^3 cells per voxel: the same voxel geometry, refined (phase_img is not returned subdivided)
        cells_img = np.repeat(np.repeat(np.repeat(phase_img, n, axis=0), n, axis=1), n, axis=2)
    else:
        cells_img = phase_img
    voxel_um = voxel * 1e6 / n
    hexes = geometry.element == "hexahedron"
    points, cells, phase = (voxel_hexes if hexes else voxel_tets)(cells_img, voxel_um)
    smoothing = None
    if geometry.smoothing_iterations:
        from .smoothing import taubin_smooth

        points, smoothing = taubin_smooth(points, cells, phase, geometry.smoothing_iterations)
    mesh_um = CellMesh(points, cells, phase, phases)
    counts = write_voxel_msh(mesh_um, phases, out_file, scale_to_m=1e-6)
    counts_vox = {p: int(np.sum(phase_img == i)) for i, p in enumerate(phases)}
    per_voxel = 1 if hexes else 6
    info = {
        "image_shape_voxels": list(phase_img.shape),
        "voxel_size_m": voxel,
        "voxel_counts": counts_vox,
        "void_voxels": int(np.sum(phase_img < 0)),
        "element": geometry.element,
        "n_cells": int(len(cells)),
        "n_hexahedra" if hexes else "n_tetrahedra": int(len(cells)),
        "n_nodes": int(len(points)),
        "cells_per_voxel": per_voxel * n**3,
        "subdivide": n,
        "surface_facets": counts,
        "meshing_time_s": time.perf_counter() - t0,
    }
    if smoothing is not None:
        info["smoothing"] = smoothing
        info["min_quality"], info["mean_quality"] = smoothing["min_scaled_jacobian"], smoothing["mean_scaled_jacobian"]
        info["quality_measure"] = "smallest scaled corner Jacobian per cell (1 = cube)"
    else:  # every cell is the same shape (a cube, or the Kuhn tetrahedron): report its Gmsh minSICN
        info["min_quality"] = info["mean_quality"] = _voxel_quality(hexes)
        info["quality_measure"] = f"Gmsh minSICN of the {'cube' if hexes else 'Kuhn tetrahedron'} (all cells identical)"
    log.info("image %s: %s voxels -> %d %s in %.1f s", image_path.name, phase_img.shape, len(cells),
             "hexahedra" if hexes else "tetrahedra", info["meshing_time_s"])
    mesh_m = CellMesh(points * 1e-6, cells, phase, phases)
    return info, mesh_m, phase_img


def _voxel_quality(hexes: bool) -> float:
    """Signed inverse condition number of a voxel's cell (cube or Kuhn tetrahedron), as computed by Gmsh."""
    nodes = CORNERS[HEX] if hexes else CORNERS[KUHN[0]]
    with gmsh_session() as gmsh:
        gmsh.model.add("q")
        gmsh.model.addDiscreteEntity(3, 1)
        tags = np.arange(1, len(nodes) + 1)
        gmsh.model.mesh.addNodes(3, 1, tags, nodes.astype(float).ravel())
        gmsh.model.mesh.addElementsByType(1, 5 if hexes else 4, [1], tags)
        return float(gmsh.model.mesh.getElementQualities([1], "minSICN")[0])
