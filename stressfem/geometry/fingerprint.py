"""Fingerprints of a case's mesh, to verify that another machine (or a later run) meshes it identically.

Two checks, both written to the committed ``cases/<case>/mesh-fingerprint.json``:

* ``file_sha256``: SHA-256 of the .msh bytes (byte identity; Gmsh in one thread writes the same
  bytes on reruns, docs/geometry.md, Reproducibility);
* ``geometry_sha256``: SHA-256 of the mesh as a set, independent of node and cell numbering and of
  the last bits of floating point: node coordinates in um rounded to ``COORD_STEP_UM``, nodes sorted,
  each cell's nodes by sorted-node index (element node order kept), the cells with their physical
  volume name sorted. Two meshes with the same geometry hash have the same nodes (to 1e-7 um) and the
  same cells. A last-bit difference (about 1e-15 um on a 10 um box) changes the hash only where it
  crosses a rounding boundary: about 1e-8 per coordinate.

Also the node and cell counts per physical volume, and the Gmsh version that wrote the mesh.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

__all__ = ["COORD_STEP_UM", "FINGERPRINT_FILE", "mesh_fingerprint", "case_fingerprint", "compare_fingerprints"]

COORD_STEP_UM = 1e-7  # rounding step of the coordinates in the geometry hash (um)
FINGERPRINT_FILE = "mesh-fingerprint.json"
_SKIP = {"mesh", "results", "convergence", FINGERPRINT_FILE}  # outputs and the fingerprint itself


def mesh_fingerprint(msh: str | Path, unit_m: float = 1.0) -> dict:
    """The fingerprint of a .msh file (linear tetrahedra or hexahedra; coordinates x unit_m in metres)."""
    import gmsh as gmsh_module

    from .metrics import read_cell_mesh

    path = Path(msh)
    mesh = read_cell_mesh(path, unit_m * 1e6)  # coordinates in um
    q = np.round(mesh.points / COORD_STEP_UM).astype(np.int64)
    order = np.lexsort(q.T[::-1])  # sort nodes by x, then y, then z
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    cells = np.column_stack([rank[mesh.cells], mesh.cell_group.astype(np.int64)])
    cells = cells[np.lexsort(cells.T[::-1])]
    h = hashlib.sha256()
    h.update(json.dumps(mesh.group_names).encode())
    h.update(np.ascontiguousarray(q[order]).tobytes())
    h.update(np.ascontiguousarray(cells).tobytes())
    counts = np.bincount(mesh.cell_group, minlength=len(mesh.group_names))
    return {
        "file_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "geometry_sha256": h.hexdigest(),
        "coordinate_step_um": COORD_STEP_UM,
        "n_nodes": int(len(mesh.points)),
        "n_cells": int(len(mesh.cells)),
        "cell_type": "hexahedron" if mesh.is_hex else "tetrahedron",
        "cells_per_volume": {name: int(n) for name, n in zip(mesh.group_names, counts)},
        "gmsh_version": gmsh_module.__version__,
    }


def case_fingerprint(case_dir: str | Path, work: str | Path) -> dict:
    """Mesh a copy of ``case_dir`` in ``work`` (no cached mesh reused) and fingerprint it."""
    from ..case import load_case
    from .provide import case_mesh_file

    src, dst = Path(case_dir), Path(work) / Path(case_dir).name
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=lambda folder, names: [n for n in names if n in _SKIP and Path(folder) == src])
    msh, unit, _ = case_mesh_file(load_case(dst))
    return mesh_fingerprint(msh, unit)


def compare_fingerprints(expected: dict, got: dict) -> list[str]:
    """The differences between two fingerprints, as readable lines (empty: identical)."""
    keys = ("n_nodes", "n_cells", "cell_type", "cells_per_volume", "geometry_sha256", "file_sha256")
    out = [f"{k}: expected {expected.get(k)!r}, got {got.get(k)!r}" for k in keys if expected.get(k) != got.get(k)]
    if out and expected.get("gmsh_version") != got.get("gmsh_version"):
        out.append(f"(meshed with Gmsh {got.get('gmsh_version')}; the fingerprint was made with "
                   f"{expected.get('gmsh_version')})")
    return out
