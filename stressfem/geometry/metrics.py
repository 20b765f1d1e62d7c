"""Microstructure metrics of a phase-tagged tetrahedral or hexahedral mesh (any geometry type, any .msh).

Everything is computed from the mesh itself, so generated, imported and user meshes are
measured alike:

* phase volume fractions over the bounding box; porosity = unmeshed box volume plus the
  volume of phases declared as pores, over the box volume;
* interface area per phase pair (facets shared by cells of two phases), free-surface area
  (boundary facets not on the bounding box: pores, void) and grain-boundary area
  (``<phase>#<grain>`` volumes, see docs/geometry.md);
* specific interface area = area / box volume (1/m);
* contact fraction of a phase with another one: their shared area over the phase's whole
  surface (box-cut faces and grain boundaries excluded), as used in X-ray CT studies of
  composite cathodes (Sakka et al., "contact rate");
* tortuosity factor of a transport phase along x, y, z on a voxelisation of the mesh:
  steady diffusion solved with a finite-volume scheme (scipy.sparse, conjugate gradients),
  tau = eps * D_bulk / D_eff (no porespy / taufactor needed).

No Python loops over cells or facets: faces are matched with ``numpy.unique`` on sorted
node triplets (triangles) or quadruplets (quadrilaterals of hexahedra).
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np

__all__ = ["CellMesh", "TetMesh", "read_cell_mesh", "read_tet_mesh", "mesh_metrics", "tortuosity", "voxelise",
           "cell_faces", "base_phase", "msh_metrics", "HEX_FACES", "hex_volumes"]

log = logging.getLogger(__name__)

FACES = np.array([[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]])
# faces of a hexahedron in Gmsh/VTK node order (bottom 0-3 and top 4-7 counter-clockwise); each face cyclic
HEX_FACES = np.array([[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]])
VOID = "void"
MAX_VOXELS = 1_000_000
GMSH_TYPES = {4: 4, 8: 5}  # nodes per cell -> Gmsh element type (4-node tetrahedron, 8-node hexahedron)
GMSH_FACET_TYPES = {3: 2, 4: 3}  # nodes per facet -> Gmsh element type (triangle, quadrangle)

# d(shape function)/d(reference coordinate) of the trilinear hexahedron at its 2x2x2 Gauss points
_g = 0.5 + np.array([-0.5, 0.5]) / np.sqrt(3.0)
_GAUSS = np.array([[a, b, c] for c in _g for b in _g for a in _g])
_REF = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]], dtype=float)


def _hex_shape_gradients() -> np.ndarray:
    """(8 Gauss points, 8 nodes, 3) gradients of the trilinear shape functions on the unit cube."""
    q, r = _GAUSS[:, None, :], _REF[None, :, :]
    f = np.where(r == 1.0, q, 1.0 - q)  # (8, 8, 3) one-dimensional factors
    df = np.where(r == 1.0, 1.0, -1.0) * np.ones_like(q)
    out = np.empty((8, 8, 3))
    out[..., 0] = df[..., 0] * f[..., 1] * f[..., 2]
    out[..., 1] = f[..., 0] * df[..., 1] * f[..., 2]
    out[..., 2] = f[..., 0] * f[..., 1] * df[..., 2]
    return out


_HEX_DN = _hex_shape_gradients()


def hex_volumes(points: np.ndarray, hexes: np.ndarray) -> np.ndarray:
    """Volumes (units of points cubed) of trilinear hexahedra (n, 8) in Gmsh/VTK node order.

    det J of a trilinear map is of degree 2 in each reference coordinate, so the 2x2x2 Gauss
    rule is exact (also for non-parallelepiped cells).
    """
    x = points[hexes]  # (n, 8, 3)
    J = np.einsum("nai,qaj->nqij", x, _HEX_DN)  # J[i, j] = dx_i / dxi_j
    return np.abs(np.linalg.det(J).sum(axis=1) / 8.0)


def base_phase(name: str) -> str:
    """The phase of a physical volume name: the part before ``#`` (``NMC811#12`` -> ``NMC811``)."""
    return name.split("#", 1)[0]


class CellMesh:
    """Points (m), cells (node indices: (n, 4) linear tetrahedra or (n, 8) hexahedra in Gmsh/VTK
    node order) and the physical volume name of each cell."""

    def __init__(self, points: np.ndarray, cells: np.ndarray, cell_group: np.ndarray, group_names: list[str]):
        if cells.ndim != 2 or cells.shape[1] not in GMSH_TYPES:
            raise ValueError(f"cells must be (n, 4) tetrahedra or (n, 8) hexahedra, got shape {cells.shape}")
        self.points, self.cells = points, cells
        self.cell_group, self.group_names = cell_group, group_names

    @property
    def is_hex(self) -> bool:
        return self.cells.shape[1] == 8

    @property
    def phases(self) -> list[str]:
        return sorted({base_phase(n) for n in self.group_names})

    def cell_phase(self) -> np.ndarray:
        """Index into self.phases per cell."""
        lookup = np.array([self.phases.index(base_phase(n)) for n in self.group_names], dtype=np.int64)
        return lookup[self.cell_group]

    def cell_volumes(self) -> np.ndarray:
        """Cell volumes (units of points cubed)."""
        if self.is_hex:
            return hex_volumes(self.points, self.cells)
        p = self.points[self.cells]
        return np.abs(np.einsum("ij,ij->i", p[:, 1] - p[:, 0], np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]))) / 6.0


TetMesh = CellMesh  # the former name (tetrahedra only)


def read_cell_mesh(path: str | Path, unit_m: float = 1.0) -> CellMesh:
    """Cells of every named physical volume of a .msh file (coordinates scaled to m): linear
    tetrahedra or linear hexahedra, one kind per mesh."""
    from ..errors import GeometryError
    from .gmsh_session import gmsh_session

    with gmsh_session() as gmsh:
        gmsh.open(str(path))
        node_tags, coords, _ = gmsh.model.mesh.getNodes()
        node_tags = np.asarray(node_tags, dtype=np.int64)
        index = np.full(int(node_tags.max()) + 1, -1, dtype=np.int64)
        index[node_tags] = np.arange(len(node_tags))
        points = np.asarray(coords).reshape(-1, 3) * unit_m
        names, cells, groups, kinds = [], [], [], set()
        for dim, tag in gmsh.model.getPhysicalGroups(3):
            name = gmsh.model.getPhysicalName(dim, tag) or str(tag)
            gid = len(names)
            names.append(name)
            for ent in gmsh.model.getEntitiesForPhysicalGroup(dim, tag):
                types, _, enodes = gmsh.model.mesh.getElements(3, ent)
                for t, nodes in zip(types, enodes):
                    if t not in (4, 5):
                        raise GeometryError(f"{path}: metrics need linear tetrahedra or hexahedra (gmsh type 4 "
                                            f"or 5), found type {t}")
                    kinds.add(int(t))
                    cells.append(index[np.asarray(nodes, dtype=np.int64)].reshape(-1, 4 if t == 4 else 8))
                    groups.append(np.full(len(cells[-1]), gid, dtype=np.int64))
    if len(kinds) > 1:
        raise GeometryError(f"{path}: mixed tetrahedra and hexahedra are not supported")
    return CellMesh(points, np.concatenate(cells), np.concatenate(groups), names)


read_tet_mesh = read_cell_mesh  # the former name


def cell_faces(mesh: CellMesh):
    """Unique faces (node indices in cyclic order: triangles or quadrilaterals), their areas, and the
    one or two cells on each (-1: a boundary face)."""
    local = HEX_FACES if mesh.is_hex else FACES
    nc, nf = len(mesh.cells), len(local)
    f = mesh.cells[:, local].reshape(-1, local.shape[1])
    _, first, inverse, counts = np.unique(np.sort(f, axis=1), axis=0, return_index=True, return_inverse=True,
                                          return_counts=True)
    uniq = f[first]  # keeps the cyclic node order of the first occurrence
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    cells = np.repeat(np.arange(nc), nf)[order]
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    c0 = cells[starts]
    c1 = np.where(counts == 2, cells[np.minimum(starts + 1, len(cells) - 1)], -1)
    p = mesh.points[uniq]
    if uniq.shape[1] == 4:  # planar quadrilateral: half the cross product of its diagonals
        area = 0.5 * np.linalg.norm(np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 1]), axis=1)
    else:
        area = 0.5 * np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1)
    return uniq, area, c0, c1


def mesh_metrics(mesh: CellMesh, active_phase: str | None = None, electrolyte_phase: str | None = None,
                 pore_phases: tuple[str, ...] = (), voxels: int = 64, label_image: np.ndarray | None = None,
                 voxel_size_m: float | None = None, layers: list[dict] | None = None) -> dict:
    """Phase fractions, interface areas, contact fractions and electrolyte tortuosity (SI units).

    layers: [{"name", "z_m": [z0, z1], "composite": bool}]: per-layer phase fractions (cells
    by centroid) and, for composite layers, the electrolyte tortuosity inside the layer.
    """
    phases = mesh.phases
    lo, hi = mesh.points.min(axis=0), mesh.points.max(axis=0)
    box_volume = float(np.prod(hi - lo))
    vol = mesh.cell_volumes()
    cphase = mesh.cell_phase()
    phase_vol = np.bincount(cphase, weights=vol, minlength=len(phases))
    fractions = {p: float(v / box_volume) for p, v in zip(phases, phase_vol)}
    pores = float(box_volume - vol.sum()) / box_volume + sum(fractions.get(p, 0.0) for p in pore_phases)

    faces, area, c0, c1 = cell_faces(mesh)
    tol = 1e-6 * float(np.max(hi - lo))
    fp = mesh.points[faces]
    on_box = np.zeros(len(faces), dtype=bool)
    for ax in range(3):
        on_box |= np.all(np.abs(fp[:, :, ax] - lo[ax]) < tol, axis=1) | np.all(np.abs(fp[:, :, ax] - hi[ax]) < tol, axis=1)
    p0 = cphase[c0]
    p1 = np.where(c1 >= 0, cphase[np.maximum(c1, 0)], -1)
    g0 = mesh.cell_group[c0]
    g1 = np.where(c1 >= 0, mesh.cell_group[np.maximum(c1, 0)], -1)
    n = len(phases)
    void = n  # index of the void pseudo-phase (free surfaces)
    a_idx = p0
    b_idx = np.where(c1 >= 0, p1, void)
    real = ~(on_box & (c1 < 0))
    pair = np.zeros((n + 1, n + 1))
    np.add.at(pair, (a_idx[real], b_idx[real]), area[real])
    pair = pair + pair.T
    gb = (c1 >= 0) & (p0 == p1) & (g0 != g1)
    gb_area = np.bincount(p0[gb], weights=area[gb], minlength=n)
    names = phases + [VOID]
    interfaces, contact = {}, {}
    for i in range(n + 1):
        for j in range(i + 1, n + 1):
            if pair[i, j] > 0:
                interfaces[f"{names[i]}/{names[j]}"] = {"area_m2": float(pair[i, j]),
                                                        "specific_area_per_m": float(pair[i, j] / box_volume)}
    for i in range(n):
        total = float(pair[i].sum() - pair[i, i])
        if total > 0:
            contact[names[i]] = {names[j]: float(pair[i, j] / total) for j in range(n + 1) if j != i and pair[i, j] > 0}
    out = {
        "box_m": (hi - lo).tolist(),
        "box_volume_m3": box_volume,
        "volume_fractions": fractions,
        "porosity": pores,
        "interfaces": interfaces,
        "grain_boundary_area_m2": {phases[i]: float(gb_area[i]) for i in range(n) if gb_area[i] > 0},
        "contact_fraction_by_phase": contact,
        "n_cells": int(len(mesh.cells)),
        "cell_type": "hexahedron" if mesh.is_hex else "tetrahedron",
    }
    if active_phase is not None and electrolyte_phase is not None and active_phase in contact:
        out["contact_fraction"] = contact[active_phase].get(electrolyte_phase, 0.0)
        out["active_phase"], out["electrolyte_phase"] = active_phase, electrolyte_phase
    if electrolyte_phase is not None and electrolyte_phase in phases:
        if label_image is None:
            label_image, voxel_size_m = voxelise(mesh, voxels, lo, hi)
            out["voxelisation"] = {"voxel_size_m": voxel_size_m, "shape": list(label_image.shape)}
        mask = label_image == phases.index(electrolyte_phase)
        out["tortuosity"] = {"phase": electrolyte_phase, "method": "finite-volume steady diffusion on voxels",
                             **{ax: tortuosity(mask, i) for i, ax in enumerate("xyz")}}
    if layers:
        zc = mesh.points[mesh.cells][:, :, 2].mean(axis=1)
        area = float((hi - lo)[0] * (hi - lo)[1])
        out["layers"] = []
        for layer in layers:
            z0, z1 = layer["z_m"]
            sel = (zc >= z0) & (zc < z1)
            pv = np.bincount(cphase[sel], weights=vol[sel], minlength=n)
            entry = {"name": layer["name"], "volume_fractions": {p: float(v / (area * (z1 - z0)))
                                                                 for p, v in zip(phases, pv) if v > 0}}
            if layer.get("composite") and "tortuosity" in out:
                nz = label_image.shape[2]
                k0, k1 = (int(round((z - lo[2]) / (hi[2] - lo[2]) * nz)) for z in (z0, z1))
                slab = label_image[:, :, k0:k1] == phases.index(electrolyte_phase)
                if slab.shape[2] >= 2:
                    entry["tortuosity"] = {ax: tortuosity(slab, i) for i, ax in enumerate("xyz")}
            out["layers"].append(entry)
    return out


def voxelise(mesh: CellMesh, voxels: int, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, float]:
    """Phase index per voxel (-1 outside the mesh) on a grid of cubic voxels: `voxels` along the shortest
    side (a thin layer stays resolved), but at most MAX_VOXELS in all."""
    import pyvista as pv

    ext = hi - lo
    h = max(float(ext.min() / voxels), float(np.prod(ext) / MAX_VOXELS) ** (1.0 / 3.0))
    shape = np.maximum(1, np.round(ext / h).astype(int))
    axes = [lo[i] + (np.arange(shape[i]) + 0.5) * ext[i] / shape[i] for i in range(3)]
    pts = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    npc = mesh.cells.shape[1]
    cells = np.hstack([np.full((len(mesh.cells), 1), npc), mesh.cells]).ravel()
    kind = pv.CellType.HEXAHEDRON if mesh.is_hex else pv.CellType.TETRA  # Gmsh and VTK node orders agree
    grid = pv.UnstructuredGrid(cells, np.full(len(mesh.cells), kind, dtype=np.uint8), mesh.points)
    hit = np.asarray(grid.find_containing_cell(pts))
    labels = np.where(hit >= 0, mesh.cell_phase()[np.maximum(hit, 0)], -1)
    return labels.reshape(tuple(shape)), h


def tortuosity(mask: np.ndarray, axis: int, rtol: float = 1e-7) -> dict:
    """Tortuosity factor of the True voxels along an axis: tau = eps D_bulk / D_eff.

    Steady diffusion with unit concentration at the inlet face and zero at the outlet face
    (half-voxel Dirichlet distance), no flux elsewhere; only voxels of clusters (6-connected)
    touching both faces carry flux, but eps counts every phase voxel. A straight channel gives 1.
    """
    from scipy import ndimage, sparse
    from scipy.sparse import linalg

    m = np.moveaxis(np.asarray(mask, dtype=bool), axis, 0)
    eps = float(m.mean())
    L = m.shape[0]
    lab, nlab = ndimage.label(m)
    both = np.intersect1d(np.unique(lab[0][m[0]]), np.unique(lab[-1][m[-1]]))
    active = np.isin(lab, both[both > 0])
    if eps == 0.0 or not active.any():
        return {"tau": math.inf, "porosity": eps, "percolating_fraction": 0.0}
    idx = np.full(m.shape, -1, dtype=np.int64)
    nact = int(active.sum())
    idx[active] = np.arange(nact)
    rows, cols = [], []
    for ax in range(3):
        a = np.take(idx, np.arange(m.shape[ax] - 1), axis=ax)
        b = np.take(idx, np.arange(1, m.shape[ax]), axis=ax)
        ok = (a >= 0) & (b >= 0)
        rows.append(a[ok])
        cols.append(b[ok])
    r, c = np.concatenate(rows), np.concatenate(cols)
    off = sparse.coo_matrix((-np.ones(len(r)), (r, c)), shape=(nact, nact))
    off = off + off.T
    diag = -np.asarray(off.sum(axis=1)).ravel()
    inlet, outlet = idx[0][idx[0] >= 0], idx[-1][idx[-1] >= 0]
    diag[inlet] += 2.0
    diag[outlet] += 2.0
    rhs = np.zeros(nact)
    rhs[inlet] = 2.0
    A = (off + sparse.diags(diag)).tocsr()
    precond = sparse.diags(1.0 / diag)
    x0 = np.broadcast_to(1.0 - (np.arange(L) + 0.5)[:, None, None] / L, m.shape)[active]  # linear profile
    conc, info = linalg.cg(A, rhs, x0=x0, rtol=rtol, maxiter=20000, M=precond)
    if info != 0:
        log.warning("tortuosity solve did not converge (cg info %d)", info)
    flux = float(np.sum(2.0 * (1.0 - conc[inlet])))
    d_eff = flux * L / (m.shape[1] * m.shape[2])
    return {"tau": float(eps / d_eff) if d_eff > 0 else math.inf, "porosity": eps,
            "relative_diffusivity": d_eff, "percolating_fraction": float(nact / max(1, m.sum()))}


def msh_metrics(path: str | Path, unit_m: float = 1.0, **kwargs) -> dict:
    """mesh_metrics of a .msh file."""
    out = mesh_metrics(read_cell_mesh(path, unit_m), **kwargs)
    out["mesh_file"] = Path(path).name
    return out
